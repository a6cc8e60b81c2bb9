//! What a run tells its caller and stores in `ingestion_run`.
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use entity::ingestion_run::{self, ActiveModel};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use serde::{Deserialize, Serialize};

use crate::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    Running,
    /// Every day of the range was fetched and stored without an issue.
    Succeeded,
    /// Some days have issues; the others were stored.
    Partial,
    /// Nothing could be stored (bad key, every day failed, internal error).
    Failed,
}

impl RunStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Partial => "partial",
            RunStatus::Failed => "failed",
        }
    }
}

/// One problem with one day (and usage type) of a run. Codes are stable:
/// `auth`, `client_error`, `rate_limited`, `server_error`, `timeout`,
/// `network`, `bad_response`, `hostile_cursor`, `pagination`, `config`,
/// `partial_bucket`, `duplicate_bucket`, `missing_bucket`, `internal`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    pub code: String,
    pub day: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage_type: Option<String>,
    pub message: String,
}

/// The telemetry of one run; serialised as the CLI's JSON output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunReport {
    pub run_id: i64,
    pub label: String,
    pub provider: String,
    pub connection_id: i64,
    pub connection: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub dry_run: bool,
    pub status: RunStatus,
    /// (day, usage type) sets fetched and replaced (or compared, when dry).
    pub windows: u64,
    pub requests: u64,
    pub pages: u64,
    /// When `dry_run`, what would have been inserted/updated/deleted.
    pub rows_inserted: u64,
    pub rows_updated: u64,
    pub rows_deleted: u64,
    pub rows_unchanged: u64,
    /// Provider-billed cost lines stored (or, when dry, fetched).
    #[serde(default)]
    pub billed_lines: u64,
    pub retries: u64,
    /// HTTP 429 responses received.
    pub rate_limited: u64,
    pub retry_wait_ms: u64,
    pub issues: Vec<Issue>,
    pub issue_counts: BTreeMap<String, u64>,
    pub unpriced_models: BTreeSet<String>,
    /// The connection's mark after this run.
    pub complete_through: Option<NaiveDate>,
    pub started_at: DateTime<Utc>,
    pub duration_ms: u64,
}

impl RunReport {
    pub(crate) fn count_issues(&mut self) {
        self.issue_counts.clear();
        for issue in &self.issues {
            *self.issue_counts.entry(issue.code.clone()).or_default() += 1;
        }
    }
}

pub(crate) async fn insert_running(db: &impl ConnectionTrait, report: &RunReport) -> Result<i64> {
    let row = ActiveModel {
        label: Set(report.label.clone()),
        provider: Set(report.provider.clone()),
        connection_id: Set(Some(report.connection_id)),
        range_start: Set(report.from),
        range_end: Set(report.to),
        status: Set(RunStatus::Running.as_str().to_owned()),
        dry_run: Set(report.dry_run),
        started_at: Set(report.started_at),
        finished_at: Set(None),
        duration_ms: Set(0),
        windows: Set(0),
        pages: Set(0),
        rows_inserted: Set(0),
        rows_updated: Set(0),
        rows_deleted: Set(0),
        retries: Set(0),
        rate_limited: Set(0),
        issues: Set(serde_json::json!([])),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

pub(crate) async fn store_final(db: &impl ConnectionTrait, report: &RunReport) -> Result<()> {
    let Some(model) = ingestion_run::Entity::find_by_id(report.run_id)
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let as_i64 = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    let mut row = ActiveModel::from(model);
    row.status = Set(report.status.as_str().to_owned());
    row.finished_at = Set(Some(Utc::now()));
    row.duration_ms = Set(as_i64(report.duration_ms));
    row.windows = Set(as_i64(report.windows));
    row.pages = Set(as_i64(report.pages));
    row.rows_inserted = Set(as_i64(report.rows_inserted));
    row.rows_updated = Set(as_i64(report.rows_updated));
    row.rows_deleted = Set(as_i64(report.rows_deleted));
    row.retries = Set(as_i64(report.retries));
    row.rate_limited = Set(as_i64(report.rate_limited));
    row.issues = Set(serde_json::to_value(&report.issues).unwrap_or_default());
    row.update(db).await?;
    Ok(())
}
