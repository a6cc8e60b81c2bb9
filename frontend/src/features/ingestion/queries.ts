import { graphql } from '../../gql';

/*
 * Provider connections and their actions (test, refresh inventory, remove),
 * ingestion runs, backfill and archival.
 * Codegen checks every document against api/schema.graphql and types its result.
 */

graphql(`
  fragment ConnectionFields on ProviderConnection {
    id
    name
    provider
    isDemo
    keySource
    keyFingerprint
    baseUrl
    completeThrough
    hourlyBuckets
  }
`);

graphql(`
  fragment IngestionRunFields on IngestionRun {
    id
    label
    provider
    connectionId
    rangeStart
    rangeEnd
    status
    dryRun
    startedAt
    finishedAt
    durationMs
    windows
    pages
    rowsInserted
    rowsUpdated
    rowsDeleted
    retries
    rateLimited
    issues {
      code
      day
      usageType
      message
    }
  }
`);

export const IngestionQuery = graphql(`
  query Ingestion($first: Int!, $after: String) {
    providerConnections {
      ...ConnectionFields
    }
    ingestionRuns(first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ...IngestionRunFields
      }
    }
  }
`);

export const RunIngestionMutation = graphql(`
  mutation RunIngestion(
    $provider: Provider!
    $from: Date!
    $to: Date!
    $connection: String
    $dryRun: Boolean
    $chunkDays: Int
  ) {
    runIngestion(
      provider: $provider
      from: $from
      to: $to
      connection: $connection
      dryRun: $dryRun
      chunkDays: $chunkDays
    ) {
      ...IngestionRunFields
    }
  }
`);

export const RunArchivalMutation = graphql(`
  mutation RunArchival($olderThanDays: Int, $dryRun: Boolean) {
    runArchival(olderThanDays: $olderThanDays, dryRun: $dryRun) {
      dryRun
      cutoff
      usageBuckets
      sessions
      interactions
      batches
      complete
    }
  }
`);

export const AddConnectionMutation = graphql(`
  mutation AddConnection($input: AddConnectionInput!) {
    addProviderConnection(input: $input) {
      ...ConnectionFields
    }
  }
`);

export const TestConnectionMutation = graphql(`
  mutation TestConnection($name: String!) {
    testProviderConnection(name: $name) {
      ok
      code
      message
      latencyMs
    }
  }
`);

export const RemoveConnectionMutation = graphql(`
  mutation RemoveConnection($name: String!) {
    removeProviderConnection(name: $name)
  }
`);

export const RefreshInventoryMutation = graphql(`
  mutation RefreshInventory($connection: String) {
    refreshInventory(connection: $connection) {
      connection
      provider
      items
      byKind {
        kind
        count
      }
      inserted
      updated
      deleted
      unchanged
      durationMs
    }
  }
`);

/** Admin only: whether a connection ingests hourly buckets too, for local-time days (docs/local-time.md). */
export const SetConnectionHourlyBucketsMutation = graphql(`
  mutation SetConnectionHourlyBuckets($name: String!, $enabled: Boolean!) {
    setConnectionHourlyBuckets(name: $name, enabled: $enabled) {
      ...ConnectionFields
    }
  }
`);
