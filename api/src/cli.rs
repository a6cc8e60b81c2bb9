//! The `cognitrack` command line. User mistakes end in one clear line on
//! stderr and a non-zero exit, never a panic.
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use crate::config::{DbArgs, JwtArgs, ServeArgs};

/// CogniTrack: a self-hosted ledger of LLM usage and cost, per UTC day.
#[derive(Parser)]
#[command(name = "cognitrack", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once per process; boxing `serve`'s settings would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Migrate, then serve GraphQL at /graphql (playground on GET), the
    /// dashboard at / and health at /healthz.
    Serve {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        jwt: JwtArgs,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Apply pending database migrations and exit.
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Print a signed API token (JWT) for a person or a script.
    Token(crate::commands::token::TokenArgs),
    /// Backfill provider usage for the UTC days start..end (both included);
    /// prints the run's telemetry as one JSON object. Exits 1 when any day failed.
    Ingest(crate::commands::ingest::IngestArgs),
    /// Compare stored usage (or billed cost) with a provider's dashboard CSV
    /// export; exits 0 within tolerance, 1 outside, 2 on bad input.
    Parity(crate::commands::parity::ParityArgs),
    /// Move rows older than the retention window to archive tables (prints
    /// JSON counts); `archive restore --from D --to D` moves them back.
    Archive(crate::commands::archive::ArchiveArgs),
    /// Run one scheduled job now, as the scheduler would (under its lease),
    /// and print its report as JSON. Exits 1 when the job reports a failure.
    Job(crate::commands::job::JobArgs),
    /// Refresh or print the price book.
    #[command(subcommand)]
    Pricing(crate::commands::pricing::PricingCommand),
    /// Manage the keys applications use to report sessions.
    #[command(name = "ingest-key", subcommand)]
    IngestKey(crate::commands::ingest_key::IngestKeyCommand),
}

pub async fn run() -> ExitCode {
    let cli = Cli::parse();
    crate::ops::logs::init();
    // parity has its own exit statuses: 1 = outside tolerance, 2 = bad input.
    if let Command::Parity(args) = cli.command {
        return crate::commands::parity::main(args).await;
    }
    match dispatch(cli.command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn dispatch(command: Command) -> Result<()> {
    use crate::commands;
    match command {
        Command::Serve { db, jwt, serve } => commands::serve::run(db, jwt, serve).await,
        // Handled in `run` for its exit statuses.
        Command::Parity(args) => commands::parity::run(args).await.map(|_| ()),
        Command::Archive(args) => commands::archive::run(args).await,
        Command::Migrate { db } => {
            open(&db).await?;
            eprintln!("database is up to date");
            Ok(())
        }
        Command::Token(args) => commands::token::run(args),
        Command::Ingest(args) => commands::ingest::run(args).await,
        Command::Job(args) => commands::job::run(args).await,
        Command::Pricing(command) => commands::pricing::run(command).await,
        Command::IngestKey(command) => commands::ingest_key::run(command).await,
    }
}

pub(crate) async fn open(db: &DbArgs) -> Result<sea_orm::DatabaseConnection> {
    open_url(&db.database_url).await
}

/// Connects and applies pending migrations.
pub(crate) async fn open_url(url: &str) -> Result<sea_orm::DatabaseConnection> {
    let conn = ledger::db::connect(url)
        .await
        .context("cannot open the database")?;
    ledger::db::migrate(&conn)
        .await
        .context("migration failed")?;
    Ok(conn)
}
