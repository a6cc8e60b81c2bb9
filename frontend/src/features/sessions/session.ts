import type Decimal from 'decimal.js';
import type { SessionQuery } from '../../gql/graphql';
import { sumMoney } from '../../lib/money';

/** A session as the detail page asks for it. */
export type Session = SessionQuery['session'];
export type InteractionRow = Session['interactions']['nodes'][number];

export type InteractionCost = Pick<
  InteractionRow,
  | 'priced'
  | 'aiTokensUsd'
  | 'dbOpsUsd'
  | 'apiCallsUsd'
  | 'computeUsd'
  | 'explicitUsd'
  | 'totalUsd'
  | 'inputTokens'
  | 'outputTokens'
  | 'dbOps'
  | 'apiCalls'
  | 'computeMs'
>;

export interface CostBreakdown {
  parts: { key: 'tokens' | 'dbOps' | 'apiCalls' | 'compute' | 'explicit'; label: string; usd: Decimal }[];
  /** Over priced interactions only, like the session's `totalCostUsd`. */
  totalUsd: Decimal;
  unpriced: number;
  tokens: number;
  dbOps: number;
  apiCalls: number;
  computeMs: number;
}

/** Where a session's money went, summed exactly from its interactions. */
export function costBreakdown(interactions: readonly InteractionCost[]): CostBreakdown {
  const priced = interactions.filter((i) => i.priced);
  return {
    parts: [
      { key: 'tokens', label: 'AI tokens', usd: sumMoney(priced.map((i) => i.aiTokensUsd)) },
      { key: 'dbOps', label: 'Database ops', usd: sumMoney(priced.map((i) => i.dbOpsUsd)) },
      { key: 'apiCalls', label: 'API calls', usd: sumMoney(priced.map((i) => i.apiCallsUsd)) },
      { key: 'compute', label: 'Compute', usd: sumMoney(priced.map((i) => i.computeUsd)) },
      { key: 'explicit', label: 'Explicit costs', usd: sumMoney(priced.map((i) => i.explicitUsd)) },
    ],
    totalUsd: sumMoney(priced.map((i) => i.totalUsd)),
    unpriced: interactions.length - priced.length,
    tokens: interactions.reduce((n, i) => n + i.inputTokens + i.outputTokens, 0),
    dbOps: interactions.reduce((n, i) => n + i.dbOps, 0),
    apiCalls: interactions.reduce((n, i) => n + i.apiCalls, 0),
    computeMs: interactions.reduce((n, i) => n + i.computeMs, 0),
  };
}
