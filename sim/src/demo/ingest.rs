//! Demo data: the built-in simulator as two demo connections, ingested
//! through the real engine so every view shows the real code path.
use std::time::Duration;

use chrono::{Days, Utc};
use sea_orm::DatabaseConnection;

use crate::{self as simulator, SimConfig};
use ledger::dates::DayRange;
use ledger::ingest::{IngestRequest, MAX_CHUNK_DAYS, RunReport, run};
use ledger::pricing::PriceBook;
use ledger::providers::connections;
use ledger::providers::{ProviderClients, ProviderKind, ProvidersConfig, RateLimit, RetryPolicy};
use ledger::{Error, Result};

pub const DEMO_OPENAI: &str = "demo-openai";
pub const DEMO_ANTHROPIC: &str = "demo-anthropic";

/// Starts the simulator on 127.0.0.1 (it keeps running in the background
/// for the life of the runtime, so scheduled re-pulls of the demo
/// connections keep working), points `demo-openai` / `demo-anthropic`
/// (`is_demo = true`) at it and ingests the last `days` UTC days, today
/// included.
pub async fn seed_demo(
    db: &DatabaseConnection,
    book: &PriceBook,
    days: u32,
) -> Result<Vec<RunReport>> {
    let (addr, _detached) = simulator::spawn(SimConfig::default())
        .await
        .map_err(|e| Error::Internal(format!("cannot start the demo simulator: {e}")))?;
    seed_demo_with(db, book, &format!("http://{addr}"), days).await
}

/// [`seed_demo`] against a simulator already listening at `base` (`http://host:port`).
pub async fn seed_demo_with(
    db: &DatabaseConnection,
    book: &PriceBook,
    base: &str,
    days: u32,
) -> Result<Vec<RunReport>> {
    let days = days.clamp(1, 365);
    let clients = ProviderClients::new(ProvidersConfig {
        // A local simulator needs no politeness and no patience.
        rate_limit: RateLimit::UNLIMITED,
        retry: RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(10),
            ..RetryPolicy::default()
        },
        ..ProvidersConfig::default()
    })?;
    let today = Utc::now().date_naive();
    let from = today
        .checked_sub_days(Days::new(u64::from(days) - 1))
        .unwrap_or(today);
    let range = DayRange::new(from, today)?;
    let mut reports = Vec::new();
    for (name, provider, url) in [
        (DEMO_OPENAI, ProviderKind::OpenAi, format!("{base}/v1")),
        (DEMO_ANTHROPIC, ProviderKind::Anthropic, base.to_owned()),
    ] {
        let connection = connections::upsert_demo(db, name, provider, &url).await?;
        let mut request = IngestRequest::new(&connection, range)?;
        request.label = "demo".to_owned();
        request.chunk_days = MAX_CHUNK_DAYS;
        reports.push(run(db, book, &clients, request, None).await?);
        // Names for every id the demo shows.
        ledger::providers::inventory::store::refresh(db, &clients, &connection).await?;
    }
    Ok(reports)
}
