//! The content hash of one stored day set (connection, usage type, UTC day,
//! bucket width), so re-ingesting an identical day compares one hash
//! instead of every row, and writes nothing.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "usage_day_digest")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub connection_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub usage_type: String,
    /// Midnight UTC of the day.
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: DateTimeUtc,
    /// `1d` or `1h`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub width: String,
    /// SHA-256 of the day's merged rows in a canonical order.
    pub content_hash: String,
    /// How many rows the day set holds, so a set changed behind the
    /// digest's back is noticed.
    pub rows: i64,
    pub checked_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
