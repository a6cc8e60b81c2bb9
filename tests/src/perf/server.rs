//! The real server as a child process (`target/release/cognitrack serve`)
//! on the generated database, its RSS read from /proc, and a GraphQL client.
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use api::auth::{JwtKeys, Role};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub const SECRET: &str = "perf-benchmark-secret-of-sufficient-length-0123";
/// The master key connections are sealed with (64 hex digits).
pub const MASTER_KEY: &str = "2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a";

pub struct Server {
    child: Child,
    pub pid: u32,
    pub url: String,
    /// `POST /v1/interactions`.
    pub interactions_url: String,
    pub admin: String,
    pub http: reqwest::Client,
    /// Highest VmRSS seen by the sampler, KiB.
    pub peak_rss: Arc<AtomicU64>,
    sampler: tokio::task::JoinHandle<()>,
}

/// `cognitrack` beside this binary, or `COGNITRACK_BIN`.
pub fn server_binary() -> Result<std::path::PathBuf> {
    match std::env::var_os("COGNITRACK_BIN") {
        Some(path) => Ok(path.into()),
        None => Ok(std::env::current_exe()?
            .parent()
            .context("binary directory")?
            .join("cognitrack")),
    }
}

impl Server {
    /// Starts `serve --no-schedule` on an ephemeral port over `database_url`
    /// with the tracking rate limit and provider rate limit out of the way
    /// (the benchmark measures the store, not the limiter).
    pub async fn start(database_url: &str, openai_base: &str) -> Result<Self> {
        let bin = server_binary()?;
        let mut child = Command::new(&bin)
            .args(["serve", "--no-schedule", "--addr", "127.0.0.1:0"])
            .env("DATABASE_URL", database_url)
            .env("COGNITRACK_JWT_SECRET", SECRET)
            .env("COGNITRACK_MASTER_KEY", MASTER_KEY)
            .env("COGNITRACK_INGEST_RATE", "1000000")
            .env("COGNITRACK_INGEST_BURST", "1000000")
            .env("COGNITRACK_PROVIDER_RPM", "0")
            .env("OPENAI_BASE_URL", openai_base)
            .env("RUST_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("start {}", bin.display()))?;
        let pid = child.id().context("server pid")?;
        let addr = listening_address(&mut child).await?;
        let peak_rss = Arc::new(AtomicU64::new(0));
        let sampler = tokio::spawn(sample_rss(pid, peak_rss.clone()));
        let admin = JwtKeys::new(SECRET.as_bytes()).mint(
            "perf-admin",
            Role::Admin,
            chrono::Duration::hours(6),
        )?;
        Ok(Self {
            child,
            pid,
            url: format!("http://{addr}/graphql"),
            interactions_url: format!("http://{addr}/v1/interactions"),
            admin,
            http: reqwest::Client::builder()
                .pool_max_idle_per_host(64)
                .build()?,
            peak_rss,
            sampler,
        })
    }

    pub async fn gql(&self, bearer: &str, query: &str, variables: Value) -> Result<Value> {
        gql(&self.http, &self.url, bearer, query, variables).await
    }

    /// A request whose JSON body was serialized beforehand: a write load
    /// then spends the client's CPU, on the same two cores as the server,
    /// on sending and not on building bodies.
    pub async fn post_json(&self, bearer: &str, body: Vec<u8>) -> Result<Value> {
        self.post_to(&self.url, bearer, body).await
    }

    /// [`post_json`](Self::post_json) to `POST /v1/interactions`.
    pub async fn post_interactions(&self, bearer: &str, body: Vec<u8>) -> Result<Value> {
        self.post_to(&self.interactions_url, bearer, body).await
    }

    async fn post_to(&self, url: &str, bearer: &str, body: Vec<u8>) -> Result<Value> {
        let response = self
            .http
            .post(url)
            .bearer_auth(bearer)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await?;
        let status = response.status();
        answer(status, response.bytes().await?.as_ref())
    }

    /// One request timed from its send to the answer's last byte, the
    /// answer parsed and checked after the clock stops: turning a year of
    /// rows into JSON values (and dropping them) is the client's work,
    /// a few milliseconds the server's latency does not include.
    pub async fn timed_gql(
        &self,
        bearer: &str,
        query: &str,
        variables: Value,
    ) -> Result<(Duration, Value)> {
        let body = json!({ "query": query, "variables": variables });
        let started = std::time::Instant::now();
        let (status, bytes) = send(&self.http, &self.url, bearer, &body).await?;
        let took = started.elapsed();
        Ok((took, answer(status, bytes.as_ref())?))
    }

    /// (current VmRSS, VmHWM) in KiB.
    pub fn rss(&self) -> Result<(u64, u64)> {
        Ok((
            status_kib(self.pid, "VmRSS:")?,
            status_kib(self.pid, "VmHWM:")?,
        ))
    }

    pub async fn stop(mut self) -> Result<()> {
        self.sampler.abort();
        self.child.kill().await?;
        Ok(())
    }
}

async fn listening_address(child: &mut Child) -> Result<String> {
    let stdout = child.stdout.take().context("stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let found = tokio::time::timeout(Duration::from_secs(600), async {
        while let Some(line) = lines.next_line().await? {
            if let Some(rest) = line.split("listening on http://").nth(1) {
                return Ok::<_, anyhow::Error>(Some(
                    rest.split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_owned(),
                ));
            }
        }
        Ok(None)
    })
    .await
    .context("the server did not listen within 10 minutes")??;
    // Keep draining so the server never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    match found {
        Some(addr) if !addr.is_empty() => Ok(addr),
        _ => bail!("the server exited before listening"),
    }
}

pub async fn gql(
    http: &reqwest::Client,
    url: &str,
    bearer: &str,
    query: &str,
    variables: Value,
) -> Result<Value> {
    let body = json!({ "query": query, "variables": variables });
    let (status, bytes) = send(http, url, bearer, &body).await?;
    answer(status, bytes.as_ref())
}

/// Posts `body` and reads the whole answer.
async fn send(
    http: &reqwest::Client,
    url: &str,
    bearer: &str,
    body: &Value,
) -> Result<(reqwest::StatusCode, impl AsRef<[u8]> + use<>)> {
    let response = http.post(url).bearer_auth(bearer).json(body).send().await?;
    let status = response.status();
    Ok((status, response.bytes().await?))
}

/// The `data` of a GraphQL answer; an error when it has errors.
fn answer(status: reqwest::StatusCode, bytes: &[u8]) -> Result<Value> {
    let mut body: Value =
        serde_json::from_slice(bytes).with_context(|| format!("HTTP {status}: not JSON"))?;
    if let Some(errors) = body.get("errors") {
        bail!("GraphQL errors (HTTP {status}): {errors}");
    }
    Ok(body["data"].take())
}

fn status_kib(pid: u32, field: &str) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with(field))
        .with_context(|| format!("{field} in /proc/{pid}/status"))?;
    Ok(line
        .split_whitespace()
        .nth(1)
        .context("rss value")?
        .parse()?)
}

async fn sample_rss(pid: u32, peak: Arc<AtomicU64>) {
    loop {
        if let Ok(kib) = status_kib(pid, "VmRSS:") {
            peak.fetch_max(kib, Ordering::Relaxed);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
