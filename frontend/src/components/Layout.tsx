import { type ReactNode, useEffect, useRef } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { useAuth, useIdentity } from '../auth/AuthContext';

export interface NavItem {
  to: string;
  label: string;
}

export function Layout({ nav }: { nav: readonly NavItem[] }) {
  const { signOut } = useAuth();
  const identity = useIdentity();
  const { pathname } = useLocation();
  const main = useRef<HTMLElement>(null);
  const shownPath = useRef(pathname);

  // A client-side page change is silent for screen readers: announce it by
  // moving focus to the new page's heading. Not on load, where the browser
  // announces the page itself and focus order must start at the skip link.
  useEffect(() => {
    if (shownPath.current === pathname) return;
    shownPath.current = pathname;
    main.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [pathname]);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>{' '}
          CogniTrack
        </span>
        <nav aria-label="Main" className="nav">
          <ul>
            {nav.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} end={item.to === '/'}>
                  {item.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="account">
          <span className="account-name" data-testid="account-name">
            {identity.name}
          </span>
          <span className={`role role-${identity.role}`} data-testid="role">
            {identity.role}
          </span>
          <button type="button" className="button button-quiet" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" ref={main} className="content" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}

/** A page's title block; the heading takes focus on client-side navigation (not on load). */
export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  useEffect(() => {
    document.title = `${title} · CogniTrack`;
  }, [title]);
  return (
    <div className="page-header">
      <h1 tabIndex={-1}>{title}</h1>
      {children && <div className="page-header-extra">{children}</div>}
    </div>
  );
}
