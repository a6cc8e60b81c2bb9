//! `cognitrack archive [--older-than-days N] [--dry-run]` and
//! `cognitrack archive restore --from D --to D`: move old rows to the
//! archive tables and back; one JSON object of counts on stdout.
use anyhow::Result;
use clap::{Args, Subcommand};
use indicatif::ProgressBar;
use ledger::archive::{self, ArchiveOptions, ArchiveReport, DEFAULT_BATCH_SIZE};
use serde_json::{Value, json};

use crate::cli::open;
use crate::config::DbArgs;

/// Move sessions (with their interactions and costs) and usage buckets
/// older than the retention window to the archive tables. Queries still
/// see them. Prints the counts moved as JSON.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ArchiveArgs {
    #[command(subcommand)]
    pub command: Option<ArchiveCommand>,
    /// Archive the UTC days more than this many days before today.
    #[arg(
        long,
        env = "COGNITRACK_RETENTION_DAYS",
        default_value_t = archive::DEFAULT_RETENTION_DAYS,
        allow_negative_numbers = true
    )]
    pub older_than_days: i64,
    /// Count what would move; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub batches: BatchArgs,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Clone, Args)]
pub struct BatchArgs {
    /// Rows per transaction.
    #[arg(long, default_value_t = DEFAULT_BATCH_SIZE)]
    pub batch_size: u64,
    /// Stop after this many batches; running again continues.
    #[arg(long)]
    pub max_batches: Option<u64>,
}

#[derive(Debug, Subcommand)]
pub enum ArchiveCommand {
    /// Move archived rows of the UTC days from..to (both included) back to
    /// the hot tables: buckets of those days, and the sessions that started
    /// on them with all their interactions.
    Restore {
        /// First UTC day, YYYY-MM-DD.
        #[arg(long)]
        from: String,
        /// Last UTC day, YYYY-MM-DD (included).
        #[arg(long)]
        to: String,
        /// Count what would move; change nothing.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        batches: BatchArgs,
        #[command(flatten)]
        db: DbArgs,
    },
}

/// Draws a spinner on a terminal only, so scripts get clean output.
struct Spinner(ProgressBar);

impl archive::Progress for Spinner {
    fn batch_done(&self, r: &ArchiveReport) {
        self.0.set_message(format!(
            "{} batches: {} buckets, {} superseded, {} sessions, {} interactions",
            r.batches, r.usage_buckets, r.superseded_buckets, r.sessions, r.interactions
        ));
        self.0.tick();
    }
}

pub async fn run(args: ArchiveArgs) -> Result<()> {
    let (report, context) = match args.command {
        None => {
            // Validate before touching the database.
            let today = chrono::Utc::now().date_naive();
            let cutoff = archive::cutoff_for(today, args.older_than_days)?;
            let options = options(args.dry_run, &args.batches);
            let conn = open(&args.db).await?;
            let spinner = Spinner(ProgressBar::new_spinner());
            let report = jobs::archive::archive_now(&conn, cutoff, &options, Some(&spinner)).await;
            spinner.0.finish_and_clear();
            (report?, json!({ "cutoff": cutoff.to_string() }))
        }
        Some(ArchiveCommand::Restore {
            from,
            to,
            dry_run,
            batches,
            db,
        }) => {
            let range = ledger::dates::DayRange::parse(&from, &to)?;
            let options = options(dry_run, &batches);
            let conn = open(&db).await?;
            let spinner = Spinner(ProgressBar::new_spinner());
            let report = jobs::archive::restore(&conn, range, &options, Some(&spinner)).await;
            spinner.0.finish_and_clear();
            (
                report?,
                json!({ "from": range.from.to_string(), "to": range.to.to_string() }),
            )
        }
    };
    let mut out = serde_json::to_value(&report)?;
    if let (Value::Object(out), Value::Object(context)) = (&mut out, context) {
        out.extend(context);
    }
    println!("{out}");
    Ok(())
}

fn options(dry_run: bool, batches: &BatchArgs) -> ArchiveOptions {
    ArchiveOptions {
        batch_size: batches.batch_size,
        dry_run,
        max_batches: batches.max_batches,
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(subcommand)]
        archive: Top,
    }

    #[derive(Subcommand)]
    enum Top {
        Archive(ArchiveArgs),
    }

    fn parse(args: &[&str]) -> Result<ArchiveArgs, clap::Error> {
        let Top::Archive(args) =
            Cli::try_parse_from(["cognitrack", "archive"].iter().chain(args))?.archive;
        Ok(args)
    }

    #[test]
    fn parses_archive_and_restore() {
        let run = parse(&["--older-than-days", "30", "--dry-run"]).expect("archive");
        assert_eq!(run.older_than_days, 30);
        assert!(run.dry_run && run.command.is_none());
        // Negative days reach the validation and its one-line message.
        assert_eq!(
            parse(&["--older-than-days", "-3"])
                .expect("parses")
                .older_than_days,
            -3
        );
        let restore =
            parse(&["restore", "--from", "2025-01-01", "--to", "2025-01-31"]).expect("restore");
        assert!(matches!(
            restore.command,
            Some(ArchiveCommand::Restore { ref from, .. }) if from == "2025-01-01"
        ));
        assert!(parse(&["restore", "--from", "2025-01-01"]).is_err());
    }
}
