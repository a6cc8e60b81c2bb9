//! A spending limit in USD over a UTC day or calendar month, for the whole
//! organisation or one project, API key, user or model.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "budget")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    /// `org` | `project` | `api_key` | `user` | `model`.
    pub scope: String,
    /// The project, key, user or model id; `''` for `org`.
    pub scope_value: String,
    /// `openai` | `anthropic`; `''` counts every provider.
    pub provider: String,
    /// `daily` | `monthly` (UTC calendar month).
    pub period: String,
    pub amount_micros: i64,
    /// Ascending percents of the amount, comma-separated: `50,80,100`.
    pub thresholds: String,
    pub enabled: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
