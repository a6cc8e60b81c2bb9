import { describe, expect, it } from 'vitest';
import type { UsageFilterState } from '../../lib/filters';
import { buildNameIndex } from '../../lib/names';
import type { UsageRow } from '../../lib/usage';
import { bucketsExportUrl, exportColumns, exportFileName, fileNamePart, neutralise, toCsv, toJson, toRecords } from './export';

const base = {
  inputCachedTokens: 0,
  inputCacheWriteTokens: 0,
  inputAudioTokens: 0,
  outputAudioTokens: 0,
  unpricedBuckets: 0,
  costEstimated: false,
};
const rows: UsageRow[] = [
  {
    ...base,
    date: '2026-11-01',
    group: { provider: null, projectId: 'proj "x", y', apiKeyId: null, userId: null, model: 'gpt-4o', serviceTier: null, batch: null },
    inputTokens: 1200,
    outputTokens: 300,
    numModelRequests: 4,
    costUsd: '0.012345',
    pricedCostUsd: '0.012345',
  },
  {
    ...base,
    date: '2026-11-02',
    group: { provider: null, projectId: '', apiKeyId: null, userId: null, model: 'mystery', serviceTier: null, batch: null },
    inputTokens: 10,
    outputTokens: 1,
    numModelRequests: 1,
    costUsd: null,
    pricedCostUsd: '0',
    unpricedBuckets: 1,
  },
];

const state: UsageFilterState = {
  from: '2026-11-01',
  to: '2026-11-02',
  providers: [],
  projectIds: [],
  apiKeyIds: [],
  userIds: [],
  models: ['gpt-4o', 'mystery'],
  serviceTiers: [],
  batch: true,
  groupBy: ['PROJECT', 'MODEL'],
  timezone: 'UTC',
};

describe('export of the current view', () => {
  const names = buildNameIndex([
    { provider: 'openai', kind: 'project', externalId: 'proj "x", y', name: 'Support, "Bot"', status: 'active' },
  ]);
  const records = toRecords(rows, state.groupBy, names);

  it('has the grouped dimensions and every measure, as the API sent them', () => {
    expect(exportColumns(state.groupBy)).toEqual([
      'date',
      'projectId',
      'projectName',
      'model',
      'inputTokens',
      'inputCachedTokens',
      'inputCacheWriteTokens',
      'outputTokens',
      'inputAudioTokens',
      'outputAudioTokens',
      'numModelRequests',
      'costUsd',
      'pricedCostUsd',
      'unpricedBuckets',
      'costEstimated',
    ]);
    expect(records[0]).toMatchObject({
      date: '2026-11-01',
      projectId: 'proj "x", y',
      projectName: 'Support, "Bot"',
      model: 'gpt-4o',
      costUsd: '0.012345',
    });
    expect(records[1]).toMatchObject({ projectId: '', projectName: null, costUsd: null, unpricedBuckets: 1 });
  });

  it('adds a name column only after dimensions the inventory names', () => {
    expect(exportColumns(['PROVIDER', 'API_KEY', 'USER', 'MODEL']).slice(0, 6)).toEqual([
      'date',
      'provider',
      'apiKeyId',
      'apiKeyName',
      'userId',
      'userName',
    ]);
    expect(toRecords(rows, ['MODEL'])[0]).not.toHaveProperty('projectName');
  });

  it('writes RFC 4180 CSV with exact money and empty unknown costs', () => {
    const csv = toCsv(records, exportColumns(state.groupBy));
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(exportColumns(state.groupBy).join(','));
    expect(lines[1]).toBe('2026-11-01,"proj ""x"", y","Support, ""Bot""",gpt-4o,1200,0,0,300,0,0,4,0.012345,0.012345,0,false');
    expect(lines[2]).toBe('2026-11-02,,,mystery,10,0,0,1,0,0,1,,0,1,false');
    expect(lines[3]).toBe('');
  });

  it('writes JSON with the filter that reproduces it', () => {
    const json = JSON.parse(toJson(state, records));
    expect(json.filter).toEqual({ from: '2026-11-01', to: '2026-11-02', models: ['gpt-4o', 'mystery'], batch: true });
    expect(json.groupBy).toEqual(['PROJECT', 'MODEL']);
    expect(json.rows).toEqual(records);
    expect(json.timezone).toBeUndefined();
    expect(JSON.parse(toJson({ ...state, timezone: 'Europe/Berlin' }, records)).timezone).toBe('Europe/Berlin');
  });

  it('names the file after the range and the filters, sanitised', () => {
    expect(exportFileName(state, 'csv')).toBe('usage_2026-11-01_2026-11-02_model-gpt-4o+mystery_batch.csv');
    const plain = { ...state, models: [], batch: null };
    expect(exportFileName(plain, 'json')).toBe('usage_2026-11-01_2026-11-02.json');
    expect(exportFileName({ ...plain, models: ['gpt-4o'] }, 'csv')).toBe('usage_2026-11-01_2026-11-02_model-gpt-4o.csv');
    expect(
      exportFileName({ ...plain, projectIds: ['proj "x", y/../z'], serviceTiers: ['flex'], batch: false }, 'csv', 'buckets'),
    ).toBe('buckets_2026-11-01_2026-11-02_project-proj-x-y-..-z_tier-flex_interactive.csv');
    expect(exportFileName({ ...plain, timezone: 'America/New_York' }, 'csv')).toBe('usage_2026-11-01_2026-11-02_tz-America-New-York.csv');
    expect(exportFileName({ ...plain, timezone: 'America/New_York' }, 'csv', 'buckets')).toBe('buckets_2026-11-01_2026-11-02.csv');
    expect(fileNamePart('../../etc/passwd')).toBe('etc-passwd');
    expect(fileNamePart('Café déjà')).toBe('Cafe-deja');
  });

  it('keeps a long file name within bounds', () => {
    const many = { ...state, models: Array.from({ length: 50 }, (_, i) => `model-number-${i}`) };
    const name = exportFileName(many, 'csv');
    expect(name.length).toBeLessThanOrEqual(184);
    expect(name).toMatch(/^usage_2026-11-01_2026-11-02_model-model-number-0\+.*[A-Za-z0-9]\.csv$/);
  });
});

describe('bucketsExportUrl', () => {
  it('asks the server for exactly the current filters', () => {
    const filters: UsageFilterState = {
      from: '2026-11-01',
      to: '2026-11-30',
      providers: ['openai'],
      projectIds: ['proj_a', 'proj_b'],
      apiKeyIds: [],
      userIds: [],
      models: [],
      serviceTiers: ['default'],
      batch: false,
      groupBy: ['MODEL'],
      timezone: 'UTC',
    };
    const url = new URL(bucketsExportUrl(filters, 'csv'), 'http://host');
    expect(url.pathname).toBe('/api/export/buckets');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      from: '2026-11-01',
      to: '2026-11-30',
      providers: 'openai',
      projectIds: 'proj_a,proj_b',
      serviceTiers: 'default',
      batch: 'false',
      format: 'csv',
    });
  });
});

describe('CSV injection', () => {
  it('neutralises cells a spreadsheet would run as formulas', () => {
    for (const formula of ["=cmd|' /C calc'!A0", '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1', '-']) {
      expect(neutralise(formula)).toBe(`'${formula}`);
    }
    for (const plain of ['-0.5', '-12', '0.012345', 'gpt-4o', '', 'proj "x", y']) {
      expect(neutralise(plain)).toBe(plain);
    }
  });

  it('writes planted formulas as text and negative numbers as numbers', () => {
    const planted: UsageRow = {
      ...base,
      date: '2026-11-01',
      group: { provider: null, projectId: "=cmd|' /C calc'!A0", apiKeyId: null, userId: null, model: '@SUM(1+1)', serviceTier: null, batch: null },
      inputTokens: -3,
      outputTokens: 300,
      numModelRequests: 4,
      costUsd: '-0.5',
      pricedCostUsd: '-0.5',
    };
    const csv = toCsv(toRecords([planted], ['PROJECT', 'MODEL']), exportColumns(['PROJECT', 'MODEL']));
    const [, line = ''] = csv.split('\r\n');
    expect(line).toBe("2026-11-01,'=cmd|' /C calc'!A0,,'@SUM(1+1),-3,0,0,300,0,0,4,-0.5,-0.5,0,false");
    for (const cell of line.split(',')) expect(cell).not.toMatch(/^[=+@]/);
  });
});
