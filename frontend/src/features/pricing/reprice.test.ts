import { describe, expect, it } from 'vitest';
import type { Provider } from '../../gql/graphql';
import { type RepriceDay, repriceDelta, repriceDiffRows, type RepriceResult, repriceSummary } from './reprice';

function day(date: string, provider: Provider, oldCostUsd: string, newCostUsd: string, deltaUsd: string, fields: Partial<RepriceDay> = {}): RepriceDay {
  return { date, provider, bucketsChanged: 2, oldCostUsd, newCostUsd, deltaUsd, newlyPriced: 0, newlyUnpriced: 0, ...fields };
}

const days = [
  day('2026-11-02', 'openai', '1.000000', '1.250000', '0.250000'),
  day('2026-11-01', 'openai', '0.004000', '0.001000', '-0.003000', { newlyUnpriced: 1 }),
  day('2026-11-01', 'anthropic', '0', '2.5', '2.5', { bucketsChanged: 3, newlyPriced: 3 }),
];

describe('reprice diff', () => {
  it('orders days then providers and formats old, new and a signed delta', () => {
    expect(repriceDiffRows(days).map((r) => [r.date, r.provider, r.bucketsChanged, r.old, r.new, r.delta, r.pricing])).toEqual([
      ['2026-11-01', 'anthropic', 3, '$0.00', '$2.50', '+$2.50', '3 newly priced'],
      ['2026-11-01', 'openai', 2, '<$0.01', '<$0.01', '−<$0.01', '1 newly unpriced'],
      ['2026-11-02', 'openai', 2, '$1.00', '$1.25', '+$0.25', ''],
    ]);
  });

  it('keeps the exact figures beside the formatted ones', () => {
    const [first] = repriceDiffRows([days[0] as RepriceDay]);
    expect(first).toMatchObject({ key: '2026-11-02/openai', oldCostUsd: '1.000000', deltaUsd: '0.250000' });
  });

  it('sums the deltas exactly', () => {
    expect(repriceDelta(days).toFixed()).toBe('2.747');
    expect(repriceDelta([]).toFixed()).toBe('0');
  });
});

describe('reprice summary', () => {
  const result: RepriceResult = {
    dryRun: true,
    bucketsExamined: 1200,
    bucketsChanged: 7,
    oldCostUsd: '1.004',
    newCostUsd: '3.751',
    deltaUsd: '2.747',
    days,
  };

  it('says what a dry run would change, and what an applied run changed', () => {
    expect(repriceSummary(result)).toBe('7 of 1,200 buckets on 2 days would change: $1.00 → $3.75 (+$2.75).');
    expect(repriceSummary({ ...result, dryRun: false, days: [days[0] as RepriceDay] })).toBe(
      '7 of 1,200 buckets on 1 day changed: $1.00 → $3.75 (+$2.75).',
    );
  });

  it('says when nothing changes', () => {
    expect(repriceSummary({ ...result, bucketsChanged: 0, days: [] })).toBe(
      'No change: the 1,200 buckets examined already have the current prices.',
    );
  });
});
