//! `cognitrack serve [--demo]`: migrate, settle abandoned runs, start the
//! scheduler and serve the API and the dashboard until SIGTERM or SIGINT,
//! then stop cleanly within a bound (`ops::shutdown`).
use anyhow::{Context, Result, bail};
use jobs::JobName;
use ledger::providers::ProviderClients;
use rand::RngCore;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::auth::Role;
use crate::cli::open_url;
use crate::config::{DbArgs, JwtArgs, ServeArgs};
use crate::ops::shutdown;
use crate::router::router;
use crate::state::AppState;

pub async fn run(db: DbArgs, jwt: JwtArgs, serve: ServeArgs) -> Result<()> {
    let demo = DemoDb::choose(&db, serve.demo);
    let served = serve_until_stopped(demo.url(&db), jwt, serve).await;
    drop(demo);
    served
}

/// The database `serve` uses: `DATABASE_URL` when it is set, even with
/// `--demo`; otherwise, with `--demo`, a fresh SQLite file removed when
/// `serve` ends (a clean stop included).
struct DemoDb(Option<std::path::PathBuf>);

impl DemoDb {
    fn choose(db: &DbArgs, demo: bool) -> Self {
        let explicit = std::env::var_os("DATABASE_URL").is_some_and(|v| !v.is_empty())
            || db.database_url != ledger::db::DEFAULT_DATABASE_URL;
        Self((demo && !explicit).then(|| {
            std::env::temp_dir().join(format!("cognitrack-demo-{}.db", uuid::Uuid::new_v4()))
        }))
    }

    fn url(&self, db: &DbArgs) -> String {
        match &self.0 {
            Some(path) => format!("sqlite://{}?mode=rwc", path.display()),
            None => db.database_url.clone(),
        }
    }
}

impl Drop for DemoDb {
    fn drop(&mut self) {
        if let Some(path) = &self.0 {
            for suffix in ["", "-wal", "-shm"] {
                let mut file = path.as_os_str().to_owned();
                file.push(suffix);
                let _ = std::fs::remove_file(file);
            }
        }
    }
}

async fn serve_until_stopped(database_url: String, jwt: JwtArgs, serve: ServeArgs) -> Result<()> {
    // From here a stop signal waits its turn instead of killing the process.
    let mut signals = shutdown::Signals::install()?;
    let state = build_state(&database_url, jwt, &serve).await?;
    let abandoned = ledger::ingest::liveness::mark_abandoned(&state.db).await?;
    if !abandoned.is_empty() {
        eprintln!(
            "marked {} ingestion run(s) abandoned: {abandoned:?}",
            abandoned.len()
        );
    }
    if serve.demo {
        eprintln!("seeding demo data into {database_url} …");
        seed_demo(&state).await?;
    }
    let checkpoints = spawn_checkpoints(database_url.clone());
    let scheduler = if serve.schedule.no_schedule {
        None
    } else {
        Some(jobs::schedule::start(state.jobs.clone(), serve.schedule.crons()).await?)
    };
    let listener = TcpListener::bind(serve.addr)
        .await
        .with_context(|| format!("cannot listen on {}", serve.addr))?;
    let addr = listener.local_addr()?;
    println!("CogniTrack listening on http://{addr}  (GraphQL playground: http://{addr}/graphql)");
    let app = router(state.clone(), serve.frontend_dir.as_deref());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let mut server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    let signal = tokio::select! {
        signal = signals.received() => signal,
        served = &mut server => return served?.context("server error"),
    };
    let bound = Duration::from_secs(serve.shutdown_timeout_secs);
    tracing::info!(
        signal,
        bound_secs = bound.as_secs(),
        "stopping: no new requests, finishing work"
    );
    let _ = stop.send(());
    let drained = shutdown::drain(&state, server, scheduler, bound).await;
    checkpoints.abort();
    match drained {
        Ok(()) => {
            tracing::info!("stopped cleanly");
            Ok(())
        }
        Err(error) => {
            tracing::error!(%error, "unclean stop");
            Err(error.into())
        }
    }
}

/// SQLite's log checkpointed off the request path for as long as the
/// server runs (see `ledger::db::checkpoint_wal`).
fn spawn_checkpoints(url: String) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if let Err(error) = ledger::db::checkpoint_wal(&url, ledger::db::CHECKPOINT_EVERY).await {
            tracing::warn!(%error, "no background WAL checkpoints; commits checkpoint as SQLite does by default");
        }
    })
}

/// Checks every setting before the database is touched, then opens it.
async fn build_state(database_url: &str, jwt: JwtArgs, serve: &ServeArgs) -> Result<AppState> {
    let secret = match (jwt.jwt_secret, serve.demo) {
        (Some(secret), _) => secret,
        (None, true) => {
            let mut bytes = [0u8; 32];
            rand::rng().fill_bytes(&mut bytes);
            hex::encode(bytes)
        }
        (None, false) => bail!("COGNITRACK_JWT_SECRET is required to serve (or use --demo)"),
    };
    let cron_secret = serve.cron_secret.clone().filter(|s| !s.trim().is_empty());
    if cron_secret
        .as_deref()
        .is_some_and(crate::cron::is_placeholder)
    {
        bail!(
            "COGNITRACK_CRON_SECRET must be at least {} characters and not a placeholder",
            crate::cron::MIN_SECRET_LEN
        );
    }
    let settings = serve.schedule.settings.job_settings(&serve.prices)?;
    let otlp = serve.otlp.settings().map_err(anyhow::Error::msg)?;
    let limits = serve.limits.limits().map_err(anyhow::Error::msg)?;
    let providers = serve.providers.providers_config()?;
    let conn = open_prepared(database_url, &providers).await?;
    let clients = ProviderClients::new(providers)?;
    let rates = serve.rates.unit_rates();
    let mut state = AppState::new(
        conn,
        rates,
        secret.as_bytes(),
        cron_secret,
        clients,
        settings,
    )
    .await?;
    state.reads = ledger::db::connect_reads(database_url, &state.db).await?;
    state.otlp = std::sync::Arc::new(otlp);
    state.limits = std::sync::Arc::new(limits);
    state.metrics_token = serve
        .metrics_token
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(std::sync::Arc::from);
    Ok(state)
}

/// Opens the database and brings its rows up to this configuration: the
/// environment's default connections, and webhook secrets sealed.
async fn open_prepared(
    database_url: &str,
    providers: &ledger::providers::ProvidersConfig,
) -> Result<sea_orm::DatabaseConnection> {
    let conn = open_url(database_url).await?;
    ledger::providers::connections::ensure_env_connections(
        &conn,
        providers.openai_admin_key.as_ref(),
        providers.anthropic_admin_key.as_ref(),
    )
    .await?;
    if let Some(master) = &providers.master_key {
        let sealed = ledger::notify::seal_stored_secrets(&conn, master).await?;
        if sealed > 0 {
            tracing::info!(
                sealed,
                "sealed webhook signing secrets stored as plain text"
            );
        }
    }
    Ok(conn)
}

/// Demo data from the built-in simulator, a first reconciliation (so the
/// demo shows one before the daily job) and ready-made tokens.
async fn seed_demo(state: &AppState) -> Result<()> {
    let summary = sim::demo::seed(&state.db, &state.book)
        .await
        .context("demo seeding failed")?;
    state.jobs.run(JobName::Reconcile).await?;
    let day = chrono::Duration::days(1);
    println!(
        "CogniTrack demo: {} buckets ingested from the built-in simulator, {} sessions, {} interactions (connections demo-openai, demo-anthropic)",
        summary.buckets, summary.sessions, summary.interactions
    );
    println!(
        "viewer token: {}",
        state.jwt.mint("demo-viewer", Role::Viewer, day)?
    );
    println!(
        "admin token:  {}",
        state.jwt.mint("demo-admin", Role::Admin, day)?
    );
    Ok(())
}
