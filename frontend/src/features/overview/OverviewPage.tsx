import { Link } from 'react-router';
import { useQuery } from 'urql';
import { PageHeader } from '../../components/Layout';
import { Empty, QueryView } from '../../components/Status';
import { isRefusedQuestion, TimeZoneError } from '../../components/TimeZoneError';
import { UsageChart } from '../../components/UsageChart';
import { useSearchState } from '../../hooks/useSearchState';
import { todayUtc } from '../../lib/dates';
import { DIMENSIONS, overviewToParams, parseOverview } from '../../lib/filters';
import { pivotSeries } from '../../lib/usage';
import { DailyUsageQuery } from '../shared/queries';
import { useInventoryNames } from '../shared/useInventoryNames';
import { useHourlyData } from '../shared/useHourlyData';
import { isUtc, timezoneArg, todayIn, UTC } from '../../lib/timezones';
import { OverviewOptions } from './OverviewOptions';
import { OverviewTotals } from './OverviewTotals';
import { comparedRange, comparisonBase } from './comparison';
import { OverviewSummaryQuery } from './queries';
import { TopList } from './TopList';
import { BilledVsComputed } from './BilledVsComputed';
import { MonthPacePanel } from './MonthPacePanel';
import { Movers } from './Movers';
import { UnusualDays } from './UnusualDays';
import { formatDay } from '../../lib/format';
import { RevisedDays } from '../revisions/RevisedDays';
import { revisedLines } from '../revisions/revisions';
import { useRevisions } from '../revisions/useRevisions';

export function OverviewPage() {
  const [state, update] = useSearchState(parseOverview, overviewToParams);
  const range = { from: state.from, to: state.to };
  const today = todayUtc();
  const [summary, refetchSummary] = useQuery({
    query: OverviewSummaryQuery,
    variables: { current: range, previous: comparisonBase(state.from, state.to, today), ...range },
  });
  const [chart, refetchChart] = useQuery({
    query: DailyUsageQuery,
    // Only the chart counts local days: the totals, lists and movers compare UTC days.
    variables: { filter: range, groupBy: [state.stack], timezone: timezoneArg(state.timezone) },
  });
  const hourlyData = useHourlyData();
  const local = !isUtc(state.timezone);
  const names = useInventoryNames();
  const revisions = useRevisions(state.from, state.to);
  const compared = comparedRange(state.from, state.to, today);
  const stackLabel = DIMENSIONS.find((d) => d.value === state.stack)?.label.toLowerCase() ?? '';

  return (
    <>
      <PageHeader title="Overview">
        <Link to={`/sessions?${new URLSearchParams({ view: 'expensive', ...range })}`}>Most expensive sessions</Link>
      </PageHeader>
      <OverviewOptions state={state} onChange={update} hourlyData={hourlyData} />

      <section aria-labelledby="totals-title">
        <h2 id="totals-title" className="visually-hidden">
          Period totals
        </h2>
        {local && (
          <p className="muted small" data-testid="totals-days">
            Totals, top lists and movers count UTC days; only the daily chart shows local days in {state.timezone}.
          </p>
        )}
        <QueryView result={summary} onRetry={() => refetchSummary({ requestPolicy: 'network-only' })}>
          {(data) => (
            <OverviewTotals
              data={data}
              compared={compared}
              excludesToday={state.to >= today}
            />
          )}
        </QueryView>
      </section>

      <div className="grid-2">
        <MonthPacePanel today={today} />
        <BilledVsComputed from={state.from} to={state.to} />
      </div>

      <section className="panel" aria-labelledby="chart-title">
        <h2 id="chart-title">
          Daily {state.metric === 'cost' ? 'spend' : 'tokens'} by {stackLabel}
        </h2>
        <p className="muted small chart-subtitle" data-testid="chart-days">
          {local
            ? `Local days in ${state.timezone}, summed from hourly usage. Revised marks refer to UTC days.`
            : 'UTC days.'}
        </p>
        {local && isRefusedQuestion(chart.error) ? (
          <TimeZoneError error={chart.error} zone={state.timezone} onUseUtc={() => update({ timezone: UTC })} />
        ) : (
          <QueryView result={chart} onRetry={() => refetchChart({ requestPolicy: 'network-only' })}>
            {(data) => {
              const { points, series } = pivotSeries(data.dailyUsage, [state.stack], state.metric, 8, names);
              if (series.length === 0) return <Empty>No usage between {formatDay(state.from)} and {formatDay(state.to)}.</Empty>;
              return (
                <UsageChart
                  points={points}
                  series={series}
                  metric={state.metric}
                  title={`Daily ${state.metric === 'cost' ? 'spend' : 'tokens'} by ${stackLabel}, ${state.from} to ${state.to}${local ? ` (local days in ${state.timezone})` : ''}`}
                  today={local ? todayIn(state.timezone) : today}
                  revised={revisedLines(revisions.byDay, revisions.names)}
                />
              );
            }}
          </QueryView>
        )}
      </section>

      <RevisedDays revisions={revisions} from={state.from} to={state.to} />

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

      {summary.data && compared && (
        <div className="grid-2">
          <Movers
            title="Biggest movers: projects"
            dimension="PROJECT"
            current={within(summary.data.byProject, compared)}
            previous={summary.data.previousByProject}
            names={names}
          />
          <Movers
            title="Biggest movers: models"
            dimension="MODEL"
            current={within(summary.data.byModel, compared)}
            previous={summary.data.previousByModel}
            names={names}
          />
        </div>
      )}

      <UnusualDays from={state.from} to={state.to} />
    </>
  );
}

const within = <T extends { date: string }>(rows: readonly T[], range: { from: string; to: string }) =>
  rows.filter((r) => r.date >= range.from && r.date <= range.to);
