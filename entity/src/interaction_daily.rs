//! Daily rollup of interactions, maintained in the same transaction as each
//! write so that stats read O(days), not O(events).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "interaction_daily")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub day: Date,
    pub user_id: String,
    pub kind: String,
    pub provider: String,
    pub model: String,
    pub interactions: i64,
    pub input_tokens: i64,
    pub cached_input_tokens: i64,
    pub cache_write_tokens: i64,
    pub output_tokens: i64,
    pub db_ops: i64,
    pub api_calls: i64,
    pub compute_ms: i64,
    pub duration_ms: i64,
    pub ai_tokens_micros: i64,
    pub db_ops_micros: i64,
    pub api_calls_micros: i64,
    pub compute_micros: i64,
    /// An explicit cost reported by a COST_EVENT.
    pub explicit_micros: i64,
    pub total_micros: i64,
    pub unpriced_interactions: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
