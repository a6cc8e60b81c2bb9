import { describe, expect, it } from 'vitest';
import { hashName, OTHER_COLOR, SERIES_PALETTE, seriesColor } from './colors';
import { pivotSeries, type UsageRow } from './usage';

function row(date: string, model: string, cost: string): UsageRow {
  return {
    date,
    group: { provider: null, projectId: null, apiKeyId: null, userId: null, model, serviceTier: null, batch: null },
    inputTokens: 1,
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
  };
}

const colorsOf = (rows: UsageRow[], maxSeries = 8) =>
  new Map(pivotSeries(rows, ['MODEL'], 'cost', maxSeries).series.map((s) => [s.label, seriesColor(s.colorKey, s.other)]));

describe('series colours', () => {
  it('gives a name the same palette colour every time', () => {
    expect(seriesColor('gpt-4o')).toBe(seriesColor('gpt-4o'));
    expect(SERIES_PALETTE).toContain(seriesColor('gpt-4o'));
    expect(hashName('gpt-4o')).toBe(hashName('gpt-4o'));
    // FNV-1a's published test vector: the hash is the standard one, not a local variant.
    expect(hashName('a')).toBe(0xe40c292c);
  });

  it('spreads names over the palette', () => {
    const names = Array.from({ length: 200 }, (_, i) => `model-${i}`);
    expect(new Set(names.map((n) => seriesColor(n))).size).toBe(SERIES_PALETTE.length);
  });

  it('keeps a series colour whatever its rank, position or neighbours', () => {
    const alone = colorsOf([row('2026-11-01', 'gpt-4o', '1')]);
    const first = colorsOf([row('2026-11-01', 'gpt-4o', '9'), row('2026-11-01', 'claude-sonnet-4', '1')]);
    const last = colorsOf([row('2026-11-01', 'claude-sonnet-4', '9'), row('2026-11-02', 'o3', '5'), row('2026-11-01', 'gpt-4o', '1')]);
    expect(first.get('gpt-4o')).toBe(alone.get('gpt-4o'));
    expect(last.get('gpt-4o')).toBe(alone.get('gpt-4o'));
    expect(last.get('claude-sonnet-4')).toBe(first.get('claude-sonnet-4'));
  });

  it('colours the folded remainder grey, a colour no named series gets', () => {
    const rows = ['a', 'b', 'c'].map((m, i) => row('2026-11-01', m, String(3 - i)));
    const colors = colorsOf(rows, 2);
    expect(colors.get('Other')).toBe(OTHER_COLOR);
    expect(SERIES_PALETTE).not.toContain(OTHER_COLOR);
    expect(colors.get('a')).toBe(seriesColor('a'));
  });
});
