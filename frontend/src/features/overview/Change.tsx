import type Decimal from 'decimal.js';
import { formatSignedPercent } from '../../lib/format';
import { percentChange } from '../../lib/money';

/** How a total's complete days moved against the previous period of the same length (today is left out). */
export function Change({ current, previous, excludesToday }: { current: Decimal; previous: Decimal; excludesToday: boolean }) {
  const change = percentChange(current, previous);
  if (change === null) return <span className="muted">no usage in the previous period</span>;
  const direction = change > 0 ? 'up' : change < 0 ? 'down' : 'flat';
  return (
    <span className={`change change-${direction}`} data-testid="change">
      {formatSignedPercent(change)}{' '}
      {excludesToday ? (
        <span className="muted" title="Today is still being ingested, so it is left out of the comparison">
          vs previous period (excl. today)
        </span>
      ) : (
        <span className="muted">vs previous period</span>
      )}
    </span>
  );
}

/** The range holds no complete day yet. */
export function NoComparison() {
  return <span className="muted">no complete day to compare yet</span>;
}
