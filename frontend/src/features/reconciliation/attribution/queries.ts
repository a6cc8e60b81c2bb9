import { graphql } from '../../../gql';

/*
 * App-reported interactions matched with provider usage.
 * Codegen checks every document against api/schema.graphql and types its result.
 */

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
  query Attribution($from: Date!, $to: Date!, $groupBy: [AttributionDimension!]) {
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
