import { PageHeader } from '../../components/Layout';
import { useSearchState } from '../../hooks/useSearchState';
import { parseReconciliation, reconciliationToParams } from '../../lib/filters';
import { AttributionView } from './attribution/AttributionView';
import { CostView } from './cost/CostView';
import { ToleranceNote } from './cost/ToleranceNote';
import { ParityView } from './parity/ParityView';
import { ReconciliationOptions } from './ReconciliationOptions';
import { ReconciliationTabs } from './ReconciliationTabs';

export function ReconciliationPage() {
  const [state, update] = useSearchState(parseReconciliation, reconciliationToParams);

  return (
    <>
      <PageHeader title="Reconciliation" />
      <ReconciliationTabs state={state} />
      {state.view === 'cost' && <ToleranceNote />}
      {state.view === 'attribution' && (
        <p className="muted">
          How much of the providers' usage the applications reported as interactions: matched usage is attributed to
          sessions and users; the provider-only remainder is not.
        </p>
      )}
      {state.view !== 'parity' && <ReconciliationOptions state={state} onChange={update} />}
      {state.view === 'cost' && <CostView state={state} />}
      {state.view === 'attribution' && (
        <AttributionView from={state.from} to={state.to} measure={state.measure} byKey={state.byKey} />
      )}
      {state.view === 'parity' && <ParityView />}
    </>
  );
}
