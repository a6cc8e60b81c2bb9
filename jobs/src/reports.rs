//! Listing ingestion runs, parity reports and connections for the API.
use entity::{ingestion_run, parity_report, provider_connection, reconciliation_report};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::Result;
use crate::error::invalid;
use crate::page::{Cursor, Page, PageRequest};

fn after_id(page: &PageRequest) -> Result<Option<i64>> {
    page.after
        .as_ref()
        .map(|c| c.id.parse::<i64>().map_err(|_| invalid("malformed cursor")))
        .transpose()
}

fn id_cursor(id: i64) -> Cursor {
    Cursor {
        at: 0,
        id: id.to_string(),
    }
}

/// Ingestion runs, newest first.
pub async fn ingestion_runs(
    db: &impl ConnectionTrait,
    page: &PageRequest,
) -> Result<Page<ingestion_run::Model>> {
    let mut query = ingestion_run::Entity::find();
    if let Some(id) = after_id(page)? {
        query = query.filter(ingestion_run::Column::Id.lt(id));
    }
    let rows = query
        .order_by_desc(ingestion_run::Column::Id)
        .limit(page.first + 1)
        .all(db)
        .await?;
    Ok(Page::from_rows(rows, page.first, |r| id_cursor(r.id)))
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
    let mut query = parity_report::Entity::find();
    if let Some(id) = after_id(page)? {
        query = query.filter(parity_report::Column::Id.lt(id));
    }
    let rows = query
        .order_by_desc(parity_report::Column::Id)
        .limit(page.first + 1)
        .all(db)
        .await?;
    Ok(Page::from_rows(rows, page.first, |r| id_cursor(r.id)))
}

/// Recorded billed-vs-computed reports, newest first.
pub async fn reconciliation_reports(
    db: &impl ConnectionTrait,
    page: &PageRequest,
) -> Result<Page<reconciliation_report::Model>> {
    let mut query = reconciliation_report::Entity::find();
    if let Some(id) = after_id(page)? {
        query = query.filter(reconciliation_report::Column::Id.lt(id));
    }
    let rows = query
        .order_by_desc(reconciliation_report::Column::Id)
        .limit(page.first + 1)
        .all(db)
        .await?;
    Ok(Page::from_rows(rows, page.first, |r| id_cursor(r.id)))
}

pub async fn connections(db: &impl ConnectionTrait) -> Result<Vec<provider_connection::Model>> {
    Ok(provider_connection::Entity::find()
        .order_by_asc(provider_connection::Column::Name)
        .all(db)
        .await?)
}
