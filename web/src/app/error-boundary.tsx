import { Component, type ErrorInfo, type ReactNode } from 'react';

interface State {
  readonly error: Error | undefined;
}

/**
 * Catches what a screen throws while rendering, so that one broken screen shows a message and a
 * way back instead of a blank page; the menu around it keeps working.
 */
export class ErrorBoundary extends Component<{ readonly children: ReactNode; readonly resetKey?: string }, State> {
  override state: State = { error: undefined };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidUpdate(previous: { readonly resetKey?: string }): void {
    // Another screen was opened: give it its chance.
    if (previous.resetKey !== this.props.resetKey && this.state.error) this.setState({ error: undefined });
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('screen failed', error, info.componentStack);
  }

  override render(): ReactNode {
    if (!this.state.error) return this.props.children;
    return (
      <div className="alert alert-danger m-3" role="alert">
        <h2 className="h5">This screen failed</h2>
        <p className="mb-2">{this.state.error.message}</p>
        <button type="button" className="btn btn-outline-danger btn-sm" onClick={() => this.setState({ error: undefined })}>
          Try again
        </button>
      </div>
    );
  }
}
