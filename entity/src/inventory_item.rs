//! A provider object with a name (project, user, service account, API key,
//! workspace) seen in one connection's organisation, so that ids on a
//! dashboard can be shown with their names.
use sea_orm::entity::prelude::*;

use crate::enums::ProviderKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inventory_item")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub connection_id: i64,
    /// `openai` | `anthropic`.
    pub provider: ProviderKind,
    /// `project` | `user` | `service_account` | `api_key` | `workspace`.
    pub kind: String,
    /// The provider's id, as it appears in usage buckets.
    pub external_id: String,
    /// `''` when the provider has no name for it.
    pub name: String,
    /// The project or workspace it belongs to; `''` when none (or the
    /// Anthropic default workspace).
    pub parent_id: String,
    /// The user or service account owning an API key; `''` when none.
    pub owner_id: String,
    pub owner_name: String,
    /// The provider's own status word (`active`, `archived`, `inactive`, …);
    /// `''` when it has none.
    pub status: String,
    /// When a refresh last saw the item upstream.
    pub refreshed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
