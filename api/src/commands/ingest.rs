//! `cognitrack ingest`: backfill provider usage for a range of UTC days.
use anyhow::{Result, bail};
use clap::Args;
use ledger::dates::DayRange;
use ledger::ingest::{IngestRequest, MAX_CHUNK_DAYS, RunReport, RunStatus};
use ledger::pricing::{PriceBook, UnitRates};
use ledger::providers::{ProviderClients, ProviderKind, connections};

use crate::cli::open;
use crate::config::{DbArgs, ProviderArgs};

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// openai or anthropic.
    #[arg(long)]
    provider: String,
    /// First UTC day, YYYY-MM-DD.
    #[arg(long)]
    start: String,
    /// Last UTC day, YYYY-MM-DD (included).
    #[arg(long)]
    end: String,
    /// Days fetched and stored per transaction (1-31).
    #[arg(long, default_value_t = 7)]
    chunk_days: u32,
    /// A label to find the run by.
    #[arg(long, default_value = "cli")]
    label: String,
    /// Fetch and report what would change, without writing usage.
    #[arg(long)]
    dry_run: bool,
    /// A named connection (default: the provider's only connection).
    #[arg(long)]
    connection: Option<String>,
    #[command(flatten)]
    providers: ProviderArgs,
    #[command(flatten)]
    db: DbArgs,
}

pub async fn run(args: IngestArgs) -> Result<()> {
    // Validate before touching the database or the network.
    let kind: ProviderKind = args.provider.parse()?;
    let range = DayRange::parse(&args.start, &args.end)?;
    if !(1..=MAX_CHUNK_DAYS).contains(&args.chunk_days) {
        bail!("--chunk-days must be between 1 and {MAX_CHUNK_DAYS}");
    }
    let config = args.providers.providers_config()?;
    let conn = open(&args.db).await?;
    let abandoned = ledger::ingest::liveness::mark_abandoned(&conn).await?;
    if !abandoned.is_empty() {
        eprintln!(
            "marked {} ingestion run(s) abandoned: {abandoned:?}",
            abandoned.len()
        );
    }
    connections::ensure_env_connections(
        &conn,
        config.openai_admin_key.as_ref(),
        config.anthropic_admin_key.as_ref(),
    )
    .await?;
    let target = connections::pick(&conn, kind, args.connection.as_deref()).await?;
    let clients = ProviderClients::new(config)?;
    let book = PriceBook::load(&conn, UnitRates::default()).await?;
    let mut request = IngestRequest::new(&target, range)?;
    request.chunk_days = args.chunk_days;
    request.label = args.label;
    request.dry_run = args.dry_run;
    let progress = crate::progress::IngestProgress::default();
    let report = ledger::ingest::run(&conn, &book, &clients, request, Some(&progress)).await;
    progress.finish();
    let report = report?;
    println!("{}", serde_json::to_string(&report)?);
    check(&report)
}

/// Exit 1 when any day failed; the JSON on stdout has the details.
fn check(report: &RunReport) -> Result<()> {
    if report.status == RunStatus::Succeeded {
        return Ok(());
    }
    let issues: Vec<String> = report
        .issue_counts
        .iter()
        .map(|(code, n)| format!("{code} x{n}"))
        .collect();
    bail!(
        "ingestion run {} {} (issues: {}); the JSON on stdout has the details",
        report.run_id,
        report.status.as_str(),
        issues.join(", ")
    )
}
