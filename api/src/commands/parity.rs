//! `cognitrack parity --provider openai --csv FILE --start D --end D
//! [--tolerance 0] [--tolerance-pct 0] [--format json|table]
//! [--as-of RFC3339]`: compare the stored figures (as they stood at
//! `--as-of`, if given) with a dashboard export and store the report.
//!
//! Exit status, for scripts: 0 within tolerance, 1 outside, 2 when the
//! input is bad (unreadable or malformed file, bad dates or tolerance,
//! unknown provider or connection) or the comparison could not run.
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use clap::{Args, ValueEnum};
use ledger::dates::DayRange;
use ledger::notify::{WebhookConfig, WebhookSender};
use ledger::parity::{
    Comparison, ExportKind, FieldDiff, ParityOutcome, ParityRequest, Tolerance, WindowFinding,
    WindowKey,
};
use ledger::usage::revisions::AsOf;
use rust_decimal::Decimal;

use crate::cli::open;
use crate::config::{DbArgs, MasterKeyArgs};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ParityFormat {
    /// One JSON object: the stored report.
    Json,
    /// A summary, the days and the findings, for people.
    Table,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ParityKind {
    /// A completions usage export (tokens and requests).
    Usage,
    /// A cost export (billed USD per project and line item).
    Cost,
}

/// Compare stored usage (or billed cost) with a provider's dashboard CSV
/// export, per UTC day and per project, API key, user, model, batch and
/// tier. Exits 0 within tolerance, 1 outside, 2 on bad input.
#[derive(Debug, Args)]
pub struct ParityArgs {
    /// The provider whose export this is: openai.
    #[arg(long)]
    pub provider: String,
    /// The exported CSV file (completions usage or cost).
    #[arg(long)]
    pub csv: PathBuf,
    /// First UTC day, YYYY-MM-DD.
    #[arg(long)]
    pub start: String,
    /// Last UTC day, YYYY-MM-DD (included).
    #[arg(long)]
    pub end: String,
    /// Absolute tolerance per field: tokens and requests, or USD for a
    /// cost export.
    #[arg(long, default_value = "0")]
    pub tolerance: Decimal,
    /// Relative tolerance per field, in percent of the provider's figure.
    /// A field within either tolerance matches.
    #[arg(long = "tolerance-pct", default_value = "0")]
    pub tolerance_pct: Decimal,
    #[arg(long, value_enum, default_value_t = ParityFormat::Json)]
    pub format: ParityFormat,
    /// A named connection (default: the provider's only connection).
    #[arg(long)]
    pub connection: Option<String>,
    /// What the file must be (default: its header decides).
    #[arg(long, value_enum)]
    pub kind: Option<ParityKind>,
    /// Compare a usage export with the ledger as it stood at this moment
    /// (RFC 3339, e.g. 2026-11-03T12:00:00Z): restated days in their
    /// version of then. Not in the future; not with a cost export.
    #[arg(long = "as-of")]
    pub as_of: Option<String>,
    /// Do not post a `parity.variance` event to the alert webhooks.
    #[arg(long)]
    pub no_alert: bool,
    /// Opens the webhooks' signing secrets for the alert.
    #[command(flatten)]
    pub master: MasterKeyArgs,
    #[command(flatten)]
    pub db: DbArgs,
}

/// The process exit status of a parity run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParityExit {
    Within,
    Outside,
    BadInput,
}

impl ParityExit {
    pub fn code(self) -> u8 {
        match self {
            Self::Within => 0,
            Self::Outside => 1,
            Self::BadInput => 2,
        }
    }
}

impl From<ParityExit> for ExitCode {
    fn from(exit: ParityExit) -> Self {
        ExitCode::from(exit.code())
    }
}

/// Runs the command and turns an error into one line on stderr and exit
/// status 2, so that 1 always means "outside tolerance".
pub async fn main(args: ParityArgs) -> ExitCode {
    match run(args).await {
        Ok(exit) => exit.into(),
        Err(error) => {
            eprintln!("error: {error:#}");
            ParityExit::BadInput.into()
        }
    }
}

/// Compares, stores the report, alerts, prints. `Err` is bad input (or a
/// failure to run at all); the caller exits 2.
pub async fn run(args: ParityArgs) -> Result<ParityExit> {
    // Everything that needs no database is checked first, so a typo
    // fails fast and never touches (or creates) the database.
    ledger::parity::check_provider(&args.provider)?;
    let range = DayRange::parse(&args.start, &args.end)?;
    let tolerance = Tolerance::new(args.tolerance, args.tolerance_pct)?;
    let as_of = args.as_of.as_deref().map(parse_as_of).transpose()?;
    let bytes = tokio::fs::read(&args.csv)
        .await
        .with_context(|| format!("cannot read {}", args.csv.display()))?;
    let file_name = args
        .csv
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let conn = open(&args.db).await?;
    let request = ParityRequest {
        provider: args.provider.clone(),
        connection: args.connection.clone(),
        range,
        tolerance,
        kind: args.kind.map(|k| match k {
            ParityKind::Usage => ExportKind::Usage,
            ParityKind::Cost => ExportKind::Cost,
        }),
        source: "cli".to_owned(),
        file_name,
        as_of,
    };
    let outcome = ledger::parity::run(&conn, &bytes, &request).await?;

    if !args.no_alert && !outcome.within_tolerance() {
        // The report is stored and the answer is known: a webhook that is
        // down is worth a warning, not a different exit status.
        let alerted = match (
            WebhookSender::new(WebhookConfig::default()),
            args.master.master_key(),
        ) {
            (Ok(sender), Ok(master)) => {
                let sender = sender.with_master_key(Some(master));
                ledger::parity::alert(&conn, &sender, &outcome).await
            }
            (Err(error), _) | (_, Err(error)) => Err(error),
        };
        match alerted {
            Ok(Some(d)) if d.failed > 0 => eprintln!(
                "warning: the parity alert reached {} of {} webhooks",
                d.delivered, d.webhooks
            ),
            Ok(_) => {}
            Err(error) => eprintln!("warning: the parity alert was not sent: {error}"),
        }
    }

    match args.format {
        ParityFormat::Json => println!("{}", serde_json::to_string(&json(&outcome)?)?),
        ParityFormat::Table => print!("{}", table(&outcome)),
    }
    Ok(if outcome.within_tolerance() {
        ParityExit::Within
    } else {
        ParityExit::Outside
    })
}

fn parse_as_of(text: &str) -> Result<AsOf> {
    let at = DateTime::parse_from_rfc3339(text)
        .with_context(|| format!("--as-of {text:?} is not an RFC 3339 moment"))?;
    Ok(AsOf::new(at.with_timezone(&Utc), Utc::now())?)
}

/// The stored summary plus the report's id.
fn json(outcome: &ParityOutcome) -> Result<serde_json::Value> {
    let mut value = serde_json::to_value(&outcome.summary)?;
    if let Some(object) = value.as_object_mut() {
        object.insert("report_id".to_owned(), outcome.report.id.into());
        object.insert(
            "created_at".to_owned(),
            outcome.report.created_at.to_rfc3339().into(),
        );
        object.insert(
            "as_of".to_owned(),
            outcome.report.as_of.map(|at| at.to_rfc3339()).into(),
        );
    }
    Ok(value)
}

/// Findings printed per kind in the table; the JSON has up to 200.
const TABLE_FINDINGS: usize = 20;

fn table(outcome: &ParityOutcome) -> String {
    let mut out = String::new();
    write_summary(&mut out, outcome);
    write_days(&mut out, &outcome.summary.comparison);
    write_findings(&mut out, &outcome.summary.comparison);
    out
}

/// What was compared with what, the window counts and the verdict.
fn write_summary(out: &mut String, outcome: &ParityOutcome) {
    use std::fmt::Write;

    let s = &outcome.summary;
    let c = &s.comparison;
    let _ = writeln!(
        out,
        "parity report {}: {} {} export {:?} vs connection {:?}, {}..{}",
        outcome.report.id,
        s.provider,
        s.kind.as_str(),
        s.file_name,
        s.connection,
        s.range_start,
        s.range_end
    );
    if let Some(at) = outcome.report.as_of {
        let _ = writeln!(out, "stored figures as of {}", at.to_rfc3339());
    }
    let _ = writeln!(
        out,
        "windows: csv {}  stored {}  matched {}  missing {}  extra {}  mismatched {}",
        c.csv_windows,
        c.stored_windows,
        c.matched_windows,
        c.missing_windows,
        c.extra_windows,
        c.mismatched_windows
    );
    let _ = writeln!(
        out,
        "result: {} (tolerance {} absolute, {}%)",
        if c.within_tolerance {
            "WITHIN tolerance"
        } else {
            "OUTSIDE tolerance"
        },
        s.tolerance,
        s.tolerance_pct
    );
}

/// Per day: the window counts and, for the first few fields, CSV and
/// stored totals; a full breakdown is in the JSON.
fn write_days(out: &mut String, c: &Comparison) {
    use std::fmt::Write;

    let shown: Vec<&String> = c.fields.iter().take(4).collect();
    let _ = write!(out, "\n{:<10}  {:>7}  {:>7}", "date", "csv", "stored");
    for field in &shown {
        let _ = write!(out, "  {:>29}", format!("{field} csv/stored"));
    }
    let _ = writeln!(out, "  ok");
    for day in &c.days {
        let _ = write!(
            out,
            "{:<10}  {:>7}  {:>7}",
            day.date.to_string(),
            day.csv_windows,
            day.stored_windows
        );
        for total in day.totals.iter().take(shown.len()) {
            let _ = write!(out, "  {:>29}", format!("{}/{}", total.csv, total.stored));
        }
        let _ = writeln!(out, "  {}", if day.within_tolerance { "yes" } else { "NO" });
    }
}

/// The first [`TABLE_FINDINGS`] windows of each kind of finding.
fn write_findings(out: &mut String, c: &Comparison) {
    use std::fmt::Write;

    for (title, list, total) in [
        (
            "missing (in the CSV, not stored)",
            &c.missing,
            c.missing_windows,
        ),
        ("extra (stored, not in the CSV)", &c.extra, c.extra_windows),
        ("mismatched", &c.mismatched, c.mismatched_windows),
    ] {
        if total == 0 {
            continue;
        }
        let _ = writeln!(out, "\n{title}: {total}");
        for finding in list.iter().take(TABLE_FINDINGS) {
            let _ = writeln!(out, "  {}", finding_line(finding));
        }
        if total as usize > TABLE_FINDINGS {
            let _ = writeln!(out, "  … {} more", total as usize - TABLE_FINDINGS);
        }
    }
}

fn finding_line(finding: &WindowFinding) -> String {
    let fields: Vec<String> = finding
        .fields
        .iter()
        .filter(|f| !f.difference.is_zero())
        .map(field_text)
        .collect();
    format!(
        "{} {} {}",
        finding.date,
        key_text(&finding.key),
        fields.join(" ")
    )
}

fn key_text(key: &WindowKey) -> String {
    [
        ("project", &key.project_id),
        ("key", &key.api_key_id),
        ("user", &key.user_id),
        ("model", &key.model),
        ("batch", &key.batch),
        ("tier", &key.service_tier),
        ("line_item", &key.line_item),
    ]
    .iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k}={v}"))
    .collect::<Vec<_>>()
    .join(" ")
}

fn field_text(f: &FieldDiff) -> String {
    format!("{}={}/{}", f.field, f.csv, f.stored)
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser, Subcommand};

    use super::*;

    /// The shape `api/src/cli.rs` wires: `Command::Parity(ParityArgs)`.
    #[derive(Parser)]
    struct Cli {
        #[command(subcommand)]
        command: Command,
    }

    #[derive(Subcommand)]
    enum Command {
        Parity(ParityArgs),
    }

    fn parse(args: &[&str]) -> Result<ParityArgs, clap::Error> {
        let mut all = vec!["cognitrack", "parity"];
        all.extend_from_slice(args);
        Cli::try_parse_from(all).map(|cli| match cli.command {
            Command::Parity(args) => args,
        })
    }

    #[test]
    fn arguments_parse_like_the_contract() {
        Cli::command().debug_assert();
        let args = parse(&[
            "--provider",
            "openai",
            "--csv",
            "usage.csv",
            "--start",
            "2026-01-01",
            "--end",
            "2026-02-04",
        ])
        .expect("minimal");
        assert_eq!(args.tolerance, Decimal::ZERO);
        assert_eq!(args.format, ParityFormat::Json);
        assert!(args.kind.is_none() && !args.no_alert);
        let args = parse(&[
            "--provider",
            "openai",
            "--csv",
            "cost.csv",
            "--start",
            "2026-01-01",
            "--end",
            "2026-01-01",
            "--tolerance",
            "0.01",
            "--tolerance-pct",
            "0.5",
            "--format",
            "table",
            "--kind",
            "cost",
            "--connection",
            "prod",
        ])
        .expect("full");
        assert_eq!(args.tolerance, Decimal::new(1, 2));
        assert_eq!(args.tolerance_pct, Decimal::new(5, 1));
        assert_eq!(args.format, ParityFormat::Table);
        assert_eq!(args.kind, Some(ParityKind::Cost));
        // clap refuses a malformed number itself, with exit status 2.
        let error = parse(&[
            "--provider",
            "openai",
            "--csv",
            "x.csv",
            "--start",
            "2026-01-01",
            "--end",
            "2026-01-01",
            "--tolerance",
            "lots",
        ])
        .err()
        .map(|e| e.exit_code());
        assert_eq!(error, Some(2));
        assert_eq!(ParityExit::Outside.code(), 1);
    }

    #[test]
    fn as_of_is_a_past_rfc3339_moment() {
        let minimal = [
            "--provider",
            "openai",
            "--csv",
            "u.csv",
            "--start",
            "2026-01-01",
        ];
        let mut args = minimal.to_vec();
        args.extend(["--end", "2026-01-01"]);
        assert!(parse(&args).expect("without").as_of.is_none());
        args.extend(["--as-of", "2026-01-05T10:00:00Z"]);
        let args = parse(&args).expect("with");
        assert_eq!(args.as_of.as_deref(), Some("2026-01-05T10:00:00Z"));
        assert!(parse_as_of("2026-01-05T10:00:00+02:00").is_ok());
        assert!(parse_as_of("2026-01-05").is_err());
        assert!(parse_as_of("2999-01-01T00:00:00Z").is_err());
    }
}
