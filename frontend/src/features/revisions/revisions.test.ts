import { describe, expect, it } from 'vitest';
import { previousMonth } from '../closes/ClosePeriodForm';
import { bucketChanges, costDelta, describeRevision, formatSignedCount, type Revision, revisionsByDay } from './revisions';

const revision = (patch: Partial<Revision>): Revision => ({
  id: 1,
  connectionId: 1,
  provider: 'openai',
  usageType: 'completions',
  date: '2026-10-20',
  revisedAt: '2026-11-30T07:33:15.005766+00:00',
  runId: null,
  bucketsAdded: 0,
  bucketsChanged: 1,
  bucketsRemoved: 0,
  inputTokensDelta: 708053,
  inputCachedTokensDelta: 0,
  outputTokensDelta: -12,
  numModelRequestsDelta: 0,
  costUsdDelta: '0.438580',
  ...patch,
});

describe('revisions', () => {
  it('signs counts with a real minus and ± for none', () => {
    expect(formatSignedCount(708053)).toBe('+708,053');
    expect(formatSignedCount(-12)).toBe('−12');
    expect(formatSignedCount(0)).toBe('±0');
  });

  it('names only the row changes that happened', () => {
    expect(bucketChanges(revision({}))).toBe('1 row changed');
    expect(bucketChanges(revision({ bucketsAdded: 2, bucketsChanged: 0, bucketsRemoved: 1 }))).toBe('2 rows added, 1 removed');
    expect(bucketChanges(revision({ bucketsChanged: 0 }))).toBe('no row changed');
  });

  it('describes a revision with its connection, deltas and time', () => {
    expect(describeRevision(revision({}), new Map([['1', 'demo-openai']]))).toBe(
      'demo-openai · completions: input +708,053, output −12 tokens, cost +$0.44; 1 row changed; revised 2026-11-30 07:33 UTC',
    );
    expect(describeRevision(revision({ connectionId: 9 }), new Map())).toMatch(/^connection 9 · /);
  });

  it('groups by day in the order listed and sums cost exactly', () => {
    const list = [revision({ id: 1 }), revision({ id: 2, date: '2026-10-21' }), revision({ id: 3, costUsdDelta: '-0.100001' })];
    const days = revisionsByDay(list);
    expect([...days.keys()]).toEqual(['2026-10-20', '2026-10-21']);
    expect(days.get('2026-10-20')?.map((r) => r.id)).toEqual([1, 3]);
    expect(costDelta(days.get('2026-10-20') ?? []).toFixed()).toBe('0.338579');
  });

  it('proposes the month before the current one', () => {
    expect(previousMonth('2026-11-30')).toBe('2026-10');
    expect(previousMonth('2027-01-01')).toBe('2026-12');
  });
});
