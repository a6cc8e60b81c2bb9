import Decimal from 'decimal.js';
import type { BatchMode, UsageDimension, UsageRowFieldsFragment } from '../gql/graphql';
import { keysOf, labelOf, oneOf } from './enums';
import { sumMoney } from './money';
import { distinctLabels, type NameIndex, NO_NAMES, NO_PROJECT, nameOf } from './names';

/** A `dailyUsage` row as the dashboard asks for it (see `UsageRowFields`). */
export type UsageRow = UsageRowFieldsFragment;

export type Metric = 'cost' | 'tokens' | 'requests';

export const METRICS: readonly { value: Metric; label: string }[] = [
  { value: 'cost', label: 'Spend (USD)' },
  { value: 'tokens', label: 'Tokens' },
  { value: 'requests', label: 'Requests' },
];

/** The group field that carries each dimension's value. */
export const GROUP_FIELD: Record<UsageDimension, keyof UsageRow['group']> = {
  PROVIDER: 'provider',
  PROJECT: 'projectId',
  API_KEY: 'apiKeyId',
  USER: 'userId',
  MODEL: 'model',
  SERVICE_TIER: 'serviceTier',
  BATCH: 'batch',
};

/** The API reports a dimension the provider did not send as "" (and the batch mode as `NOT_REPORTED`). */
export const NOT_REPORTED = '(not reported)';

/** How each `BatchMode` reads in a legend or table. */
export const BATCH_MODE_LABELS: Readonly<Record<BatchMode, string>> = {
  BATCH: 'batch',
  INTERACTIVE: 'interactive',
  NOT_REPORTED,
};
const BATCH_MODES = keysOf(BATCH_MODE_LABELS);

/**
 * How a group value reads on screen: the inventory's name for a project, key
 * or user id when it has one. The raw value stays in filters and exports.
 */
export function displayGroupValue(
  dimension: UsageDimension,
  value: string | null | undefined,
  names: NameIndex = NO_NAMES,
): string {
  if (!value) return dimension === 'PROJECT' ? NO_PROJECT : NOT_REPORTED;
  if (dimension === 'BATCH') {
    const mode = oneOf(BATCH_MODES, value);
    return mode ? labelOf(BATCH_MODE_LABELS, mode) : value;
  }
  return nameOf(names, dimension, value) ?? value;
}

export function groupValue(row: UsageRow, dimension: UsageDimension, names: NameIndex = NO_NAMES): string {
  return displayGroupValue(dimension, row.group[GROUP_FIELD[dimension]], names);
}

export function groupLabel(row: UsageRow, dimensions: readonly UsageDimension[], names: NameIndex = NO_NAMES): string {
  if (dimensions.length === 0) return 'All usage';
  return dimensions.map((d) => groupValue(row, d, names)).join(' · ');
}

/** Input includes cached reads and cache writes, so input + output is every token. */
export function rowTokens(row: UsageRow): number {
  return row.inputTokens + row.outputTokens;
}

function metricValue(row: UsageRow, metric: Metric): Decimal {
  switch (metric) {
    case 'cost':
      // The priced part: an unpriced model adds nothing rather than a guess.
      return new Decimal(row.pricedCostUsd);
    case 'tokens':
      return new Decimal(rowTokens(row));
    case 'requests':
      return new Decimal(row.numModelRequests);
  }
}

export interface UsageTotals {
  pricedCostUsd: Decimal;
  unpricedBuckets: number;
  costEstimated: boolean;
  inputTokens: number;
  inputCachedTokens: number;
  inputCacheWriteTokens: number;
  outputTokens: number;
  tokens: number;
  requests: number;
}

export function usageTotals(rows: readonly UsageRow[]): UsageTotals {
  const totals: UsageTotals = {
    pricedCostUsd: sumMoney(rows.map((r) => r.pricedCostUsd)),
    unpricedBuckets: 0,
    costEstimated: false,
    inputTokens: 0,
    inputCachedTokens: 0,
    inputCacheWriteTokens: 0,
    outputTokens: 0,
    tokens: 0,
    requests: 0,
  };
  for (const row of rows) {
    totals.unpricedBuckets += row.unpricedBuckets;
    totals.costEstimated ||= row.costEstimated;
    totals.inputTokens += row.inputTokens;
    totals.inputCachedTokens += row.inputCachedTokens;
    totals.inputCacheWriteTokens += row.inputCacheWriteTokens;
    totals.outputTokens += row.outputTokens;
    totals.requests += row.numModelRequests;
  }
  totals.tokens = totals.inputTokens + totals.outputTokens;
  return totals;
}

export interface Series {
  /** Recharts reads dots in a data key as a path, so keys are positional. */
  key: string;
  label: string;
  /** The raw ids behind a label made of names (for a tooltip); absent when the label is the ids. */
  ids?: string;
  /** What the series' colour is derived from: its raw values, the same on every chart. */
  colorKey: string;
  /** The folded remainder ("Other"). */
  other?: true;
  total: Decimal;
}

export type ChartPoint = { date: string } & Record<string, number | string>;

export const OTHER_SERIES = 'Other';

/**
 * Pivots rows (one per day and group) into one point per day with a value per
 * series, for a stacked chart. The `maxSeries - 1` largest groups get their own
 * series and the rest are stacked as "Other", so the legend stays readable.
 * Groups are told apart by their raw values, so two ids with one name stay two
 * series (their labels then carry the id).
 */
export function pivotSeries(
  rows: readonly UsageRow[],
  dimensions: readonly UsageDimension[],
  metric: Metric,
  maxSeries = 8,
  names: NameIndex = NO_NAMES,
): { points: ChartPoint[]; series: Series[] } {
  const totalByGroup = new Map<string, Decimal>();
  const rawLabels = new Map<string, string>();
  const namedLabels = new Map<string, string>();
  const cells = new Map<string, Map<string, Decimal>>();
  for (const row of rows) {
    const raw = groupLabel(row, dimensions);
    if (!rawLabels.has(raw)) {
      rawLabels.set(raw, raw);
      namedLabels.set(raw, groupLabel(row, dimensions, names));
    }
    const value = metricValue(row, metric);
    totalByGroup.set(raw, (totalByGroup.get(raw) ?? new Decimal(0)).plus(value));
    const day = cells.get(row.date) ?? new Map<string, Decimal>();
    day.set(raw, (day.get(raw) ?? new Decimal(0)).plus(value));
    cells.set(row.date, day);
  }
  const labels = distinctLabels(namedLabels);

  const ranked = [...totalByGroup.entries()]
    // Groups with nothing in the range would only add empty legend entries.
    .filter(([, total]) => !total.isZero())
    .sort(([a, x], [b, y]) => y.comparedTo(x) || (labels.get(a) ?? a).localeCompare(labels.get(b) ?? b));
  const kept = ranked.length > maxSeries ? ranked.slice(0, maxSeries - 1) : ranked;
  const folded = ranked.slice(kept.length);

  const series: Series[] = kept.map(([raw, total], index) => {
    const label = labels.get(raw) ?? raw;
    const base = { key: `s${index}`, label, colorKey: raw, total };
    return label === raw ? base : { ...base, ids: raw };
  });
  const keyOf = new Map(kept.map(([raw], index) => [raw, `s${index}`]));
  if (folded.length > 0) {
    series.push({
      key: `s${kept.length}`,
      label: OTHER_SERIES,
      colorKey: OTHER_SERIES,
      other: true,
      total: sumMoney(folded.map(([, t]) => t)),
    });
  }
  const otherKey = folded.length > 0 ? `s${kept.length}` : null;

  const points = [...cells.keys()].sort().map((date) => {
    const point: ChartPoint = { date };
    const sums = new Map<string, Decimal>(series.map((s) => [s.key, new Decimal(0)]));
    for (const [raw, value] of cells.get(date) ?? []) {
      const key = keyOf.get(raw) ?? otherKey;
      if (key !== null) sums.set(key, (sums.get(key) ?? new Decimal(0)).plus(value));
    }
    // Only the plotted height becomes a float; totals stay exact above.
    for (const [key, sum] of sums) point[key] = sum.toNumber();
    return point;
  });
  return { points, series };
}

export interface GroupSummary {
  /** The raw API value ("" when the provider did not report it). */
  value: string;
  label: string;
  pricedCostUsd: Decimal;
  tokens: number;
  requests: number;
}

/** The groups of one dimension over the whole range, largest spend first (then most tokens). */
export function rankGroups(
  rows: readonly UsageRow[],
  dimension: UsageDimension,
  limit: number,
  names: NameIndex = NO_NAMES,
): GroupSummary[] {
  const byValue = new Map<string, UsageRow[]>();
  for (const row of rows) {
    const value = row.group[GROUP_FIELD[dimension]] ?? '';
    const groupRows = byValue.get(value);
    if (groupRows) groupRows.push(row);
    else byValue.set(value, [row]);
  }
  return [...byValue.entries()]
    .map(([value, groupRows]) => {
      const totals = usageTotals(groupRows);
      return {
        value,
        label: displayGroupValue(dimension, value, names),
        pricedCostUsd: totals.pricedCostUsd,
        tokens: totals.tokens,
        requests: totals.requests,
      };
    })
    .filter((g) => g.tokens > 0 || g.requests > 0 || !g.pricedCostUsd.isZero())
    .sort((a, b) => b.pricedCostUsd.comparedTo(a.pricedCostUsd) || b.tokens - a.tokens)
    .slice(0, limit);
}
