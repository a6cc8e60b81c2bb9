import { describe, expect, it } from 'vitest';
import {
  parseReconciliation,
  reconciliationToParams,
  defaultRange,
  overviewToParams,
  parseOverview,
  parseSessionList,
  parseUsageFilter,
  sessionListToParams,
  toUsageFilter,
  type UsageFilterState,
  usageFilterToParams,
} from './filters';

const NOW = new Date('2026-11-25T10:00:00Z');

const full: UsageFilterState = {
  from: '2026-11-01',
  to: '2026-11-07',
  providers: ['openai'],
  projectIds: ['proj_a', 'proj b&c'],
  apiKeyIds: ['key_1'],
  userIds: ['user-1'],
  models: ['gpt-4o'],
  serviceTiers: ['default', 'priority'],
  batch: false,
  groupBy: ['PROJECT', 'MODEL'],
  timezone: 'Europe/Berlin',
};

describe('usage filter in the URL', () => {
  it('round-trips every field of UsageFilter and the grouping', () => {
    const params = usageFilterToParams(full);
    expect(parseUsageFilter(new URLSearchParams(params.toString()), NOW)).toEqual(full);
  });

  it('writes short, repeated parameters', () => {
    expect(usageFilterToParams(full).toString()).toBe(
      'from=2026-11-01&to=2026-11-07&provider=openai&project=proj_a&project=proj+b%26c&key=key_1&user=user-1' +
        '&model=gpt-4o&tier=default&tier=priority&batch=false&group=project&group=model&tz=Europe%2FBerlin',
    );
  });

  it('defaults to the last 30 days, everything, ungrouped', () => {
    expect(parseUsageFilter(new URLSearchParams(), NOW)).toEqual({
      from: '2026-10-27',
      to: '2026-11-25',
      providers: [],
      projectIds: [],
      apiKeyIds: [],
      userIds: [],
      models: [],
      serviceTiers: [],
      batch: null,
      groupBy: [],
      timezone: 'UTC',
    });
    expect(defaultRange(NOW)).toEqual({ from: '2026-10-27', to: '2026-11-25' });
  });

  it('ignores malformed days, reversed ranges, unknown groups and blank values', () => {
    const parsed = parseUsageFilter(
      new URLSearchParams('from=2026-13-01&to=2026-11-07&group=nope&group=tier&project=&project=p&project=p&batch=maybe'),
      NOW,
    );
    expect(parsed.from).toBe('2026-10-27');
    expect(parsed.groupBy).toEqual(['SERVICE_TIER']);
    expect(parsed.projectIds).toEqual(['p']);
    expect(parsed.batch).toBeNull();
    expect(parseUsageFilter(new URLSearchParams('from=2026-11-09&to=2026-11-01'), NOW).to).toBe('2026-11-25');
  });

  it('keeps groupings in one canonical order', () => {
    expect(parseUsageFilter(new URLSearchParams('group=model&group=provider'), NOW).groupBy).toEqual(['PROVIDER', 'MODEL']);
  });

  it('leaves unrestricted fields out of the GraphQL filter', () => {
    expect(toUsageFilter({ ...full, providers: [], apiKeyIds: [], userIds: [], models: [], batch: null })).toEqual({
      from: '2026-11-01',
      to: '2026-11-07',
      projectIds: ['proj_a', 'proj b&c'],
      serviceTiers: ['default', 'priority'],
    });
    expect(toUsageFilter(full).batch).toBe(false);
  });
});

describe('overview and session list in the URL', () => {
  it('round-trips the overview options', () => {
    const state = { from: '2026-11-01', to: '2026-11-30', stack: 'PROVIDER', metric: 'tokens', timezone: 'Asia/Tokyo' } as const;
    expect(parseOverview(overviewToParams(state), NOW)).toEqual(state);
    expect(overviewToParams({ ...state, timezone: 'UTC' }).has('tz')).toBe(false);
    expect(parseOverview(new URLSearchParams('stack=user&metric=x'), NOW)).toMatchObject({ stack: 'MODEL', metric: 'cost' });
  });

  it('round-trips the session filters, order, view and page', () => {
    const base = { sort: 'STARTED_AT', descending: true, view: 'all' } as const;
    const state = { ...base, userId: 'alice@example.com', from: '2026-11-01', to: '2026-11-02', after: 'abc', page: 3 };
    expect(parseSessionList(sessionListToParams(state))).toEqual(state);
    const sorted = { ...base, userId: '', from: '', to: '', after: '', page: 1, sort: 'TOKENS', descending: false } as const;
    expect(parseSessionList(sessionListToParams(sorted))).toEqual(sorted);
    expect(sessionListToParams({ ...base, userId: '', from: '2026-11-01', to: '', after: '', page: 1 }).toString()).toBe('');
    expect(parseSessionList(new URLSearchParams('view=expensive&sort=bogus'))).toMatchObject({ view: 'expensive', sort: 'STARTED_AT', page: 1 });
  });
});

describe('reconciliation range in the URL', () => {
  it('round-trips the range and providers, dropping unknown providers', () => {
    const state = {
      from: '2026-11-01',
      to: '2026-11-30',
      providers: ['anthropic' as const],
      view: 'cost' as const,
      measure: 'tokens' as const,
      byKey: false,
    };
    expect(parseReconciliation(reconciliationToParams(state), NOW)).toEqual(state);
    expect(reconciliationToParams(state).toString()).toBe('from=2026-11-01&to=2026-11-30&provider=anthropic');
    expect(parseReconciliation(new URLSearchParams('provider=openai&provider=openai&provider=x'), NOW)).toEqual({
      ...defaultRange(NOW),
      providers: ['openai'],
      view: 'cost',
      measure: 'tokens',
      byKey: false,
    });
  });

  it('keeps the attribution tab, its measure and grouping, and ignores unknown views', () => {
    const state = parseReconciliation(new URLSearchParams('view=attribution&measure=cost&by=key'), NOW);
    expect(state).toMatchObject({ view: 'attribution', measure: 'cost', byKey: true });
    expect(parseReconciliation(reconciliationToParams(state), NOW)).toEqual(state);
    expect(parseReconciliation(new URLSearchParams('view=nope&measure=nope'), NOW)).toMatchObject({
      view: 'cost',
      measure: 'tokens',
    });
  });
});
