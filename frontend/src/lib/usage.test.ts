import { describe, expect, it } from 'vitest';
import type { UsageDimension } from '../gql/graphql';
import { displayGroupValue, NOT_REPORTED, OTHER_SERIES, pivotSeries, rankGroups, type UsageRow, usageTotals } from './usage';
import { NO_PROJECT } from './names';

function row(date: string, group: Partial<UsageRow['group']>, fields: Partial<UsageRow> = {}): UsageRow {
  return {
    date,
    group: { provider: null, projectId: null, apiKeyId: null, userId: null, model: null, serviceTier: null, batch: null, ...group },
    inputTokens: 0,
    inputCachedTokens: 0,
    inputCacheWriteTokens: 0,
    outputTokens: 0,
    inputAudioTokens: 0,
    outputAudioTokens: 0,
    numModelRequests: 0,
    costUsd: '0',
    pricedCostUsd: '0',
    unpricedBuckets: 0,
    costEstimated: false,
    ...fields,
  };
}

const MODEL: UsageDimension[] = ['MODEL'];

describe('usageTotals', () => {
  it('sums money exactly, not in floating point', () => {
    const rows = [
      row('2026-11-01', {}, { pricedCostUsd: '0.1', costUsd: '0.1' }),
      row('2026-11-02', {}, { pricedCostUsd: '0.2', costUsd: '0.2' }),
    ];
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(usageTotals(rows).pricedCostUsd.toFixed()).toBe('0.3');
  });

  it('counts every token once and flags unpriced and estimated rows', () => {
    const totals = usageTotals([
      row('2026-11-01', {}, { inputTokens: 100, inputCachedTokens: 40, outputTokens: 10, numModelRequests: 2 }),
      row('2026-11-01', {}, { inputTokens: 5, outputTokens: 5, unpricedBuckets: 1, costUsd: null, costEstimated: true }),
    ]);
    expect(totals).toMatchObject({
      tokens: 120,
      inputTokens: 105,
      inputCachedTokens: 40,
      outputTokens: 15,
      requests: 2,
      unpricedBuckets: 1,
      costEstimated: true,
    });
  });
});

describe('pivotSeries', () => {
  const rows = [
    row('2026-11-02', { model: 'b' }, { pricedCostUsd: '1.50', inputTokens: 10 }),
    row('2026-11-01', { model: 'a' }, { pricedCostUsd: '2.25', inputTokens: 30 }),
    row('2026-11-01', { model: 'b' }, { pricedCostUsd: '0.75', inputTokens: 5, outputTokens: 5 }),
    row('2026-11-02', { model: 'a' }, { pricedCostUsd: '0', inputTokens: 0 }),
    row('2026-11-02', { model: '' }, { pricedCostUsd: '0.01' }),
  ];

  it('makes one point per day with one value per group, largest group first (ties by name)', () => {
    const { points, series } = pivotSeries(rows, MODEL, 'cost');
    expect(series.map((s) => [s.key, s.label, s.total.toFixed()])).toEqual([
      ['s0', 'a', '2.25'],
      ['s1', 'b', '2.25'],
      ['s2', NOT_REPORTED, '0.01'],
    ]);
    expect(points).toEqual([
      { date: '2026-11-01', s0: 2.25, s1: 0.75, s2: 0 },
      { date: '2026-11-02', s0: 0, s1: 1.5, s2: 0.01 },
    ]);
  });

  it('plots tokens as input plus output and leaves out groups with nothing', () => {
    const { points, series } = pivotSeries(rows, MODEL, 'tokens');
    expect(series.map((s) => s.label)).toEqual(['a', 'b']);
    expect(points[0]).toEqual({ date: '2026-11-01', s0: 30, s1: 10 });
  });

  it('folds the smallest groups into "Other"', () => {
    const many = ['a', 'b', 'c', 'd'].map((m, i) => row('2026-11-01', { model: m }, { pricedCostUsd: String(4 - i) }));
    const { points, series } = pivotSeries(many, MODEL, 'cost', 3);
    expect(series.map((s) => [s.label, s.total.toFixed()])).toEqual([
      ['a', '4'],
      ['b', '3'],
      [OTHER_SERIES, '3'],
    ]);
    expect(points).toEqual([{ date: '2026-11-01', s0: 4, s1: 3, s2: 3 }]);
  });

  it('labels multi-dimension groups and ungrouped rows', () => {
    const grouped = [row('2026-11-01', { provider: 'openai', batch: 'BATCH' }, { numModelRequests: 3 })];
    expect(pivotSeries(grouped, ['PROVIDER', 'BATCH'], 'requests').series[0]?.label).toBe('openai · batch');
    expect(pivotSeries([row('2026-11-01', {}, { numModelRequests: 1 })], [], 'requests').series[0]?.label).toBe('All usage');
  });

  it('reads every batch mode as words', () => {
    expect(displayGroupValue('BATCH', 'BATCH')).toBe('batch');
    expect(displayGroupValue('BATCH', 'INTERACTIVE')).toBe('interactive');
    expect(displayGroupValue('BATCH', 'NOT_REPORTED')).toBe(NOT_REPORTED);
    expect(displayGroupValue('BATCH', null)).toBe(NOT_REPORTED);
  });
});

describe('rankGroups', () => {
  it('ranks by spend over the range and keeps the raw value for links', () => {
    const rows = [
      row('2026-11-01', { projectId: 'p1' }, { pricedCostUsd: '1', inputTokens: 1 }),
      row('2026-11-02', { projectId: 'p1' }, { pricedCostUsd: '1', inputTokens: 1 }),
      row('2026-11-01', { projectId: 'p2' }, { pricedCostUsd: '3', inputTokens: 1 }),
      row('2026-11-01', { projectId: '' }, { pricedCostUsd: '0.5', inputTokens: 1 }),
      row('2026-11-01', { projectId: 'idle' }),
    ];
    expect(rankGroups(rows, 'PROJECT', 2).map((g) => [g.value, g.pricedCostUsd.toFixed()])).toEqual([
      ['p2', '3'],
      ['p1', '2'],
    ]);
    expect(rankGroups(rows, 'PROJECT', 5).map((g) => g.label)).toEqual(['p2', 'p1', NO_PROJECT]);
  });
});
