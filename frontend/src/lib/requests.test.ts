import { describe, expect, it } from 'vitest';
import { providersWithUsage, requestsReported, requestsReportedByRow } from './requests';
import type { UsageRow } from './usage';

function row(date: string, group: Partial<UsageRow['group']>, requests: number, tokens = 10): UsageRow {
  return {
    date,
    group: { provider: null, projectId: null, apiKeyId: null, userId: null, model: null, serviceTier: null, batch: null, ...group },
    inputTokens: tokens,
    inputCachedTokens: 0,
    inputCacheWriteTokens: 0,
    outputTokens: 0,
    inputAudioTokens: 0,
    outputAudioTokens: 0,
    numModelRequests: requests,
    costUsd: '0',
    pricedCostUsd: '0',
    unpricedBuckets: 0,
    costEstimated: false,
  };
}

describe('request counts a provider does not report', () => {
  it('are unknown only when all the usage is from such providers', () => {
    expect(requestsReported(['anthropic'])).toBe(false);
    expect(requestsReported(['anthropic', 'openai'])).toBe(true);
    expect(requestsReported(['openai'])).toBe(true);
    // No usage: a count of 0 is true.
    expect(requestsReported([])).toBe(true);
  });

  it('lists the providers with usage, ignoring empty rows', () => {
    const rows = [row('d', { provider: 'anthropic' }, 0), row('d', { provider: 'openai' }, 0, 0)];
    expect(providersWithUsage(rows)).toEqual(['anthropic']);
  });

  it('marks rows whose usage is all from a provider without counts', () => {
    const byProvider = [
      row('2026-11-01', { model: 'claude-sonnet-4', provider: 'anthropic' }, 0),
      row('2026-11-01', { model: 'gpt-4o', provider: 'openai' }, 5),
      // One model from both providers (e.g. through a gateway): its count is partial but real.
      row('2026-11-01', { model: 'shared', provider: 'anthropic' }, 0),
      row('2026-11-01', { model: 'shared', provider: 'openai' }, 2),
      // Another day, where the OpenAI row had no usage.
      row('2026-11-02', { model: 'shared', provider: 'anthropic' }, 0),
      row('2026-11-02', { model: 'shared', provider: 'openai' }, 0, 0),
    ];
    const reported = requestsReportedByRow(byProvider, ['MODEL']);
    expect(reported(row('2026-11-01', { model: 'claude-sonnet-4' }, 0))).toBe(false);
    expect(reported(row('2026-11-01', { model: 'gpt-4o' }, 5))).toBe(true);
    expect(reported(row('2026-11-01', { model: 'shared' }, 2))).toBe(true);
    expect(reported(row('2026-11-02', { model: 'shared' }, 0))).toBe(false);
    // Not in the split (yet): shown as it is.
    expect(reported(row('2026-11-03', { model: 'claude-sonnet-4' }, 0))).toBe(true);
  });

  it('works when the rows are already split by provider', () => {
    const rows = [row('2026-11-01', { provider: 'anthropic' }, 0), row('2026-11-01', { provider: 'openai' }, 3)];
    const reported = requestsReportedByRow(rows, ['PROVIDER']);
    expect(rows.map(reported)).toEqual([false, true]);
  });
});
