//! Provider inventory: the names of the projects, users, service accounts,
//! API keys and workspaces behind the ids in usage buckets, refreshed daily.
//!
//! A refresh lists everything first and only then writes, in one
//! transaction: the connection's stored inventory becomes exactly what the
//! provider listed (new items inserted, changed ones updated, items no
//! longer listed deleted). A provider failure therefore writes nothing and
//! the previous names stay.
use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use chrono::{DateTime, Utc};
use entity::inventory_item::{self, ActiveModel, Column, Entity, Model};
use entity::provider_connection;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};
use serde::Serialize;

use crate::providers::{FetchStats, ProviderClients, ProviderError, ProviderKind};
pub use crate::providers::{InventoryItem, InventoryKind};
use crate::{Error, Result};

/// Rows per multi-row statement; far below every backend's parameter limit.
const CHUNK: usize = 200;

/// What one refresh of one connection did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InventoryReport {
    pub connection_id: i64,
    pub connection: String,
    pub provider: ProviderKind,
    /// Items the provider listed (each `(kind, id)` once).
    pub items: u64,
    /// Items listed, by kind.
    pub by_kind: BTreeMap<String, u64>,
    pub inserted: u64,
    pub updated: u64,
    pub deleted: u64,
    pub unchanged: u64,
    pub requests: u64,
    pub pages: u64,
    pub retries: u64,
    pub refreshed_at: DateTime<Utc>,
    pub duration_ms: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    /// The provider refused the key, failed or answered something we will
    /// not follow. Nothing was written.
    #[error("inventory of connection {connection:?}: {source}")]
    Provider {
        connection: String,
        #[source]
        source: ProviderError,
    },
    #[error(transparent)]
    Ledger(#[from] Error),
}

impl InventoryError {
    /// A stable code: the provider error's (`auth`, `timeout`, …) or
    /// `ledger` for our own failures.
    pub fn code(&self) -> &'static str {
        match self {
            InventoryError::Provider { source, .. } => source.code().as_str(),
            InventoryError::Ledger(_) => "ledger",
        }
    }
}

impl From<DbErr> for InventoryError {
    fn from(error: DbErr) -> Self {
        InventoryError::Ledger(Error::Db(error))
    }
}

impl From<InventoryError> for Error {
    fn from(error: InventoryError) -> Self {
        match error {
            // A rejected key or bad configuration is for the operator to
            // fix, so its message must reach them.
            InventoryError::Provider { ref source, .. } if source.is_fatal() => {
                Error::InvalidInput(error.to_string())
            }
            InventoryError::Provider { .. } => Error::Internal(error.to_string()),
            InventoryError::Ledger(error) => error,
        }
    }
}

/// The stored fields of an item that a refresh compares.
fn same(row: &Model, provider: ProviderKind, item: &InventoryItem) -> bool {
    row.provider == provider
        && row.name == item.name
        && row.parent_id == item.parent_id
        && row.owner_id == item.owner_id
        && row.owner_name == item.owner_name
        && row.status == item.status
}

fn active(
    connection_id: i64,
    provider: ProviderKind,
    item: &InventoryItem,
    at: DateTime<Utc>,
) -> ActiveModel {
    ActiveModel {
        connection_id: Set(connection_id),
        provider: Set(provider),
        kind: Set(item.kind.as_str().to_owned()),
        external_id: Set(item.external_id.clone()),
        name: Set(item.name.clone()),
        parent_id: Set(item.parent_id.clone()),
        owner_id: Set(item.owner_id.clone()),
        owner_name: Set(item.owner_name.clone()),
        status: Set(item.status.clone()),
        refreshed_at: Set(at),
        ..Default::default()
    }
}

/// Lists the connection's inventory at the provider and makes the stored
/// inventory equal to it.
pub async fn refresh(
    db: &DatabaseConnection,
    clients: &ProviderClients,
    connection: &provider_connection::Model,
) -> Result<InventoryReport, InventoryError> {
    let started = Instant::now();
    let client = clients.inventory_client(connection)?;
    let stats = FetchStats::default();
    let items = client
        .inventory(&stats)
        .await
        .map_err(|source| InventoryError::Provider {
            connection: connection.name.clone(),
            source,
        })?;
    let now = Utc::now();
    let mut report = listed_report(connection, &items, &stats, now);

    let txn = db.begin().await?;
    store_listed(&txn, connection, &items, now, &mut report).await?;
    txn.commit().await?;

    report.duration_ms = started.elapsed().as_millis() as u64;
    tracing::info!(
        connection = %report.connection,
        provider = %report.provider,
        items = report.items,
        inserted = report.inserted,
        updated = report.updated,
        deleted = report.deleted,
        requests = report.requests,
        "inventory refreshed"
    );
    Ok(report)
}

/// The report of what the provider listed, before anything is written.
fn listed_report(
    connection: &provider_connection::Model,
    items: &[InventoryItem],
    stats: &FetchStats,
    now: DateTime<Utc>,
) -> InventoryReport {
    let mut report = InventoryReport {
        connection_id: connection.id,
        connection: connection.name.clone(),
        provider: connection.provider,
        items: items.len() as u64,
        by_kind: BTreeMap::new(),
        inserted: 0,
        updated: 0,
        deleted: 0,
        unchanged: 0,
        requests: FetchStats::get(&stats.requests),
        pages: FetchStats::get(&stats.pages),
        retries: FetchStats::get(&stats.retries),
        refreshed_at: now,
        duration_ms: 0,
    };
    for item in items {
        *report
            .by_kind
            .entry(item.kind.as_str().to_owned())
            .or_default() += 1;
    }
    report
}

/// Within `txn`, makes the connection's stored inventory exactly `items`
/// and counts what changed into `report`.
async fn store_listed(
    txn: &DatabaseTransaction,
    connection: &provider_connection::Model,
    items: &[InventoryItem],
    now: DateTime<Utc>,
    report: &mut InventoryReport,
) -> Result<(), InventoryError> {
    let mut stored: HashMap<(String, String), Model> = Entity::find()
        .filter(Column::ConnectionId.eq(connection.id))
        .all(txn)
        .await?
        .into_iter()
        .map(|row| ((row.kind.clone(), row.external_id.clone()), row))
        .collect();
    let writes = changed_items(&mut stored, connection, items, now, report);
    upsert(txn, writes).await?;
    // What is left was not listed: deleted or no longer visible upstream.
    let gone: Vec<i64> = stored.values().map(|row| row.id).collect();
    for ids in gone.chunks(CHUNK) {
        let result = Entity::delete_many()
            .filter(Column::Id.is_in(ids.iter().copied()))
            .exec(txn)
            .await?;
        report.deleted += result.rows_affected;
    }
    Entity::update_many()
        .col_expr(Column::RefreshedAt, now.into())
        .filter(Column::ConnectionId.eq(connection.id))
        .exec(txn)
        .await?;
    Ok(())
}

/// The rows to write for the listed items that are new or changed. Each
/// listed item is taken out of `stored`, which is left with the rows the
/// provider no longer lists.
fn changed_items(
    stored: &mut HashMap<(String, String), Model>,
    connection: &provider_connection::Model,
    items: &[InventoryItem],
    now: DateTime<Utc>,
    report: &mut InventoryReport,
) -> Vec<ActiveModel> {
    let provider = connection.provider;
    let mut writes = Vec::new();
    for item in items {
        let key = (item.kind.as_str().to_owned(), item.external_id.clone());
        match stored.remove(&key) {
            Some(row) if same(&row, provider, item) => report.unchanged += 1,
            Some(_) => {
                report.updated += 1;
                writes.push(active(connection.id, provider, item, now));
            }
            None => {
                report.inserted += 1;
                writes.push(active(connection.id, provider, item, now));
            }
        }
    }
    writes
}

/// Writes the rows in chunks of [`CHUNK`].
async fn upsert(txn: &DatabaseTransaction, writes: Vec<ActiveModel>) -> Result<(), InventoryError> {
    // An upsert, so a concurrent refresh of the same connection (the
    // admin mutation while the schedule runs) cannot trip the unique key.
    let upsert = OnConflict::columns([Column::ConnectionId, Column::Kind, Column::ExternalId])
        .update_columns([
            Column::Provider,
            Column::Name,
            Column::ParentId,
            Column::OwnerId,
            Column::OwnerName,
            Column::Status,
            Column::RefreshedAt,
        ])
        .to_owned();
    let mut writes = writes.into_iter().peekable();
    while writes.peek().is_some() {
        let chunk: Vec<ActiveModel> = writes.by_ref().take(CHUNK).collect();
        Entity::insert_many(chunk)
            .on_conflict(upsert.clone())
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// Stored items, optionally of one provider and one kind, ordered by
/// provider, kind, name and id.
pub async fn list(
    db: &DatabaseConnection,
    provider: Option<ProviderKind>,
    kind: Option<InventoryKind>,
) -> Result<Vec<inventory_item::Model>> {
    let mut query = Entity::find();
    if let Some(provider) = provider {
        query = query.filter(Column::Provider.eq(provider));
    }
    if let Some(kind) = kind {
        query = query.filter(Column::Kind.eq(kind.as_str()));
    }
    Ok(query
        .order_by_asc(Column::Provider)
        .order_by_asc(Column::Kind)
        .order_by_asc(Column::Name)
        .order_by_asc(Column::ExternalId)
        .order_by_asc(Column::ConnectionId)
        .all(db)
        .await?)
}

/// `(kind, external id) → name` for every named item. When two
/// connections know one id, the lower connection id wins.
pub async fn names(db: &DatabaseConnection) -> Result<HashMap<(String, String), String>> {
    let rows = Entity::find()
        .filter(Column::Name.ne(""))
        .order_by_asc(Column::ConnectionId)
        .all(db)
        .await?;
    let mut out = HashMap::with_capacity(rows.len());
    for row in rows {
        out.entry((row.kind, row.external_id)).or_insert(row.name);
    }
    Ok(out)
}
