import { graphql } from '../gql';

/*
 * Every document the dashboard sends. Codegen checks them against
 * ../api/schema.graphql and types their results.
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

export const DailyUsageQuery = graphql(`
  query DailyUsage($filter: UsageFilter!, $groupBy: [UsageDimension!]) {
    dailyUsage(filter: $filter, groupBy: $groupBy) {
      ...UsageRowFields
    }
  }
`);

export const OverviewSummaryQuery = graphql(`
  query OverviewSummary($current: UsageFilter!, $previous: UsageFilter!, $from: String!, $to: String!) {
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

export const FilterOptionsQuery = graphql(`
  query FilterOptions($from: String, $to: String) {
    filterOptions(from: $from, to: $to) {
      providers
      projectIds
      apiKeyIds
      userIds
      models
      serviceTiers
    }
  }
`);

export const SessionsQuery = graphql(`
  query Sessions($filter: SessionFilter, $first: Int!, $after: String) {
    sessions(filter: $filter, first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        userId
        externalId
        startedAt
        endedAt
        interactionCount
        totalCostUsd
      }
    }
  }
`);

export const SessionQuery = graphql(`
  query Session($id: ID!, $first: Int!, $after: String) {
    session(id: $id) {
      id
      userId
      externalId
      startedAt
      endedAt
      metadata
      interactionCount
      totalCostUsd
      interactions(first: $first, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          id
          kind
          occurredAt
          durationMs
          status
          provider
          model
          projectId
          apiKeyId
          inputTokens
          cachedInputTokens
          cacheWriteTokens
          outputTokens
          dbOps
          apiCalls
          computeMs
          priced
          aiTokensUsd
          dbOpsUsd
          apiCallsUsd
          computeUsd
          explicitUsd
          totalUsd
        }
      }
    }
  }
`);

graphql(`
  fragment ModelPriceFields on ModelPrice {
    provider
    model
    source
    effectiveFrom
    inputMtok
    cachedInputMtok
    cacheWriteMtok
    outputMtok
    priceVersionId
  }
`);

export const PricingQuery = graphql(`
  query Pricing($inUse: UsageFilter!, $from: String!, $to: String!) {
    overrides: modelPrices {
      ...ModelPriceFields
    }
    unpricedModels {
      provider
      model
    }
    systemStats(from: $from, to: $to) {
      priceVersionId
      pricedTokenPercent
    }
    modelsInUse: dailyUsage(filter: $inUse, groupBy: [PROVIDER, MODEL]) {
      ...UsageRowFields
    }
  }
`);

export const ModelPriceQuery = graphql(`
  query ModelPrice($provider: String!, $model: String!, $date: String) {
    modelPrices(provider: $provider, model: $model, date: $date) {
      ...ModelPriceFields
    }
  }
`);

export const SyncPricingMutation = graphql(`
  mutation SyncPricing {
    syncPricing {
      priceVersionId
      created
      contentHash
    }
  }
`);

export const SetPriceOverrideMutation = graphql(`
  mutation SetPriceOverride($input: PriceOverrideInput!) {
    setPriceOverride(input: $input) {
      ...ModelPriceFields
    }
  }
`);

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
    issues
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
    $provider: String!
    $from: String!
    $to: String!
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

graphql(`
  fragment ParityReportSummaryFields on ParityReport {
    id
    provider
    kind
    connection
    source
    fileName
    rangeStart
    rangeEnd
    withinTolerance
    createdAt
    tolerance
    tolerancePct
    csvRows
    csvWindows
    storedWindows
    matchedWindows
    missingWindows
    extraWindows
    mismatchedWindows
  }
`);

export const ParityReportsQuery = graphql(`
  query ParityReports($first: Int!, $after: String) {
    parityReports(first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ...ParityReportSummaryFields
      }
    }
  }
`);

graphql(`
  fragment ParityFieldDiffFields on ParityFieldDiff {
    field
    csv
    stored
    difference
    withinTolerance
  }
`);

graphql(`
  fragment ParityWindowFields on ParityWindow {
    date
    projectId
    apiKeyId
    userId
    model
    batch
    serviceTier
    lineItem
    fields {
      ...ParityFieldDiffFields
    }
  }
`);

export const ParityReportQuery = graphql(`
  query ParityReport($id: ID!) {
    parityReport(id: $id) {
      ...ParityReportSummaryFields
      contentHash
      fields
      truncated
      missing {
        ...ParityWindowFields
      }
      extra {
        ...ParityWindowFields
      }
      mismatched {
        ...ParityWindowFields
      }
      days {
        date
        csvWindows
        storedWindows
        withinTolerance
        totals {
          ...ParityFieldDiffFields
        }
      }
    }
  }
`);

/** Connections the upload form offers. */
export const ParityConnectionsQuery = graphql(`
  query ParityConnections {
    providerConnections {
      id
      name
      provider
    }
  }
`);

/**
 * Sent as a multipart request (`lib/upload.ts`), not through urql: the file
 * travels as a form part.
 */
export const ImportUsageCsvMutation = graphql(`
  mutation ImportUsageCsv(
    $provider: String!
    $file: Upload!
    $start: String!
    $end: String!
    $tolerance: Decimal
    $tolerancePct: Decimal
    $connection: String
    $kind: ParityExportKind
  ) {
    importUsageCsv(
      provider: $provider
      file: $file
      start: $start
      end: $end
      tolerance: $tolerance
      tolerancePct: $tolerancePct
      connection: $connection
      kind: $kind
    ) {
      ...ParityReportSummaryFields
    }
  }
`);

graphql(`
  fragment AttributedAmountFields on AttributedAmount {
    tokens
    costUsd
  }
`);

graphql(`
  fragment AttributionLineFields on AttributionLine {
    date
    group {
      provider
      projectId
      apiKeyId
      model
      serviceTier
    }
    provider {
      ...AttributedAmountFields
    }
    app {
      ...AttributedAmountFields
    }
    matched {
      ...AttributedAmountFields
    }
    providerOnly {
      ...AttributedAmountFields
    }
    appOnly {
      ...AttributedAmountFields
    }
    mismatchedKeys
    coveragePercent
  }
`);

export const AttributionQuery = graphql(`
  query Attribution($from: String!, $to: String!, $groupBy: [AttributionDimension!]) {
    attribution(from: $from, to: $to, groupBy: $groupBy) {
      rows {
        ...AttributionLineFields
      }
      totals {
        ...AttributionLineFields
      }
    }
  }
`);

graphql(`
  fragment UnitRateFields on UnitRateVersion {
    effectiveFrom
    source
    dbOpNanos
    apiCallMicros
    computeSecondMicros
    createdBy
    createdAt
  }
`);

export const UnitRatesQuery = graphql(`
  query UnitRates {
    unitRates {
      ...UnitRateFields
    }
  }
`);

export const SetUnitRatesMutation = graphql(`
  mutation SetUnitRates($input: UnitRatesInput!) {
    setUnitRates(input: $input) {
      ...UnitRateFields
    }
  }
`);

export const RepriceUsageMutation = graphql(`
  mutation RepriceUsage($from: String!, $to: String!, $dryRun: Boolean!) {
    repriceUsage(from: $from, to: $to, dryRun: $dryRun) {
      dryRun
      bucketsExamined
      bucketsChanged
      oldCostUsd
      newCostUsd
      deltaUsd
      days {
        date
        provider
        bucketsChanged
        oldCostUsd
        newCostUsd
        deltaUsd
        newlyPriced
        newlyUnpriced
      }
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

graphql(`
  fragment BudgetFields on Budget {
    id
    name
    scope
    scopeValue
    provider
    period
    amountUsd
    thresholds
    enabled
    current {
      periodStart
      periodEnd
      asOf
      spendUsd
      forecastUsd
      percentUsed
      forecastPercentUsed
      thresholdsCrossed
      unpricedBuckets
    }
  }
`);

export const BudgetsQuery = graphql(`
  query Budgets($first: Int!, $alertsAfter: String) {
    budgets(first: $first) {
      pageInfo {
        hasNextPage
      }
      nodes {
        ...BudgetFields
      }
    }
    alerts(first: 25, after: $alertsAfter) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        budgetName
        scope
        scopeValue
        period
        periodStart
        thresholdPct
        spendUsd
        forecastUsd
        amountUsd
        createdAt
        status
        attempts
        lastError
      }
    }
  }
`);

export const CreateBudgetMutation = graphql(`
  mutation CreateBudget($input: BudgetInput!) {
    createBudget(input: $input) {
      ...BudgetFields
    }
  }
`);

export const UpdateBudgetMutation = graphql(`
  mutation UpdateBudget($id: ID!, $input: UpdateBudgetInput!) {
    updateBudget(id: $id, input: $input) {
      ...BudgetFields
    }
  }
`);

export const DeleteBudgetMutation = graphql(`
  mutation DeleteBudget($id: ID!) {
    deleteBudget(id: $id)
  }
`);

export const EvaluateBudgetsMutation = graphql(`
  mutation EvaluateBudgets {
    evaluateBudgets {
      budgetsEvaluated
      alertsRaised
      alertsDelivered
      alertsPending
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

export const WebhooksQuery = graphql(`
  query Webhooks($first: Int!) {
    webhooks(first: $first) {
      pageInfo {
        hasNextPage
      }
      nodes {
        id
        name
        url
        createdAt
      }
    }
  }
`);

export const CreateWebhookMutation = graphql(`
  mutation CreateWebhook($name: String!, $url: String!) {
    createWebhook(name: $name, url: $url) {
      webhook {
        id
        name
        url
        createdAt
      }
      secret
    }
  }
`);

export const DeleteWebhookMutation = graphql(`
  mutation DeleteWebhook($id: ID!) {
    deleteWebhook(id: $id)
  }
`);

export const CostReconciliationQuery = graphql(`
  query CostReconciliation($from: String!, $to: String!, $providers: [String!]) {
    costReconciliation(from: $from, to: $to, groupBy: [PROJECT], providers: $providers) {
      provider
      date
      projectId
      billedUsd
      computedUsd
      varianceUsd
      variancePercent
      withinTolerance
      likelyCause
      billedLines
      usageBuckets
      unpricedBuckets
    }
  }
`);

export const ReconciliationReportsQuery = graphql(`
  query ReconciliationReports($first: Int!, $after: String) {
    reconciliationReports(first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        rangeStart
        rangeEnd
        withinTolerance
        billedUsd
        computedUsd
        createdAt
        findings
      }
    }
  }
`);
