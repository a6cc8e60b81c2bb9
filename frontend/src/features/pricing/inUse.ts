import type { PricingQuery } from '../../gql/graphql';

/** The models priced here are those with usage in this many recent days. */
export const IN_USE_DAYS = 30;

/** Usage per provider and model over those days. */
export type UsageRows = PricingQuery['modelsInUse'];
