import { formatPercent } from '../../lib/format';

/** How much of a budget is used, capped at full; warns from 80 %. Shared by the budgets page and the overview's burn list. */
export function BudgetMeter({ name, percentUsed }: { name: string; percentUsed: string }) {
  return (
    <meter
      className="budget-meter"
      min={0}
      max={100}
      low={80}
      high={99.99}
      optimum={0}
      value={Math.min(Number(percentUsed), 100)}
      aria-label={`${name}: ${formatPercent(percentUsed)} used`}
    />
  );
}
