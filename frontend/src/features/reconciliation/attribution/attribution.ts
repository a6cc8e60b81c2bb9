import Decimal from 'decimal.js';
import type { AttributionLineFieldsFragment } from '../../../gql/graphql';

/**
 * App-reported interactions against provider usage (`attribution`). The API
 * splits each line in three: matched (both sides), provider only (usage no
 * app reported) and app only (reported, absent at the provider).
 */

export type AttributionLine = AttributionLineFieldsFragment;
export type AttributionMeasure = 'tokens' | 'cost';

export const ATTRIBUTION_CATEGORIES = [
  {
    key: 'matched',
    label: 'Matched',
    color: '#10b981',
    hint: 'Usage both the provider and an app reported, at the same provider, day, project, key, model and tier.',
  },
  {
    key: 'providerOnly',
    label: 'Provider only',
    color: '#94a3b8',
    hint: 'Usage the provider reports that no app reported: the unattributed remainder.',
  },
  {
    key: 'appOnly',
    label: 'App only',
    color: '#f59e0b',
    hint: 'Usage an app reported that the provider does not have (yet): a wrong model id, key or project, or usage not ingested yet.',
  },
] as const;

export type AttributionCategory = (typeof ATTRIBUTION_CATEGORIES)[number]['key'];
type Side = AttributionCategory | 'provider' | 'app';
const SIDES: readonly Side[] = ['provider', 'app', 'matched', 'providerOnly', 'appOnly'];

/** Tokens and exact cost of one category. */
export interface Amount {
  tokens: number;
  costUsd: Decimal;
}

export interface AttributionSums {
  provider: Amount;
  app: Amount;
  matched: Amount;
  providerOnly: Amount;
  appOnly: Amount;
  mismatchedKeys: number;
  /** Matched tokens as a share of the provider's, two decimals; null without provider usage. */
  coveragePercent: number | null;
}

/** As the API computes it: matched over provider tokens, in percent, two decimals. */
export function coveragePercent(matchedTokens: number, providerTokens: number): number | null {
  if (providerTokens === 0) return null;
  return new Decimal(matchedTokens).dividedBy(providerTokens).times(100).toDecimalPlaces(2).toNumber();
}

const zero = (): Amount => ({ tokens: 0, costUsd: new Decimal(0) });

/** Exact sums over lines (costs as decimals, never floats). */
export function sumAttribution(lines: readonly AttributionLine[]): AttributionSums {
  const sums = Object.fromEntries(SIDES.map((side) => [side, zero()])) as Record<Side, Amount>;
  let mismatchedKeys = 0;
  for (const line of lines) {
    for (const side of SIDES) {
      sums[side].tokens += line[side].tokens;
      sums[side].costUsd = sums[side].costUsd.plus(line[side].costUsd);
    }
    mismatchedKeys += line.mismatchedKeys;
  }
  return { ...sums, mismatchedKeys, coveragePercent: coveragePercent(sums.matched.tokens, sums.provider.tokens) };
}

export type AttributionPoint = { date: string } & Record<AttributionCategory, number> & {
  /** The day's coverage (matched over provider tokens, whatever the measure); null without provider usage. */
  coverage: number | null;
};

/**
 * One point per day (every group of the day summed), oldest first, for the
 * stacked chart. Sums are exact; only the plotted height becomes a float.
 */
export function dailyAttribution(lines: readonly AttributionLine[], measure: AttributionMeasure): AttributionPoint[] {
  const days = new Map<string, AttributionLine[]>();
  for (const line of lines) {
    if (line.date == null) continue;
    days.set(line.date, [...(days.get(line.date) ?? []), line]);
  }
  return [...days.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([date, dayLines]) => {
      const sums = sumAttribution(dayLines);
      const value = (amount: Amount) => (measure === 'tokens' ? amount.tokens : amount.costUsd.toNumber());
      return {
        date,
        matched: value(sums.matched),
        providerOnly: value(sums.providerOnly),
        appOnly: value(sums.appOnly),
        coverage: sums.coveragePercent,
      };
    });
}

export interface AttributionGroupRow extends AttributionSums {
  /** Stable row id. */
  key: string;
  group: {
    provider: string;
    projectId: string;
    /** Null when the rows are per project. */
    apiKeyId: string | null;
  };
}

/**
 * The day rows folded over the range, per provider and project (and API key
 * with `byKey`), largest provider usage first.
 */
export function attributionByGroup(lines: readonly AttributionLine[], byKey: boolean): AttributionGroupRow[] {
  const groups = new Map<string, { provider: string; projectId: string; apiKeyId: string | null; lines: AttributionLine[] }>();
  for (const line of lines) {
    const provider = line.group.provider ?? '';
    const projectId = line.group.projectId ?? '';
    const apiKeyId = byKey ? (line.group.apiKeyId ?? '') : null;
    const key = [provider, projectId, apiKeyId ?? ''].join('\u0000');
    const group = groups.get(key) ?? { provider, projectId, apiKeyId, lines: [] };
    group.lines.push(line);
    groups.set(key, group);
  }
  return [...groups.entries()]
    .map(([key, { lines: groupLines, ...group }]) => ({ key, group, ...sumAttribution(groupLines) }))
    .sort((a, b) => b.provider.tokens - a.provider.tokens || a.key.localeCompare(b.key));
}

/** The amount of a category in the chosen measure, as the exact string shown in tooltips and tests. */
export function exactAmount(amount: { tokens: number; costUsd: string | Decimal }, measure: AttributionMeasure): string {
  return measure === 'tokens' ? String(amount.tokens) : new Decimal(amount.costUsd).toFixed();
}
