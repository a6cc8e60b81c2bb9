import Decimal from 'decimal.js';

/**
 * Every number, amount, percentage and date the dashboard shows goes through
 * this module, so one figure reads the same on every page. The rules:
 *
 * - Counts in tables: every digit with separators ("1,024,529,531").
 * - Compact counts (cards, axes, lists; the exact count goes in a tooltip):
 *   3 significant digits with a K/M/B/T suffix, so "1.02B", "245M", "12.3K",
 *   "999". One rule for every magnitude: never "245.3M" beside "1.02B".
 * - Money: whole cents ("$942.66"). A non-zero amount under a cent reads
 *   "<$0.01" so cheap usage does not read as free; its exact value goes in a
 *   tooltip. Only unit prices (`formatUnitPrice`) keep more digits, because a
 *   price per million tokens such as $0.075 is not a cent amount.
 * - A variance under a cent reads "within rounding" (`formatVarianceUsd`).
 * - Percentages: one decimal by default ("12.5%"); signed changes use a real
 *   minus sign ("−3.0%") and "±" for none.
 * - Dates: ISO days ("2026-10-01") and times as "2026-10-01 14:05 UTC".
 *
 * Amounts arrive as exact decimal strings and are rounded as decimals: the
 * formatters never round a float.
 */

type Amount = string | number | Decimal;

const integer = new Intl.NumberFormat('en-US');
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumSignificantDigits: 3 });
const cents = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const unitPrice = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 6,
});

const MINUS = '−';
const CENT = new Decimal('0.01');

/** What the dashboard shows for a count the provider does not report. */
export const NOT_AVAILABLE = 'n/a';

export function formatCount(value: number): string {
  return integer.format(value);
}

/** "1.02B", "245M", "12.3K": 3 significant digits, for cards, axes and lists. */
export function formatCompact(value: number): string {
  return compact.format(value);
}

/** Whole cents; a non-zero amount under a cent is "<$0.01". */
export function formatUsd(value: Amount): string {
  const amount = new Decimal(value);
  if (!amount.isZero() && amount.abs().lessThan(CENT)) return amount.isNegative() ? `${MINUS}<$0.01` : '<$0.01';
  // toFixed on the Decimal rounds exactly; the formatter only adds separators.
  const rounded = amount.toFixed(2);
  const text = cents.format(Math.abs(Number(rounded)));
  return Number(rounded) < 0 ? `${MINUS}${text}` : text;
}

/** "$942" style compact money for chart axes. */
export function formatCompactUsd(value: number): string {
  return `${value < 0 ? MINUS : ''}$${formatCompact(Math.abs(value))}`;
}

/** A signed amount: "+$1.20", "−$0.40", "+<$0.01", or "$0.00" for none. */
export function formatSignedUsd(value: Amount): string {
  const amount = new Decimal(value);
  if (amount.isZero()) return formatUsd(amount);
  return `${amount.isNegative() ? MINUS : '+'}${formatUsd(amount.abs())}`;
}

/** True when a difference is smaller than the cent every total is shown in. */
export function isWithinRounding(value: Amount): boolean {
  return new Decimal(value).abs().lessThan(CENT);
}

/** A difference between two amounts: "within rounding" under a cent, else signed cents. */
export function formatVarianceUsd(value: Amount): string {
  return isWithinRounding(value) ? 'within rounding' : formatSignedUsd(value);
}

/** A unit price (per million tokens, per thousand calls…), with the digits it needs. */
export function formatUnitPrice(value: Amount): string {
  return unitPrice.format(new Decimal(value).toNumber());
}

export function formatPercent(value: number | string | Decimal, digits = 1): string {
  const d = new Decimal(value);
  return `${d.isNegative() && !d.toDecimalPlaces(digits).isZero() ? MINUS : ''}${d.abs().toFixed(digits)}%`;
}

/** A change with its sign: "+12.5%", "−3.0%", "±0.0%". */
export function formatSignedPercent(value: number | string | Decimal, digits = 1): string {
  const d = new Decimal(value);
  const rounded = d.toDecimalPlaces(digits);
  const sign = rounded.isZero() ? '±' : rounded.isNegative() ? MINUS : '+';
  return `${sign}${rounded.abs().toFixed(digits)}%`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

/** A UTC day as `YYYY-MM-DD` (the API already sends days so; a timestamp is cut to its UTC day). */
export function formatDay(day: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) ? day : new Date(day).toISOString().slice(0, 10);
}

/** An RFC 3339 timestamp as `YYYY-MM-DD HH:MM UTC`, like every day in the ledger. */
export function formatDateTime(value: string): string {
  const iso = new Date(value).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** A day range, both days included: "2026-10-01 → 2026-10-30". */
export function formatRange(from: string, to: string): string {
  return from === to ? formatDay(from) : `${formatDay(from)} → ${formatDay(to)}`;
}
