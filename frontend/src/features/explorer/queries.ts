import { graphql } from '../../gql';

/*
 * The explorer's filter choices; its rows come from the shared DailyUsage.
 * Codegen checks every document against api/schema.graphql and types its result.
 */

export const FilterOptionsQuery = graphql(`
  query FilterOptions($from: Date, $to: Date) {
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
