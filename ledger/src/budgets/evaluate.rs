//! Evaluating budgets: raise each crossed threshold once per period, then
//! deliver every undelivered alert to the webhooks.
//!
//! "Once" holds across re-runs, replicas and the `evaluateBudgets` mutation
//! racing the scheduler: an alert row is inserted with ON CONFLICT DO
//! NOTHING against a unique (budget, period, threshold) index, a delivering
//! evaluator first claims the row with a conditional UPDATE, and each
//! webhook that accepted an alert is recorded so a retry skips it.
use std::collections::{BTreeSet, HashSet};

use chrono::{Days, NaiveDate, Utc};
use entity::budget_alert::{ActiveModel, Column, Entity, Model};
use entity::{budget, webhook};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set, TryInsertResult,
};
use serde::Serialize;
use serde_json::json;

use super::period::{PeriodWindow, window};
use super::{BudgetStatus, percent, status};
use crate::dates::{midnight, next_day};
use crate::error::Result;
use crate::money::micros_to_usd;
use crate::notify::webhook::WebhookSender;
use crate::page::{IdOrder, Page, PageRequest, by_id};

/// Days back re-checked on every run, matching the daily ingestion's
/// re-pull window: usage that arrives late can still cross a threshold of
/// a period that has just ended (a daily budget would otherwise never see
/// its day's full spend when evaluated shortly after midnight).
pub const LATE_DATA_DAYS: u64 = 3;

/// HTTP attempts an alert gets over all runs before delivery gives up: a
/// receiver that has refused it this often is broken, and retrying it on
/// every run forever would only add load and noise.
pub const MAX_DELIVERY_ATTEMPTS: i32 = 30;

/// The `X-CogniTrack-Event` of alert deliveries.
pub const ALERT_EVENT: &str = "budget.threshold_crossed";

/// What one evaluation did; serialisable for job telemetry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EvaluationReport {
    /// The evaluated UTC day.
    pub day: NaiveDate,
    /// Enabled budgets looked at.
    pub budgets_evaluated: u64,
    /// Alert rows newly inserted by this run.
    pub alerts_raised: u64,
    /// Alerts whose delivery completed in this run.
    pub alerts_delivered: u64,
    /// (alert, webhook) pairs accepted by the receiver.
    pub deliveries: u64,
    /// (alert, webhook) pairs that failed after their attempts.
    pub failed_deliveries: u64,
    /// HTTP requests made.
    pub attempts: u64,
    /// Alerts still undelivered after the run (retried by the next one).
    pub alerts_pending: u64,
    /// Undelivered alerts that used [`MAX_DELIVERY_ATTEMPTS`]: no longer
    /// retried.
    pub alerts_given_up: u64,
}

/// Where an alert's delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AlertStatus {
    /// Not attempted yet.
    Pending,
    /// Attempted and not yet accepted by every webhook.
    Retrying,
    /// Every webhook that existed when it was raised accepted it.
    Delivered,
    /// No webhook existed when it was raised: nothing to deliver.
    NoWebhook,
    /// Refused [`MAX_DELIVERY_ATTEMPTS`] times; no longer retried.
    GaveUp,
}

pub fn alert_status(alert: &Model) -> AlertStatus {
    match (alert.delivered_at, alert.attempts) {
        (Some(_), _) if alert.delivered_to.is_empty() => AlertStatus::NoWebhook,
        (Some(_), _) => AlertStatus::Delivered,
        (None, 0) => AlertStatus::Pending,
        (None, n) if n >= MAX_DELIVERY_ATTEMPTS => AlertStatus::GaveUp,
        (None, _) => AlertStatus::Retrying,
    }
}

/// The webhooks that accepted the alert.
pub fn delivered_webhooks(alert: &Model) -> Vec<i64> {
    alert
        .delivered_to
        .split(',')
        .filter_map(|id| id.trim().parse().ok())
        .collect()
}

/// Evaluates every enabled budget on `today` (UTC) and delivers every
/// undelivered alert. Safe to run as often as wanted and on several
/// replicas at once: nothing is raised or delivered twice.
pub async fn evaluate(
    db: &impl ConnectionTrait,
    today: NaiveDate,
    sender: &WebhookSender,
) -> Result<EvaluationReport> {
    let mut report = EvaluationReport {
        day: today,
        ..Default::default()
    };
    let budgets = budget::Entity::find()
        .filter(budget::Column::Enabled.eq(true))
        .order_by_asc(budget::Column::Id)
        .all(db)
        .await?;
    for budget in &budgets {
        report.budgets_evaluated += 1;
        for window in windows_to_check(budget, today) {
            let now = status(db, budget, today.min(window.end)).await?;
            for pct in &now.crossed {
                if raise(db, budget, &now, *pct).await? {
                    report.alerts_raised += 1;
                }
            }
        }
    }
    deliver_pending(db, sender, &mut report).await?;
    let undelivered = || Entity::find().filter(Column::DeliveredAt.is_null());
    report.alerts_pending = undelivered()
        .filter(Column::Attempts.lt(MAX_DELIVERY_ATTEMPTS))
        .count(db)
        .await?;
    report.alerts_given_up = undelivered()
        .filter(Column::Attempts.gte(MAX_DELIVERY_ATTEMPTS))
        .count(db)
        .await?;
    Ok(report)
}

/// The current period, plus earlier ones still within [`LATE_DATA_DAYS`]
/// that ended after the budget was created (a new budget does not alert
/// on periods that closed before it existed).
fn windows_to_check(budget: &budget::Model, today: NaiveDate) -> BTreeSet<PeriodWindow> {
    let current = window(budget.period, today);
    let mut windows = BTreeSet::from([current]);
    for back in 1..=LATE_DATA_DAYS {
        let Some(day) = today.checked_sub_days(Days::new(back)) else {
            break;
        };
        let earlier = window(budget.period, day);
        if midnight(next_day(earlier.end)) > budget.created_at {
            windows.insert(earlier);
        }
    }
    windows
}

/// Inserts the alert unless it exists; true when this call inserted it.
async fn raise(
    db: &impl ConnectionTrait,
    budget: &budget::Model,
    now: &BudgetStatus,
    pct: i32,
) -> Result<bool> {
    let row = ActiveModel {
        budget_id: Set(budget.id),
        budget_name: Set(budget.name.clone()),
        scope: Set(budget.scope),
        scope_value: Set(budget.scope_value.clone()),
        provider: Set(budget.provider),
        period: Set(budget.period),
        period_start: Set(now.window.start),
        threshold_pct: Set(pct),
        spend_micros: Set(now.spend_micros),
        forecast_micros: Set(now.forecast_micros),
        amount_micros: Set(now.amount_micros),
        created_at: Set(Utc::now()),
        delivered_at: Set(None),
        delivered_to: Set(String::new()),
        attempts: Set(0),
        last_error: Set(None),
        claimed_until: Set(None),
        ..Default::default()
    };
    let inserted = Entity::insert(row)
        .on_conflict(
            OnConflict::columns([Column::BudgetId, Column::PeriodStart, Column::ThresholdPct])
                .do_nothing()
                .to_owned(),
        )
        .try_insert()
        .exec_without_returning(db)
        .await?;
    Ok(matches!(inserted, TryInsertResult::Inserted(n) if n > 0))
}

async fn deliver_pending(
    db: &impl ConnectionTrait,
    sender: &WebhookSender,
    report: &mut EvaluationReport,
) -> Result<()> {
    let webhooks = webhook::Entity::find()
        .order_by_asc(webhook::Column::Id)
        .all(db)
        .await?;
    let pending = Entity::find()
        .filter(Column::DeliveredAt.is_null())
        .filter(Column::Attempts.lt(MAX_DELIVERY_ATTEMPTS))
        .order_by_asc(Column::Id)
        .all(db)
        .await?;
    // A webhook that failed all its attempts in this run is not tried for
    // the remaining alerts: one dead receiver must not hold the run for
    // (attempts x timeout) per alert. The next run retries it.
    let mut failing: HashSet<i64> = HashSet::new();
    for alert in pending {
        let Some(alert) = claim_due(db, sender, &alert, &webhooks, &failing).await? else {
            continue;
        };
        let round = send_alert(sender, &alert, &webhooks, &mut failing, report).await;
        record_round(db, alert, round, report).await?;
    }
    Ok(())
}

/// Claims `alert` for this run and returns its current row, or `None`
/// when there is nothing to do: every webhook it is due for is failing in
/// this run, or another evaluator holds it or has delivered it meanwhile.
async fn claim_due(
    db: &impl ConnectionTrait,
    sender: &WebhookSender,
    alert: &Model,
    webhooks: &[webhook::Model],
    failing: &HashSet<i64>,
) -> Result<Option<Model>> {
    let due = targets(alert, webhooks);
    if !due.is_empty() && due.iter().all(|w| failing.contains(&w.id)) {
        return Ok(None);
    }
    // Long enough for every due webhook to use all its attempts.
    let ttl = sender
        .config()
        .worst_case()
        .saturating_mul(u32::try_from(due.len()).unwrap_or(u32::MAX))
        .saturating_add(std::time::Duration::from_secs(60));
    if !claim(db, alert.id, ttl).await? {
        return Ok(None);
    }
    // Re-read under the claim: another evaluator may have delivered
    // to some webhooks between our read and our claim. The claim only
    // succeeds on an undelivered row, so it is still undelivered.
    Ok(Entity::find_by_id(alert.id).one(db).await?)
}

/// What one delivery round of a claimed alert achieved.
struct Round {
    /// Every webhook that has accepted the alert, earlier rounds included.
    delivered: Vec<i64>,
    /// HTTP requests made in this round.
    attempts: u32,
    last_error: Option<String>,
    /// True when no due webhook is left without the alert.
    complete: bool,
}

/// Sends the claimed `alert` to each webhook still due, skipping those
/// already failing in this run (the alert then stays incomplete).
async fn send_alert(
    sender: &WebhookSender,
    alert: &Model,
    webhooks: &[webhook::Model],
    failing: &mut HashSet<i64>,
    report: &mut EvaluationReport,
) -> Round {
    let mut round = Round {
        delivered: delivered_webhooks(alert),
        attempts: 0,
        last_error: alert.last_error.clone(),
        complete: true,
    };
    let payload = alert_payload(alert);
    let delivery_id = alert.id.to_string();
    for hook in targets(alert, webhooks) {
        if failing.contains(&hook.id) {
            round.complete = false;
            continue;
        }
        let delivery = sender
            .deliver_to(hook, ALERT_EVENT, &delivery_id, &payload)
            .await;
        round.attempts = round.attempts.saturating_add(delivery.attempts);
        report.attempts += u64::from(delivery.attempts);
        if let Some(error) = &delivery.last_error {
            round.last_error = Some(format!("webhook {:?}: {error}", hook.name));
        }
        match delivery.outcome {
            Ok(()) => {
                round.delivered.push(hook.id);
                report.deliveries += 1;
            }
            Err(error) => {
                tracing::warn!(
                    alert = alert.id,
                    webhook = hook.id,
                    attempts = delivery.attempts,
                    %error,
                    "budget alert delivery failed; the next evaluation retries it"
                );
                failing.insert(hook.id);
                report.failed_deliveries += 1;
                round.complete = false;
            }
        }
    }
    round
}

/// Stores the round's outcome on the alert and releases the claim.
async fn record_round(
    db: &impl ConnectionTrait,
    alert: Model,
    round: Round,
    report: &mut EvaluationReport,
) -> Result<()> {
    let alert_id = alert.id;
    let total_attempts = alert
        .attempts
        .saturating_add(i32::try_from(round.attempts).unwrap_or(i32::MAX));
    let mut row = ActiveModel::from(alert);
    row.delivered_to = Set(round
        .delivered
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(","));
    row.attempts = Set(total_attempts);
    row.last_error = Set(round.last_error);
    row.claimed_until = Set(None);
    if round.complete {
        row.delivered_at = Set(Some(Utc::now()));
        report.alerts_delivered += 1;
    } else if total_attempts >= MAX_DELIVERY_ATTEMPTS {
        tracing::warn!(
            alert = alert_id,
            attempts = total_attempts,
            "alert delivery gave up: the webhooks refused it {MAX_DELIVERY_ATTEMPTS} times"
        );
    }
    row.update(db).await?;
    Ok(())
}

/// Webhooks that should get the alert and do not have it yet: those that
/// existed when it was raised (a new webhook does not replay history).
fn targets<'a>(alert: &Model, webhooks: &'a [webhook::Model]) -> Vec<&'a webhook::Model> {
    let done = delivered_webhooks(alert);
    webhooks
        .iter()
        .filter(|w| w.created_at <= alert.created_at && !done.contains(&w.id))
        .collect()
}

/// Takes the alert for delivery unless another evaluator holds it. The
/// claim expires after `ttl`, so a crashed evaluator's alert is retried.
async fn claim(db: &impl ConnectionTrait, id: i64, ttl: std::time::Duration) -> Result<bool> {
    let now = Utc::now();
    let ttl = chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::hours(1));
    let updated = Entity::update_many()
        .col_expr(Column::ClaimedUntil, Expr::value(now + ttl))
        .filter(Column::Id.eq(id))
        .filter(Column::DeliveredAt.is_null())
        .filter(
            Condition::any()
                .add(Column::ClaimedUntil.is_null())
                .add(Column::ClaimedUntil.lt(now)),
        )
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// The JSON body of an alert delivery (before `sent_at` is stamped).
pub fn alert_payload(alert: &Model) -> serde_json::Value {
    let period_end = window(alert.period, alert.period_start).end;
    json!({
        "event": ALERT_EVENT,
        "alert_id": alert.id,
        "budget": {
            "id": alert.budget_id,
            "name": alert.budget_name,
            "scope": alert.scope,
            "scope_value": alert.scope_value,
            "provider": alert.provider,
            "period": alert.period,
            "amount_usd": micros_to_usd(alert.amount_micros).to_string(),
        },
        "period_start": alert.period_start.to_string(),
        "period_end": period_end.to_string(),
        "threshold_pct": alert.threshold_pct,
        "spend_usd": micros_to_usd(alert.spend_micros).to_string(),
        "percent_used": percent(alert.spend_micros, alert.amount_micros).to_string(),
        "forecast_usd": micros_to_usd(alert.forecast_micros).to_string(),
        "raised_at": alert.created_at.to_rfc3339(),
    })
}

/// The alert history, newest first; optionally of one budget.
pub async fn alerts(
    db: &impl ConnectionTrait,
    page: &PageRequest,
    budget_id: Option<i64>,
) -> Result<Page<Model>> {
    let mut query = Entity::find();
    if let Some(budget_id) = budget_id {
        query = query.filter(Column::BudgetId.eq(budget_id));
    }
    by_id(db, query, Column::Id, IdOrder::Newest, page, |r| r.id).await
}
