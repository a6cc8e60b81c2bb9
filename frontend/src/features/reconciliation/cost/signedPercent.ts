import Decimal from 'decimal.js';

/** A variance percent with its sign, ± for zero. */
export function signedPercent(value: Decimal | string): string {
  const d = new Decimal(value);
  const sign = d.isZero() ? '±' : d.isNegative() ? '−' : '+';
  return `${sign}${d.abs().toFixed(2)}%`;
}
