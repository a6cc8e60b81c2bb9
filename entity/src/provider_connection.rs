//! A named provider account the ingestion engine pulls from.
use sea_orm::entity::prelude::*;

use crate::enums::ProviderKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "provider_connection")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub name: String,
    pub provider: ProviderKind,
    /// Demo connections hold simulated data and say so in every view.
    pub is_demo: bool,
    /// AEAD-sealed admin key (base64); NULL for keys taken from the environment.
    pub key_ciphertext: Option<String>,
    /// Short non-reversible fingerprint shown instead of the key.
    pub key_fingerprint: String,
    pub base_url: Option<String>,
    /// Last UTC day whose buckets are fully ingested.
    pub complete_through: Option<Date>,
    pub created_at: DateTimeUtc,
    /// Also ingest hourly buckets, so days can be counted in a local time zone.
    pub hourly_buckets: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
