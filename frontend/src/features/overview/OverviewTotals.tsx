import Decimal from 'decimal.js';
import { NotReported } from '../../components/NotReported';
import { StatCard } from '../../components/StatCard';
import type { OverviewSummaryQuery as Summary } from '../../gql/graphql';
import { formatCompact, formatCount, formatDay, formatPercent, formatUsd } from '../../lib/format';
import { providersWithUsage, reportsRequests, requestsReported } from '../../lib/requests';
import { type UsageRow, usageTotals } from '../../lib/usage';
import { Change, NoComparison } from './Change';

interface OverviewTotalsProps {
  data: Summary;
  /** The complete days the changes compare (today left out); null when there is none. */
  compared: { from: string; to: string } | null;
  /** The range reaches today, which the changes leave out. */
  excludesToday: boolean;
}

const within = (rows: readonly UsageRow[], range: { from: string; to: string }) =>
  rows.filter((r) => r.date >= range.from && r.date <= range.to);

export function OverviewTotals({ data, compared, excludesToday }: OverviewTotalsProps) {
  // Any grouping sums to the same totals; the per-model rows are at hand.
  const current = usageTotals(data.byModel);
  const comparable = compared ? usageTotals(within(data.byModel, compared)) : null;
  const previous = usageTotals(data.previous);
  const providers = providersWithUsage(data.byProvider);
  const requestsKnown = requestsReported(providers);
  const requests = data.byProvider
    .filter((r) => r.group.provider && reportsRequests(r.group.provider))
    .reduce((sum, r) => sum + r.numModelRequests, 0);
  const partialRequests = requestsKnown && providers.some((p) => !reportsRequests(p));
  const connections = data.providerConnections;
  const completeDays = connections.map((c) => c.completeThrough);
  const oldest = completeDays.includes(null) ? null : completeDays.filter((d) => d !== null).sort()[0];
  const change = (pick: (t: ReturnType<typeof usageTotals>) => Decimal | number) =>
    comparable ? (
      <Change current={new Decimal(pick(comparable))} previous={new Decimal(pick(previous))} excludesToday={excludesToday} />
    ) : <NoComparison />;
  return (
    <dl className="stats">
      <StatCard
        testId="total-cost"
        label="Spend"
        value={formatUsd(current.pricedCostUsd)}
        exact={current.pricedCostUsd.toFixed()}
        detail={
          <>
            {change((t) => t.pricedCostUsd)}
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
        detail={change((t) => t.tokens)}
      />
      {requestsKnown ? (
        <StatCard
          testId="total-requests"
          label="Requests"
          value={formatCompact(requests)}
          exact={String(requests)}
          detail={
            partialRequests ? (
              <span className="muted">excludes Anthropic, which does not report requests</span>
            ) : (
              change((t) => t.requests)
            )
          }
        />
      ) : (
        <StatCard testId="total-requests" label="Requests" value={<NotReported />} />
      )}
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
                  {c.name}: {c.completeThrough ? formatDay(c.completeThrough) : 'never ingested'}
                </li>
              ))}
            </ul>
          )
        }
      />
    </dl>
  );
}
