import 'bootstrap/dist/css/bootstrap.min.css';
import 'bootstrap-icons/font/bootstrap-icons.min.css';
import './app.css';
import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Route, Switch } from 'wouter';
import { queryClient } from './app/api';
import { ErrorBoundary } from './app/error-boundary';
import { SessionProvider, useSession } from './app/session';
import { Shell } from './app/shell';
import { RegisterScreen } from './screens/register';
import { SignInScreen } from './screens/sign-in';

/** Signed in: the shell; signed out: sign-in or registration, whatever path was asked for. */
function App() {
  const { user } = useSession();
  if (user === undefined) {
    return (
      <div className="d-flex justify-content-center p-5" role="status">
        <span className="spinner-border" aria-hidden="true" />
        <span className="visually-hidden">Loading</span>
      </div>
    );
  }
  if (user) return <Shell user={user} />;
  return (
    <Switch>
      <Route path="/register" component={RegisterScreen} />
      <Route component={SignInScreen} />
    </Switch>
  );
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <ErrorBoundary>
      <QueryClientProvider client={queryClient}>
        <SessionProvider>
          <App />
        </SessionProvider>
      </QueryClientProvider>
    </ErrorBoundary>
  </StrictMode>,
);
