import { graphql } from '../../gql';

/*
 * Prices of the models in use, overrides, the price sync, unit rates and repricing.
 * Codegen checks every document against api/schema.graphql and types its result.
 */

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
  query Pricing($inUse: UsageFilter!, $from: Date!, $to: Date!) {
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
  query ModelPrice($provider: String!, $model: String!, $date: Date) {
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
  mutation RepriceUsage($from: Date!, $to: Date!, $dryRun: Boolean!) {
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
