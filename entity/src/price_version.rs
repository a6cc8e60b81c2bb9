//! One version of the price book: the feed data it came from, by hash.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "price_version")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `bundled`, a URL or a file path.
    pub source: String,
    #[sea_orm(unique)]
    pub content_hash: String,
    pub fetched_at: DateTimeUtc,
    /// The raw v2 data.json; NULL for the data bundled in the binary.
    pub data: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
