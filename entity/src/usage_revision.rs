//! A restatement: a provider changed a complete day that the ledger had
//! already stored, for one connection and usage type. Deltas are new minus
//! old; the replaced rows are in `usage_bucket_superseded`.
use sea_orm::entity::prelude::*;

use crate::enums::ProviderKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "usage_revision")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub connection_id: i64,
    pub provider: ProviderKind,
    pub usage_type: String,
    pub day: Date,
    pub revised_at: DateTimeUtc,
    /// The ingestion run that found the change; NULL when written outside a run.
    pub run_id: Option<i64>,
    pub buckets_added: i64,
    pub buckets_changed: i64,
    pub buckets_removed: i64,
    pub input_tokens_delta: i64,
    pub input_cached_tokens_delta: i64,
    pub output_tokens_delta: i64,
    pub num_model_requests_delta: i64,
    pub cost_micros_delta: i64,
    /// `pending`, `delivered` or `below_threshold` (the `usage.revised`
    /// webhook).
    pub alert_state: String,
    pub attempts: i32,
    pub delivered_at: Option<DateTimeUtc>,
    pub last_error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
