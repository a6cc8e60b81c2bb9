//! `runArchival` / `restoreArchived`: move old rows to the archive tables
//! and back (admin). Reads span both, so answers do not change.
use async_graphql::{Context, Object, SimpleObject};
use ledger::archive::{self, ArchiveOptions, ArchiveReport};

use super::types::{BigInt, Date, day_range};
use super::{principal, state};
use crate::error::{ApiError, ApiResult};

/// Rows moved per table (in a dry run: rows that would move).
#[derive(SimpleObject)]
pub struct ArchiveResult {
    pub dry_run: bool,
    /// Archival: rows of the UTC days before this day moved.
    pub cutoff: Option<Date>,
    /// Restore: the UTC days restored, both included.
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub usage_buckets: BigInt,
    /// Superseded versions of buckets (see `asOf`), moved with their day.
    pub superseded_buckets: BigInt,
    pub sessions: BigInt,
    pub interactions: BigInt,
    /// Transactions committed; each moves up to 1,000 rows.
    pub batches: BigInt,
    /// False when `maxBatches` stopped the run early; run again to continue.
    pub complete: bool,
}

fn big(n: u64) -> BigInt {
    i64::try_from(n).unwrap_or(i64::MAX).into()
}

impl ArchiveResult {
    fn new(report: ArchiveReport) -> Self {
        Self {
            dry_run: report.dry_run,
            cutoff: None,
            from: None,
            to: None,
            usage_buckets: big(report.usage_buckets),
            superseded_buckets: big(report.superseded_buckets),
            sessions: big(report.sessions),
            interactions: big(report.interactions),
            batches: big(report.batches),
            complete: report.complete,
        }
    }
}

fn options(dry_run: Option<bool>, max_batches: Option<i32>) -> ApiResult<ArchiveOptions> {
    let max_batches = match max_batches {
        None => None,
        Some(n) if n >= 1 => Some(n.unsigned_abs().into()),
        Some(_) => return Err(ApiError::BadInput("maxBatches must be at least 1".into())),
    };
    Ok(ArchiveOptions {
        dry_run: dry_run.unwrap_or(false),
        max_batches,
        ..ArchiveOptions::default()
    })
}

#[derive(Default)]
pub struct ArchiveMutation;

#[Object]
impl ArchiveMutation {
    /// Moves sessions (with their interactions and costs) and usage buckets
    /// of the UTC days more than `olderThanDays` (default 365) before today
    /// into the archive tables, in batches of one transaction each. Daily
    /// rollups stay. A dry run counts what would move.
    async fn run_archival(
        &self,
        ctx: &Context<'_>,
        older_than_days: Option<i32>,
        dry_run: Option<bool>,
        #[graphql(desc = "Stop after this many batches; a later run continues.")]
        max_batches: Option<i32>,
    ) -> ApiResult<ArchiveResult> {
        principal(ctx).admin()?;
        let days = older_than_days.map_or(state(ctx)?.settings().retention_days, i64::from);
        let cutoff = archive::cutoff_for(chrono::Utc::now().date_naive(), days)?;
        let options = options(dry_run, max_batches)?;
        let report = jobs::archive::archive_now(&state(ctx)?.db, cutoff, &options, None).await?;
        Ok(ArchiveResult {
            cutoff: Some(cutoff.into()),
            ..ArchiveResult::new(report)
        })
    }

    /// Moves archived rows of the UTC days `from`..`to` (both included) back:
    /// the buckets of those days and the sessions that started on them, with
    /// all their interactions. Rows older than the retention window move
    /// back to the archive on the next scheduled run.
    async fn restore_archived(
        &self,
        ctx: &Context<'_>,
        from: Date,
        to: Date,
        dry_run: Option<bool>,
    ) -> ApiResult<ArchiveResult> {
        principal(ctx).admin()?;
        let range = day_range(from, to)?;
        let options = options(dry_run, None)?;
        let report = jobs::archive::restore(&state(ctx)?.db, range, &options, None).await?;
        Ok(ArchiveResult {
            from: Some(range.from.into()),
            to: Some(range.to.into()),
            ..ArchiveResult::new(report)
        })
    }
}
