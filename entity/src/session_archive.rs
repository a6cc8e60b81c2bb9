//! Archived sessions: the columns and ids of `session`, moved here together
//! with all their interactions by the archival job.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "session_archive")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub ingest_key_id: i64,
    pub user_id: String,
    pub external_id: Option<String>,
    pub started_at: DateTimeUtc,
    pub ended_at: Option<DateTimeUtc>,
    pub metadata: Option<Json>,
    pub interaction_count: i64,
    /// Sum of the priced interactions' totals, micro-USD.
    pub total_cost_micros: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
