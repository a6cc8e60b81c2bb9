import type Decimal from 'decimal.js';
import { formatSignedPercent } from '../../lib/format';
import { percentChange } from '../../lib/money';

/** How a total moved against the previous period of the same length. */
export function Change({ current, previous }: { current: Decimal; previous: Decimal }) {
  const change = percentChange(current, previous);
  if (change === null) return <span className="muted">no usage in the previous period</span>;
  const direction = change > 0 ? 'up' : change < 0 ? 'down' : 'flat';
  return (
    <span className={`change change-${direction}`}>
      {formatSignedPercent(change)} <span className="muted">vs previous period</span>
    </span>
  );
}
