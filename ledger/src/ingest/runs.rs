//! Recorded ingestion runs, for the API.
use entity::ingestion_run;
use sea_orm::{ConnectionTrait, EntityTrait};

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
