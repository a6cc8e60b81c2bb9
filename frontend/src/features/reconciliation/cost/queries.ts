import { graphql } from '../../../gql';

/*
 * Billed vs computed per day and project, and the daily job's recorded reconciliations.
 * Codegen checks every document against api/schema.graphql and types its result.
 */

export const CostReconciliationQuery = graphql(`
  query CostReconciliation($from: Date!, $to: Date!, $providers: [Provider!]) {
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
        findings {
          provider
          date
          projectId
          billedUsd
          computedUsd
          varianceUsd
          likelyCause
        }
      }
    }
  }
`);

export const ReconciliationToleranceQuery = graphql(`
  query ReconciliationTolerance {
    reconciliationTolerance {
      absoluteUsd
      percent
    }
  }
`);
