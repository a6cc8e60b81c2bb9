import Decimal from 'decimal.js';
import { addDays } from '../../lib/dates';

export interface MonthPace {
  /** First and last day of today's month. */
  first: string;
  last: string;
  daysInMonth: number;
  /** Days of the month before today: today is still being ingested. */
  completeDays: number;
  previousMonth: { from: string; to: string };
}

/** Today's UTC month, how much of it is over, and the month before. */
export function monthPace(today: string): MonthPace {
  const first = `${today.slice(0, 7)}-01`;
  const nextFirst = addDays(first, 32).slice(0, 7) + '-01';
  const last = addDays(nextFirst, -1);
  const previousLast = addDays(first, -1);
  return {
    first,
    last,
    daysInMonth: Number(last.slice(8)),
    completeDays: Number(today.slice(8)) - 1,
    previousMonth: { from: `${previousLast.slice(0, 7)}-01`, to: previousLast },
  };
}

/**
 * The run-rate forecast of the month: spend of the complete days ÷ complete
 * days × days in the month. Null on the 1st, when no day is complete.
 */
export function runRateForecast(completeDaysSpend: Decimal, pace: Pick<MonthPace, 'completeDays' | 'daysInMonth'>): Decimal | null {
  if (pace.completeDays <= 0) return null;
  return completeDaysSpend.dividedBy(pace.completeDays).times(pace.daysInMonth);
}
