import Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import type { UsageRow } from '../../lib/usage';
import { biggestMovers } from './movers';
import { monthPace, runRateForecast } from './pace';

describe('month run-rate', () => {
  it('knows the month, its complete days and the month before', () => {
    expect(monthPace('2026-11-30')).toEqual({
      first: '2026-11-01',
      last: '2026-11-30',
      daysInMonth: 30,
      completeDays: 29,
      previousMonth: { from: '2026-10-01', to: '2026-10-31' },
    });
    expect(monthPace('2028-02-10')).toMatchObject({ daysInMonth: 29, completeDays: 9 });
    expect(monthPace('2026-01-01').previousMonth).toEqual({ from: '2025-12-01', to: '2025-12-31' });
  });

  it('projects complete days over the month, and has nothing to project on the 1st', () => {
    expect(runRateForecast(new Decimal('100'), { completeDays: 10, daysInMonth: 31 })?.toFixed()).toBe('310');
    expect(runRateForecast(new Decimal('5'), { completeDays: 0, daysInMonth: 30 })).toBeNull();
  });
});

describe('biggest movers', () => {
  const row = (model: string, usd: string) => ({ group: { model }, pricedCostUsd: usd }) as unknown as UsageRow;

  it('ranks by absolute change, drops and new values included, unchanged ones left out', () => {
    const movers = biggestMovers(
      [row('a', '10'), row('a', '5'), row('b', '1'), row('new', '3')],
      [row('a', '20'), row('b', '1'), row('gone', '4')],
      'MODEL',
      5,
      new Map(),
    );
    expect(movers.map((m) => [m.value, m.changeUsd.toFixed()])).toEqual([
      ['a', '-5'],
      ['gone', '-4'],
      ['new', '3'],
    ]);
  });
});
