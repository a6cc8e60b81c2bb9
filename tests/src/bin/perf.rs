//! Issue #10's measuring tools.
//!
//!   perf generate --db URL --buckets N --interactions M --days D [--archive-days A]
//!   perf run --db URL [--title T] [--out FILE] [--reads-only] …
//!
//! `generate` writes a realistic store with bulk SQL (not the API) on
//! SQLite or PostgreSQL (the URL says which); `run` starts the release
//! `cognitrack serve` beside this binary (or `COGNITRACK_BIN`) on it and
//! prints a Markdown table: each figure over HTTP next to the same work
//! done straight on the database in the same run. `scripts/bench` runs
//! both over the whole scale curve and rewrites BENCHMARKS.md.
use std::io::Write as _;

use anyhow::{Context, Result};
use chrono::{Days, Utc};
use clap::{Parser, Subcommand};
use e2e::perf::{generate, run};

#[derive(Parser)]
#[command(name = "perf")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the store at --db and fill it (it should be empty).
    Generate {
        #[arg(long)]
        db: String,
        #[arg(long, default_value_t = 1_000_000)]
        buckets: u64,
        #[arg(long, default_value_t = 10_000_000)]
        interactions: u64,
        #[arg(long, default_value_t = 365)]
        days: u64,
        /// Days before the hot range written straight to the archive table.
        #[arg(long, default_value_t = 30)]
        archive_days: u64,
    },
    /// The load benchmark over a generated store.
    Run(RunArgs),
}

#[derive(clap::Args)]
struct RunArgs {
    #[arg(long)]
    db: String,
    #[arg(long, default_value = "perf run")]
    title: String,
    /// Append the table (and, to FILE.plans, the query plans) to FILE.
    #[arg(long)]
    out: Option<std::path::PathBuf>,
    #[arg(long, default_value_t = 200)]
    samples: usize,
    #[arg(long, default_value_t = 20)]
    raw_samples: usize,
    #[arg(long, default_value_t = 50)]
    batches: usize,
    /// Concurrent clients of the batch load, one run per count: on
    /// PostgreSQL two leave the cores partly idle (each batch waits on its
    /// commit and on the other's session and rollup row locks).
    #[arg(long, value_delimiter = ',', default_values_t = [2, 4])]
    clients: Vec<usize>,
    #[arg(long, default_value_t = 1_000)]
    singles: usize,
    #[arg(long, default_value_t = 200)]
    single_rate: u32,
    #[arg(long, default_value_t = 100_000)]
    backfill_buckets: u64,
    #[arg(long)]
    reads_only: bool,
}

#[tokio::main]
async fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Generate {
            db,
            buckets,
            interactions,
            days,
            archive_days,
        } => {
            let conn = ledger::db::connect(&db).await.context("connect")?;
            ledger::db::migrate(&conn).await.context("migrate")?;
            let plan = generate::Plan {
                buckets,
                interactions,
                days,
                archive_days,
                last_day: Utc::now().date_naive() - Days::new(1),
            };
            let written = generate::generate(&conn, &plan).await?;
            println!(
                "generated {} buckets (+{} archived), {} sessions, {} interactions in {:.1} s",
                written.buckets,
                written.archived_buckets,
                written.sessions,
                written.interactions,
                written.seconds
            );
            Ok(())
        }
        Command::Run(args) => run_bench(args).await,
    }
}

async fn run_bench(args: RunArgs) -> Result<()> {
    anyhow::ensure!(
        args.clients.iter().all(|&c| c > 0),
        "--clients: every count must be at least 1"
    );
    let options = run::Options {
        url: args.db,
        title: args.title,
        samples: args.samples,
        raw_samples: args.raw_samples,
        batches: args.batches,
        clients: args.clients,
        singles: args.singles,
        single_rate: args.single_rate,
        backfill_buckets: args.backfill_buckets,
        reads_only: args.reads_only,
    };
    let report = run::run(&options).await?;
    let (table, plans) = (report.markdown(), report.plans_markdown());
    println!("{table}\n{plans}");
    if let Some(path) = args.out {
        let append = |path: &std::path::Path, text: &str| -> Result<()> {
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .with_context(|| format!("open {}", path.display()))?;
            writeln!(file, "{text}")?;
            Ok(())
        };
        append(&path, &table)?;
        let mut plans_path = path.into_os_string();
        plans_path.push(".plans");
        append(std::path::Path::new(&plans_path), &plans)?;
    }
    Ok(())
}
