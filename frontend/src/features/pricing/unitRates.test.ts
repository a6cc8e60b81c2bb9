import { describe, expect, it } from 'vitest';
import { unitRatesFromUsd, unitRateUsd } from './unitRates';

describe('unit rates', () => {
  it('reads nano- and micro-USD as USD per readable quantities, exactly', () => {
    expect(unitRateUsd({ dbOpNanos: 250, apiCallMicros: 400, computeSecondMicros: 20 })).toEqual({
      dbOpsPerMillion: '0.25',
      apiCallsPerThousand: '0.4',
      computePerHour: '0.072',
    });
  });

  it('takes the rates in the units the table shows and stores the integers the API takes', () => {
    expect(unitRatesFromUsd({ dbOpsPerMillion: '0.25', apiCallsPerThousand: '0.4', computePerHour: '0.072' })).toEqual({
      ok: true,
      rates: { dbOpNanos: 250, apiCallMicros: 400, computeSecondMicros: 20 },
    });
    expect(unitRatesFromUsd({ dbOpsPerMillion: '0', apiCallsPerThousand: '12', computePerHour: '36' })).toEqual({
      ok: true,
      rates: { dbOpNanos: 0, apiCallMicros: 12_000, computeSecondMicros: 10_000 },
    });
  });

  it('round-trips what the table shows', () => {
    const stored = { dbOpNanos: 7, apiCallMicros: 1, computeSecondMicros: 333 };
    expect(unitRatesFromUsd(unitRateUsd(stored))).toEqual({ ok: true, rates: stored });
  });

  it('refuses a rate that is not a whole stored unit, naming the nearest that are', () => {
    const result = unitRatesFromUsd({ dbOpsPerMillion: '0.25', apiCallsPerThousand: '0.4', computePerHour: '0.1' });
    expect(result).toEqual({
      ok: false,
      field: 'computePerHour',
      message: 'Compute (USD per hour): 0.1 cannot be stored exactly; use 0.0972 or 0.1008.',
    });
    expect(unitRatesFromUsd({ dbOpsPerMillion: '0.0001', apiCallsPerThousand: '1', computePerHour: '0' })).toMatchObject({
      ok: false,
      field: 'dbOpsPerMillion',
    });
  });

  it('refuses what is not a plain amount', () => {
    for (const bad of ['', '-1', '1e3', '$2', '1,5']) {
      expect(unitRatesFromUsd({ dbOpsPerMillion: bad, apiCallsPerThousand: '1', computePerHour: '0' })).toMatchObject({
        ok: false,
        field: 'dbOpsPerMillion',
      });
    }
  });
});
