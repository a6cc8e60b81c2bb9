//! `perf run`: the load benchmark over a generated store. Starts the real
//! server on it and, for every issue #10 measure, times the server over
//! loopback and the same work straight on the database, in this run.
use std::sync::Arc;

use anyhow::{Context, Result};
use chrono::{DateTime, Days, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use super::measure::{Latencies, Rate};
use super::report::{Report, Row};
use super::server::Server;
use super::{backfill, explain, mock, reads, writes};

#[derive(Debug, Clone)]
pub struct Options {
    pub url: String,
    pub title: String,
    /// Server requests per latency figure.
    pub samples: usize,
    /// Runs of each raw read statement (a naive GROUP BY can take seconds).
    pub raw_samples: usize,
    pub batches: usize,
    /// One batch run per count of concurrent clients.
    pub clients: Vec<usize>,
    pub singles: usize,
    pub single_rate: u32,
    pub backfill_buckets: u64,
    /// Only the reads (the scaling curve).
    pub reads_only: bool,
}

/// The days the generator wrote, read back from the store.
#[derive(Debug, Clone, Copy)]
pub struct Span {
    pub first_archived: Option<NaiveDate>,
    pub first_hot: NaiveDate,
    pub last: NaiveDate,
}

async fn day_of(db: &DatabaseConnection, sql: &str) -> Result<Option<NaiveDate>> {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?;
    let at: Option<DateTime<Utc>> = match row {
        Some(row) => row.try_get("", "d")?,
        None => None,
    };
    Ok(at.map(|t| t.date_naive()))
}

pub async fn span(db: &DatabaseConnection) -> Result<Span> {
    Ok(Span {
        first_archived: day_of(
            db,
            "SELECT MIN(window_start) AS d FROM usage_bucket_archive",
        )
        .await?,
        first_hot: day_of(db, "SELECT MIN(window_start) AS d FROM usage_bucket")
            .await?
            .context("no buckets: run `perf generate` first")?,
        last: day_of(db, "SELECT MAX(window_start) AS d FROM usage_bucket")
            .await?
            .context("no buckets")?,
    })
}

fn latency_row(
    measure: String,
    target: &'static str,
    server: &Latencies,
    raw: &Latencies,
    q: f64,
) -> Row {
    Row {
        measure,
        target,
        server: server.summary(),
        raw: raw.summary(),
        ratio: server.ms(q) / raw.ms(q),
    }
}

pub async fn run(options: &Options) -> Result<Report> {
    let db = ledger::db::connect(&options.url).await.context("connect")?;
    let span = span(&db).await?;
    let backfill_data = backfill::data(options.backfill_buckets, span.last);
    let (mock_addr, mock_task) = mock::serve(&backfill_data).await?;
    let mock_base = format!("http://{mock_addr}/v1");
    let started = std::time::Instant::now();
    let server = Arc::new(Server::start(&options.url, &mock_base).await?);
    let mut report = Report {
        title: options.title.clone(),
        ..Report::default()
    };
    report.context.push(format!(
        "server start (migrations, rollup check) {:.1} s; data {} .. {}, archive from {:?}",
        started.elapsed().as_secs_f64(),
        span.first_hot,
        span.last,
        span.first_archived
    ));
    read_rows(&db, &server, options, span, &mut report).await?;
    if !options.reads_only {
        write_rows(&db, &server, options, &mut report).await?;
        backfill_row(&db, &server, &backfill_data, &mock_base, &mut report).await?;
    }
    let (rss, hwm) = server.rss()?;
    let sampled = server.peak_rss.load(std::sync::atomic::Ordering::Relaxed);
    report.rows.push(Row {
        measure: "server RSS during all of the above".into(),
        target: "< 300 MB",
        server: format!(
            "peak {:.0} MB (VmHWM), {:.0} MB at the end",
            hwm.max(sampled) as f64 / 1024.0,
            rss as f64 / 1024.0
        ),
        raw: "-".into(),
        ratio: f64::NAN,
    });
    mock_task.abort();
    if let Ok(server) = Arc::try_unwrap(server) {
        server.stop().await?;
    }
    Ok(report)
}

/// A year (or all the hot days, if fewer), ending on the last day.
fn year(span: Span) -> (NaiveDate, NaiveDate) {
    let from = (span.last - Days::new(364)).max(span.first_hot);
    (from, span.last)
}

async fn read_rows(
    db: &DatabaseConnection,
    server: &Server,
    o: &Options,
    span: Span,
    report: &mut Report,
) -> Result<()> {
    let backend = db.get_database_backend();
    let (from, to) = year(span);
    let days = (to - from).num_days() + 1;
    let served =
        reads::server_daily_usage(server, (from, to), &reads::daily_fields(), o.samples).await?;
    let dates_only =
        reads::server_daily_usage(server, (from, to), reads::DATE_ONLY, o.samples).await?;
    let naive = reads::naive_statement(backend, from, to, false)?;
    let rollup = reads::rollup_statement(db, from, to).await?;
    let raw = reads::raw_latencies(db, &naive, o.raw_samples).await?;
    let rolled = reads::raw_latencies(db, &rollup, o.samples).await?;
    report.context.push(format!(
        "dailyUsage rollup statement alone: {}",
        rolled.summary()
    ));
    report.context.push(format!(
        "dailyUsage over HTTP selecting only `date` of each row (the same statement and rows, almost no fields): {}",
        dates_only.summary()
    ));
    report.rows.push(latency_row(format!("`dailyUsage`, {days} days, 3 projects, by model (raw: naive GROUP BY over usage_bucket)"), "p95 < 25 ms", &served, &raw, 0.95));
    report.plans.push((
        "dailyUsage, the server's statement (usage_rollup)".into(),
        rollup.sql.clone(),
        explain::explain(db, &rollup).await?,
    ));
    report.plans.push((
        "dailyUsage, naive GROUP BY over usage_bucket".into(),
        naive.sql.clone(),
        explain::explain(db, &naive).await?,
    ));
    if let Some(first_archived) = span.first_archived {
        archive_row(db, server, o, span, first_archived, report).await?;
    }
    for case in reads::session_cases(backend, span.last)? {
        let served = reads::server_sessions(server, &case, o.samples).await?;
        let raw = reads::raw_latencies(db, &case.statement, o.samples).await?;
        report.rows.push(latency_row(
            format!("sessions page, first 50, {}", case.name),
            "p95 < 20 ms",
            &served,
            &raw,
            0.95,
        ));
        report.plans.push((
            format!("sessions page, {}", case.name),
            case.statement.sql.clone(),
            explain::explain(db, &case.statement).await?,
        ));
    }
    Ok(())
}

fn rate_row(measure: String, target: &'static str, server: Rate, raw: Rate) -> Row {
    Row {
        measure,
        target,
        server: server.summary(),
        raw: raw.summary(),
        ratio: raw.per_sec() / server.per_sec(),
    }
}

async fn write_rows(
    db: &DatabaseConnection,
    server: &Arc<Server>,
    o: &Options,
    report: &mut Report,
) -> Result<()> {
    let writer = Arc::new(writes::writer(server, 40).await?);
    let loads: Vec<(writes::Route, usize)> = [writes::Route::GraphQl, writes::Route::Json]
        .into_iter()
        .flat_map(|route| o.clients.iter().map(move |&clients| (route, clients)))
        .collect();
    let mut served = Vec::with_capacity(loads.len());
    for (run, &(route, clients)) in loads.iter().enumerate() {
        let rate =
            writes::server_batches(server, &writer, (route, o.batches, clients), run).await?;
        served.push((route, clients, rate));
    }
    let raw = writes::raw_batches(db, &writer, o.batches).await?;
    for (route, clients, served) in served {
        let what = match route {
            writes::Route::GraphQl => "`recordInteractions`",
            writes::Route::Json => "`POST /v1/interactions`",
        };
        report.rows.push(rate_row(
            format!("{what}, {} batches of 1,000, {clients} clients (raw: multi-row INSERT + session counters + batched rollup upserts, one transaction a batch, one connection)", o.batches),
            ">= 50,000/s SQLite, >= 20,000/s PostgreSQL, >= 50 % of raw",
            served,
            raw,
        ));
    }
    let (served, late) = writes::server_single(server, &writer, o.singles, o.single_rate).await?;
    report.context.push(format!(
        "single `recordInteraction`: how late the load generator sent each request after its scheduled time (not in the latency): {}",
        late.summary()
    ));
    let raw = writes::raw_single(db, &writer, o.singles).await?;
    let in_process = writes::ledger_single(db, &writer, o.singles).await?;
    report.context.push(format!(
        "single write through `ledger::tracking::record` in the benchmark's process (no HTTP, no GraphQL), back to back: {}",
        in_process.summary()
    ));
    report.rows.push(latency_row(
        format!("single `recordInteraction`, open loop at {}/s (raw: one-row transaction, back to back)", o.single_rate),
        "p99 < 5 ms",
        &served,
        &raw,
        0.99,
    ));
    Ok(())
}

async fn backfill_row(
    db: &DatabaseConnection,
    server: &Server,
    data: &mock::MockData,
    mock_base: &str,
    report: &mut Report,
) -> Result<()> {
    let raw = backfill::raw(db, data).await?;
    let (took, inserted) = backfill::server(server, data, mock_base).await?;
    report.rows.push(Row {
        measure: format!("{}-day backfill of {inserted} buckets from a local mock, `runIngestion` (raw: bulk INSERT + rollup rebuild)", backfill::DAYS),
        target: "< 10 s",
        server: format!("{:.2} s", took.as_secs_f64()),
        raw: format!("{:.2} s", raw.as_secs_f64()),
        ratio: took.as_secs_f64() / raw.as_secs_f64(),
    });
    Ok(())
}

/// `dailyUsage` over the 60 days around the archive cutoff.
async fn archive_row(
    db: &DatabaseConnection,
    server: &Server,
    o: &Options,
    span: Span,
    first_archived: NaiveDate,
    report: &mut Report,
) -> Result<()> {
    let backend = db.get_database_backend();
    let from = first_archived.max(span.first_hot - Days::new(30));
    let to = (span.first_hot + Days::new(29)).min(span.last);
    let served =
        reads::server_daily_usage(server, (from, to), &reads::daily_fields(), o.samples).await?;
    let naive = reads::naive_statement(backend, from, to, true)?;
    let raw = reads::raw_latencies(db, &naive, o.raw_samples).await?;
    report.rows.push(latency_row(
        format!(
            "`dailyUsage` {from} .. {to}, across the archive cutoff {}",
            span.first_hot
        ),
        "p95 < 100 ms",
        &served,
        &raw,
        0.95,
    ));
    report.plans.push((
        "dailyUsage across the archive, naive (hot UNION ALL archive)".into(),
        naive.sql.clone(),
        explain::explain(db, &naive).await?,
    ));
    Ok(())
}
