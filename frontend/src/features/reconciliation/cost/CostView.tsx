import { useQuery } from 'urql';
import { QueryView } from '../../../components/Status';
import type { ReconciliationState } from '../../../lib/filters';
import { useInventoryNames } from '../../shared/useInventoryNames';
import { CostReconciliation } from './CostReconciliation';
import { CostReconciliationQuery } from './queries';
import { RecordedReports } from './RecordedReports';

/** Billed vs computed for the range, then what the daily job recorded. */
export function CostView({ state }: { state: ReconciliationState }) {
  const names = useInventoryNames();
  const [result, refetch] = useQuery({
    query: CostReconciliationQuery,
    variables: { from: state.from, to: state.to, providers: state.providers.length > 0 ? state.providers : null },
  });
  return (
    <>
      <QueryView
        result={result}
        onRetry={() => refetch({ requestPolicy: 'network-only' })}
        loadingLabel="Reconciling billed and computed costs…"
      >
        {(data) => <CostReconciliation rows={data.costReconciliation} names={names} range={state} />}
      </QueryView>
      <RecordedReports names={names} />
    </>
  );
}
