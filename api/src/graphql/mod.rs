//! The GraphQL schema: one Query and one Mutation object per domain,
//! merged at the root. Resolvers authorise, call one function in `ledger`
//! (or `jobs`), and map the result.
mod anomalies;
mod archive;
mod attribution;
mod budgets;
mod closes;
mod connections;
mod daily_rows;
mod ingestion;
mod inventory;
mod keys;
mod parity;
mod pricing;
mod reconciliation;
mod reprice;
mod stats;
mod tracking;
mod types;
mod unit_rates;
mod usage;

use async_graphql::{Context, EmptySubscription, ID, MergedObject, Schema};

use crate::auth::Principal;
use crate::error::ApiError;
use crate::state::AppState;

pub use daily_rows::sums_for as daily_usage_sums;
pub use tracking::InteractionInput;
pub use types::BigInt;

#[derive(MergedObject, Default)]
pub struct QueryRoot(
    usage::UsageQuery,
    tracking::TrackingQuery,
    stats::StatsQuery,
    keys::KeysQuery,
    pricing::PricingQuery,
    ingestion::IngestionQuery,
    connections::ConnectionsQuery,
    budgets::BudgetsQuery,
    inventory::InventoryQuery,
    reconciliation::ReconciliationQuery,
    attribution::AttributionQuery,
    unit_rates::UnitRatesQuery,
    parity::ParityQuery,
    anomalies::AnomalyQuery,
    closes::ClosesQuery,
);

#[derive(MergedObject, Default)]
pub struct MutationRoot(
    tracking::TrackingMutation,
    keys::KeysMutation,
    pricing::PricingMutation,
    ingestion::IngestionMutation,
    connections::ConnectionsMutation,
    budgets::BudgetsMutation,
    inventory::InventoryMutation,
    reprice::RepriceMutation,
    unit_rates::UnitRatesMutation,
    archive::ArchiveMutation,
    parity::ParityMutation,
    closes::ClosesMutation,
);

pub type AppSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// The schema with the request limits of `state` (defaults without one):
/// depth, complexity (every alias counted, see `crate::limits::cost`),
/// directives per field, and the gate of expensive operations. Documents
/// are measured before they get here (`crate::limits::document`).
pub fn build_schema(state: Option<AppState>) -> AppSchema {
    let limits = state
        .as_ref()
        .map_or_else(Default::default, |state| state.limits.clone());
    let settings = &limits.settings;
    let builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .limit_depth(settings.max_depth)
    .limit_complexity(settings.max_complexity)
    .limit_directives(crate::limits::MAX_DIRECTIVES_PER_FIELD)
    .extension(crate::limits::gate::Gate(limits.clone()));
    match state {
        Some(state) => builder.data(state).finish(),
        None => builder.finish(),
    }
}

/// The SDL checked in as `api/schema.graphql`.
pub fn sdl() -> String {
    build_schema(None).sdl()
}

pub(crate) fn state<'a>(ctx: &Context<'a>) -> Result<&'a AppState, ApiError> {
    ctx.data::<AppState>().map_err(|_| ApiError::Internal)
}

/// The key that seals stored secrets (provider keys, webhook secrets).
pub(crate) fn master_key(
    state: &AppState,
) -> Result<&ledger::providers::keys::MasterKey, ApiError> {
    state.clients.config().master_key.as_ref().ok_or_else(|| {
        ApiError::BadInput(
            "no master key is configured (COGNITRACK_MASTER_KEY or its key file)".into(),
        )
    })
}

/// A numeric id sent as a GraphQL `ID`.
pub(crate) fn parse_id(id: &ID) -> Result<i64, ApiError> {
    id.parse::<i64>()
        .map_err(|_| ApiError::BadInput(format!("malformed id {:?}", id.0)))
}

pub(crate) fn principal<'a>(ctx: &Context<'a>) -> &'a Principal {
    ctx.data_opt::<Principal>().unwrap_or(&Principal::Anonymous)
}
