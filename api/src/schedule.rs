//! Scheduled jobs. One function runs a job for the cron scheduler and for
//! `POST /api/cron/{job}`, so both record and return the same telemetry.
use std::str::FromStr;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::Mutex;
use tokio_cron_scheduler::{Job, JobScheduler};

use crate::config::ScheduleArgs;
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
            JobName::Archive => "archive",
            JobName::Parity => "parity",
        }
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

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("job {0} is already running")]
    Busy(&'static str),
    #[error(transparent)]
    Failed(#[from] jobs::Error),
}

/// What a job run returns: `ok` is false when any part of it failed (a
/// provider day that could not be fetched, a price feed that was refused).
#[derive(Debug, Clone)]
pub struct JobOutcome {
    pub ok: bool,
    pub telemetry: Value,
}

/// One lock per job, so a job never overlaps itself in this process (a
/// cron tick during an HTTP-triggered run is skipped). Replicas are kept
/// apart by the lease rows taken inside `jobs`.
#[derive(Debug, Default)]
pub struct JobLocks([Mutex<()>; JobName::ALL.len()]);

impl JobLocks {
    fn get(&self, job: JobName) -> &Mutex<()> {
        &self.0[job as usize]
    }
}

/// How long a replica may hold a job's lease before others assume it died.
const LEASE_TTL: Duration = Duration::from_secs(30 * 60);

pub async fn run_job(state: &AppState, job: JobName) -> Result<JobOutcome, JobError> {
    let Ok(_running) = state.job_locks.get(job).try_lock() else {
        return Err(JobError::Busy(job.as_str()));
    };
    match job {
        JobName::Ingest => {
            let runs = jobs::ingest::run_daily(
                &state.db,
                &state.book,
                &state.clients,
                state.lookback_days,
                "schedule",
            )
            .await?;
            let ok = runs
                .iter()
                .all(|r| r.status == jobs::ingest::RunStatus::Succeeded);
            Ok(JobOutcome {
                ok,
                telemetry: json!({ "job": job.as_str(), "ok": ok, "runs": runs }),
            })
        }
        JobName::Pricing => {
            let sync = jobs::pricing::sync(&state.db, &state.book, &state.prices_url);
            let outcome = jobs::lease::with_lease(&state.db, "pricing", LEASE_TTL, sync).await;
            let telemetry = match outcome {
                Ok(Some(sync)) => json!({
                    "job": job.as_str(), "ok": true, "skipped": false,
                    "price_version_id": sync.version_id, "created": sync.created,
                    "content_hash": sync.content_hash,
                }),
                Ok(None) => return Ok(skipped(job)),
                // A refused feed is the job's result, not a server fault;
                // the previous price version stays in use.
                Err(jobs::Error::InvalidInput(reason)) => {
                    return Ok(JobOutcome {
                        ok: false,
                        telemetry: json!({ "job": job.as_str(), "ok": false, "error": reason }),
                    });
                }
                Err(error) => return Err(error.into()),
            };
            Ok(JobOutcome {
                ok: true,
                telemetry,
            })
        }
        JobName::Inventory => {
            let reports = jobs::inventory::refresh_all(&state.db, &state.clients).await?;
            Ok(JobOutcome {
                ok: true,
                telemetry: json!({ "job": job.as_str(), "ok": true, "connections": reports }),
            })
        }
        JobName::Reconcile => {
            let today = chrono::Utc::now().date_naive();
            let to = today.pred_opt().unwrap_or(today);
            let from = to - chrono::Days::new(RECONCILE_DAYS - 1);
            let range = jobs::dates::DayRange::new(from, to)?;
            let record = jobs::reconciliation::record(&state.db, range);
            let Some(report) =
                jobs::lease::with_lease(&state.db, "reconcile", LEASE_TTL, record).await?
            else {
                return Ok(skipped(job));
            };
            Ok(JobOutcome {
                ok: true,
                telemetry: json!({
                    "job": job.as_str(), "ok": true, "report_id": report.id,
                    "from": from.to_string(), "to": to.to_string(),
                    "within_tolerance": report.within_tolerance,
                    "findings": report.findings,
                }),
            })
        }
        JobName::Budgets => {
            let today = chrono::Utc::now().date_naive();
            // Safe to race: alerts are unique per budget, period and threshold.
            let report = jobs::budgets::evaluate(&state.db, today, &state.webhooks).await?;
            Ok(JobOutcome {
                ok: report.failed_deliveries == 0,
                telemetry: json!({ "job": job.as_str(), "ok": report.failed_deliveries == 0, "report": report }),
            })
        }
        JobName::Archive => {
            let today = chrono::Utc::now().date_naive();
            let cutoff = jobs::archive::cutoff_for(today, state.retention_days)?;
            let options = jobs::archive::ArchiveOptions::default();
            match jobs::archive::run(&state.db, cutoff, &options, None).await {
                Ok(report) => Ok(JobOutcome {
                    ok: true,
                    telemetry: json!({ "job": job.as_str(), "ok": true, "cutoff": cutoff.to_string(), "report": report }),
                }),
                // Another replica or a CLI run holds the archive lease.
                Err(jobs::Error::Conflict(_)) => Ok(skipped(job)),
                Err(error) => Err(error.into()),
            }
        }
        JobName::Parity => {
            let Some(dir) = state.parity_dir.clone() else {
                return Ok(skipped(job));
            };
            let options = jobs::parity::ScanOptions::default();
            let scan = jobs::parity::scan_dir(&state.db, &dir, &options, Some(&state.webhooks));
            let Some(report) =
                jobs::lease::with_lease(&state.db, "parity", LEASE_TTL, scan).await?
            else {
                return Ok(skipped(job));
            };
            let ok = report.processed.iter().all(|f| f.error.is_none());
            Ok(JobOutcome {
                ok,
                telemetry: json!({ "job": job.as_str(), "ok": ok, "report": report }),
            })
        }
    }
}

/// Days the reconcile job compares, ending yesterday: providers bill late.
const RECONCILE_DAYS: u64 = 7;

fn skipped(job: JobName) -> JobOutcome {
    JobOutcome {
        ok: true,
        telemetry: json!({ "job": job.as_str(), "ok": true, "skipped": true }),
    }
}

/// Starts the cron scheduler. A malformed cron expression is a start-up
/// error, not a job that silently never runs.
pub async fn start(state: AppState, config: &ScheduleArgs) -> anyhow::Result<JobScheduler> {
    let scheduler = JobScheduler::new().await?;
    for (job, cron) in [
        (JobName::Ingest, &config.ingest_cron),
        (JobName::Pricing, &config.pricing_cron),
        (JobName::Inventory, &config.inventory_cron),
        (JobName::Reconcile, &config.reconcile_cron),
        (JobName::Budgets, &config.budgets_cron),
        (JobName::Archive, &config.archive_cron),
        (JobName::Parity, &config.parity_cron),
    ] {
        let state = state.clone();
        let scheduled = Job::new_async(cron.as_str(), move |_, _| {
            let state = state.clone();
            Box::pin(async move { log_run(&state, job).await })
        })
        .map_err(|e| anyhow::anyhow!("{} cron expression {cron:?}: {e}", job.as_str()))?;
        scheduler.add(scheduled).await?;
        tracing::info!(job = job.as_str(), %cron, "scheduled");
    }
    scheduler.start().await?;
    Ok(scheduler)
}

async fn log_run(state: &AppState, job: JobName) {
    match run_job(state, job).await {
        Ok(outcome) if outcome.ok => {
            tracing::info!(job = job.as_str(), telemetry = %outcome.telemetry, "job finished")
        }
        Ok(outcome) => {
            tracing::warn!(job = job.as_str(), telemetry = %outcome.telemetry, "job finished with failures")
        }
        Err(error) => tracing::error!(job = job.as_str(), %error, "job failed"),
    }
}
