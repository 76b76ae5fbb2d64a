import type { ReactNode } from 'react';

/**
 * What a query shows before its data: a spinner while it loads, its refusal plainly, or the
 * empty text when there is nothing; otherwise the children.
 */
export function LoadState({ pending, error, empty, emptyText, children }: { readonly pending: boolean; readonly error: Error | null; readonly empty: boolean; readonly emptyText: string; readonly children: ReactNode }) {
  if (error) {
    return (
      <div className="alert alert-danger" role="alert">
        {error.message}
      </div>
    );
  }
  if (pending) {
    return (
      <p className="text-body-secondary" role="status">
        <span className="spinner-border spinner-border-sm me-2" aria-hidden="true" />
        Loading…
      </p>
    );
  }
  if (empty) return <p className="text-body-secondary">{emptyText}</p>;
  return <>{children}</>;
}
