import Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { formatSignedUsd, formatUsd, percentChange, sumMoney } from './money';

describe('money', () => {
  it('sums decimal strings exactly and skips unknown costs', () => {
    expect(sumMoney(['0.000001', null, '1000000.999999', undefined]).toFixed()).toBe('1000001');
  });

  it('formats cents, and sub-cent amounts with their digits', () => {
    expect(formatUsd('1234.565')).toBe('$1,234.57');
    expect(formatUsd('0')).toBe('$0.00');
    expect(formatUsd('0.00123')).toBe('$0.0012');
  });

  it('signs a difference, keeping sub-cent digits', () => {
    expect(formatSignedUsd('1.2')).toBe('+$1.20');
    expect(formatSignedUsd('-0.0031')).toBe('−$0.0031');
    expect(formatSignedUsd('0.000000')).toBe('$0.00');
  });

  it('gives the change against a non-zero base', () => {
    expect(percentChange(new Decimal(150), new Decimal(100))).toBe(50);
    expect(percentChange(new Decimal(1), new Decimal(0))).toBeNull();
  });
});
