import { graphql } from '../../gql';

/*
 * Month-end closes (docs/revisions.md): the frozen lines of each closed
 * month and the restatements that arrived after it (adjustments).
 * Codegen checks every document against api/schema.graphql and types its result.
 */

graphql(`
  fragment PeriodCloseFields on PeriodClose {
    id
    period
    provider
    firstDay
    lastDay
    closedAt
    closedBy
    reopenedAt
    reopenedBy
    costUsd
    inputTokens
    outputTokens
    lines {
      provider
      projectId
      apiKeyId
      model
      inputTokens
      inputCachedTokens
      outputTokens
      numModelRequests
      costUsd
    }
    adjustments {
      ...UsageRevisionFields
    }
    adjustmentsCostUsd
  }
`);

export const PeriodClosesQuery = graphql(`
  query PeriodCloses {
    periodCloses {
      ...PeriodCloseFields
    }
    providerConnections {
      id
      name
    }
  }
`);

export const ClosePeriodMutation = graphql(`
  mutation ClosePeriod($period: String!, $provider: Provider) {
    closePeriod(period: $period, provider: $provider) {
      ...PeriodCloseFields
    }
  }
`);

export const ReopenPeriodMutation = graphql(`
  mutation ReopenPeriod($id: Int!) {
    reopenPeriod(id: $id) {
      ...PeriodCloseFields
    }
  }
`);
