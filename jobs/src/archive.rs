//! The archive job: move rows past the retention window to the archive
//! tables. Archival and restore started by hand (CLI, GraphQL) share the
//! job's lease through [`archive_now`] and [`restore`], so only one of them
//! moves rows at a time across replicas and processes.
use chrono::{NaiveDate, Utc};
use ledger::archive::{ArchiveOptions, ArchiveReport, Progress};
use ledger::dates::DayRange;
use ledger::{Error, Result};
use sea_orm::DatabaseConnection;
use serde::Serialize;

use crate::JobContext;
use crate::lease::{self, LeaseError};

/// The lease archival and restore hold while they move rows.
pub const LEASE: &str = "archive";

#[derive(Debug, Clone, Serialize)]
pub struct ArchiveJobReport {
    pub cutoff: NaiveDate,
    pub report: ArchiveReport,
}

/// The scheduled run (the registry holds the lease).
pub async fn run(ctx: &JobContext) -> Result<ArchiveJobReport> {
    let cutoff = ledger::archive::cutoff_for(Utc::now().date_naive(), ctx.settings.retention_days)?;
    let report = ledger::archive::run(&ctx.db, cutoff, &ArchiveOptions::default(), None).await?;
    Ok(ArchiveJobReport { cutoff, report })
}

/// Archives rows older than `cutoff` now, under the job's lease. A dry run
/// only counts, so it needs no lease.
pub async fn archive_now(
    db: &DatabaseConnection,
    cutoff: NaiveDate,
    options: &ArchiveOptions,
    progress: Option<&dyn Progress>,
) -> Result<ArchiveReport> {
    if options.dry_run {
        return ledger::archive::run(db, cutoff, options, progress).await;
    }
    leased(db, ledger::archive::run(db, cutoff, options, progress)).await
}

/// Moves the archived rows of `range` back to the hot tables, under the
/// job's lease.
pub async fn restore(
    db: &DatabaseConnection,
    range: DayRange,
    options: &ArchiveOptions,
    progress: Option<&dyn Progress>,
) -> Result<ArchiveReport> {
    if options.dry_run {
        return ledger::archive::restore(db, range, options, progress).await;
    }
    leased(db, ledger::archive::restore(db, range, options, progress)).await
}

async fn leased(
    db: &DatabaseConnection,
    work: impl Future<Output = Result<ArchiveReport>>,
) -> Result<ArchiveReport> {
    match lease::with_lease(db, LEASE, work).await {
        Ok(Some(outcome)) => outcome,
        Ok(None) => Err(Error::Conflict(
            "an archival or restore is already running; try again later".into(),
        )),
        Err(LeaseError::Lost(_)) => Err(Error::Conflict(
            "lost the archive lease to another process; stopped".into(),
        )),
        Err(LeaseError::Db(error)) => Err(Error::Db(error)),
    }
}
