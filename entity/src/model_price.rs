//! An admin price override (negotiated rate) for one model from a date on.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "model_price")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub provider: String,
    pub model: String,
    pub effective_from: Date,
    /// USD per million tokens, as exact decimal strings.
    pub input_mtok: String,
    pub cached_input_mtok: String,
    pub cache_write_mtok: String,
    pub output_mtok: String,
    pub created_by: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
