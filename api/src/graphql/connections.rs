//! Provider connections: list, add (key sealed at rest), test, remove.
//! Keys go in and are never given back; only fingerprints come out.
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use ledger::providers::connections;
use secrecy::SecretString;

use super::types::{Date, IssueCode, Provider};
use super::{master_key, principal, state};
use crate::error::ApiResult;

/// A provider account; its key is never shown, only a fingerprint.
#[derive(SimpleObject)]
pub struct ProviderConnection {
    pub id: ID,
    pub name: String,
    pub provider: Provider,
    pub is_demo: bool,
    pub key_source: KeySource,
    pub key_fingerprint: String,
    /// Set when the connection does not use the provider's default URL.
    pub base_url: Option<String>,
    /// The last UTC day fully ingested.
    pub complete_through: Option<Date>,
    pub created_at: DateTime<Utc>,
    /// Hourly buckets are ingested too, so usage can be counted in local
    /// time zones (`dailyUsage(timezone:)`).
    pub hourly_buckets: bool,
}

impl From<connections::Connection> for ProviderConnection {
    fn from(c: connections::Connection) -> Self {
        Self {
            id: ID(c.id.to_string()),
            name: c.name,
            provider: c.provider.into(),
            is_demo: c.is_demo,
            key_source: c.key_source.into(),
            key_fingerprint: c.key_fingerprint,
            base_url: c.base_url,
            complete_through: c.complete_through.map(Date),
            created_at: c.created_at,
            hourly_buckets: c.hourly_buckets,
        }
    }
}

#[derive(InputObject)]
pub struct AddConnectionInput {
    /// 1-64 letters, digits, `-`, `_` or `.`.
    pub name: String,
    pub provider: Provider,
    /// The organization admin key; sealed at rest, never returned.
    #[graphql(secret)]
    pub admin_key: String,
    /// Default: OPENAI_BASE_URL / ANTHROPIC_BASE_URL.
    pub base_url: Option<String>,
}

/// Where a connection's key comes from.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "ledger::providers::connections::KeySource")]
pub enum KeySource {
    /// `OPENAI_ADMIN_KEY` / `ANTHROPIC_ADMIN_KEY`; not stored.
    Environment,
    /// Sealed in the database with the master key.
    Stored,
    /// A demo connection to the built-in simulator.
    Demo,
}

/// The outcome of one call to the provider with a connection's key.
#[derive(SimpleObject)]
pub struct ConnectionCheck {
    pub ok: bool,
    /// Null when ok.
    pub code: Option<IssueCode>,
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
        let master_key = master_key(state)?;
        let added = connections::add(
            &state.db,
            master_key,
            &input.name,
            input.provider.into(),
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
            code: check.code.map(Into::into),
            message: check.message,
            latency_ms: i64::try_from(check.latency_ms).unwrap_or(i64::MAX),
        })
    }

    /// Turns hourly ingestion on or off for a connection (environment
    /// connections included). Each later run of a day also fetches its
    /// hours and stores them when they sum exactly to the daily buckets.
    async fn set_connection_hourly_buckets(
        &self,
        ctx: &Context<'_>,
        name: String,
        enabled: bool,
    ) -> ApiResult<ProviderConnection> {
        principal(ctx).admin()?;
        let connection = connections::set_hourly(&state(ctx)?.db, &name, enabled).await?;
        Ok(connection.into())
    }

    /// Removes a connection; the usage it ingested stays.
    async fn remove_provider_connection(&self, ctx: &Context<'_>, name: String) -> ApiResult<bool> {
        principal(ctx).admin()?;
        connections::remove(&state(ctx)?.db, &name).await?;
        Ok(true)
    }
}
