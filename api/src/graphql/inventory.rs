//! Provider inventory: names for the project, user, service account, API
//! key and workspace ids on dashboards. Viewers read it; admins refresh it.
use std::collections::HashMap;

use async_graphql::{Context, ErrorExtensions, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::inventory_item;
use ledger::providers::inventory::store::{self as inventory, InventoryError, InventoryKind};

use super::types::Provider;
use super::{principal, state};
use crate::error::{ApiError, ApiResult};

/// A named provider object of one connection.
#[derive(SimpleObject)]
pub struct InventoryItem {
    pub provider: Provider,
    pub connection_id: ID,
    /// The connection's name; empty if it has since been removed.
    pub connection: String,
    /// `project`, `user`, `service_account`, `api_key` or `workspace`.
    pub kind: String,
    /// The provider's id, as in usage rows.
    pub external_id: String,
    /// Empty when the provider has no name for it.
    pub name: String,
    /// The project or workspace it belongs to; empty when none (for an
    /// Anthropic key: the default workspace).
    pub parent_id: String,
    /// The user or service account owning an API key.
    pub owner_id: String,
    pub owner_name: String,
    /// The provider's status word (`active`, `archived`, `inactive`, …).
    pub status: String,
    /// When a refresh last saw it upstream.
    pub refreshed_at: DateTime<Utc>,
}

impl InventoryItem {
    fn from_row(row: inventory_item::Model, connections: &HashMap<i64, String>) -> Self {
        Self {
            connection: connections
                .get(&row.connection_id)
                .cloned()
                .unwrap_or_default(),
            connection_id: ID(row.connection_id.to_string()),
            provider: row.provider.into(),
            kind: row.kind,
            external_id: row.external_id,
            name: row.name,
            parent_id: row.parent_id,
            owner_id: row.owner_id,
            owner_name: row.owner_name,
            status: row.status,
            refreshed_at: row.refreshed_at,
        }
    }
}

#[derive(SimpleObject)]
pub struct InventoryKindCount {
    pub kind: String,
    pub count: i64,
}

/// What one inventory refresh did.
#[derive(SimpleObject)]
pub struct InventoryReport {
    pub connection: String,
    pub provider: Provider,
    /// Items the provider listed.
    pub items: i64,
    pub by_kind: Vec<InventoryKindCount>,
    pub inserted: i64,
    pub updated: i64,
    /// Items no longer listed upstream, removed.
    pub deleted: i64,
    pub unchanged: i64,
    pub requests: i64,
    pub pages: i64,
    pub retries: i64,
    pub refreshed_at: DateTime<Utc>,
    pub duration_ms: i64,
}

fn int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl From<inventory::InventoryReport> for InventoryReport {
    fn from(r: inventory::InventoryReport) -> Self {
        Self {
            connection: r.connection,
            provider: r.provider.into(),
            items: int(r.items),
            by_kind: r
                .by_kind
                .into_iter()
                .map(|(kind, count)| InventoryKindCount {
                    kind,
                    count: int(count),
                })
                .collect(),
            inserted: int(r.inserted),
            updated: int(r.updated),
            deleted: int(r.deleted),
            unchanged: int(r.unchanged),
            requests: int(r.requests),
            pages: int(r.pages),
            retries: int(r.retries),
            refreshed_at: r.refreshed_at,
            duration_ms: int(r.duration_ms),
        }
    }
}

#[derive(Default)]
pub struct InventoryQuery;

#[Object]
impl InventoryQuery {
    /// Stored inventory items, optionally of one provider and one kind
    /// (`project`, `user`, `service_account`, `api_key`, `workspace`),
    /// ordered by provider, kind and name.
    async fn inventory(
        &self,
        ctx: &Context<'_>,
        provider: Option<Provider>,
        kind: Option<String>,
    ) -> ApiResult<Vec<InventoryItem>> {
        principal(ctx).viewer()?;
        let state = state(ctx)?;
        let provider = provider.map(Into::into);
        let kind = kind.map(|k| k.parse::<InventoryKind>()).transpose()?;
        let connections: HashMap<i64, String> = ledger::providers::connections::list(&state.db)
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect();
        let rows = inventory::list(&state.db, provider, kind).await?;
        Ok(rows
            .into_iter()
            .map(|row| InventoryItem::from_row(row, &connections))
            .collect())
    }
}

#[derive(Default)]
pub struct InventoryMutation;

#[Object]
impl InventoryMutation {
    /// Lists the connection's inventory at the provider now and replaces
    /// the stored one. Without `connection`, the only connection. A
    /// provider failure (e.g. a key that is not an admin key) is an error
    /// with code `PROVIDER_ERROR` and leaves the stored inventory as it was.
    async fn refresh_inventory(
        &self,
        ctx: &Context<'_>,
        connection: Option<String>,
    ) -> async_graphql::Result<InventoryReport> {
        principal(ctx).admin()?;
        let state = state(ctx)?;
        let target = match connection {
            Some(name) => ledger::providers::connections::get(&state.db, &name)
                .await
                .map_err(ApiError::from)?,
            None => only_connection(&state.db).await?,
        };
        match inventory::refresh(&state.db, &state.clients, &target).await {
            Ok(report) => Ok(report.into()),
            Err(error @ InventoryError::Provider { .. }) => {
                let code = error.code();
                tracing::warn!(connection = %target.name, code, "inventory refresh failed: {error}");
                Err(
                    async_graphql::Error::new(error.to_string()).extend_with(|_, e| {
                        e.set("code", "PROVIDER_ERROR");
                        e.set("providerCode", code);
                    }),
                )
            }
            Err(InventoryError::Ledger(error)) => Err(ApiError::from(error).into()),
        }
    }
}

async fn only_connection(
    db: &sea_orm::DatabaseConnection,
) -> ApiResult<entity::provider_connection::Model> {
    let mut all = ledger::providers::connections::list(db).await?;
    match all.len() {
        1 => {
            let name = all.remove(0).name;
            Ok(ledger::providers::connections::get(db, &name).await?)
        }
        0 => Err(ApiError::BadInput("no provider connection exists".into())),
        _ => Err(ApiError::BadInput(format!(
            "several connections exist ({}); name one",
            all.iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}
