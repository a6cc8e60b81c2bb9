import { graphql } from '../../gql';

/*
 * The overview's period totals (this period and the previous one, which
 * `comparison.ts` picks without today), the providers behind them (for
 * request counts some do not report), price
 * coverage and freshness; its chart sends the shared DailyUsage.
 * Codegen checks every document against api/schema.graphql and types its result.
 */

export const OverviewSummaryQuery = graphql(`
  query OverviewSummary($current: UsageFilter!, $previous: UsageFilter!, $from: Date!, $to: Date!) {
    previous: dailyUsage(filter: $previous) {
      ...UsageRowFields
    }
    byProject: dailyUsage(filter: $current, groupBy: [PROJECT]) {
      ...UsageRowFields
    }
    byKey: dailyUsage(filter: $current, groupBy: [API_KEY]) {
      ...UsageRowFields
    }
    byModel: dailyUsage(filter: $current, groupBy: [MODEL]) {
      ...UsageRowFields
    }
    byProvider: dailyUsage(filter: $current, groupBy: [PROVIDER]) {
      ...UsageRowFields
    }
    systemStats(from: $from, to: $to) {
      pricedTokenPercent
      priceVersionId
      sessions
    }
    providerConnections {
      id
      name
      provider
      isDemo
      completeThrough
    }
  }
`);
