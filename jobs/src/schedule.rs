//! The cron schedule: one tokio-cron-scheduler entry per job, each calling
//! the registry like the cron trigger and the CLI do.
use tokio_cron_scheduler::{Job, JobScheduler, JobSchedulerError};

use crate::{JobName, Jobs};

#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    #[error("{job} cron expression {cron:?}: {source}")]
    Cron {
        job: JobName,
        cron: String,
        #[source]
        source: JobSchedulerError,
    },
    #[error("scheduler: {0}")]
    Scheduler(#[from] JobSchedulerError),
}

/// Starts the scheduler with one six-field UTC cron expression per job. A
/// malformed expression is a start-up error, not a job that silently never
/// runs.
pub async fn start(
    jobs: Jobs,
    crons: impl IntoIterator<Item = (JobName, String)>,
) -> Result<JobScheduler, ScheduleError> {
    let scheduler = JobScheduler::new().await?;
    for (job, cron) in crons {
        let jobs = jobs.clone();
        let scheduled = Job::new_async(cron.as_str(), move |_, _| {
            let jobs = jobs.clone();
            Box::pin(async move { log_run(&jobs, job).await })
        })
        .map_err(|source| ScheduleError::Cron {
            job,
            cron: cron.clone(),
            source,
        })?;
        scheduler.add(scheduled).await?;
        tracing::info!(%job, %cron, "scheduled");
    }
    scheduler.start().await?;
    Ok(scheduler)
}

async fn log_run(jobs: &Jobs, job: JobName) {
    // Every replica's scheduler fires at the same whole second, give or
    // take a little: that second names the tick they share.
    let tick = chrono::Utc::now().timestamp();
    match jobs.run_tick(job, tick).await {
        Ok(outcome) => {
            let telemetry = serde_json::to_string(&outcome).unwrap_or_default();
            if outcome.ok {
                tracing::info!(%job, %telemetry, "job finished")
            } else {
                tracing::warn!(%job, %telemetry, "job finished with failures")
            }
        }
        Err(error) => tracing::error!(%job, %error, "job failed"),
    }
}
