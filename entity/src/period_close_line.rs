//! One line of a close: the month's usage of one provider, project, API
//! key and model as it stood when the month was closed.
use sea_orm::entity::prelude::*;

use crate::enums::ProviderKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "period_close_line")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub close_id: i64,
    pub provider: ProviderKind,
    pub project_id: String,
    pub api_key_id: String,
    pub model: String,
    pub input_tokens: i64,
    pub input_cached_tokens: i64,
    pub output_tokens: i64,
    pub num_model_requests: i64,
    pub cost_micros: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
