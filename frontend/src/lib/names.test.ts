import { describe, expect, it } from 'vitest';
import { buildNameIndex, distinctLabels, type InventoryEntry, lookupName, NO_PROJECT, nameOf, nameOrId } from './names';
import { displayGroupValue, pivotSeries, rankGroups, type UsageRow } from './usage';

const item = (kind: string, externalId: string, name: string, provider = 'openai'): InventoryEntry => ({
  provider,
  kind,
  externalId,
  name,
  status: 'active',
});

const inventory = [
  item('project', 'proj_1', 'Support Bot'),
  item('workspace', 'wrkspc_1', 'Support', 'anthropic'),
  item('api_key', 'key_1', 'support-bot prod'),
  item('user', 'user-1', 'Alice Example'),
  item('service_account', 'svc_1', 'nightly-etl'),
  item('project', 'proj_unnamed', ''),
  item('project', 'proj_1', 'Renamed elsewhere'),
  item('organization', 'org_1', 'Not a usage dimension'),
];

describe('the id → name lookup', () => {
  const names = buildNameIndex(inventory);

  it('names projects, workspaces, keys, users and service accounts by dimension', () => {
    expect(nameOf(names, 'PROJECT', 'proj_1')).toBe('Support Bot');
    expect(nameOf(names, 'PROJECT', 'wrkspc_1')).toBe('Support');
    expect(nameOf(names, 'API_KEY', 'key_1')).toBe('support-bot prod');
    expect(nameOf(names, 'USER', 'user-1')).toBe('Alice Example');
    expect(nameOf(names, 'USER', 'svc_1')).toBe('nightly-etl');
    expect(lookupName(names, 'PROJECT', 'wrkspc_1')).toMatchObject({ kind: 'workspace', provider: 'anthropic' });
  });

  it('does not cross dimensions: a key id is not a project', () => {
    expect(nameOf(names, 'PROJECT', 'key_1')).toBeNull();
    expect(nameOf(names, 'MODEL', 'proj_1')).toBeNull();
  });

  it('leaves unknown, unnamed and missing ids without a name; the first name listed wins', () => {
    expect(nameOf(names, 'PROJECT', 'proj_unknown')).toBeNull();
    expect(nameOf(names, 'PROJECT', 'proj_unnamed')).toBeNull();
    expect(nameOf(names, 'PROJECT', '')).toBeNull();
    expect(nameOf(names, 'PROJECT', null)).toBeNull();
    expect(names.size).toBe(5);
  });

  it('falls back to the id, or to a label for the empty id', () => {
    expect(nameOrId(names, 'PROJECT', 'proj_1')).toBe('Support Bot');
    expect(nameOrId(names, 'PROJECT', 'proj_unknown')).toBe('proj_unknown');
    expect(nameOrId(names, 'PROJECT', '', 'Default workspace')).toBe('Default workspace');
  });

  it('appends the id to a name two ids share', () => {
    const labels = distinctLabels(
      new Map([
        ['proj_a', 'Default'],
        ['proj_b', 'Default'],
        ['proj_c', 'Other'],
      ]),
    );
    expect([...labels.values()]).toEqual(['Default (proj_a)', 'Default (proj_b)', 'Other']);
  });
});

describe('names in usage views', () => {
  const names = buildNameIndex(inventory);
  const row = (projectId: string, cost: string): UsageRow => ({
    date: '2026-11-01',
    group: { provider: null, projectId, apiKeyId: null, userId: null, model: null, serviceTier: null, batch: null },
    inputTokens: 10,
    inputCachedTokens: 0,
    inputCacheWriteTokens: 0,
    outputTokens: 0,
    inputAudioTokens: 0,
    outputAudioTokens: 0,
    numModelRequests: 1,
    costUsd: cost,
    pricedCostUsd: cost,
    unpricedBuckets: 0,
    costEstimated: false,
  });

  it('shows the name of a grouped id, the id when unnamed, and marks the empty id', () => {
    expect(displayGroupValue('PROJECT', 'proj_1', names)).toBe('Support Bot');
    expect(displayGroupValue('PROJECT', 'proj_x', names)).toBe('proj_x');
    expect(displayGroupValue('PROJECT', '', names)).toBe(NO_PROJECT);
  });

  it('labels chart series by name and keeps the ids for a tooltip', () => {
    const { series } = pivotSeries([row('proj_1', '2'), row('proj_x', '1')], ['PROJECT'], 'cost', 8, names);
    expect(series.map((s) => [s.label, s.ids])).toEqual([
      ['Support Bot', 'proj_1'],
      ['proj_x', undefined],
    ]);
  });

  it('keeps two ids with the same name as two series', () => {
    const twins = buildNameIndex([item('project', 'proj_a', 'Default'), item('project', 'proj_b', 'Default')]);
    const { series } = pivotSeries([row('proj_a', '2'), row('proj_b', '1')], ['PROJECT'], 'cost', 8, twins);
    expect(series.map((s) => s.label)).toEqual(['Default (proj_a)', 'Default (proj_b)']);
  });

  it('ranks groups by raw id and labels them by name', () => {
    expect(rankGroups([row('proj_1', '2'), row('proj_x', '3')], 'PROJECT', 5, names).map((g) => [g.value, g.label])).toEqual([
      ['proj_x', 'proj_x'],
      ['proj_1', 'Support Bot'],
    ]);
  });
});
