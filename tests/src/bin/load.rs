//! Load generator: starts the real server (`cognitrack serve --demo`, the
//! demo data on SQLite, no scheduled jobs) and drives it over loopback
//! with concurrent clients: 75 % dashboard reads (`dailyUsage` over 30 to
//! 365 days, the sessions page) and 25 % tracking writes (small
//! `recordInteractions` batches). Prints requests/s, errors by HTTP status
//! and GraphQL code, p50/p95/p99 of reads and writes, and the server's RSS.
//!
//!   cargo build --release -p api --bin cognitrack -p e2e --bin load
//!   target/release/load [clients] [seconds]      # default 200 clients, 60 s
//!
//! The server binary is the `cognitrack` beside this one (or
//! `COGNITRACK_BIN`).
use std::collections::BTreeMap;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use api::auth::{JwtKeys, Role};
use chrono::{Days, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::Mutex;

const SECRET: &str = "load-generator-secret-of-sufficient-length-0123";
const DAILY_USAGE: &str = "query($f: UsageFilter!, $g: [UsageDimension!]) { dailyUsage(filter: $f, groupBy: $g) { date inputTokens outputTokens costUsd } }";
const SESSIONS: &str = "query($first: Int) { sessions(first: $first) { edges { node { id userId interactionCount totalCostUsd } } } }";
const RECORD: &str = "mutation($i: [InteractionInput!]!) { recordInteractions(inputs: $i) { id } }";

/// One request's kind, latency and outcome (`ok`, `http 503`, a GraphQL
/// error code, or a transport error).
struct Sample {
    write: bool,
    latency: Duration,
    outcome: String,
}

/// What each client needs to speak to the server.
struct Target {
    url: String,
    viewer: String,
    ingest_key: String,
    sessions: Vec<String>,
    deadline: Instant,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let clients: usize = args.next().map_or(Ok(200), |a| a.parse())?;
    let seconds: u64 = args.next().map_or(Ok(60), |a| a.parse())?;
    let (mut server, addr) = start_server().await?;
    let pid = server.id().context("server pid")?;
    let target = Arc::new(prepare(&addr, clients, seconds).await?);
    let rss_before = rss_kib(pid)?;
    let peak = Arc::new(Mutex::new(rss_before));
    let sampler = tokio::spawn(sample_rss(pid, peak.clone()));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(clients);
    for n in 0..clients {
        tasks.push(tokio::spawn(client(target.clone(), n as u64)));
    }
    let mut samples = Vec::new();
    for task in tasks {
        samples.extend(task.await??);
    }
    let took = started.elapsed();
    sampler.abort();
    let rss_after = rss_kib(pid)?;
    let rss_peak = (*peak.lock().await).max(rss_after);
    server.kill().await?;
    report(&samples, took, clients, [rss_before, rss_peak, rss_after]);
    Ok(())
}

/// `cognitrack serve --demo` on an ephemeral port; returns once it listens.
async fn start_server() -> anyhow::Result<(Child, String)> {
    let bin = match std::env::var_os("COGNITRACK_BIN") {
        Some(path) => path.into(),
        None => std::env::current_exe()?
            .parent()
            .context("binary directory")?
            .join("cognitrack"),
    };
    let mut child = Command::new(&bin)
        .args(["serve", "--demo", "--no-schedule", "--addr", "127.0.0.1:0"])
        .env("COGNITRACK_JWT_SECRET", SECRET)
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("start {}", bin.display()))?;
    let stdout = child.stdout.take().context("stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    while let Some(line) = lines.next_line().await? {
        if !line.contains("token") {
            eprintln!("server: {line}");
        }
        if let Some(rest) = line.split("listening on http://").nth(1) {
            let addr = rest
                .split_whitespace()
                .next()
                .context("address")?
                .to_owned();
            tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
            return Ok((child, addr));
        }
    }
    bail!("the server exited before listening")
}

/// Tokens, an ingest key and one session per client.
async fn prepare(addr: &str, clients: usize, seconds: u64) -> anyhow::Result<Target> {
    let url = format!("http://{addr}/graphql");
    let keys = JwtKeys::new(SECRET.as_bytes());
    let admin = keys.mint("load-admin", Role::Admin, chrono::Duration::hours(2))?;
    let viewer = keys.mint("load-viewer", Role::Viewer, chrono::Duration::hours(2))?;
    let http = reqwest::Client::new();
    let created = gql(
        &http,
        &url,
        &admin,
        "mutation { createIngestKey(name: \"load\") { key } }",
        json!({}),
    )
    .await?;
    let ingest_key = created["createIngestKey"]["key"]
        .as_str()
        .context("ingest key")?
        .to_owned();
    let mut sessions = Vec::with_capacity(clients);
    for n in 0..clients {
        let started = gql(
            &http,
            &url,
            &ingest_key,
            "mutation($u: String!) { startSession(input: {userId: $u}) { id } }",
            json!({"u": format!("load-user-{}", n % 20)}),
        )
        .await?;
        sessions.push(
            started["startSession"]["id"]
                .as_str()
                .context("session")?
                .to_owned(),
        );
    }
    Ok(Target {
        url,
        viewer,
        ingest_key,
        sessions,
        deadline: Instant::now() + Duration::from_secs(seconds),
    })
}

/// A GraphQL request that must succeed; returns `data`.
async fn gql(
    http: &reqwest::Client,
    url: &str,
    bearer: &str,
    query: &str,
    variables: Value,
) -> anyhow::Result<Value> {
    let body: Value = http
        .post(url)
        .bearer_auth(bearer)
        .json(&json!({"query": query, "variables": variables}))
        .send()
        .await?
        .json()
        .await?;
    if let Some(errors) = body.get("errors") {
        bail!("{query}: {errors}");
    }
    Ok(body["data"].clone())
}

/// One client: requests back to back until the deadline.
async fn client(target: Arc<Target>, n: u64) -> anyhow::Result<Vec<Sample>> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()?;
    let mut rng = StdRng::seed_from_u64(n);
    let session = target.sessions[n as usize % target.sessions.len()].clone();
    let mut samples = Vec::new();
    let mut seq = 0u64;
    while Instant::now() < target.deadline {
        let write = rng.random_bool(0.25);
        let (bearer, body) = if write {
            seq += 1;
            (&target.ingest_key, write_body(&mut rng, &session, n, seq))
        } else {
            (&target.viewer, read_body(&mut rng))
        };
        let at = Instant::now();
        let outcome = send(&http, &target.url, bearer, &body).await;
        samples.push(Sample {
            write,
            latency: at.elapsed(),
            outcome,
        });
    }
    Ok(samples)
}

fn read_body(rng: &mut StdRng) -> Value {
    if rng.random_bool(0.7) {
        let days = rng.random_range(30..=365u64);
        let to = Utc::now().date_naive() - Days::new(1);
        let from = to - Days::new(days - 1);
        let groups = [json!([]), json!(["MODEL"]), json!(["PROJECT", "MODEL"])];
        let g = groups[rng.random_range(0..groups.len())].clone();
        json!({"query": DAILY_USAGE, "variables": {
            "f": {"from": from.to_string(), "to": to.to_string()}, "g": g}})
    } else {
        json!({"query": SESSIONS, "variables": {"first": 50}})
    }
}

fn write_body(rng: &mut StdRng, session: &str, client: u64, seq: u64) -> Value {
    let size = rng.random_range(1..=10);
    let inputs: Vec<Value> = (0..size)
        .map(|i| {
            json!({"sessionId": session, "kind": "CHAT", "provider": "openai",
                "model": "gpt-4o-mini-2024-07-18",
                "inputTokens": rng.random_range(100..5_000), "outputTokens": rng.random_range(10..1_000),
                "idempotencyKey": format!("load-{client}-{seq}-{i}")})
        })
        .collect();
    json!({"query": RECORD, "variables": {"i": inputs}})
}

/// Sends one request; the outcome is `ok`, `http <status>`, the first
/// GraphQL error code, or `transport`.
async fn send(http: &reqwest::Client, url: &str, bearer: &str, body: &Value) -> String {
    let response = match http.post(url).bearer_auth(bearer).json(body).send().await {
        Ok(response) => response,
        Err(error) if error.is_timeout() => return "client timeout".to_owned(),
        Err(_) => return "transport".to_owned(),
    };
    let status = response.status();
    let Ok(body) = response.json::<Value>().await else {
        return format!("http {} (no JSON)", status.as_u16());
    };
    if !status.is_success() {
        return format!("http {}", status.as_u16());
    }
    match body["errors"][0]["extensions"]["code"].as_str() {
        Some(code) => format!("graphql {code}"),
        None if body.get("errors").is_some() => "graphql (no code)".to_owned(),
        None => "ok".to_owned(),
    }
}

/// The server's resident set (`VmRSS`), in KiB.
fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .context("VmRSS")?;
    Ok(line
        .split_whitespace()
        .nth(1)
        .context("VmRSS value")?
        .parse()?)
}

async fn sample_rss(pid: u32, peak: Arc<Mutex<u64>>) {
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    loop {
        tick.tick().await;
        if let Ok(kib) = rss_kib(pid) {
            let mut peak = peak.lock().await;
            *peak = (*peak).max(kib);
        }
    }
}

fn report(samples: &[Sample], took: Duration, clients: usize, rss: [u64; 3]) {
    let secs = took.as_secs_f64();
    println!(
        "clients {clients}, {:.1} s, {} requests, {:.0} requests/s",
        secs,
        samples.len(),
        samples.len() as f64 / secs
    );
    let mut outcomes: BTreeMap<(&str, &str), u64> = BTreeMap::new();
    for s in samples {
        let kind = if s.write { "write" } else { "read" };
        *outcomes.entry((kind, s.outcome.as_str())).or_default() += 1;
    }
    for ((kind, outcome), n) in &outcomes {
        println!("  {kind:5} {outcome}: {n}");
    }
    for (name, write) in [("reads", false), ("writes", true)] {
        let mut ok: Vec<Duration> = samples
            .iter()
            .filter(|s| s.write == write && s.outcome == "ok")
            .map(|s| s.latency)
            .collect();
        ok.sort();
        if ok.is_empty() {
            println!("{name}: none succeeded");
            continue;
        }
        let pct = |p: f64| ok[((ok.len() as f64 * p) as usize).min(ok.len() - 1)];
        println!(
            "{name} (ok): {} ({:.0}/s), p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            ok.len(),
            ok.len() as f64 / secs,
            pct(0.50).as_secs_f64() * 1e3,
            pct(0.95).as_secs_f64() * 1e3,
            pct(0.99).as_secs_f64() * 1e3,
            ok[ok.len() - 1].as_secs_f64() * 1e3
        );
    }
    let mib = |kib: u64| kib as f64 / 1024.0;
    println!(
        "server RSS: {:.1} MiB before, {:.1} MiB peak (sampled every 0.5 s), {:.1} MiB after",
        mib(rss[0]),
        mib(rss[1]),
        mib(rss[2])
    );
}
