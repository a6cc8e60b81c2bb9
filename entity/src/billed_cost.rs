//! What a provider billed: one row per connection, UTC day, project and
//! line item, as its costs API reported it.
use sea_orm::entity::prelude::*;

use crate::enums::ProviderKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "billed_cost")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub connection_id: i64,
    pub provider: ProviderKind,
    pub day: Date,
    /// OpenAI project or Anthropic workspace; `''` when absent or default.
    pub project_id: String,
    pub api_key_id: String,
    /// OpenAI `line_item` or Anthropic `description`.
    pub line_item: String,
    pub model: String,
    /// The exact decimal the provider reported, in USD.
    pub amount_usd: String,
    /// The same amount rounded to micro-USD, for sums in SQL.
    pub amount_micros: i64,
    pub run_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
