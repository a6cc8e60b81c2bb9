import type { UsageDimension } from '../gql/graphql';
import { GROUP_FIELD, type UsageRow } from './usage';

/**
 * Providers whose usage API has no request counts: Anthropic's reports
 * tokens only, so its rows carry 0 requests, which means "unknown", not
 * "none". Such a count is shown as "n/a".
 */
export const PROVIDERS_WITHOUT_REQUEST_COUNTS: ReadonlySet<string> = new Set(['anthropic']);

export function reportsRequests(provider: string): boolean {
  return !PROVIDERS_WITHOUT_REQUEST_COUNTS.has(provider);
}

/** Why a request count is "n/a", for its tooltip. */
export function requestsNotReportedHint(providers: readonly string[] = ['anthropic']): string {
  const names = providers.map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join(', ');
  return `Not available: ${names} does not report request counts`;
}

function hasUsage(row: UsageRow): boolean {
  return row.inputTokens > 0 || row.outputTokens > 0 || row.numModelRequests > 0 || Number(row.pricedCostUsd) !== 0;
}

/**
 * Whether the requests of usage from these providers can be counted: false
 * only when there is usage and all of it is from providers without counts.
 */
export function requestsReported(providers: Iterable<string>): boolean {
  let any = false;
  for (const provider of providers) {
    if (reportsRequests(provider)) return true;
    any = true;
  }
  return !any;
}

/** The providers with usage among rows grouped by `PROVIDER`. */
export function providersWithUsage(rowsByProvider: readonly UsageRow[]): string[] {
  return [...new Set(rowsByProvider.filter(hasUsage).map((r) => r.group.provider ?? ''))].filter((p) => p !== '');
}

const rowKey = (row: UsageRow, dimensions: readonly UsageDimension[]) =>
  [row.date, ...dimensions.map((d) => row.group[GROUP_FIELD[d]] ?? '')].join('\u0000');

/**
 * Which rows (grouped by `dimensions`) have a request count, from the same
 * rows grouped by `dimensions` and `PROVIDER`: a row none of whose usage
 * comes from a provider that counts requests has none. A row the split does
 * not cover (still loading) counts as reported, so nothing is hidden on a guess.
 */
export function requestsReportedByRow(
  rowsByProvider: readonly UsageRow[],
  dimensions: readonly UsageDimension[],
): (row: UsageRow) => boolean {
  const providers = new Map<string, Set<string>>();
  for (const row of rowsByProvider) {
    if (!hasUsage(row) || !row.group.provider) continue;
    const key = rowKey(row, dimensions);
    const set = providers.get(key) ?? new Set<string>();
    set.add(row.group.provider);
    providers.set(key, set);
  }
  return (row) => requestsReported(providers.get(rowKey(row, dimensions)) ?? []);
}
