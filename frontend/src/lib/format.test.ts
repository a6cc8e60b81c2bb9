import Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import {
  formatCompact,
  formatCompactUsd,
  formatCount,
  formatDateTime,
  formatDay,
  formatPercent,
  formatRange,
  formatSignedPercent,
  formatSignedUsd,
  formatUnitPrice,
  formatUsd,
  formatVarianceUsd,
  isWithinRounding,
} from './format';

describe('counts', () => {
  it('shows every digit with separators', () => {
    expect(formatCount(1_024_529_531)).toBe('1,024,529,531');
    expect(formatCount(0)).toBe('0');
  });

  it('compacts to 3 significant digits at every magnitude', () => {
    expect(formatCompact(1_024_529_531)).toBe('1.02B');
    expect(formatCompact(245_300_000)).toBe('245M');
    expect(formatCompact(12_345)).toBe('12.3K');
    expect(formatCompact(1_500)).toBe('1.5K');
    expect(formatCompact(999)).toBe('999');
    expect(formatCompact(7)).toBe('7');
    expect(formatCompact(0)).toBe('0');
  });
});

describe('money', () => {
  it('shows totals in cents, rounding the exact decimal', () => {
    expect(formatUsd('942.655')).toBe('$942.66');
    expect(formatUsd('1234.565')).toBe('$1,234.57');
    expect(formatUsd('0')).toBe('$0.00');
    expect(formatUsd(new Decimal('-12.5'))).toBe('−$12.50');
  });

  it('marks a non-zero amount under a cent instead of rounding it to free', () => {
    expect(formatUsd('0.00123')).toBe('<$0.01');
    expect(formatUsd('-0.000001')).toBe('−<$0.01');
    expect(formatUsd('0.005')).toBe('<$0.01');
    expect(formatUsd('0.01')).toBe('$0.01');
  });

  it('signs a difference', () => {
    expect(formatSignedUsd('1.2')).toBe('+$1.20');
    expect(formatSignedUsd('-0.4')).toBe('−$0.40');
    expect(formatSignedUsd('0.000000')).toBe('$0.00');
  });

  it('calls a variance under a cent "within rounding"', () => {
    expect(formatVarianceUsd('-0.000001')).toBe('within rounding');
    expect(formatVarianceUsd('0.0099')).toBe('within rounding');
    expect(formatVarianceUsd('0')).toBe('within rounding');
    expect(formatVarianceUsd('-0.01')).toBe('−$0.01');
    expect(formatVarianceUsd('12.345')).toBe('+$12.35');
    expect(isWithinRounding('0.01')).toBe(false);
  });

  it('keeps the digits a unit price needs, and at least cents', () => {
    expect(formatUnitPrice('0.075')).toBe('$0.075');
    expect(formatUnitPrice('2.5')).toBe('$2.50');
    expect(formatUnitPrice('0.0000015')).toBe('$0.000002');
  });

  it('compacts axis money', () => {
    expect(formatCompactUsd(1_250)).toBe('$1.25K');
    expect(formatCompactUsd(-3)).toBe('−$3');
  });
});

describe('percentages', () => {
  it('shows one decimal by default', () => {
    expect(formatPercent(12.345)).toBe('12.3%');
    expect(formatPercent('99.995', 2)).toBe('100.00%');
    expect(formatPercent(-0.04)).toBe('0.0%');
  });

  it('signs a change with a real minus and ± for none', () => {
    expect(formatSignedPercent(12.5)).toBe('+12.5%');
    expect(formatSignedPercent(-3)).toBe('−3.0%');
    expect(formatSignedPercent(0.01)).toBe('±0.0%');
    expect(formatSignedPercent('-0.125', 2)).toBe('−0.13%');
  });
});

describe('dates', () => {
  it('shows days as ISO dates and times in UTC to the minute', () => {
    expect(formatDay('2026-10-01')).toBe('2026-10-01');
    expect(formatDay('2026-10-01T23:30:00-02:00')).toBe('2026-10-02');
    expect(formatDateTime('2026-10-01T14:05:59.900Z')).toBe('2026-10-01 14:05 UTC');
    expect(formatDateTime('2026-10-01T23:30:00-02:00')).toBe('2026-10-02 01:30 UTC');
    expect(formatRange('2026-10-01', '2026-10-30')).toBe('2026-10-01 → 2026-10-30');
    expect(formatRange('2026-10-01', '2026-10-01')).toBe('2026-10-01');
  });
});
