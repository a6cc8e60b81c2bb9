//! A clean stop: on SIGTERM or SIGINT, stop accepting, let in-flight
//! requests end, stop the scheduler, let a running job finish, release
//! every lease this process holds, all within a bound.
use std::future::Future;
use std::time::Duration;

use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio_cron_scheduler::JobScheduler;

use crate::state::AppState;

/// The default bound on a clean stop (`COGNITRACK_SHUTDOWN_TIMEOUT_SECS`).
pub const DEFAULT_TIMEOUT_SECS: u64 = 30;

#[derive(Debug, thiserror::Error)]
pub enum ShutdownError {
    #[error("cannot listen for signals: {0}")]
    Signals(#[source] std::io::Error),
    #[error("the server failed: {0}")]
    Server(#[source] std::io::Error),
    #[error("the server task ended abnormally: {0}")]
    Join(#[from] tokio::task::JoinError),
    #[error("work was still running {0:?} after the stop signal; stopped anyway")]
    Timeout(Duration),
}

/// SIGTERM and SIGINT, listened for from [`Signals::install`] on: a
/// signal that arrives before [`Signals::received`] is awaited is kept,
/// not lost to the default action (terminate at once).
pub struct Signals {
    term: Signal,
    int: Signal,
}

impl Signals {
    pub fn install() -> Result<Self, ShutdownError> {
        Ok(Self {
            term: signal(SignalKind::terminate()).map_err(ShutdownError::Signals)?,
            int: signal(SignalKind::interrupt()).map_err(ShutdownError::Signals)?,
        })
    }

    /// Resolves on the first of them, with its name.
    pub async fn received(&mut self) -> &'static str {
        tokio::select! {
            _ = self.term.recv() => "SIGTERM",
            _ = self.int.recv() => "SIGINT",
        }
    }
}

/// After the signal: the server (already told to stop) drains its
/// requests while the scheduler stops and running jobs finish, within
/// `bound`. Leases held by this process are released either way.
pub async fn drain(
    state: &AppState,
    server: impl Future<Output = Result<std::io::Result<()>, tokio::task::JoinError>>,
    scheduler: Option<JobScheduler>,
    bound: Duration,
) -> Result<(), ShutdownError> {
    let work = async {
        if let Some(mut scheduler) = scheduler
            && let Err(error) = scheduler.shutdown().await
        {
            tracing::warn!(%error, "the scheduler did not stop cleanly");
        }
        let served = server.await;
        // Jobs started by the scheduler or the cron trigger finish here;
        // new ones are refused (busy) from now on.
        let _idle = state.jobs.drain().await;
        tracing::info!("requests and jobs finished");
        served
    };
    let finished = tokio::time::timeout(bound, work).await;
    let holder = jobs::lease::process_holder();
    match jobs::lease::release_all(&state.db, &holder).await {
        Ok(released) => tracing::info!(released, "leases released"),
        Err(error) => tracing::error!(%error, "could not release this process's leases"),
    }
    match finished {
        Ok(served) => served?.map_err(ShutdownError::Server),
        Err(_) => Err(ShutdownError::Timeout(bound)),
    }
}
