import { graphql } from '../../gql';

/*
 * Documents more than one feature sends: the usage rows (overview, explorer;
 * pricing spreads the fragment) and the inventory behind every id → name lookup.
 * A document used by one feature lives in that feature's queries.ts.
 * Codegen checks every document against api/schema.graphql and types its result.
 */

graphql(`
  fragment UsageRowFields on DailyUsage {
    date
    group {
      provider
      projectId
      apiKeyId
      userId
      model
      serviceTier
      batch
    }
    inputTokens
    inputCachedTokens
    inputCacheWriteTokens
    outputTokens
    inputAudioTokens
    outputAudioTokens
    numModelRequests
    costUsd
    pricedCostUsd
    unpricedBuckets
    costEstimated
  }
`);

/** `timezone`: null for UTC days; an IANA zone for its local days, summed from hourly buckets. */
export const DailyUsageQuery = graphql(`
  query DailyUsage($filter: UsageFilter!, $groupBy: [UsageDimension!], $timezone: String) {
    dailyUsage(filter: $filter, groupBy: $groupBy, timezone: $timezone) {
      ...UsageRowFields
    }
  }
`);

/** Every named provider object; the dashboard shows names in place of ids. */
export const InventoryQuery = graphql(`
  query Inventory {
    inventory {
      provider
      kind
      externalId
      name
      status
    }
  }
`);

/** Days whose spend for one project, key or model departs from its own baseline (docs/anomalies.md); today is never judged. */
export const UsageAnomaliesQuery = graphql(`
  query UsageAnomalies($from: Date!, $to: Date!, $dimension: AnomalyDimension!) {
    usageAnomalies(from: $from, to: $to, dimension: $dimension) {
      date
      value
      costUsd
      baselineUsd
      baselineDeviationUsd
      zScore
      spike
      baselineDays
    }
  }
`);

/** A restatement of one connection, usage type and day (docs/revisions.md); the usage views and the closes page show it. */
graphql(`
  fragment UsageRevisionFields on UsageRevision {
    id
    connectionId
    provider
    usageType
    date
    revisedAt
    runId
    bucketsAdded
    bucketsChanged
    bucketsRemoved
    inputTokensDelta
    inputCachedTokensDelta
    outputTokensDelta
    numModelRequestsDelta
    costUsdDelta
  }
`);

/** The revisions of a day range, and the connections' names they refer to by id. */
export const UsageRevisionsQuery = graphql(`
  query UsageRevisions($from: Date!, $to: Date!, $providers: [Provider!]) {
    usageRevisions(from: $from, to: $to, providers: $providers) {
      ...UsageRevisionFields
    }
    providerConnections {
      id
      name
    }
  }
`);

/** Whether any hourly buckets are stored, so usage can be counted in local days (docs/local-time.md). */
export const HourlyDataQuery = graphql(`
  query HourlyData {
    filterOptions {
      hourlyData
    }
  }
`);
