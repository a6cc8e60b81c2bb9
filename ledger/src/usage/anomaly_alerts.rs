//! Anomalies raised as signed webhook events (`usage.anomaly`), like
//! budget alerts: each unusual day of a project, API key or model is
//! stored once (a unique index on day, dimension and value) and delivered
//! to every webhook; a round that fails is retried by the next run, up to
//! [`MAX_DELIVERY_ATTEMPTS`] rounds. The delivery id (`anomaly-<id>`) is
//! the same on every retry, for receivers to deduplicate.
use chrono::{NaiveDate, Utc};
use entity::anomaly_alert::{ActiveModel, Column, Entity, Model};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use serde::Serialize;

use super::Dimension;
use super::anomalies::{Anomaly, Rule, anomalies};
use crate::budgets::MAX_DELIVERY_ATTEMPTS;
use crate::dates::DayRange;
use crate::error::Result;
use crate::money::micros_to_usd;
use crate::notify::{WebhookSender, deliver_event};

pub const ANOMALY_EVENT: &str = "usage.anomaly";
const DIMENSIONS: [(Dimension, &str); 3] = [
    (Dimension::Project, "project"),
    (Dimension::ApiKey, "api_key"),
    (Dimension::Model, "model"),
];

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AnomalyAlertReport {
    /// Unusual days newly raised by this run.
    pub raised: u64,
    /// Alerts every webhook accepted in this run.
    pub delivered: u64,
    /// Alerts whose round failed in this run (retried by the next).
    pub failed: u64,
}

/// Raises the anomalies of `day` with the default rule and delivers every
/// alert still undelivered.
pub async fn raise_and_deliver(
    db: &impl ConnectionTrait,
    sender: &WebhookSender,
    day: NaiveDate,
) -> Result<AnomalyAlertReport> {
    let mut report = AnomalyAlertReport::default();
    for (dimension, name) in DIMENSIONS {
        for anomaly in anomalies(db, DayRange::new(day, day)?, dimension, Rule::default()).await? {
            if raise(db, name, &anomaly).await? {
                report.raised += 1;
            }
        }
    }
    let pending = Entity::find()
        .filter(Column::DeliveredAt.is_null())
        .filter(Column::Attempts.lt(MAX_DELIVERY_ATTEMPTS))
        .order_by_asc(Column::Id)
        .all(db)
        .await?;
    for alert in pending {
        deliver(db, sender, alert, &mut report).await?;
    }
    Ok(report)
}

/// Stores the anomaly unless it is already; `true` when it was new.
async fn raise(db: &impl ConnectionTrait, dimension: &str, anomaly: &Anomaly) -> Result<bool> {
    let row = ActiveModel {
        day: Set(anomaly.day),
        dimension: Set(dimension.to_owned()),
        value: Set(anomaly.value.clone()),
        cost_micros: Set(anomaly.cost_micros),
        baseline_micros: Set(anomaly.baseline_median_micros),
        deviation_micros: Set(anomaly.baseline_mad_micros),
        z_score: Set(anomaly.z_score),
        created_at: Set(Utc::now()),
        delivered_at: Set(None),
        attempts: Set(0),
        last_error: Set(None),
        ..Default::default()
    };
    let inserted = Entity::insert(row)
        .on_conflict_do_nothing_on([Column::Day, Column::Dimension, Column::Value])
        .exec_without_returning(db)
        .await?;
    Ok(matches!(inserted, sea_orm::TryInsertResult::Inserted(n) if n > 0))
}

async fn deliver(
    db: &impl ConnectionTrait,
    sender: &WebhookSender,
    alert: Model,
    report: &mut AnomalyAlertReport,
) -> Result<()> {
    let payload = serde_json::json!({
        "event": ANOMALY_EVENT,
        "alert_id": alert.id,
        "day": alert.day,
        "dimension": alert.dimension,
        "value": alert.value,
        "cost_usd": micros_to_usd(alert.cost_micros),
        "baseline_usd": micros_to_usd(alert.baseline_micros),
        "baseline_deviation_usd": micros_to_usd(alert.deviation_micros),
        "z_score": alert.z_score,
        "spike": alert.cost_micros > alert.baseline_micros,
    });
    let delivery_id = format!("anomaly-{}", alert.id);
    let sent = deliver_event(db, sender, ANOMALY_EVENT, &delivery_id, &payload).await?;
    let attempts = alert.attempts;
    let mut row = alert.into_active_model();
    if let Some(error) = sent.failure() {
        row.attempts = Set(attempts.saturating_add(1));
        row.last_error = Set(Some(error));
        report.failed += 1;
    } else {
        row.delivered_at = Set(Some(Utc::now()));
        report.delivered += 1;
    }
    row.update(db).await?;
    Ok(())
}
