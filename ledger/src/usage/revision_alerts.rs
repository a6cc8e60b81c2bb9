//! Revisions raised as signed `usage.revised` webhook events: every
//! revision whose cost moved by at least the threshold, and every
//! adjustment of a closed month whatever its size. Delivered by the budgets
//! job like anomaly alerts: a failed round is retried by the next run, up
//! to [`MAX_DELIVERY_ATTEMPTS`] rounds, with the same delivery id
//! (`revision-<id>`) for receivers to deduplicate.
use chrono::Utc;
use entity::usage_revision::{ActiveModel, Column, Entity, Model};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use serde::Serialize;

use super::closes;
use crate::budgets::MAX_DELIVERY_ATTEMPTS;
use crate::error::Result;
use crate::money::micros_to_usd;
use crate::notify::{WebhookSender, deliver_event};

pub const REVISED_EVENT: &str = "usage.revised";
/// The cost change below which a revision outside a closed month is not
/// sent: $1.00.
pub const DEFAULT_THRESHOLD_MICROS: i64 = 1_000_000;
pub(crate) const PENDING: &str = "pending";
const DELIVERED: &str = "delivered";
const BELOW_THRESHOLD: &str = "below_threshold";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RevisionAlertReport {
    pub delivered: u64,
    /// Below the threshold and not an adjustment: not sent.
    pub below_threshold: u64,
    pub failed: u64,
}

/// Sends every pending revision at or above `threshold_micros` (absolute
/// cost change) or inside a closed month.
pub async fn deliver_pending(
    db: &impl ConnectionTrait,
    sender: &WebhookSender,
    threshold_micros: i64,
) -> Result<RevisionAlertReport> {
    let mut report = RevisionAlertReport::default();
    let pending = Entity::find()
        .filter(Column::AlertState.eq(PENDING))
        .filter(Column::Attempts.lt(MAX_DELIVERY_ATTEMPTS))
        .order_by_asc(Column::Id)
        .all(db)
        .await?;
    for revision in pending {
        let close =
            closes::covering(db, revision.provider, revision.day, revision.revised_at).await?;
        if close.is_none()
            && revision.cost_micros_delta.unsigned_abs() < threshold_micros.unsigned_abs()
        {
            let mut row = revision.into_active_model();
            row.alert_state = Set(BELOW_THRESHOLD.to_owned());
            row.update(db).await?;
            report.below_threshold += 1;
            continue;
        }
        deliver(db, sender, revision, close, &mut report).await?;
    }
    Ok(report)
}

async fn deliver(
    db: &impl ConnectionTrait,
    sender: &WebhookSender,
    revision: Model,
    close: Option<entity::period_close::Model>,
    report: &mut RevisionAlertReport,
) -> Result<()> {
    let payload = serde_json::json!({
        "event": REVISED_EVENT,
        "revision_id": revision.id,
        "day": revision.day,
        "provider": revision.provider.as_str(),
        "connection_id": revision.connection_id,
        "usage_type": revision.usage_type,
        "revised_at": revision.revised_at,
        "run_id": revision.run_id,
        "buckets_added": revision.buckets_added,
        "buckets_changed": revision.buckets_changed,
        "buckets_removed": revision.buckets_removed,
        "input_tokens_delta": revision.input_tokens_delta,
        "output_tokens_delta": revision.output_tokens_delta,
        "cost_usd_delta": micros_to_usd(revision.cost_micros_delta),
        "adjusts_close": close.map(|c| serde_json::json!({"id": c.id, "period": c.period, "provider": c.provider.map(|p| p.as_str())})),
    });
    let delivery_id = format!("revision-{}", revision.id);
    let sent = deliver_event(db, sender, REVISED_EVENT, &delivery_id, &payload).await?;
    let attempts = revision.attempts;
    let mut row: ActiveModel = revision.into_active_model();
    if let Some(error) = sent.failure() {
        row.attempts = Set(attempts.saturating_add(1));
        row.last_error = Set(Some(error));
        report.failed += 1;
    } else {
        row.alert_state = Set(DELIVERED.to_owned());
        row.delivered_at = Set(Some(Utc::now()));
        report.delivered += 1;
    }
    row.update(db).await?;
    Ok(())
}
