import Decimal from 'decimal.js';
import { useId } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { DailyUsageQuery, OverviewSummaryQuery } from '../api/queries';
import { DateRangeFields } from '../components/DateRangeFields';
import { PageHeader } from '../components/Layout';
import { StatCard } from '../components/StatCard';
import { Empty, QueryView } from '../components/Status';
import { UsageChart } from '../components/UsageChart';
import type { OverviewSummaryQuery as Summary, UsageDimension } from '../gql/graphql';
import { useInventoryNames } from '../hooks/useInventoryNames';
import { useSearchState } from '../hooks/useSearchState';
import { formatDay, previousPeriod } from '../lib/dates';
import {
  DIMENSIONS,
  LIST_PARAMS,
  type ListField,
  overviewToParams,
  parseOverview,
  STACK_OPTIONS,
  type StackBy,
} from '../lib/filters';
import { formatCompact, formatCount, formatPercent, formatSignedPercent } from '../lib/format';
import { formatUsd, percentChange } from '../lib/money';
import type { NameIndex } from '../lib/names';
import { type GroupSummary, pivotSeries, rankGroups, usageTotals } from '../lib/usage';

export function OverviewPage() {
  const [state, update] = useSearchState(parseOverview, overviewToParams);
  const range = { from: state.from, to: state.to };
  const [summary, refetchSummary] = useQuery({
    query: OverviewSummaryQuery,
    variables: { current: range, previous: previousPeriod(state.from, state.to), ...range },
  });
  const [chart, refetchChart] = useQuery({
    query: DailyUsageQuery,
    variables: { filter: range, groupBy: [state.stack] },
  });
  const stackId = useId();
  const names = useInventoryNames();
  const stackLabel = DIMENSIONS.find((d) => d.value === state.stack)?.label.toLowerCase() ?? '';

  return (
    <>
      <PageHeader title="Overview" />
      <form className="toolbar" onSubmit={(e) => e.preventDefault()} aria-label="Overview options">
        <DateRangeFields from={state.from} to={state.to} onChange={update} />
        <div className="field">
          <label htmlFor={stackId}>Stack by</label>
          <select id={stackId} value={state.stack} onChange={(e) => update({ stack: e.target.value as StackBy })}>
            {STACK_OPTIONS.map((option) => (
              <option key={option} value={option}>
                {DIMENSIONS.find((d) => d.value === option)?.label}
              </option>
            ))}
          </select>
        </div>
        <div className="segmented" role="group" aria-label="Chart measure">
          {(['cost', 'tokens'] as const).map((metric) => (
            <button
              key={metric}
              type="button"
              className="chip"
              aria-pressed={state.metric === metric}
              onClick={() => update({ metric })}
            >
              {metric === 'cost' ? 'Spend' : 'Tokens'}
            </button>
          ))}
        </div>
      </form>

      <section aria-labelledby="totals-title">
        <h2 id="totals-title" className="visually-hidden">
          Period totals
        </h2>
        <QueryView result={summary} onRetry={() => refetchSummary({ requestPolicy: 'network-only' })}>
          {(data) => <Totals data={data} />}
        </QueryView>
      </section>

      <section className="panel" aria-labelledby="chart-title">
        <h2 id="chart-title">
          Daily {state.metric === 'cost' ? 'spend' : 'tokens'} by {stackLabel}
        </h2>
        <QueryView result={chart} onRetry={() => refetchChart({ requestPolicy: 'network-only' })}>
          {(data) => {
            const { points, series } = pivotSeries(data.dailyUsage, [state.stack], state.metric, 8, names);
            if (series.length === 0) return <Empty>No usage between {formatDay(state.from)} and {formatDay(state.to)}.</Empty>;
            return (
              <UsageChart
                points={points}
                series={series}
                metric={state.metric}
                title={`Daily ${state.metric === 'cost' ? 'spend' : 'tokens'} by ${stackLabel}, ${state.from} to ${state.to}`}
              />
            );
          }}
        </QueryView>
      </section>

      {summary.data && (
        <div className="grid-3">
          <TopList
            title="Top projects"
            field="projectIds"
            dimension="PROJECT"
            rows={summary.data.byProject}
            range={range}
            names={names}
          />
          <TopList title="Top API keys" field="apiKeyIds" dimension="API_KEY" rows={summary.data.byKey} range={range} names={names} />
          <TopList title="Top models" field="models" dimension="MODEL" rows={summary.data.byModel} range={range} names={names} />
        </div>
      )}
    </>
  );
}

function Change({ current, previous }: { current: Decimal; previous: Decimal }) {
  const change = percentChange(current, previous);
  if (change === null) return <span className="muted">no usage in the previous period</span>;
  const direction = change > 0 ? 'up' : change < 0 ? 'down' : 'flat';
  return (
    <span className={`change change-${direction}`}>
      {formatSignedPercent(change)} <span className="muted">vs previous period</span>
    </span>
  );
}

function Totals({ data }: { data: Summary }) {
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

interface TopListProps {
  title: string;
  field: ListField;
  dimension: UsageDimension;
  rows: Summary['byModel'];
  range: { from: string; to: string };
  names: NameIndex;
}

/** The largest groups, each a link into the explorer filtered to it. */
function TopList({ title, field, dimension, rows, range, names }: TopListProps) {
  const top = rankGroups(rows, dimension, 5, names);
  const largest = top[0]?.pricedCostUsd;
  const link = (group: GroupSummary) =>
    `/explorer?${new URLSearchParams({ ...range, [LIST_PARAMS[field]]: group.value, group: 'model' })}`;
  return (
    <section className="panel" aria-label={title}>
      <h2>{title}</h2>
      {top.length === 0 ? (
        <Empty>No usage in this range.</Empty>
      ) : (
        <ol className="rank-list">
          {top.map((group) => (
            <li key={group.value}>
              <div className="rank-row">
                {group.value === '' ? (
                  <span className="muted">{group.label}</span>
                ) : (
                  <Link
                    to={link(group)}
                    className="rank-label"
                    title={group.label === group.value ? undefined : group.value}
                    data-id={group.value}
                  >
                    {group.label}
                  </Link>
                )}
                <span className="numeric">{formatUsd(group.pricedCostUsd)}</span>
              </div>
              <div className="rank-bar" aria-hidden="true">
                <span
                  style={{
                    width: `${largest && !largest.isZero() ? group.pricedCostUsd.dividedBy(largest).times(100).toNumber() : 0}%`,
                  }}
                />
              </div>
              <div className="muted small">{formatCompact(group.tokens)} tokens</div>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
