import { describe, expect, it } from 'vitest';
import { costBreakdown, type InteractionCost } from './session';

describe('session cost breakdown', () => {
  const interaction = (fields: Partial<InteractionCost>): InteractionCost => ({
    priced: true,
    aiTokensUsd: '0',
    dbOpsUsd: '0',
    apiCallsUsd: '0',
    computeUsd: '0',
    explicitUsd: '0',
    totalUsd: '0',
    inputTokens: 0,
    outputTokens: 0,
    dbOps: 0,
    apiCalls: 0,
    computeMs: 0,
    ...fields,
  });

  it('adds each part over the priced interactions', () => {
    const breakdown = costBreakdown([
      interaction({ aiTokensUsd: '0.1', dbOpsUsd: '0.000250', totalUsd: '0.100250', inputTokens: 10, outputTokens: 2, dbOps: 1 }),
      interaction({ aiTokensUsd: '0.2', apiCallsUsd: '0.0004', computeUsd: '0.00002', totalUsd: '0.20042', apiCalls: 1, computeMs: 1000 }),
      interaction({ priced: false, aiTokensUsd: null, totalUsd: null, dbOpsUsd: '9', inputTokens: 5 }),
    ]);
    expect(Object.fromEntries(breakdown.parts.map((p) => [p.key, p.usd.toFixed()]))).toEqual({
      tokens: '0.3',
      dbOps: '0.00025',
      apiCalls: '0.0004',
      compute: '0.00002',
      explicit: '0',
    });
    expect(breakdown.totalUsd.toFixed()).toBe('0.30067');
    expect(breakdown).toMatchObject({ unpriced: 1, tokens: 17, dbOps: 1, apiCalls: 1, computeMs: 1000 });
  });
});
