//! Provider connections: list, add (key sealed at rest), test, remove.
//! Keys go in and are never given back; only fingerprints come out.
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use ledger::providers::ProviderKind;
use ledger::providers::connections::{self, KeySource};
use secrecy::SecretString;

use super::{principal, state};
use crate::error::{ApiError, ApiResult};

/// A provider account; its key is never shown, only a fingerprint.
#[derive(SimpleObject)]
pub struct ProviderConnection {
    pub id: ID,
    pub name: String,
    pub provider: String,
    pub is_demo: bool,
    /// `environment` (OPENAI_ADMIN_KEY / ANTHROPIC_ADMIN_KEY), `stored`
    /// (sealed in the database) or `demo` (the built-in simulator).
    pub key_source: String,
    pub key_fingerprint: String,
    /// Set when the connection does not use the provider's default URL.
    pub base_url: Option<String>,
    /// The last UTC day fully ingested.
    pub complete_through: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<connections::Connection> for ProviderConnection {
    fn from(c: connections::Connection) -> Self {
        Self {
            id: ID(c.id.to_string()),
            name: c.name,
            provider: c.provider,
            is_demo: c.is_demo,
            key_source: match c.key_source {
                KeySource::Environment => "environment",
                KeySource::Stored => "stored",
                KeySource::Demo => "demo",
            }
            .to_owned(),
            key_fingerprint: c.key_fingerprint,
            base_url: c.base_url,
            complete_through: c.complete_through.map(|d| d.to_string()),
            created_at: c.created_at,
        }
    }
}

#[derive(InputObject)]
pub struct AddConnectionInput {
    /// 1-64 letters, digits, `-`, `_` or `.`.
    pub name: String,
    /// `openai` or `anthropic`.
    pub provider: String,
    /// The organization admin key; sealed at rest, never returned.
    #[graphql(secret)]
    pub admin_key: String,
    /// Default: OPENAI_BASE_URL / ANTHROPIC_BASE_URL.
    pub base_url: Option<String>,
}

/// The outcome of one call to the provider with a connection's key.
#[derive(SimpleObject)]
pub struct ConnectionCheck {
    pub ok: bool,
    /// Null when ok; otherwise `auth`, `timeout`, `rate_limited`, ….
    pub code: Option<String>,
    pub message: String,
    pub latency_ms: i64,
}

#[derive(Default)]
pub struct ConnectionsQuery;

#[Object]
impl ConnectionsQuery {
    async fn provider_connections(&self, ctx: &Context<'_>) -> ApiResult<Vec<ProviderConnection>> {
        principal(ctx).viewer()?;
        let rows = connections::list(&state(ctx)?.db).await?;
        Ok(rows.into_iter().map(ProviderConnection::from).collect())
    }
}

#[derive(Default)]
pub struct ConnectionsMutation;

#[Object]
impl ConnectionsMutation {
    /// Adds a named connection whose key is sealed with the master key.
    async fn add_provider_connection(
        &self,
        ctx: &Context<'_>,
        input: AddConnectionInput,
    ) -> ApiResult<ProviderConnection> {
        principal(ctx).admin()?;
        let state = state(ctx)?;
        let master_key = state.clients.config().master_key.as_ref().ok_or_else(|| {
            ApiError::BadInput(
                "no master key is configured (COGNITRACK_MASTER_KEY or its key file)".into(),
            )
        })?;
        let provider: ProviderKind = input.provider.parse()?;
        let added = connections::add(
            &state.db,
            master_key,
            &input.name,
            provider,
            SecretString::from(input.admin_key),
            input.base_url.as_deref(),
        )
        .await?;
        Ok(added.into())
    }

    /// Calls the provider once with the connection's key and URL.
    async fn test_provider_connection(
        &self,
        ctx: &Context<'_>,
        name: String,
    ) -> ApiResult<ConnectionCheck> {
        principal(ctx).admin()?;
        let state = state(ctx)?;
        let check = connections::test(&state.db, &state.clients, &name).await?;
        Ok(ConnectionCheck {
            ok: check.ok,
            code: check.code,
            message: check.message,
            latency_ms: i64::try_from(check.latency_ms).unwrap_or(i64::MAX),
        })
    }

    /// Removes a connection; the usage it ingested stays.
    async fn remove_provider_connection(&self, ctx: &Context<'_>, name: String) -> ApiResult<bool> {
        principal(ctx).admin()?;
        connections::remove(&state(ctx)?.db, &name).await?;
        Ok(true)
    }
}
