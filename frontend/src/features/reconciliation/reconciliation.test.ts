import { describe, expect, it } from 'vitest';
import type { LikelyCause } from '../../gql/graphql';
import { buildNameIndex, NO_PROJECT } from '../../lib/names';
import {
  CAUSES,
  causeHint,
  causeLabel,
  dailyBilledVsComputed,
  reconciliationProject,
  type ReconciliationRow,
  reconciliationTotals,
} from './reconciliation';

function row(date: string, billedUsd: string, computedUsd: string, fields: Partial<ReconciliationRow> = {}): ReconciliationRow {
  return {
    provider: 'openai',
    date,
    projectId: 'proj_1',
    billedUsd,
    computedUsd,
    varianceUsd: '0',
    variancePercent: '0',
    withinTolerance: true,
    likelyCause: null,
    billedLines: 1,
    usageBuckets: 1,
    unpricedBuckets: 0,
    ...fields,
  };
}

describe('reconciliation totals', () => {
  it('sums billed and computed exactly and derives the variance', () => {
    const totals = reconciliationTotals([
      row('2026-11-01', '0.1', '0.1'),
      row('2026-11-01', '0.2', '0.25', { withinTolerance: false, likelyCause: 'PRICE_DIFFERENCE', unpricedBuckets: 2 }),
    ]);
    expect(totals.billedUsd.toFixed()).toBe('0.3');
    expect(totals.computedUsd.toFixed()).toBe('0.35');
    expect(totals.varianceUsd.toFixed()).toBe('0.05');
    expect(totals.variancePercent?.toFixed(2)).toBe('16.67');
    expect(totals).toMatchObject({ rows: 2, outsideTolerance: 1, unpricedBuckets: 2 });
  });

  it('has no variance percent when nothing was billed', () => {
    expect(reconciliationTotals([row('2026-11-01', '0', '1.5')]).variancePercent).toBeNull();
    expect(reconciliationTotals([]).billedUsd.toFixed()).toBe('0');
  });
});

describe('billed vs computed per day', () => {
  it('sums every provider and project of a day, oldest day first', () => {
    const points = dailyBilledVsComputed([
      row('2026-11-02', '1', '1'),
      row('2026-11-01', '0.1', '0.1'),
      row('2026-11-01', '0.2', '0.3', { provider: 'anthropic', withinTolerance: false }),
    ]);
    expect(points).toEqual([
      { date: '2026-11-01', billed: 0.3, computed: 0.4, outside: 1 },
      { date: '2026-11-02', billed: 1, computed: 1, outside: 0 },
    ]);
  });
});

describe('row labels', () => {
  const names = buildNameIndex([
    { provider: 'openai', kind: 'project', externalId: 'proj_1', name: 'Support Bot', status: 'active' },
  ]);

  it('names the project, and the empty id by provider', () => {
    expect(reconciliationProject({ provider: 'openai', projectId: 'proj_1' }, names)).toBe('Support Bot');
    expect(reconciliationProject({ provider: 'openai', projectId: 'proj_2' }, names)).toBe('proj_2');
    expect(reconciliationProject({ provider: 'anthropic', projectId: '' }, names)).toBe(NO_PROJECT);
    expect(reconciliationProject({ provider: 'openai', projectId: '' }, names)).toBe(NO_PROJECT);
    expect(reconciliationProject({ provider: 'openai', projectId: null }, names)).toBe('All projects');
  });

  it('lists every cause in the API order, likeliest first', () => {
    expect(CAUSES).toEqual([
      'LINE_ITEM_WITHOUT_USAGE',
      'USAGE_NOT_BILLED_YET',
      'UNPRICED_MODEL',
      'USAGE_WITHOUT_TOKEN_PRICE',
      'TIER_NOT_REPORTED',
      'PRICE_DIFFERENCE',
    ]);
  });

  it('reads a likely cause, including one this dashboard does not know yet', () => {
    expect(causeLabel('PRICE_DIFFERENCE')).toBe('Price difference');
    expect(causeLabel('LINE_ITEM_WITHOUT_USAGE')).toBe('Billed, no usage');
    // A value a newer server may send: the generated union does not have it yet.
    const newer: string = 'NEW_CAUSE_KIND';
    expect(causeLabel(newer as LikelyCause)).toBe('New cause kind');
    expect(causeHint(newer as LikelyCause)).toBeUndefined();
    expect(causeHint('UNPRICED_MODEL')).toMatch(/cannot price/);
    expect(causeLabel(null)).toBe('');
  });
});
