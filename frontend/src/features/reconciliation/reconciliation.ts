import Decimal from 'decimal.js';
import type { CostReconciliationQuery, LikelyCause } from '../../gql/graphql';
import { humanize, keysOf } from '../../lib/enums';
import { sumMoney } from '../../lib/money';
import { type NameIndex, NO_PROJECT, nameOf } from '../../lib/names';

/** A `costReconciliation` row as the dashboard asks for it. */
export type ReconciliationRow = CostReconciliationQuery['costReconciliation'][number];

/** What each `LikelyCause` means, for a reader who has not seen the code; likeliest first, as the API ranks them. */
export const LIKELY_CAUSES: Readonly<Record<LikelyCause, { label: string; hint: string }>> = {
  LINE_ITEM_WITHOUT_USAGE: {
    label: 'Billed, no usage',
    hint: 'The bill has a line with no matching usage (e.g. a tool, storage or a fee).',
  },
  USAGE_NOT_BILLED_YET: {
    label: 'Not billed yet',
    hint: 'Usage the provider has not billed yet; the costs API lags usage by hours.',
  },
  UNPRICED_MODEL: {
    label: 'Unpriced model',
    hint: 'Usage of a model the price book cannot price: the computed cost leaves it out.',
  },
  USAGE_WITHOUT_TOKEN_PRICE: {
    label: 'Usage without token price',
    hint: 'Usage billed per image, second or character, which is not priced per token.',
  },
  TIER_NOT_REPORTED: {
    label: 'Tier not reported',
    hint: 'The provider did not report the service tier, so the standard price was used.',
  },
  PRICE_DIFFERENCE: {
    label: 'Price difference',
    hint: 'The provider billed another price than the price book: a negotiated rate, or a stale book.',
  },
};

/** The causes in the API's order, likeliest first. */
export const CAUSES: readonly LikelyCause[] = keysOf(LIKELY_CAUSES);

/** A cause as words; empty for none. A cause newer than this dashboard is shown humanized. */
export function causeLabel(cause: LikelyCause | null | undefined): string {
  if (!cause) return '';
  const known: { label: string } | undefined = LIKELY_CAUSES[cause];
  return known?.label ?? humanize(cause);
}

/** What a cause means, for a tooltip; undefined for none or an unknown cause. */
export function causeHint(cause: LikelyCause | null | undefined): string | undefined {
  if (!cause) return undefined;
  const known: { hint: string } | undefined = LIKELY_CAUSES[cause];
  return known?.hint;
}

/**
 * The project a row is about: the inventory's name when it has one. `""`
 * (Anthropic's default workspace, or no project reported) is `NO_PROJECT`. The
 * provider is a string: attribution groups carry any provider an app reports.
 */
export function reconciliationProject(row: { provider: string; projectId?: string | null }, names: NameIndex): string {
  if (row.projectId === null || row.projectId === undefined) return 'All projects';
  if (row.projectId === '') return NO_PROJECT;
  return nameOf(names, 'PROJECT', row.projectId) ?? row.projectId;
}

export interface ReconciliationTotals {
  billedUsd: Decimal;
  computedUsd: Decimal;
  /** Computed minus billed, as the API's rows. */
  varianceUsd: Decimal;
  /** Of the bill; null when nothing was billed. */
  variancePercent: Decimal | null;
  rows: number;
  outsideTolerance: number;
  unpricedBuckets: number;
}

/** Exact sums over the rows shown. */
export function reconciliationTotals(rows: readonly ReconciliationRow[]): ReconciliationTotals {
  const billedUsd = sumMoney(rows.map((r) => r.billedUsd));
  const computedUsd = sumMoney(rows.map((r) => r.computedUsd));
  const varianceUsd = computedUsd.minus(billedUsd);
  return {
    billedUsd,
    computedUsd,
    varianceUsd,
    variancePercent: billedUsd.isZero() ? null : varianceUsd.dividedBy(billedUsd).times(100),
    rows: rows.length,
    outsideTolerance: rows.filter((r) => !r.withinTolerance).length,
    unpricedBuckets: rows.reduce((n, r) => n + r.unpricedBuckets, 0),
  };
}

export interface ReconciliationPoint {
  date: string;
  billed: number;
  computed: number;
  /** Rows of the day outside tolerance. */
  outside: number;
}

/** One point per day (every provider and project summed), oldest first, for the chart. */
export function dailyBilledVsComputed(rows: readonly ReconciliationRow[]): ReconciliationPoint[] {
  const days = new Map<string, { billed: Decimal; computed: Decimal; outside: number }>();
  for (const row of rows) {
    const day = days.get(row.date) ?? { billed: new Decimal(0), computed: new Decimal(0), outside: 0 };
    day.billed = day.billed.plus(row.billedUsd);
    day.computed = day.computed.plus(row.computedUsd);
    if (!row.withinTolerance) day.outside += 1;
    days.set(row.date, day);
  }
  return [...days.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([date, day]) => ({
      date,
      // Only the plotted height becomes a float.
      billed: day.billed.toNumber(),
      computed: day.computed.toNumber(),
      outside: day.outside,
    }));
}
