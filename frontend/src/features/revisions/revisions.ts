import Decimal from 'decimal.js';
import type { UsageRevisionFieldsFragment } from '../../gql/graphql';
import { formatCount, formatDateTime, formatSignedUsd } from '../../lib/format';

/**
 * Restatements as the usage views show them: per day, each with what
 * changed (new minus old) and when (docs/revisions.md).
 */
export type Revision = UsageRevisionFieldsFragment;

/** Connection id (as the API's `ID`) → name. */
export type ConnectionNames = ReadonlyMap<string, string>;

const MINUS = '−';

/** A count change with its sign: "+1,204", "−12", "±0". */
export function formatSignedCount(value: number): string {
  if (value === 0) return '±0';
  return `${value < 0 ? MINUS : '+'}${formatCount(Math.abs(value))}`;
}

/** The revisions by day, each day's in the order the API listed them (by time). */
export function revisionsByDay(revisions: readonly Revision[]): Map<string, Revision[]> {
  const days = new Map<string, Revision[]>();
  for (const revision of revisions) {
    const list = days.get(revision.date);
    if (list) list.push(revision);
    else days.set(revision.date, [revision]);
  }
  return days;
}

export function connectionName(revision: Revision, names: ConnectionNames): string {
  return names.get(String(revision.connectionId)) ?? `connection ${revision.connectionId}`;
}

/** "1 row changed", "2 rows added, 1 removed": the parts that are not zero ("no row changed" when none is). */
export function bucketChanges(revision: Revision): string {
  const parts = (
    [
      [revision.bucketsAdded, 'added'],
      [revision.bucketsChanged, 'changed'],
      [revision.bucketsRemoved, 'removed'],
    ] as const
  )
    .filter(([count]) => count > 0)
    .map(([count, verb], i) => (i === 0 ? `${formatCount(count)} ${count === 1 ? 'row' : 'rows'} ${verb}` : `${formatCount(count)} ${verb}`));
  return parts.length === 0 ? 'no row changed' : parts.join(', ');
}

/** One line for a tooltip: what changed for which connection and usage type, and when. */
export function describeRevision(revision: Revision, names: ConnectionNames): string {
  return (
    `${connectionName(revision, names)} · ${revision.usageType}: ` +
    `input ${formatSignedCount(revision.inputTokensDelta)}, output ${formatSignedCount(revision.outputTokensDelta)} tokens, ` +
    `cost ${formatSignedUsd(revision.costUsdDelta)}; ${bucketChanges(revision)}; revised ${formatDateTime(revision.revisedAt)}`
  );
}

/** Every revision of a day, one per line, headed by the day. */
export function describeDay(date: string, revisions: readonly Revision[], names: ConnectionNames): string {
  return [`${date} was revised:`, ...revisions.map((r) => describeRevision(r, names))].join('\n');
}

/** The summed cost change of some revisions, exact. */
export function costDelta(revisions: readonly Revision[]): Decimal {
  return revisions.reduce((sum, r) => sum.plus(r.costUsdDelta), new Decimal(0));
}

/** Each revised day → one line per revision, for the chart's marks. */
export function revisedLines(
  byDay: ReadonlyMap<string, readonly Revision[]>,
  names: ConnectionNames,
): Map<string, string[]> {
  return new Map([...byDay].map(([date, list]) => [date, list.map((r) => describeRevision(r, names))]));
}
