import { describe, expect, it } from 'vitest';
import {
  type AttributionLine,
  attributionByGroup,
  coveragePercent,
  dailyAttribution,
  exactAmount,
  sumAttribution,
} from './attribution';

const amount = (tokens: number, costUsd: string) => ({ tokens, costUsd });

/** A line where the app reported `app` tokens of which `matched` matched. */
function line(
  date: string | null,
  group: Partial<AttributionLine['group']>,
  provider: [number, string],
  matched: [number, string],
  appOnly: [number, string] = [0, '0'],
  mismatchedKeys = 0,
): AttributionLine {
  const providerOnly: [number, string] = [provider[0] - matched[0], (Number(provider[1]) - Number(matched[1])).toFixed(6)];
  return {
    date,
    group: { provider: null, projectId: null, apiKeyId: null, model: null, serviceTier: null, ...group },
    provider: amount(...provider),
    app: amount(matched[0] + appOnly[0], (Number(matched[1]) + Number(appOnly[1])).toFixed(6)),
    matched: amount(...matched),
    providerOnly: amount(...providerOnly),
    appOnly: amount(...appOnly),
    mismatchedKeys,
    coveragePercent: coveragePercent(matched[0], provider[0]),
  };
}

const openai = { provider: 'openai', projectId: 'proj_a', apiKeyId: 'key_1' };
const openaiKey2 = { provider: 'openai', projectId: 'proj_a', apiKeyId: 'key_2' };
const anthropic = { provider: 'anthropic', projectId: '', apiKeyId: 'apikey_x' };

const rows = [
  line('2026-11-02', openai, [1000, '0.3'], [250, '0.1'], [10, '0.000001'], 1),
  line('2026-11-01', openai, [400, '0.1'], [0, '0']),
  line('2026-11-01', openaiKey2, [600, '0.2'], [300, '0.1']),
  line('2026-11-02', anthropic, [0, '0'], [0, '0'], [50, '0.05']),
];

describe('attribution coverage', () => {
  it('is matched over provider tokens, two decimals, and null without provider usage', () => {
    expect(coveragePercent(1, 3)).toBe(33.33);
    expect(coveragePercent(2, 3)).toBe(66.67);
    expect(coveragePercent(0, 0)).toBeNull();
    expect(coveragePercent(5, 0)).toBeNull();
  });
});

describe('attribution totals', () => {
  it('sums every category exactly and keeps matched + providerOnly = provider', () => {
    const sums = sumAttribution(rows);
    expect(sums.provider.tokens).toBe(2000);
    expect(sums.provider.costUsd.toFixed()).toBe('0.6');
    expect(sums.matched.tokens).toBe(550);
    expect(sums.matched.costUsd.toFixed()).toBe('0.2');
    expect(sums.providerOnly.tokens + sums.matched.tokens).toBe(sums.provider.tokens);
    expect(sums.appOnly.costUsd.toFixed()).toBe('0.050001');
    expect(sums.app.tokens).toBe(sums.matched.tokens + sums.appOnly.tokens);
    expect(sums.mismatchedKeys).toBe(1);
    expect(sums.coveragePercent).toBe(27.5);
  });

  it('gives zeros and no coverage for no lines', () => {
    const sums = sumAttribution([]);
    expect(sums.provider.tokens).toBe(0);
    expect(sums.coveragePercent).toBeNull();
  });
});

describe('attribution per day', () => {
  it('stacks every group of a day, oldest day first, in tokens or cost', () => {
    expect(dailyAttribution(rows, 'tokens')).toEqual([
      { date: '2026-11-01', matched: 300, providerOnly: 700, appOnly: 0, coverage: 30 },
      { date: '2026-11-02', matched: 250, providerOnly: 750, appOnly: 60, coverage: 25 },
    ]);
    expect(dailyAttribution(rows, 'cost')).toEqual([
      { date: '2026-11-01', matched: 0.1, providerOnly: 0.2, appOnly: 0, coverage: 30 },
      { date: '2026-11-02', matched: 0.1, providerOnly: 0.2, appOnly: 0.050001, coverage: 25 },
    ]);
  });

  it('leaves the totals line (no date) out', () => {
    expect(dailyAttribution([line(null, {}, [1, '1'], [1, '1'])], 'tokens')).toEqual([]);
  });
});

describe('attribution per project', () => {
  it('folds days and keys into one row per provider and project, largest first', () => {
    const groups = attributionByGroup(rows, false);
    expect(groups.map((g) => [g.group.provider, g.group.projectId, g.group.apiKeyId, g.matched.tokens])).toEqual([
      ['openai', 'proj_a', null, 550],
      ['anthropic', '', null, 0],
    ]);
    expect(groups[0]?.coveragePercent).toBe(27.5);
    expect(groups[1]?.coveragePercent).toBeNull();
    expect(groups[1]?.appOnly.tokens).toBe(50);
  });

  it('keeps API keys apart when asked', () => {
    const groups = attributionByGroup(rows, true);
    expect(groups.map((g) => g.group.apiKeyId)).toEqual(['key_1', 'key_2', 'apikey_x']);
    expect(groups[0]?.provider.tokens).toBe(1400);
    expect(groups[0]?.coveragePercent).toBe(17.86);
  });
});

describe('exact amounts', () => {
  it('shows tokens as integers and cost with every digit', () => {
    expect(exactAmount(amount(12, '0.100000'), 'tokens')).toBe('12');
    expect(exactAmount(amount(12, '0.100000'), 'cost')).toBe('0.1');
  });
});
