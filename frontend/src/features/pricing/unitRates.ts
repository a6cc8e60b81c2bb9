import Decimal from 'decimal.js';
import type { UnitRateFieldsFragment } from '../../gql/graphql';

/**
 * Unit rates are stored as integers of small units (nano- and micro-USD per
 * operation, call or second); the table and the form show them as USD per a
 * readable quantity. Both directions are exact.
 */

export type StoredUnitRates = Pick<UnitRateFieldsFragment, 'dbOpNanos' | 'apiCallMicros' | 'computeSecondMicros'>;

export interface UnitRatesUsd {
  /** USD per million database operations. */
  dbOpsPerMillion: string;
  /** USD per thousand API calls. */
  apiCallsPerThousand: string;
  /** USD per hour of compute. */
  computePerHour: string;
}

/** Each shown rate: its label (the table's unit), and how many stored units one USD of it is. */
export const UNIT_RATE_FIELDS = [
  { name: 'dbOpsPerMillion', stored: 'dbOpNanos', label: 'Database ops (USD per million ops)', unitsPerUsd: new Decimal(1_000) },
  { name: 'apiCallsPerThousand', stored: 'apiCallMicros', label: 'API calls (USD per 1K calls)', unitsPerUsd: new Decimal(1_000) },
  // $1 per hour is 1,000,000 micro-USD over 3,600 seconds.
  { name: 'computePerHour', stored: 'computeSecondMicros', label: 'Compute (USD per hour)', unitsPerUsd: new Decimal(1_000_000).dividedBy(3_600) },
] as const;

export function unitRateUsd(rates: StoredUnitRates): UnitRatesUsd {
  return {
    dbOpsPerMillion: new Decimal(rates.dbOpNanos).dividedBy(1_000).toFixed(),
    apiCallsPerThousand: new Decimal(rates.apiCallMicros).dividedBy(1_000).toFixed(),
    computePerHour: new Decimal(rates.computeSecondMicros).times(3_600).dividedBy(1_000_000).toFixed(),
  };
}

const DECIMAL = /^\d+(\.\d+)?$/;

export type UnitRatesParse = { ok: true; rates: StoredUnitRates } | { ok: false; field: keyof UnitRatesUsd; message: string };

/**
 * The stored integers for rates typed in USD. A rate that is not a whole
 * number of stored units is refused with the nearest ones that are, rather
 * than rounded behind the reader's back.
 */
export function unitRatesFromUsd(form: UnitRatesUsd): UnitRatesParse {
  const rates: Record<string, number> = {};
  for (const field of UNIT_RATE_FIELDS) {
    const text = form[field.name].trim();
    if (!DECIMAL.test(text)) {
      return { ok: false, field: field.name, message: `${field.label} must be a number of USD, e.g. 0.25.` };
    }
    const units = new Decimal(text).times(field.unitsPerUsd);
    if (!units.isInteger()) {
      const step = (n: Decimal) => n.dividedBy(field.unitsPerUsd).toSignificantDigits(12).toFixed();
      const lower = step(units.floor());
      const upper = step(units.ceil());
      return {
        ok: false,
        field: field.name,
        message: `${field.label}: ${text} cannot be stored exactly; use ${lower} or ${upper}.`,
      };
    }
    if (!units.lessThanOrEqualTo(Number.MAX_SAFE_INTEGER)) {
      return { ok: false, field: field.name, message: `${field.label} is too large.` };
    }
    rates[field.stored] = units.toNumber();
  }
  return {
    ok: true,
    rates: { dbOpNanos: rates.dbOpNanos ?? 0, apiCallMicros: rates.apiCallMicros ?? 0, computeSecondMicros: rates.computeSecondMicros ?? 0 },
  };
}
