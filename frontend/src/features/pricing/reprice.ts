import type Decimal from 'decimal.js';
import type { RepriceUsageMutation } from '../../gql/graphql';
import { formatCount, formatSignedUsd, formatUsd } from '../../lib/format';
import { sumMoney } from '../../lib/money';

export type RepriceResult = RepriceUsageMutation['repriceUsage'];
export type RepriceDay = RepriceResult['days'][number];

export interface RepriceDiffRow {
  /** Stable row id. */
  key: string;
  date: string;
  provider: string;
  bucketsChanged: number;
  oldCostUsd: string;
  newCostUsd: string;
  deltaUsd: string;
  /** What the table shows. */
  old: string;
  new: string;
  delta: string;
  /** "3 newly priced, 1 newly unpriced", or empty. */
  pricing: string;
}

/** The per-day diff as the table shows it: oldest day first, then provider. */
export function repriceDiffRows(days: readonly RepriceDay[]): RepriceDiffRow[] {
  return [...days]
    .sort((a, b) => a.date.localeCompare(b.date) || a.provider.localeCompare(b.provider))
    .map((d) => ({
      key: `${d.date}/${d.provider}`,
      date: d.date,
      provider: d.provider,
      bucketsChanged: d.bucketsChanged,
      oldCostUsd: d.oldCostUsd,
      newCostUsd: d.newCostUsd,
      deltaUsd: d.deltaUsd,
      old: formatUsd(d.oldCostUsd),
      new: formatUsd(d.newCostUsd),
      delta: formatSignedUsd(d.deltaUsd),
      pricing: [
        d.newlyPriced > 0 ? `${formatCount(d.newlyPriced)} newly priced` : '',
        d.newlyUnpriced > 0 ? `${formatCount(d.newlyUnpriced)} newly unpriced` : '',
      ]
        .filter(Boolean)
        .join(', '),
    }));
}

/** The days' deltas summed exactly; equals the result's `deltaUsd`. */
export function repriceDelta(days: readonly RepriceDay[]): Decimal {
  return sumMoney(days.map((d) => d.deltaUsd));
}

/** One sentence for a dry run or an applied run. */
export function repriceSummary(result: RepriceResult): string {
  if (result.bucketsChanged === 0) {
    return `No change: the ${formatCount(result.bucketsExamined)} buckets examined already have the current prices.`;
  }
  const days = new Set(result.days.map((d) => d.date)).size;
  const verb = result.dryRun ? 'would change' : 'changed';
  return (
    `${formatCount(result.bucketsChanged)} of ${formatCount(result.bucketsExamined)} buckets on ${formatCount(days)} ` +
    `${days === 1 ? 'day' : 'days'} ${verb}: ${formatUsd(result.oldCostUsd)} → ${formatUsd(result.newCostUsd)} ` +
    `(${formatSignedUsd(result.deltaUsd)}).`
  );
}
