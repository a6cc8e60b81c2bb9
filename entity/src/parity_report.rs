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
    /// The stored side was read as the ledger stood at this moment; NULL:
    /// as it stood when the report was made.
    pub as_of: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
