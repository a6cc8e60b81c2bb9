//! Load benchmark: ingestion from the simulated providers, tracked
//! interactions through GraphQL and as OTLP spans, and concurrent
//! `dailyUsage` reads, against the real router and a fresh database.
//! Prints a Markdown table.
//!
//!   cargo run --release -p e2e --bin bench              # SQLite
//!   cargo run --release -p e2e --bin bench -- postgres  # PostgreSQL
use std::time::{Duration, Instant};

use api::auth::Role;
use chrono::{Days, Utc};
use e2e::app::{AppOptions, Backend, TestApp, TestDb};
use ledger::dates::DayRange;
use ledger::ingest::{IngestRequest, MAX_CHUNK_DAYS};
use ledger::providers::{ProviderClients, ProviderKind, ProvidersConfig, RateLimit};
use serde_json::json;
use sim::{self as simulator, SimConfig};

const DAYS: u64 = 90;
const BATCHES: usize = 20;
const BATCH: usize = 1_000;
const CLIENTS: usize = 8;
/// OTLP: the SDK exporters' default batch size, and batches per run.
const SPAN_BATCH: usize = 512;
const SPAN_BATCHES: usize = 40;
/// Model calls per conversation (session) in the OTLP batches.
const CALLS_PER_CONVERSATION: usize = 8;
const REQUESTS_PER_CLIENT: usize = 100;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let backend = match std::env::args().nth(1).as_deref() {
        Some("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    };
    let app = TestApp::serve(TestDb::fresh(backend).await, AppOptions::default()).await;
    let mut lines = vec![format!("backend: {backend:?}")];
    let (line, range) = ingest(&app).await?;
    lines.push(line);
    lines.push(record_interactions(&app).await);
    lines.push(otlp_spans(&app).await?);
    lines.push(daily_usage_reads(&app, range).await?);

    println!("{}", lines[0]);
    println!("| what | volume | time | rate |\n|---|---|---|---|");
    for line in &lines[1..] {
        println!("{line}");
    }
    app.stop().await;
    Ok(())
}

/// Ingestion: every usage type and the costs of both providers over the
/// last [`DAYS`] days. Returns the table line and the range ingested.
async fn ingest(app: &TestApp) -> anyhow::Result<(String, DayRange)> {
    let (addr, _sim) = simulator::spawn(SimConfig::default()).await?;
    let clients = ProviderClients::new(ProvidersConfig {
        rate_limit: RateLimit::UNLIMITED,
        ..ProvidersConfig::default()
    })?;
    let today = Utc::now().date_naive();
    let range = DayRange::new(today - Days::new(DAYS), today - Days::new(1))?;
    let started = Instant::now();
    let mut rows = 0;
    let mut requests = 0;
    for (name, kind, base) in [
        ("oa", ProviderKind::OpenAi, format!("http://{addr}/v1")),
        ("an", ProviderKind::Anthropic, format!("http://{addr}")),
    ] {
        let connection =
            ledger::providers::connections::upsert_demo(&app.state.db, name, kind, &base).await?;
        let mut request = IngestRequest::new(&connection, range)?;
        request.chunk_days = MAX_CHUNK_DAYS;
        let report =
            ledger::ingest::run(&app.state.db, &app.state.book, &clients, request, None).await?;
        rows += report.rows_inserted;
        requests += report.requests;
    }
    let took = started.elapsed();
    let line = format!(
        "| ingest {DAYS} days, both providers | {rows} buckets, {requests} requests | {:.2} s | {:.0} buckets/s |",
        took.as_secs_f64(),
        rows as f64 / took.as_secs_f64()
    );
    Ok((line, range))
}

/// Tracking: batches of 1,000 interactions over GraphQL.
async fn record_interactions(app: &TestApp) -> String {
    let key = app.ingest_key().await;
    let session = app
        .ok(
            Some(&key),
            "mutation { startSession(input: {userId: \"bench\"}) { id } }",
            json!({}),
        )
        .await["startSession"]["id"]
        .clone();
    let record = "mutation($i: [InteractionInput!]!) { recordInteractions(inputs: $i) { id } }";
    let started = Instant::now();
    for batch in 0..BATCHES {
        let inputs: Vec<_> = (0..BATCH)
            .map(|n| {
                json!({"sessionId": session, "kind": "CHAT", "provider": "openai",
                    "model": "gpt-4o-mini-2024-07-18", "inputTokens": 1200, "outputTokens": 300,
                    "idempotencyKey": format!("{batch}-{n}")})
            })
            .collect();
        app.ok(Some(&key), record, json!({"i": inputs})).await;
    }
    let took = started.elapsed();
    let total = BATCHES * BATCH;
    format!(
        "| recordInteractions, {BATCHES} batches of {BATCH} | {total} interactions | {:.2} s | {:.0} interactions/s |",
        took.as_secs_f64(),
        total as f64 / took.as_secs_f64()
    )
}

/// OTLP/HTTP protobuf: batches of 512 GenAI chat spans (8 per
/// conversation), as the SDK exporters send them.
async fn otlp_spans(app: &TestApp) -> anyhow::Result<String> {
    use e2e::otlp::{Attr, PROTOBUF, attrs, post, protobuf, request, span};
    let key = app.ingest_key().await;
    let client = reqwest::Client::new();
    let url = app.url("/v1/traces");
    let start = u64::try_from(Utc::now().timestamp_nanos_opt().unwrap_or(0))?;
    let bodies: Vec<Vec<u8>> = (0..SPAN_BATCHES)
        .map(|batch| {
            let spans = (0..SPAN_BATCH)
                .map(|n| {
                    let id = (batch * SPAN_BATCH + n) as u64;
                    let conversation = format!("bench-{}", id / CALLS_PER_CONVERSATION as u64);
                    let mut s = span(
                        7,
                        id,
                        start + id * 1_000,
                        attrs(&[
                            ("gen_ai.provider.name", Attr::S("openai")),
                            ("gen_ai.operation.name", Attr::S("chat")),
                            ("gen_ai.request.model", Attr::S("gpt-4o-mini")),
                            ("gen_ai.response.model", Attr::S("gpt-4o-mini-2024-07-18")),
                            ("gen_ai.usage.input_tokens", Attr::I(1200)),
                            ("gen_ai.usage.output_tokens", Attr::I(300)),
                            ("gen_ai.conversation.id", Attr::Owned(conversation)),
                        ]),
                    );
                    s.trace_id[..8]
                        .copy_from_slice(&(id / CALLS_PER_CONVERSATION as u64).to_be_bytes());
                    s
                })
                .collect();
            protobuf(&request("bench", vec![], spans))
        })
        .collect();
    let started = Instant::now();
    for body in bodies {
        let response = post(&client, &url, Some(&key), PROTOBUF, body, false).await;
        anyhow::ensure!(response.status().is_success(), "HTTP {}", response.status());
    }
    let took = started.elapsed();
    let total = SPAN_BATCHES * SPAN_BATCH;
    Ok(format!(
        "| OTLP/HTTP protobuf, {SPAN_BATCHES} batches of {SPAN_BATCH} spans | {total} spans | {:.2} s | {:.0} spans/s |",
        took.as_secs_f64(),
        total as f64 / took.as_secs_f64()
    ))
}

const DAILY_USAGE: &str = "query($f: UsageFilter!) { dailyUsage(filter: $f, groupBy: [PROJECT, MODEL]) { date inputTokens costUsd } }";

/// Reads: concurrent clients asking for 90 days grouped by project and model.
async fn daily_usage_reads(app: &TestApp, range: DayRange) -> anyhow::Result<String> {
    let viewer = app.token(Role::Viewer);
    let vars = json!({"f": {"from": range.from.to_string(), "to": range.to.to_string()}});
    let url = app.url("/graphql");
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (url, viewer, vars) = (url.clone(), viewer.clone(), vars.clone());
        tasks.push(tokio::spawn(client_latencies(url, viewer, vars)));
    }
    let mut latencies: Vec<Duration> = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    let took = started.elapsed();
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    Ok(format!(
        "| dailyUsage 90 days by project and model, {CLIENTS} clients | {} requests | p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms | {:.0} requests/s |",
        latencies.len(),
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.95).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        latencies.len() as f64 / took.as_secs_f64()
    ))
}

/// One client's [`REQUESTS_PER_CLIENT`] sequential reads, timed each.
async fn client_latencies(
    url: String,
    viewer: String,
    vars: serde_json::Value,
) -> anyhow::Result<Vec<Duration>> {
    let client = reqwest::Client::new();
    let mut latencies = Vec::with_capacity(REQUESTS_PER_CLIENT);
    for _ in 0..REQUESTS_PER_CLIENT {
        let at = Instant::now();
        let response = client
            .post(&url)
            .bearer_auth(&viewer)
            .json(&json!({"query": DAILY_USAGE, "variables": vars}))
            .send()
            .await?;
        anyhow::ensure!(response.status().is_success(), "HTTP {}", response.status());
        response.bytes().await?;
        latencies.push(at.elapsed());
    }
    Ok(latencies)
}
