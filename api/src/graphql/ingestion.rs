//! Ingestion runs: their telemetry, and a backfill started by an admin.
use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::ingestion_run;
use ledger::ingest::{Issue, MAX_CHUNK_DAYS};
use ledger::page::PageRequest;

use super::types::{Date, IssueCode, Provider, RunStatus, day_range, try_connection};
use super::{principal, state};
use crate::error::{ApiError, ApiResult};

#[derive(SimpleObject)]
pub struct IngestionRun {
    pub id: ID,
    pub label: String,
    pub provider: Provider,
    pub connection_id: Option<i64>,
    pub range_start: Date,
    pub range_end: Date,
    pub status: RunStatus,
    pub dry_run: bool,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub duration_ms: i64,
    pub windows: i64,
    pub pages: i64,
    pub rows_inserted: i64,
    pub rows_updated: i64,
    pub rows_deleted: i64,
    pub retries: i64,
    pub rate_limited: i64,
    pub issues: Vec<RunIssue>,
}

impl TryFrom<ingestion_run::Model> for IngestionRun {
    type Error = ApiError;

    fn try_from(r: ingestion_run::Model) -> ApiResult<Self> {
        let issues: Vec<Issue> = serde_json::from_value(r.issues).map_err(|error| {
            tracing::error!(run = r.id, %error, "stored run issues are unreadable");
            ApiError::Internal
        })?;
        Ok(Self {
            id: ID(r.id.to_string()),
            label: r.label,
            provider: r.provider.into(),
            connection_id: r.connection_id,
            range_start: r.range_start.into(),
            range_end: r.range_end.into(),
            status: r.status.into(),
            dry_run: r.dry_run,
            started_at: r.started_at,
            finished_at: r.finished_at,
            duration_ms: r.duration_ms,
            windows: r.windows,
            pages: r.pages,
            rows_inserted: r.rows_inserted,
            rows_updated: r.rows_updated,
            rows_deleted: r.rows_deleted,
            retries: r.retries,
            rate_limited: r.rate_limited,
            issues: issues.into_iter().map(RunIssue::from).collect(),
        })
    }
}

/// One problem with one day (and usage type) of a run.
#[derive(SimpleObject)]
pub struct RunIssue {
    pub code: IssueCode,
    pub day: Date,
    /// The usage type, or `costs` for the billed costs; null when the
    /// issue concerns the whole day.
    pub usage_type: Option<String>,
    pub message: String,
}

impl From<Issue> for RunIssue {
    fn from(issue: Issue) -> Self {
        Self {
            code: issue.code.into(),
            day: issue.day.into(),
            usage_type: issue.usage_type,
            message: issue.message,
        }
    }
}

#[derive(Default)]
pub struct IngestionQuery;

#[Object]
impl IngestionQuery {
    /// Ingestion runs with their telemetry, newest first.
    async fn ingestion_runs(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<String, IngestionRun>> {
        principal(ctx).viewer()?;
        let page = PageRequest::new(first, after.as_deref())?;
        let found = ledger::ingest::runs::ingestion_runs(&state(ctx)?.db, &page).await?;
        try_connection(found, page.after.is_some(), IngestionRun::try_from)
    }
}

#[derive(Default)]
pub struct IngestionMutation;

#[Object]
impl IngestionMutation {
    /// Backfills provider usage for the UTC days `from`..`to` (both included)
    /// and returns the run's telemetry. Re-running a range changes nothing.
    #[allow(clippy::too_many_arguments)]
    async fn run_ingestion(
        &self,
        ctx: &Context<'_>,
        provider: Provider,
        from: Date,
        to: Date,
        connection: Option<String>,
        dry_run: Option<bool>,
        chunk_days: Option<i32>,
    ) -> ApiResult<IngestionRun> {
        let claims = principal(ctx).admin()?;
        let state = state(ctx)?;
        let range = day_range(from, to)?;
        let target =
            ledger::providers::connections::pick(&state.db, provider.into(), connection.as_deref())
                .await?;
        let mut request = ledger::ingest::IngestRequest::new(&target, range)?;
        request.label = format!("api:{}", claims.sub);
        request.dry_run = dry_run.unwrap_or(false);
        if let Some(days) = chunk_days {
            request.chunk_days = u32::try_from(days)
                .ok()
                .filter(|d| (1..=MAX_CHUNK_DAYS).contains(d))
                .ok_or_else(|| {
                    ApiError::BadInput(format!("chunkDays must be between 1 and {MAX_CHUNK_DAYS}"))
                })?;
        }
        let report =
            ledger::ingest::run(&state.db, &state.book, &state.clients, request, None).await?;
        let row = ledger::ingest::runs::ingestion_run(&state.db, report.run_id)
            .await?
            .ok_or(ApiError::Internal)?;
        row.try_into()
    }
}
