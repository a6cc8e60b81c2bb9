import { graphql } from '../../gql';

/*
 * Budgets, their alerts, and the webhooks alerts are posted to.
 * Codegen checks every document against api/schema.graphql and types its result.
 */

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
        provider
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
