import Decimal from 'decimal.js';
import type { UsageDimension } from '../../gql/graphql';
import type { NameIndex } from '../../lib/names';
import { displayGroupValue, GROUP_FIELD, type UsageRow } from '../../lib/usage';

export interface Mover {
  /** The raw value ("" for none). */
  value: string;
  label: string;
  currentUsd: Decimal;
  previousUsd: Decimal;
  changeUsd: Decimal;
}

function spendByValue(rows: readonly UsageRow[], dimension: UsageDimension): Map<string, Decimal> {
  const sums = new Map<string, Decimal>();
  for (const row of rows) {
    const value = row.group[GROUP_FIELD[dimension]] ?? '';
    sums.set(value, (sums.get(value) ?? new Decimal(0)).plus(row.pricedCostUsd));
  }
  return sums;
}

/**
 * Spend per value in this period against the previous one, the biggest
 * absolute change first (then by label); values that did not change are left out.
 */
export function biggestMovers(
  current: readonly UsageRow[],
  previous: readonly UsageRow[],
  dimension: UsageDimension,
  limit: number,
  names: NameIndex,
): Mover[] {
  const now = spendByValue(current, dimension);
  const before = spendByValue(previous, dimension);
  return [...new Set([...now.keys(), ...before.keys()])]
    .map((value) => {
      const currentUsd = now.get(value) ?? new Decimal(0);
      const previousUsd = before.get(value) ?? new Decimal(0);
      return { value, label: displayGroupValue(dimension, value, names), currentUsd, previousUsd, changeUsd: currentUsd.minus(previousUsd) };
    })
    .filter((m) => !m.changeUsd.isZero())
    .sort((a, b) => b.changeUsd.abs().comparedTo(a.changeUsd.abs()) || a.label.localeCompare(b.label))
    .slice(0, limit);
}
