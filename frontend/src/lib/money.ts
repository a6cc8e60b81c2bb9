import Decimal from 'decimal.js';

/** Money arrives as exact decimal strings; sums stay exact in Decimal. */
export function sumMoney(values: Iterable<string | Decimal | null | undefined>): Decimal {
  let total = new Decimal(0);
  for (const value of values) {
    if (value != null) total = total.plus(value);
  }
  return total;
}

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const usdPrecise = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 6,
});

/**
 * Cents for amounts of a cent or more; sub-cent amounts keep their digits so
 * a cheap model does not read as free. Rounding happens on the exact value.
 */
export function formatUsd(value: string | Decimal): string {
  const amount = new Decimal(value);
  if (!amount.isZero() && amount.abs().lessThan('0.01')) {
    return usdPrecise.format(amount.toSignificantDigits(2).toNumber());
  }
  // toFixed on the Decimal rounds exactly; the formatter only adds separators.
  return usd.format(Number(amount.toFixed(2)));
}

/** A signed amount: "+$1.20", "−$0.0031", or "$0.00" for none. */
export function formatSignedUsd(value: string | Decimal): string {
  const amount = new Decimal(value);
  if (amount.isZero()) return formatUsd(amount);
  return `${amount.isNegative() ? '−' : '+'}${formatUsd(amount.abs())}`;
}

/** A price per million tokens, shown with all its digits. */
export function formatPrice(value: string): string {
  return usdPrecise.format(Number(value));
}

/** Relative change from `previous` to `current`; null when there is no base. */
export function percentChange(current: Decimal, previous: Decimal): number | null {
  if (previous.isZero()) return null;
  return current.minus(previous).dividedBy(previous).times(100).toNumber();
}
