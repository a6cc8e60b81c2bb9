import Decimal from 'decimal.js';
import type { ParityExportKind } from '../../../gql/graphql';
import { keysOf, labelOf } from '../../../lib/enums';
import { formatCount, formatSignedUsd, formatUsd } from '../../../lib/format';

/** What kind of provider export a report compared. */
export const EXPORT_KIND_LABELS: Readonly<Record<ParityExportKind, string>> = {
  USAGE: 'Usage (tokens)',
  COST: 'Cost (USD)',
};

/** The upload form's choices, usage first (the default). */
export const EXPORT_KINDS: readonly ParityExportKind[] = keysOf(EXPORT_KIND_LABELS);

export function exportKindLabel(kind: ParityExportKind): string {
  return labelOf(EXPORT_KIND_LABELS, kind);
}

/** The CSV column a parity report compares, as a heading. */
export function parityFieldLabel(field: string): string {
  const words = field.replaceAll('_', ' ').replace(/\busd\b/, 'USD').replace(/\bnum\b /, '');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const isMoney = (field: string) => field.endsWith('_usd');

/** A figure of a field: USD for amounts, a count otherwise (exact decimals in, never floats summed). */
export function formatParityValue(field: string, value: string): string {
  if (isMoney(field)) return formatUsd(value);
  const d = new Decimal(value);
  return d.isInteger() ? formatCount(d.toNumber()) : d.toFixed();
}

/** A stored-minus-CSV difference, signed. */
export function formatParityDifference(field: string, value: string): string {
  if (isMoney(field)) return formatSignedUsd(value);
  const d = new Decimal(value);
  if (d.isZero()) return '0';
  return `${d.isNegative() ? '−' : '+'}${formatParityValue(field, d.abs().toFixed())}`;
}

/** The tolerance a report used, in words. */
export function toleranceLabel(kind: ParityExportKind, tolerance: string, tolerancePct: string): string {
  const absolute = new Decimal(tolerance);
  const percent = new Decimal(tolerancePct);
  if (absolute.isZero() && percent.isZero()) return 'exact match';
  const parts = [];
  if (!absolute.isZero()) parts.push(kind === 'COST' ? formatUsd(absolute) : `${absolute.toFixed()} units`);
  if (!percent.isZero()) parts.push(`${percent.toFixed()}%`);
  return `within ${parts.join(' or ')}`;
}
