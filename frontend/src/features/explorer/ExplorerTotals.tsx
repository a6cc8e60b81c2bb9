import { NotReported } from '../../components/NotReported';
import { StatCard } from '../../components/StatCard';
import { formatCompact, formatCount, formatUsd } from '../../lib/format';
import { type UsageRow, usageTotals } from '../../lib/usage';

interface ExplorerTotalsProps {
  rows: UsageRow[];
  requestsReported: (row: UsageRow) => boolean;
}

export function ExplorerTotals({ rows, requestsReported }: ExplorerTotalsProps) {
  const totals = usageTotals(rows);
  const counted = rows.filter(requestsReported);
  const requests = counted.reduce((sum, r) => sum + r.numModelRequests, 0);
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
      {rows.length > 0 && counted.length === 0 ? (
        <StatCard testId="total-requests" label="Requests" value={<NotReported />} />
      ) : (
        <StatCard
          testId="total-requests"
          label="Requests"
          value={formatCompact(requests)}
          exact={String(requests)}
          detail={
            counted.length < rows.length ? (
              <span className="muted">excludes providers that do not report requests (Anthropic)</span>
            ) : undefined
          }
        />
      )}
    </dl>
  );
}
