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
    previousByProject: dailyUsage(filter: $previous, groupBy: [PROJECT]) {
      ...UsageRowFields
    }
    previousByModel: dailyUsage(filter: $previous, groupBy: [MODEL]) {
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

/** This month so far and the whole previous month (for the run-rate card), and every budget's standing today. */
export const MonthPaceQuery = graphql(`
  query MonthPace($month: UsageFilter!, $previousMonth: UsageFilter!) {
    month: dailyUsage(filter: $month) {
      date
      pricedCostUsd
    }
    previousMonth: dailyUsage(filter: $previousMonth) {
      date
      pricedCostUsd
    }
    budgets(first: 100) {
      nodes {
        id
        name
        amountUsd
        current {
          spendUsd
          forecastUsd
          percentUsed
          forecastPercentUsed
          periodStart
          periodEnd
        }
      }
    }
  }
`);

/** Billed vs computed over the overview's range, every provider and day. */
export const BilledVsComputedQuery = graphql(`
  query BilledVsComputed($from: Date!, $to: Date!) {
    costReconciliation(from: $from, to: $to) {
      date
      billedUsd
      computedUsd
    }
  }
`);
