import { Link } from 'react-router';
import { type ReconciliationState, type ReconciliationView, reconciliationToParams } from '../../lib/filters';

const VIEWS: readonly { view: ReconciliationView; label: string }[] = [
  { view: 'cost', label: 'Billed vs computed' },
  { view: 'attribution', label: 'Attribution' },
  { view: 'parity', label: 'CSV parity' },
];

/** The page's views, each a link that keeps the rest of the state. */
export function ReconciliationTabs({ state }: { state: ReconciliationState }) {
  return (
    <nav className="tabs" aria-label="Reconciliation views">
      <ul>
        {VIEWS.map(({ view, label }) => (
          <li key={view}>
            <Link to={`?${reconciliationToParams({ ...state, view })}`} aria-current={state.view === view ? 'page' : undefined}>
              {label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
