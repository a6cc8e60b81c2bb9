//! What a run tells its caller and stores in `ingestion_run`.
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use entity::ingestion_run::{self, ActiveModel};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use serde::{Deserialize, Serialize};

use crate::Result;

use entity::enums::ProviderKind;
pub use entity::enums::RunStatus;

/// What went wrong with a day of a run. The snake_case names are stable:
/// they are stored in `ingestion_run.issues` and printed by the CLI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueCode {
    /// The provider refused the key.
    Auth,
    /// The provider refused the request (4xx other than 401/403/429).
    ClientError,
    /// Still rate limited after every retry.
    RateLimited,
    /// Still failing with 5xx after every retry.
    ServerError,
    Timeout,
    Network,
    /// A response we could not decode.
    BadResponse,
    /// A pagination cursor we refuse to follow.
    HostileCursor,
    /// Paging that did not end or went backwards.
    Pagination,
    /// Our own configuration (an unknown usage type, a missing key).
    Config,
    /// A bucket whose rows do not add up.
    PartialBucket,
    /// The provider returned a day twice; it was not stored.
    DuplicateBucket,
    /// The provider returned no bucket for a complete day.
    MissingBucket,
    /// The hourly buckets of a day do not sum to its daily bucket; the
    /// hours were not stored.
    HourlyMismatch,
    /// A model in the usage that the price book cannot price.
    UnpricedModel,
    /// Our own failure (the database).
    Internal,
}

impl IssueCode {
    /// The stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            IssueCode::Auth => "auth",
            IssueCode::ClientError => "client_error",
            IssueCode::RateLimited => "rate_limited",
            IssueCode::ServerError => "server_error",
            IssueCode::Timeout => "timeout",
            IssueCode::Network => "network",
            IssueCode::BadResponse => "bad_response",
            IssueCode::HostileCursor => "hostile_cursor",
            IssueCode::Pagination => "pagination",
            IssueCode::Config => "config",
            IssueCode::PartialBucket => "partial_bucket",
            IssueCode::DuplicateBucket => "duplicate_bucket",
            IssueCode::MissingBucket => "missing_bucket",
            IssueCode::HourlyMismatch => "hourly_mismatch",
            IssueCode::UnpricedModel => "unpriced_model",
            IssueCode::Internal => "internal",
        }
    }
}

impl std::fmt::Display for IssueCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem with one day (and usage type) of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    pub code: IssueCode,
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
    pub provider: ProviderKind,
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
    pub issue_counts: BTreeMap<IssueCode, u64>,
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
            *self.issue_counts.entry(issue.code).or_default() += 1;
        }
    }
}

pub(crate) async fn insert_running(db: &impl ConnectionTrait, report: &RunReport) -> Result<i64> {
    let row = ActiveModel {
        label: Set(report.label.clone()),
        provider: Set(report.provider),
        connection_id: Set(Some(report.connection_id)),
        range_start: Set(report.from),
        range_end: Set(report.to),
        status: Set(RunStatus::Running),
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
    row.status = Set(report.status);
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

/// The run's counts as Prometheus series (`GET /metrics`): rows changed
/// (not for dry runs, which change nothing), retries and 429s per provider.
pub(crate) fn record_metrics(report: &RunReport) {
    let provider = report.provider.as_str();
    if !report.dry_run {
        for (change, rows) in [
            ("inserted", report.rows_inserted),
            ("updated", report.rows_updated),
            ("deleted", report.rows_deleted),
        ] {
            metrics::counter!("cognitrack_ingest_rows_total", "provider" => provider, "change" => change)
                .increment(rows);
        }
    }
    metrics::counter!("cognitrack_provider_retries_total", "provider" => provider)
        .increment(report.retries);
    metrics::counter!("cognitrack_provider_rate_limited_total", "provider" => provider)
        .increment(report.rate_limited);
    metrics::counter!("cognitrack_ingest_runs_total", "provider" => provider, "status" => report.status.as_str())
        .increment(1);
}
