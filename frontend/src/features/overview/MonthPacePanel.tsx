import { useQuery } from 'urql';
import { StatCard } from '../../components/StatCard';
import { QueryView } from '../../components/Status';
import { formatDay, formatUsd } from '../../lib/format';
import { sumMoney } from '../../lib/money';
import { BudgetBurn } from './BudgetBurn';
import { monthPace, runRateForecast } from './pace';
import { MonthPaceQuery } from './queries';

/** Is this month normal? Spend so far, where the run-rate ends it, last month beside it, and the budgets' burn. */
export function MonthPacePanel({ today }: { today: string }) {
  const pace = monthPace(today);
  const [result, refetch] = useQuery({
    query: MonthPaceQuery,
    variables: { month: { from: pace.first, to: today }, previousMonth: pace.previousMonth },
  });
  return (
    <section className="panel" aria-labelledby="pace-title">
      <h2 id="pace-title">This month</h2>
      <QueryView result={result} onRetry={() => refetch({ requestPolicy: 'network-only' })}>
        {(data) => {
          const monthToDate = sumMoney(data.month.map((r) => r.pricedCostUsd));
          const completeSpend = sumMoney(data.month.filter((r) => r.date < today).map((r) => r.pricedCostUsd));
          const forecast = runRateForecast(completeSpend, pace);
          const previous = sumMoney(data.previousMonth.map((r) => r.pricedCostUsd));
          return (
            <>
              <dl className="stats stats-compact">
                <StatCard
                  testId="month-to-date"
                  label="Month to date"
                  value={formatUsd(monthToDate)}
                  exact={monthToDate.toFixed()}
                  detail={<span className="muted">{formatDay(pace.first)} through today (incomplete)</span>}
                />
                <StatCard
                  testId="month-forecast"
                  label="Run-rate forecast"
                  value={forecast ? formatUsd(forecast) : '—'}
                  exact={forecast?.toFixed()}
                  detail={
                    <span className="muted">
                      {forecast
                        ? `run-rate: ${pace.completeDays} complete days' spend ÷ ${pace.completeDays} × ${pace.daysInMonth} days`
                        : 'no complete day this month yet'}
                    </span>
                  }
                />
                <StatCard
                  testId="previous-month"
                  label="Last month"
                  value={formatUsd(previous)}
                  exact={previous.toFixed()}
                  detail={<span className="muted">{formatDay(pace.previousMonth.from).slice(0, 7)}, whole month</span>}
                />
              </dl>
              <BudgetBurn budgets={data.budgets.nodes} />
            </>
          );
        }}
      </QueryView>
    </section>
  );
}
