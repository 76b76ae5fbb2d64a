import { useEffect, useState, type ReactNode } from 'react';
import { Link, Redirect, Route, Switch, useLocation } from 'wouter';
import { movementScreens } from '../movements/forms';
import { ArticlesScreen } from '../screens/articles';
import { ComingNext } from '../screens/coming-next';
import { LocationsScreen } from '../screens/locations';
import { MovementsScreen } from '../screens/movements';
import { OverviewScreen } from '../screens/overview';
import { ReportsScreen } from '../screens/reports';
import { ScanScreen } from '../screens/scan';
import { StockScreen } from '../screens/stock';
import { AdminScreen } from '../screens/admin';
import { AuditScreen } from '../screens/audit';
import { api } from './api';
import { ErrorBoundary } from './error-boundary';
import { useLiveUpdates } from './live';
import { screensFor, type Screen } from './navigation';
import { useSession, type SessionUser } from './session';

/** The screen of each path of the menu: every one is built (a path without one here would say "coming next"). */
const built: Readonly<Record<string, () => ReactNode>> = {
  '/': () => <OverviewScreen />,
  '/audit': () => <AuditScreen />,
  '/admin': () => <AdminScreen />,
  '/stock': () => <StockScreen />,
  ...movementScreens,
  '/articles': () => <ArticlesScreen />,
  '/locations': () => <LocationsScreen />,
  '/movements': () => <MovementsScreen />,
  '/reports': () => <ReportsScreen />,
  '/scan': () => <ScanScreen />,
};

/** "Catching up": shown while the read model has not yet applied the last command. */
function CatchingUp() {
  const [catchingUp, setCatchingUp] = useState(false);
  useEffect(() => api.onCatchingUp(setCatchingUp), []);
  if (!catchingUp) return null;
  return (
    <span className="badge text-bg-warning ms-2" role="status">
      <span className="spinner-border spinner-border-sm me-1" aria-hidden="true" />
      Catching up
    </span>
  );
}

function SideNav({ screens, onNavigate }: { readonly screens: readonly Screen[]; readonly onNavigate: () => void }) {
  const [location] = useLocation();
  const groups = [...new Set(screens.map((screen) => screen.group))];
  return (
    <nav aria-label="Screens">
      {groups.map((group) => (
        <div key={group} className="mb-3">
          <h2 className="sidenav-group text-body-secondary text-uppercase px-2 mb-1">{group}</h2>
          <ul className="nav nav-pills flex-column">
            {screens
              .filter((screen) => screen.group === group)
              .map((screen) => {
                const active = screen.path === '/' ? location === '/' : location.startsWith(screen.path);
                return (
                  <li key={screen.path} className="nav-item">
                    <Link href={screen.path} className={`nav-link py-1 ${active ? 'active' : 'link-body-emphasis'}`} aria-current={active ? 'page' : undefined} onClick={onNavigate}>
                      <i className={`bi bi-${screen.icon} me-2`} aria-hidden="true" />
                      {screen.title}
                    </Link>
                  </li>
                );
              })}
          </ul>
        </div>
      ))}
    </nav>
  );
}

/**
 * The signed-in layout: a top bar with the company and the user, the screens the user's role may
 * open in a side menu (always shown on a laptop, behind "Menu" on a tablet), and the screen.
 */
export function Shell({ user }: { readonly user: SessionUser }) {
  const { signOut } = useSession();
  const [location] = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const screens = screensFor(user.role);
  useLiveUpdates();
  return (
    <div className="d-flex flex-column min-vh-100">
      <header className="navbar navbar-expand bg-dark border-bottom" data-bs-theme="dark">
        <div className="container-fluid">
          <button type="button" className="btn btn-outline-light btn-sm d-lg-none me-2" aria-expanded={menuOpen} aria-controls="sidenav" onClick={() => setMenuOpen(!menuOpen)}>
            <i className="bi bi-list me-1" aria-hidden="true" />
            Menu
          </button>
          <Link href="/" className="navbar-brand fw-semibold">
            <i className="bi bi-box-seam me-2" aria-hidden="true" />
            StockControl
          </Link>
          <span className="badge text-bg-secondary" title="Company">
            {user.tenant}
          </span>
          <CatchingUp />
          <div className="ms-auto d-flex align-items-center gap-2 text-light">
            <span>
              <i className="bi bi-person-circle me-1" aria-hidden="true" />
              {user.username} <span className="text-white-50">({user.role})</span>
            </span>
            <button type="button" className="btn btn-outline-light btn-sm" onClick={() => void signOut()}>
              Sign out
            </button>
          </div>
        </div>
      </header>
      <div className="d-flex flex-grow-1">
        <aside id="sidenav" className={`sidenav border-end bg-body-tertiary p-2 ${menuOpen ? 'd-block' : 'd-none'} d-lg-block`}>
          <SideNav screens={screens} onNavigate={() => setMenuOpen(false)} />
        </aside>
        <main className="flex-grow-1 p-3 overflow-hidden" id="main">
          <ErrorBoundary resetKey={location}>
            <Switch>
              {screens.map((screen) => (
                <Route key={screen.path} path={screen.path} nest={screen.path === '/articles'}>
                  {built[screen.path]?.() ?? <ComingNext title={screen.title} />}
                </Route>
              ))}
              <Route path="/login">
                <Redirect to="/" />
              </Route>
              <Route>
                <ComingNext title="Not found" missing />
              </Route>
            </Switch>
          </ErrorBoundary>
        </main>
      </div>
    </div>
  );
}
