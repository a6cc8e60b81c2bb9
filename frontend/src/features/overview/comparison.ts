import { addDays, previousPeriod } from '../../lib/dates';

/**
 * The part of a range a period-over-period change compares: today is still
 * being ingested, so a range that reaches today is compared without it (and
 * with the previous period of that shorter length). Null when the range holds
 * no complete day.
 */
export function comparedRange(from: string, to: string, today: string): { from: string; to: string } | null {
  const lastComplete = to < today ? to : addDays(today, -1);
  if (lastComplete < from) return null;
  return { from, to: lastComplete };
}

/** The range to compare with: the comparable part's previous period (the full range's when nothing is comparable, unused). */
export function comparisonBase(from: string, to: string, today: string): { from: string; to: string } {
  const compared = comparedRange(from, to, today);
  return compared ? previousPeriod(compared.from, compared.to) : previousPeriod(from, to);
}
