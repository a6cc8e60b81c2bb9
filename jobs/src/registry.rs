//! The one registry of jobs: the cron schedule, `POST /api/cron/{job}` and
//! the CLI all run a job through [`Jobs::run`], which keeps a job from
//! overlapping itself in this process (a lock) and across replicas (the
//! lease), and returns the same typed outcome to each.
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::Serialize;
use tokio::sync::Mutex;

use crate::lease::{self, LeaseError};
use crate::{JobContext, archive, budgets, ingest, inventory, parity, pricing, reconcile};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JobName {
    /// Re-pull the last N complete days plus today for every connection.
    Ingest,
    /// Refresh the price book from the price feed.
    Pricing,
    /// Refresh provider inventory (project, key, user names).
    Inventory,
    /// Record billed vs computed for the last complete days.
    Reconcile,
    /// Evaluate budgets and deliver alerts.
    Budgets,
    /// Move rows past the retention window to the archive tables.
    Archive,
    /// Compare new CSV exports in the parity folder.
    Parity,
}

impl JobName {
    pub const ALL: [JobName; 7] = [
        JobName::Ingest,
        JobName::Pricing,
        JobName::Inventory,
        JobName::Reconcile,
        JobName::Budgets,
        JobName::Archive,
        JobName::Parity,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobName::Ingest => "ingest",
            JobName::Pricing => "pricing",
            JobName::Inventory => "inventory",
            JobName::Reconcile => "reconcile",
            JobName::Budgets => "budgets",
            JobName::Archive => archive::LEASE,
            JobName::Parity => "parity",
        }
    }
}

impl fmt::Display for JobName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for JobName {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|job| job.as_str() == s)
            .ok_or_else(|| {
                let known: Vec<&str> = Self::ALL.iter().map(|j| j.as_str()).collect();
                format!("unknown job {s:?}: expected one of {}", known.join(", "))
            })
    }
}

/// What a job did, one variant per job.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum JobReport {
    Ingest(ingest::IngestReport),
    Pricing(pricing::PricingReport),
    Inventory(inventory::InventoryJobReport),
    Reconcile(reconcile::ReconcileReport),
    Budgets(budgets::BudgetsReport),
    Archive(archive::ArchiveJobReport),
    Parity(parity::ParityJobReport),
}

impl JobReport {
    /// False when part of the run failed (a provider day that could not be
    /// fetched, a refused price feed, an undelivered alert).
    pub fn ok(&self) -> bool {
        match self {
            JobReport::Ingest(r) => r.ok(),
            JobReport::Pricing(r) => r.ok(),
            JobReport::Inventory(_) | JobReport::Reconcile(_) | JobReport::Archive(_) => true,
            JobReport::Budgets(r) => r.ok(),
            JobReport::Parity(r) => r.ok(),
        }
    }
}

/// A finished run: serialised as the cron trigger's answer and the log.
#[derive(Debug, Clone, Serialize)]
pub struct JobOutcome {
    pub job: JobName,
    pub ok: bool,
    /// Nothing to do here: another replica holds the lease, or the job is
    /// not configured (no parity folder).
    pub skipped: bool,
    #[serde(flatten)]
    pub report: Option<JobReport>,
}

impl JobOutcome {
    fn skipped(job: JobName) -> Self {
        Self {
            job,
            ok: true,
            skipped: true,
            report: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("job {0} is already running")]
    Busy(JobName),
    #[error(transparent)]
    Lease(#[from] LeaseError),
    #[error(transparent)]
    Failed(#[from] ledger::Error),
}

/// Runs jobs by name. Cheap to clone.
#[derive(Clone)]
pub struct Jobs {
    ctx: JobContext,
    locks: Arc<[Mutex<()>; JobName::ALL.len()]>,
}

impl Jobs {
    pub fn new(ctx: JobContext) -> Self {
        Self {
            ctx,
            locks: Arc::default(),
        }
    }

    pub fn context(&self) -> &JobContext {
        &self.ctx
    }

    /// Runs `job` now, unless it is running in this process (`Busy`) or on
    /// another replica (skipped). Its duration and failures are recorded
    /// for `GET /metrics`.
    pub async fn run(&self, job: JobName) -> Result<JobOutcome, JobError> {
        let Ok(_running) = self.locks[job as usize].try_lock() else {
            return Err(JobError::Busy(job));
        };
        let started = std::time::Instant::now();
        let result = self.run_locked(job).await;
        let outcome = match &result {
            Ok(outcome) if outcome.skipped => "skipped",
            Ok(outcome) if outcome.ok => "ok",
            Ok(_) => "partial",
            Err(_) => "failed",
        };
        metrics::histogram!("cognitrack_job_duration_seconds", "job" => job.as_str(), "outcome" => outcome)
            .record(started.elapsed().as_secs_f64());
        if matches!(outcome, "partial" | "failed") {
            metrics::counter!("cognitrack_job_failures_total", "job" => job.as_str()).increment(1);
        }
        result
    }

    /// Runs the scheduled tick `tick_secs` of `job`, unless another
    /// replica has already claimed that tick (skipped).
    pub async fn run_tick(&self, job: JobName, tick_secs: i64) -> Result<JobOutcome, JobError> {
        if !lease::claim_tick(&self.ctx.db, job.as_str(), tick_secs)
            .await
            .map_err(LeaseError::Db)?
        {
            return Ok(JobOutcome::skipped(job));
        }
        self.run(job).await
    }

    /// Waits until no job runs in this process and keeps new runs out
    /// (each then answers `Busy`) until the returned guards are dropped:
    /// a clean stop lets a running job finish its work this way.
    pub async fn drain(&self) -> Vec<tokio::sync::MutexGuard<'_, ()>> {
        let mut guards = Vec::with_capacity(self.locks.len());
        for lock in self.locks.iter() {
            guards.push(lock.lock().await);
        }
        guards
    }

    async fn run_locked(&self, job: JobName) -> Result<JobOutcome, JobError> {
        if job == JobName::Parity && self.ctx.settings.parity_dir.is_none() {
            return Ok(JobOutcome::skipped(job));
        }
        let Some(report) = lease::with_lease(&self.ctx.db, job.as_str(), dispatch(&self.ctx, job))
            .await?
            .transpose()?
        else {
            return Ok(JobOutcome::skipped(job));
        };
        Ok(JobOutcome {
            job,
            ok: report.ok(),
            skipped: false,
            report: Some(report),
        })
    }
}

async fn dispatch(ctx: &JobContext, job: JobName) -> ledger::Result<JobReport> {
    Ok(match job {
        JobName::Ingest => JobReport::Ingest(ingest::run(ctx).await?),
        JobName::Pricing => JobReport::Pricing(pricing::run(ctx).await?),
        JobName::Inventory => JobReport::Inventory(inventory::run(ctx).await?),
        JobName::Reconcile => JobReport::Reconcile(reconcile::run(ctx).await?),
        JobName::Budgets => JobReport::Budgets(budgets::run(ctx).await?),
        JobName::Archive => JobReport::Archive(archive::run(ctx).await?),
        JobName::Parity => JobReport::Parity(parity::run(ctx).await?),
    })
}
