//! The inventory job: refresh the names of projects, keys and users of
//! every connection. A connection that cannot be refreshed (no usable key,
//! the provider refused or failed) is skipped with a log line and keeps its
//! previous names; only our own database failing ends the job.
use entity::provider_connection;
use ledger::providers::inventory::store::{self, InventoryError, InventoryReport};
use ledger::{Error, Result};
use sea_orm::{EntityTrait, QueryOrder};
use serde::Serialize;

use crate::JobContext;

#[derive(Debug, Clone, Serialize)]
pub struct InventoryJobReport {
    pub connections: Vec<InventoryReport>,
}

pub async fn run(ctx: &JobContext) -> Result<InventoryJobReport> {
    let connections = provider_connection::Entity::find()
        .order_by_asc(provider_connection::Column::Id)
        .all(&ctx.db)
        .await?;
    let mut reports = Vec::new();
    for connection in connections {
        match store::refresh(&ctx.db, &ctx.clients, &connection).await {
            Ok(report) => reports.push(report),
            Err(InventoryError::Ledger(Error::Db(error))) => return Err(Error::Db(error)),
            Err(error) => {
                tracing::warn!(connection = %connection.name, "skipping inventory refresh: {error}")
            }
        }
    }
    Ok(InventoryJobReport {
        connections: reports,
    })
}
