import { type ComponentType, useMemo } from 'react';
import { Link, type RouteObject } from 'react-router';
import { Provider } from 'urql';
import { createClient } from './api/client';
import { REJECTED_NOTICE, useAuth } from './auth/AuthContext';
import { SignIn } from './auth/SignIn';
import { Layout, type NavItem, PageHeader } from './components/Layout';
import { Empty, Loading } from './components/Status';
import { OverviewPage } from './features/overview/OverviewPage';

const NAV: readonly NavItem[] = [
  { to: '/', label: 'Overview' },
  { to: '/explorer', label: 'Usage explorer' },
  { to: '/sessions', label: 'Sessions' },
  { to: '/pricing', label: 'Pricing' },
  { to: '/ingestion', label: 'Ingestion' },
  { to: '/budgets', label: 'Budgets' },
  { to: '/reconciliation', label: 'Reconciliation' },
  { to: '/closes', label: 'Closes' },
];

/** The sign-in gate, then the shell around every page, with one API client per token. */
function Root() {
  const { identity, signOut } = useAuth();
  const token = identity?.token;
  const client = useMemo(
    () => (token === undefined ? null : createClient(token, () => signOut(REJECTED_NOTICE))),
    [token, signOut],
  );
  // The URL is kept, so after signing in the user lands on the page they asked for.
  if (client === null) return <SignIn />;
  return (
    <Provider value={client}>
      <Layout nav={NAV} />
    </Provider>
  );
}

/** A page loaded on first visit, so the overview does not wait for the rest. */
async function page<M extends Record<K, ComponentType>, K extends keyof M>(module: Promise<M>, name: K) {
  return { Component: (await module)[name] };
}

export const routes: RouteObject[] = [
  {
    element: <Root />,
    // Shown while the first page's code loads.
    hydrateFallbackElement: <Loading />,
    children: [
      { index: true, element: <OverviewPage /> },
      { path: 'explorer', lazy: () => page(import('./features/explorer/ExplorerPage'), 'ExplorerPage') },
      { path: 'sessions', lazy: () => page(import('./features/sessions/SessionsPage'), 'SessionsPage') },
      { path: 'sessions/:id', lazy: () => page(import('./features/sessions/SessionDetailPage'), 'SessionDetailPage') },
      { path: 'pricing', lazy: () => page(import('./features/pricing/PricingPage'), 'PricingPage') },
      { path: 'ingestion', lazy: () => page(import('./features/ingestion/IngestionPage'), 'IngestionPage') },
      { path: 'budgets', lazy: () => page(import('./features/budgets/BudgetsPage'), 'BudgetsPage') },
      { path: 'reconciliation', lazy: () => page(import('./features/reconciliation/ReconciliationPage'), 'ReconciliationPage') },
      { path: 'reconciliation/parity/:id', lazy: () => page(import('./features/reconciliation/parity/ParityReportPage'), 'ParityReportPage') },
      { path: 'closes', lazy: () => page(import('./features/closes/ClosesPage'), 'ClosesPage') },
      { path: '*', element: <NotFound /> },
    ],
  },
];

function NotFound() {
  return (
    <>
      <PageHeader title="Page not found" />
      <Empty>
        There is no page here. <Link to="/">Go to the overview</Link>.
      </Empty>
    </>
  );
}
