//! Stored parity reports, for the API.
use entity::parity_report;
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::Result;
use crate::page::{IdOrder, Page, PageRequest, by_id};

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
