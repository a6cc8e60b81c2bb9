import Decimal from 'decimal.js';
import { StatCard } from '../../components/StatCard';
import type { OverviewSummaryQuery as Summary } from '../../gql/graphql';
import { formatDay } from '../../lib/dates';
import { formatCompact, formatCount, formatPercent } from '../../lib/format';
import { formatUsd } from '../../lib/money';
import { usageTotals } from '../../lib/usage';
import { Change } from './Change';

export function OverviewTotals({ data }: { data: Summary }) {
  // Any grouping sums to the same totals; the per-model rows are at hand.
  const current = usageTotals(data.byModel);
  const previous = usageTotals(data.previous);
  const connections = data.providerConnections;
  const completeDays = connections.map((c) => c.completeThrough);
  const oldest = completeDays.includes(null) ? null : completeDays.filter((d) => d !== null).sort()[0];
  return (
    <dl className="stats">
      <StatCard
        testId="total-cost"
        label="Spend"
        value={formatUsd(current.pricedCostUsd)}
        exact={current.pricedCostUsd.toFixed()}
        detail={
          <>
            <Change current={current.pricedCostUsd} previous={previous.pricedCostUsd} />
            {current.unpricedBuckets > 0 && (
              <span className="warning"> · {formatCount(current.unpricedBuckets)} unpriced buckets not included</span>
            )}
            {current.costEstimated && <span className="muted"> · includes estimated tiered prices</span>}
          </>
        }
      />
      <StatCard
        testId="total-tokens"
        label="Tokens"
        value={formatCompact(current.tokens)}
        exact={String(current.tokens)}
        detail={<Change current={new Decimal(current.tokens)} previous={new Decimal(previous.tokens)} />}
      />
      <StatCard
        testId="total-requests"
        label="Requests"
        value={formatCompact(current.requests)}
        exact={String(current.requests)}
        detail={<Change current={new Decimal(current.requests)} previous={new Decimal(previous.requests)} />}
      />
      <StatCard
        testId="priced-percent"
        label="Tokens priced"
        value={formatPercent(data.systemStats.pricedTokenPercent)}
        detail={<span className="muted">price version #{data.systemStats.priceVersionId}</span>}
      />
      <StatCard
        testId="freshness"
        label="Complete through"
        value={connections.length === 0 ? '—' : oldest ? formatDay(oldest) : 'not yet'}
        exact={oldest ?? undefined}
        detail={
          connections.length === 0 ? (
            <span className="muted">no provider connections</span>
          ) : (
            <ul className="plain-list">
              {connections.map((c) => (
                <li key={c.id}>
                  {c.name}: {c.completeThrough ?? 'never ingested'}
                </li>
              ))}
            </ul>
          )
        }
      />
    </dl>
  );
}
