//! Telemetry of one ingestion run (CLI, schedule, admin trigger or demo).
use sea_orm::entity::prelude::*;

use crate::enums::{ProviderKind, RunStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ingestion_run")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub label: String,
    pub provider: ProviderKind,
    pub connection_id: Option<i64>,
    pub range_start: Date,
    pub range_end: Date,
    pub status: RunStatus,
    pub dry_run: bool,
    pub started_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
    pub duration_ms: i64,
    pub windows: i64,
    pub pages: i64,
    pub rows_inserted: i64,
    pub rows_updated: i64,
    pub rows_deleted: i64,
    pub retries: i64,
    pub rate_limited: i64,
    /// `[{"code": …, "day": …, "message": …}]`
    pub issues: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
