import { graphql } from '../../gql';

/*
 * The session list, and one session with its interactions.
 * Codegen checks every document against api/schema.graphql and types its result.
 */

export const SessionsQuery = graphql(`
  query Sessions($filter: SessionFilter, $orderBy: SessionOrderBy, $first: Int!, $after: String) {
    sessions(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
      totalCount
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
        totalTokens
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
