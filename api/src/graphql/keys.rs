//! Ingest keys: what applications report sessions with.
use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::ingest_key;

use super::{parse_id, principal, state};
use crate::error::ApiResult;

#[derive(SimpleObject)]
pub struct IngestKey {
    pub id: ID,
    pub name: String,
    /// The first characters of the key, to recognise it.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<ingest_key::Model> for IngestKey {
    fn from(k: ingest_key::Model) -> Self {
        Self {
            id: ID(k.id.to_string()),
            name: k.name,
            prefix: k.prefix,
            created_at: k.created_at,
            revoked_at: k.revoked_at,
        }
    }
}

/// A new ingest key. `key` is shown this once and never stored.
#[derive(SimpleObject)]
pub struct CreatedIngestKey {
    pub id: ID,
    pub name: String,
    pub key: String,
}

#[derive(Default)]
pub struct KeysQuery;

#[Object]
impl KeysQuery {
    async fn ingest_keys(&self, ctx: &Context<'_>) -> ApiResult<Vec<IngestKey>> {
        principal(ctx).admin()?;
        let rows = ledger::tracking::keys::list(&state(ctx)?.db).await?;
        Ok(rows.into_iter().map(IngestKey::from).collect())
    }
}

#[derive(Default)]
pub struct KeysMutation;

#[Object]
impl KeysMutation {
    /// Creates a tracking key for an application; the key is shown once.
    async fn create_ingest_key(
        &self,
        ctx: &Context<'_>,
        name: String,
    ) -> ApiResult<CreatedIngestKey> {
        principal(ctx).admin()?;
        let created = ledger::tracking::keys::create(&state(ctx)?.db, &name).await?;
        Ok(CreatedIngestKey {
            id: ID(created.id.to_string()),
            name: created.name,
            key: created.secret,
        })
    }

    async fn revoke_ingest_key(&self, ctx: &Context<'_>, id: ID) -> ApiResult<IngestKey> {
        principal(ctx).admin()?;
        let revoked = ledger::tracking::keys::revoke(&state(ctx)?.db, parse_id(&id)?).await?;
        Ok(revoked.into())
    }
}
