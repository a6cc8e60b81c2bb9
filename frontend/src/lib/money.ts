import Decimal from 'decimal.js';

/** Money arrives as exact decimal strings; sums stay exact in Decimal. */
export function sumMoney(values: Iterable<string | Decimal | null | undefined>): Decimal {
  let total = new Decimal(0);
  for (const value of values) {
    if (value != null) total = total.plus(value);
  }
  return total;
}

/** Relative change from `previous` to `current`; null when there is no base. */
export function percentChange(current: Decimal, previous: Decimal): number | null {
  if (previous.isZero()) return null;
  return current.minus(previous).dividedBy(previous).times(100).toNumber();
}
