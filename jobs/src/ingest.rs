//! The ingest job: for every connection, re-pull the last
//! `lookback_days` complete days plus today (providers restate recent days).
//! A connection that cannot run (no key configured here, a provider that
//! refuses) is skipped with a log line; only our own database failing ends
//! the job.
use chrono::{Days, Utc};
use entity::provider_connection;
use ledger::dates::DayRange;
use ledger::ingest::{IngestRequest, RunReport, RunStatus};
use ledger::{Error, Result};
use sea_orm::EntityTrait;
use serde::Serialize;

use crate::JobContext;

/// Complete days re-pulled before today unless configured otherwise.
pub const DEFAULT_LOOKBACK_DAYS: u32 = 3;

/// The label scheduled runs carry in `ingestionRuns`.
pub const LABEL: &str = "schedule";

#[derive(Debug, Clone, Serialize)]
pub struct IngestReport {
    pub runs: Vec<RunReport>,
}

impl IngestReport {
    pub fn ok(&self) -> bool {
        self.runs.iter().all(|r| r.status == RunStatus::Succeeded)
    }
}

pub async fn run(ctx: &JobContext) -> Result<IngestReport> {
    let today = Utc::now().date_naive();
    let lookback = Days::new(u64::from(ctx.settings.lookback_days));
    let range = DayRange::new(today.checked_sub_days(lookback).unwrap_or(today), today)?;
    let mut runs = Vec::new();
    for connection in provider_connection::Entity::find().all(&ctx.db).await? {
        let mut request = IngestRequest::new(&connection, range)?;
        request.label = LABEL.to_owned();
        match ledger::ingest::run(&ctx.db, &ctx.book, &ctx.clients, request, None).await {
            Ok(report) => runs.push(report),
            Err(Error::Db(error)) => return Err(Error::Db(error)),
            Err(error) => {
                tracing::warn!(connection = %connection.name, "skipping scheduled ingestion: {error}")
            }
        }
    }
    Ok(IngestReport { runs })
}
