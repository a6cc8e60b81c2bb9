//! Provider usage summed per UTC day at a few coarser grains, so a chart of
//! a year reads a few thousand rows instead of every bucket. A row belongs
//! to one grain; the dimensions outside its grain are `''`. Rebuilt for a
//! day from that day's buckets (hot and archived) in the transaction that
//! changes them, so it always equals the buckets exactly.
use sea_orm::entity::prelude::*;

use crate::enums::{Batch, ProviderKind};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "usage_rollup")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub grain: i32,
    pub window_start: DateTimeUtc,
    pub provider: ProviderKind,
    pub project_id: String,
    pub api_key_id: String,
    pub user_id: String,
    pub model: String,
    pub batch: Batch,
    pub service_tier: String,
    pub input_tokens: i64,
    pub input_cached_tokens: i64,
    pub input_cache_write_tokens: i64,
    pub output_tokens: i64,
    /// Input audio, cached audio included (as `dailyUsage` reports it).
    pub input_audio_tokens: i64,
    pub output_audio_tokens: i64,
    pub num_model_requests: i64,
    /// Priced buckets' costs, micro-USD (unpriced ones count 0).
    pub cost_micros: i64,
    pub unpriced_buckets: i64,
    pub estimated_buckets: i64,
    /// Input + output tokens of the unpriced buckets.
    pub unpriced_tokens: i64,
    /// Buckets summed into this row.
    pub buckets: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
