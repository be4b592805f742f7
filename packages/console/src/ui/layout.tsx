/**
 * The page frame: a skip link, the header with the role-aware navigation (a
 * menu button on narrow screens), the main landmark, and the sign-in page for
 * whoever is not signed in, whatever address they opened.
 */
import { Suspense, useEffect, useState } from 'react';
import { Link, Outlet, useRouterState } from '@tanstack/react-router';
import { useSession, type Session } from '../session.tsx';
import { SignInPage } from '../pages/signin.tsx';
import { Button, Loading } from './components.tsx';

interface NavItem {
  to: '/dashboard' | '/orders' | '/orders/new' | '/inventory' | '/customers' | '/catalog' | '/capabilities' | '/operations';
  label: (s: Session) => string;
  visible: (s: Session) => boolean;
}

export const NAV: readonly NavItem[] = [
  { to: '/dashboard', label: () => 'Dashboard', visible: (s) => s.can('ops.kpi', 'read') },
  { to: '/orders/new', label: () => 'New order', visible: (s) => s.can('productOrderingManagement', 'create') },
  { to: '/orders', label: (s) => (s.confined ? 'My orders' : 'Orders'), visible: (s) => s.can('productOrderingManagement', 'read') },
  { to: '/inventory', label: (s) => (s.confined ? 'My products' : 'Inventory'), visible: (s) => s.can('productInventory', 'read') },
  { to: '/customers', label: (s) => (s.confined ? 'My account' : 'Customers'), visible: (s) => s.can('customerManagement', 'read') },
  { to: '/catalog', label: () => 'Catalog', visible: (s) => s.can('productCatalogManagement', 'read') },
  { to: '/capabilities', label: () => 'eTOM map', visible: (s) => s.can('etom', 'read') },
  { to: '/operations', label: () => 'Operations', visible: (s) => s.can('ops.events', 'read') },
];

export function RootLayout() {
  const session = useSession();
  if (session.restoring) {
    return <main id="main" className="center-page"><Loading label="Checking your session…" /></main>;
  }
  if (!session.principal) return <SignInPage />;
  return <Shell session={session} />;
}

function Shell({ session }: { session: Session }) {
  const [menuOpen, setMenuOpen] = useState(false);
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  // the menu closes after choosing a page on a phone
  useEffect(() => setMenuOpen(false), [pathname]);
  const p = session.principal!;
  return (
    <div className="app">
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="app-header">
        <Link to="/" className="brand" aria-label="Operon console, home">
          <span aria-hidden="true" className="brand-mark">◎</span> Operon
        </Link>
        <Button
          className="menu-button"
          aria-expanded={menuOpen}
          aria-controls="primary-nav"
          onClick={() => setMenuOpen((o) => !o)}
        >
          {menuOpen ? 'Close menu' : 'Menu'}
        </Button>
        <nav id="primary-nav" aria-label="Primary" className={`primary-nav ${menuOpen ? 'open' : ''}`}>
          <ul>
            {NAV.filter((n) => n.visible(session)).map((n) => (
              <li key={n.to}>
                <Link to={n.to} activeOptions={{ exact: n.to === '/orders' }} activeProps={{ className: 'active', 'aria-current': 'page' }}>
                  {n.label(session)}
                </Link>
              </li>
            ))}
          </ul>
          <div className="user">
            <span className="user-name" title={p.roleDescriptions.join('\n')}>
              {p.name ?? p.id}
              <span className="user-roles"> · {p.roles.join(', ')}</span>
            </span>
            <Button variant="link" onClick={session.signOut}>Sign out</Button>
          </div>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}
