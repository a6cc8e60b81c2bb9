//! A recorded billed-vs-computed comparison (the daily job keeps one per run).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reconciliation_report")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub range_start: Date,
    pub range_end: Date,
    pub within_tolerance: bool,
    pub billed_micros: i64,
    pub computed_micros: i64,
    pub created_at: DateTimeUtc,
    /// The rows outside tolerance, with their likely causes.
    pub findings: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
