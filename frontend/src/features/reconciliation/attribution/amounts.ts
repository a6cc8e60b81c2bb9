import { formatCompact, formatCount, formatUsd } from '../../../lib/format';
import type { Amount, AttributionMeasure } from './attribution';

type Shown = { tokens: number; costUsd: string | Amount['costUsd'] };

/** An amount in the measure shown: every token, or USD. */
export function show(amount: Shown, measure: AttributionMeasure): string {
  return measure === 'tokens' ? formatCount(amount.tokens) : formatUsd(amount.costUsd);
}

/** For cards: "1.1B" tokens (the exact count is in the title). */
export function showShort(amount: Shown, measure: AttributionMeasure): string {
  return measure === 'tokens' ? formatCompact(amount.tokens) : formatUsd(amount.costUsd);
}

/** The same amount in the other measure, as a card's detail. */
export function other(amount: Shown, measure: AttributionMeasure): string {
  return measure === 'tokens' ? formatUsd(amount.costUsd) : `${formatCount(amount.tokens)} tokens`;
}
