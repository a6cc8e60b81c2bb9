import { describe, expect, it } from 'vitest';
import { comparedRange, comparisonBase } from './comparison';

describe('period-over-period comparison', () => {
  it('leaves today out of a range that reaches it, and compares with a period of the same length', () => {
    expect(comparedRange('2026-10-01', '2026-10-30', '2026-10-30')).toEqual({ from: '2026-10-01', to: '2026-10-29' });
    expect(comparisonBase('2026-10-01', '2026-10-30', '2026-10-30')).toEqual({ from: '2026-09-02', to: '2026-09-30' });
  });

  it('compares a past range as it is', () => {
    expect(comparedRange('2026-09-01', '2026-09-30', '2026-10-30')).toEqual({ from: '2026-09-01', to: '2026-09-30' });
    expect(comparisonBase('2026-09-01', '2026-09-30', '2026-10-30')).toEqual({ from: '2026-08-02', to: '2026-08-31' });
  });

  it('has nothing to compare when the range is only today', () => {
    expect(comparedRange('2026-10-30', '2026-10-30', '2026-10-30')).toBeNull();
  });
});
