//! Result of comparing stored buckets with a provider's CSV export.
use sea_orm::entity::prelude::*;

use crate::enums::ProviderKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "parity_report")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub provider: ProviderKind,
    pub range_start: Date,
    pub range_end: Date,
    pub within_tolerance: bool,
    pub created_at: DateTimeUtc,
    pub summary: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
