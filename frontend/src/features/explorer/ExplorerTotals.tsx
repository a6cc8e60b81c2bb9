import { StatCard } from '../../components/StatCard';
import { formatCompact, formatCount } from '../../lib/format';
import { formatUsd } from '../../lib/money';
import { type UsageRow, usageTotals } from '../../lib/usage';

export function ExplorerTotals({ rows }: { rows: UsageRow[] }) {
  const totals = usageTotals(rows);
  return (
    <dl className="stats" aria-label="Totals for the current filter">
      <StatCard
        testId="total-cost"
        label="Spend"
        value={formatUsd(totals.pricedCostUsd)}
        exact={totals.pricedCostUsd.toFixed()}
        detail={
          totals.unpricedBuckets > 0 ? (
            <span className="warning">{formatCount(totals.unpricedBuckets)} unpriced buckets not included</span>
          ) : undefined
        }
      />
      <StatCard testId="total-tokens" label="Tokens" value={formatCompact(totals.tokens)} exact={String(totals.tokens)} />
      <StatCard
        testId="total-input"
        label="Input (cached)"
        value={`${formatCompact(totals.inputTokens)} (${formatCompact(totals.inputCachedTokens)})`}
        exact={String(totals.inputTokens)}
      />
      <StatCard testId="total-output" label="Output" value={formatCompact(totals.outputTokens)} exact={String(totals.outputTokens)} />
      <StatCard
        testId="total-requests"
        label="Requests"
        value={formatCompact(totals.requests)}
        exact={String(totals.requests)}
      />
    </dl>
  );
}
