import { useQuery } from 'urql';
import { Link } from 'react-router';
import { StatCard } from '../../components/StatCard';
import { QueryView } from '../../components/Status';
import { formatPercent, formatUsd, formatVarianceUsd } from '../../lib/format';
import { sumMoney } from '../../lib/money';
import { BilledVsComputedQuery } from './queries';

/** What the providers billed over the range beside what usage × price book computes, and the gap. */
export function BilledVsComputed({ from, to }: { from: string; to: string }) {
  const [result, refetch] = useQuery({ query: BilledVsComputedQuery, variables: { from, to } });
  return (
    <section className="panel" aria-labelledby="billed-title">
      <h2 id="billed-title">
        Computed vs billed <Link to={`/reconciliation?${new URLSearchParams({ from, to })}`} className="small">(details)</Link>
      </h2>
      <QueryView result={result} onRetry={() => refetch({ requestPolicy: 'network-only' })}>
        {(data) => {
          const computed = sumMoney(data.costReconciliation.map((r) => r.computedUsd));
          const billed = sumMoney(data.costReconciliation.map((r) => r.billedUsd));
          const gap = computed.minus(billed);
          return (
            <dl className="stats stats-compact">
              <StatCard testId="computed-usd" label="Computed (usage × price book)" value={formatUsd(computed)} exact={computed.toFixed()} />
              <StatCard testId="billed-usd" label="Billed (provider costs API)" value={formatUsd(billed)} exact={billed.toFixed()} />
              <StatCard
                testId="billed-gap"
                label="Gap (computed − billed)"
                value={formatVarianceUsd(gap)}
                exact={gap.toFixed()}
                detail={billed.isZero() ? <span className="muted">nothing billed</span> : <span className="muted">{formatPercent(gap.dividedBy(billed).times(100))} of the bill</span>}
              />
            </dl>
          );
        }}
      </QueryView>
    </section>
  );
}
