import { Link } from 'react-router';
import type { MonthPaceQuery } from '../../gql/graphql';
import { BudgetMeter } from '../budgets/BudgetMeter';
import { formatPercent, formatRange, formatUsd } from '../../lib/format';

type Budget = MonthPaceQuery['budgets']['nodes'][number];

/** Each budget's spend against its amount in the current period, with its forecast; nothing when there are no budgets. */
export function BudgetBurn({ budgets }: { budgets: readonly Budget[] }) {
  if (budgets.length === 0) return null;
  return (
    <div>
      <h3 id="burn-title">
        Budget burn <Link to="/budgets" className="small">(budgets)</Link>
      </h3>
      <ul className="rank-list" data-testid="budget-burn">
        {budgets.map((b) => (
          <li key={b.id}>
            <div className="rank-row">
              <span className="rank-label">{b.name}</span>
              <span className="numeric">
                <span title={b.current.spendUsd}>{formatUsd(b.current.spendUsd)}</span> of {formatUsd(b.amountUsd)} (
                {formatPercent(b.current.percentUsed)})
              </span>
            </div>
            <BudgetMeter name={b.name} percentUsed={b.current.percentUsed} />
            <div className="muted small">
              forecast {formatUsd(b.current.forecastUsd)} ({formatPercent(b.current.forecastPercentUsed)}) ·{' '}
              {formatRange(b.current.periodStart, b.current.periodEnd)}
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}
