import Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { percentChange, sumMoney } from './money';

describe('money', () => {
  it('sums decimal strings exactly and skips unknown costs', () => {
    expect(sumMoney(['0.000001', null, '1000000.999999', undefined]).toFixed()).toBe('1000001');
  });

  it('gives the change against a non-zero base', () => {
    expect(percentChange(new Decimal(150), new Decimal(100))).toBe(50);
    expect(percentChange(new Decimal(1), new Decimal(0))).toBeNull();
  });
});
