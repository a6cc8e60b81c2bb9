//! Listing ingestion runs, parity reports and connections for the API.
use entity::{ingestion_run, parity_report, provider_connection, reconciliation_report};
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};

use crate::Result;
use crate::page::{IdOrder, Page, PageRequest, by_id};

/// Ingestion runs, newest first.
pub async fn ingestion_runs(
    db: &impl ConnectionTrait,
    page: &PageRequest,
) -> Result<Page<ingestion_run::Model>> {
    let query = ingestion_run::Entity::find();
    by_id(
        db,
        query,
        ingestion_run::Column::Id,
        IdOrder::Newest,
        page,
        |r| r.id,
    )
    .await
}

pub async fn ingestion_run(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<ingestion_run::Model>> {
    Ok(ingestion_run::Entity::find_by_id(id).one(db).await?)
}

/// Parity reports, newest first.
pub async fn parity_reports(
    db: &impl ConnectionTrait,
    page: &PageRequest,
) -> Result<Page<parity_report::Model>> {
    let query = parity_report::Entity::find();
    by_id(
        db,
        query,
        parity_report::Column::Id,
        IdOrder::Newest,
        page,
        |r| r.id,
    )
    .await
}

/// Recorded billed-vs-computed reports, newest first.
pub async fn reconciliation_reports(
    db: &impl ConnectionTrait,
    page: &PageRequest,
) -> Result<Page<reconciliation_report::Model>> {
    let query = reconciliation_report::Entity::find();
    by_id(
        db,
        query,
        reconciliation_report::Column::Id,
        IdOrder::Newest,
        page,
        |r| r.id,
    )
    .await
}

pub async fn connections(db: &impl ConnectionTrait) -> Result<Vec<provider_connection::Model>> {
    Ok(provider_connection::Entity::find()
        .order_by_asc(provider_connection::Column::Name)
        .all(db)
        .await?)
}
