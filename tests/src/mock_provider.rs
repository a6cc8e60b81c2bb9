//! A local mock of the providers' admin APIs: the built-in simulator
//! behind a fault-injecting, request-logging middleware, served over real
//! HTTP on 127.0.0.1:0.
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate};
use ledger::dates::{midnight, next_day};
use serde_json::{Value, json};
use sim::{self as simulator, SimConfig, Simulator};
use tokio::task::JoinHandle;

/// What to do to a matching request.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer with this status, headers and a provider-style error body.
    Status {
        status: u16,
        headers: Vec<(&'static str, String)>,
    },
    /// Wait this long before answering (the client should time out first).
    Hang(Duration),
    /// Serve only the first half of the real body.
    Truncate,
    /// Replace `next_page` (and set `has_more`).
    NextPage(Value),
    /// Move the first bucket's start by this many seconds (a partial bucket).
    ShiftFirstBucket(i64),
    /// Repeat the first bucket.
    DuplicateFirstBucket,
    /// Empty the results of the bucket of this day (the provider restated
    /// the day to nothing).
    EmptyDay(NaiveDate),
    /// Restate the bucket of this day: 1,000 more output tokens on every
    /// result and the last result dropped (late usage and a corrected line).
    RestateDay(NaiveDate),
    /// In hourly pages only, 7 more output tokens on the first result of
    /// this day's 12:00 hour: hours that no longer sum to the daily bucket.
    HourlyDrift(NaiveDate),
}

#[derive(Debug, Clone)]
pub struct Rule {
    /// Matches when the request path contains this.
    pub path: &'static str,
    /// Matches only requests whose time window covers this day.
    pub day: Option<NaiveDate>,
    /// How many times it fires; `None` = always.
    pub times: Option<u32>,
    pub fault: Fault,
}

impl Rule {
    pub fn new(path: &'static str, fault: Fault) -> Self {
        Self {
            path,
            day: None,
            times: None,
            fault,
        }
    }
    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }
    pub fn on_day(mut self, day: NaiveDate) -> Self {
        self.day = Some(day);
        self
    }
}

/// One request as the mock saw it.
#[derive(Debug, Clone)]
pub struct Logged {
    pub path: String,
    /// The raw (still percent-encoded) query string.
    pub raw_query: String,
    pub params: Vec<(String, String)>,
    pub status: u16,
    pub headers: Vec<(String, String)>,
}

impl Logged {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct Shared {
    rules: Mutex<Vec<Rule>>,
    log: Mutex<Vec<Logged>>,
    /// Signalled when a request starts hanging, so a test can act at that
    /// exact point (kill the client) instead of guessing with a sleep.
    hung: tokio::sync::Notify,
}

pub struct MockProvider {
    pub addr: SocketAddr,
    pub sim: Simulator,
    shared: Arc<Shared>,
    handle: JoinHandle<()>,
}

impl MockProvider {
    pub async fn start(config: SimConfig) -> Self {
        let sim = Simulator::new(config);
        let shared = Arc::new(Shared::default());
        let router = sim
            .router()
            .layer(middleware::from_fn_with_state(shared.clone(), inject));
        let (addr, handle) = simulator::serve(router).await.expect("bind mock provider");
        Self {
            addr,
            sim,
            shared,
            handle,
        }
    }

    pub fn openai_base(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    pub fn anthropic_base(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn inject(&self, rule: Rule) {
        self.shared.rules.lock().expect("rules").push(rule);
    }

    pub fn clear_faults(&self) {
        self.shared.rules.lock().expect("rules").clear();
    }

    pub fn requests(&self) -> Vec<Logged> {
        self.shared.log.lock().expect("log").clone()
    }

    /// Returns once a [`Fault::Hang`] has caught a request (at once if one
    /// already has).
    pub async fn hung(&self) {
        self.shared.hung.notified().await;
    }

    pub fn clear_log(&self) {
        self.shared.log.lock().expect("log").clear();
    }

    pub fn stop(self) {
        self.handle.abort();
    }
}

/// The `[start, end)` window a request asks for, in Unix seconds.
fn window(params: &[(String, String)]) -> Option<(i64, i64)> {
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if let Some(start) = get("start_time") {
        let start = start.parse().ok()?;
        let end = get("end_time")
            .and_then(|v| v.parse().ok())
            .unwrap_or(i64::MAX);
        return Some((start, end));
    }
    let at = |v: &str| DateTime::parse_from_rfc3339(v).ok().map(|t| t.timestamp());
    let start = at(get("starting_at")?)?;
    let end = get("ending_at").and_then(at).unwrap_or(i64::MAX);
    Some((start, end))
}

fn take_fault(shared: &Shared, path: &str, params: &[(String, String)]) -> Option<Fault> {
    let mut rules = shared.rules.lock().ok()?;
    let window = window(params);
    let rule = rules.iter_mut().find(|rule| {
        let day_ok = match (rule.day, window) {
            (None, _) => true,
            (Some(day), Some((start, end))) => {
                midnight(day).timestamp() < end && midnight(next_day(day)).timestamp() > start
            }
            (Some(_), None) => false,
        };
        path.contains(rule.path) && day_ok && rule.times != Some(0)
    })?;
    if let Some(n) = rule.times.as_mut() {
        *n -= 1;
    }
    Some(rule.fault.clone())
}

async fn inject(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let raw_query = request.uri().query().unwrap_or("").to_owned();
    let params: Vec<(String, String)> = serde_urlencoded_pairs(&raw_query);
    let headers = request
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let fault = take_fault(&shared, &path, &params);
    let response = match fault {
        None => next.run(request).await,
        Some(Fault::Status { status, headers }) => {
            let status = StatusCode::from_u16(status).expect("status");
            let body = json!({"error": {"message": "injected failure", "type": "server_error", "param": null, "code": null}});
            let mut response = (status, axum::Json(body)).into_response();
            for (name, value) in headers {
                response.headers_mut().insert(
                    HeaderName::from_static(name),
                    HeaderValue::from_str(&value).expect("header"),
                );
            }
            response
        }
        Some(Fault::Hang(wait)) => {
            shared.hung.notify_one();
            tokio::time::sleep(wait).await;
            next.run(request).await
        }
        Some(fault) => {
            let response = next.run(request).await;
            let (parts, body) = response.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            let bytes = match fault {
                Fault::Truncate => bytes.slice(0..bytes.len() / 2),
                other => rewrite(&bytes, &other),
            };
            let mut parts = parts;
            parts.headers.remove(axum::http::header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(bytes))
        }
    };
    shared.log.lock().expect("log").push(Logged {
        path,
        raw_query,
        params,
        status: response.status().as_u16(),
        headers,
    });
    response
}

fn rewrite(bytes: &[u8], fault: &Fault) -> axum::body::Bytes {
    let Ok(mut page) = serde_json::from_slice::<Value>(bytes) else {
        return axum::body::Bytes::copy_from_slice(bytes);
    };
    match fault {
        Fault::NextPage(value) => {
            page["has_more"] = json!(true);
            page["next_page"] = value.clone();
        }
        Fault::ShiftFirstBucket(seconds) => {
            if let Some(first) = page["data"].get_mut(0) {
                if let Some(start) = first["start_time"].as_i64() {
                    first["start_time"] = json!(start + seconds);
                } else if let Some(start) = first["starting_at"].as_str() {
                    let shifted = DateTime::parse_from_rfc3339(start).expect("time")
                        + chrono::Duration::seconds(*seconds);
                    first["starting_at"] = json!(shifted.to_rfc3339());
                }
            }
        }
        Fault::DuplicateFirstBucket => {
            if let Some(data) = page["data"].as_array_mut()
                && let Some(first) = data.first().cloned()
            {
                data.push(first);
            }
        }
        Fault::EmptyDay(day) => {
            for bucket in buckets_of(&mut page, *day) {
                bucket["results"] = json!([]);
            }
        }
        Fault::RestateDay(day) => restate_day(&mut page, *day),
        Fault::HourlyDrift(day) => hourly_drift(&mut page, *day),
        _ => {}
    }
    axum::body::Bytes::from(serde_json::to_vec(&page).expect("json"))
}

/// [`Fault::RestateDay`]. Hourly pages are restated alike, so their hours
/// still sum to the restated day: the last row leaves every hour of the
/// day, the late tokens land in its first hour.
fn restate_day(page: &mut Value, day: NaiveDate) {
    let (start, end) = (
        midnight(day).timestamp(),
        midnight(next_day(day)).timestamp(),
    );
    let Some(data) = page["data"].as_array_mut() else {
        return;
    };
    for bucket in data {
        let Some((from, to)) = span(bucket) else {
            continue;
        };
        let hour_of_day = to - from == 3600 && (start..end).contains(&from);
        if from != start && !hour_of_day {
            continue;
        }
        if let Some(results) = bucket["results"].as_array_mut() {
            results.pop();
            if from != start {
                continue;
            }
            for result in results {
                if let Some(output) = result["output_tokens"].as_i64() {
                    result["output_tokens"] = json!(output + 1000);
                }
            }
        }
    }
}

/// [`Fault::HourlyDrift`].
fn hourly_drift(page: &mut Value, day: NaiveDate) {
    let noon = midnight(day).timestamp() + 12 * 3600;
    let Some(data) = page["data"].as_array_mut() else {
        return;
    };
    for bucket in data {
        let hour = bucket["start_time"].as_i64() == Some(noon)
            && bucket["end_time"].as_i64() == Some(noon + 3600);
        if let Some(output) = bucket["results"][0]["output_tokens"].as_i64()
            && hour
        {
            bucket["results"][0]["output_tokens"] = json!(output + 7);
        }
    }
}

/// A bucket's start and end in Unix seconds, in either provider's shape.
fn span(bucket: &Value) -> Option<(i64, i64)> {
    let at = |name: &str| {
        bucket[name]
            .as_str()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.timestamp())
    };
    match (bucket["start_time"].as_i64(), bucket["end_time"].as_i64()) {
        (Some(from), Some(to)) => Some((from, to)),
        _ => Some((at("starting_at")?, at("ending_at")?)),
    }
}

/// The buckets of a page (either provider's shape) that start on `day`.
fn buckets_of(page: &mut Value, day: NaiveDate) -> Vec<&mut Value> {
    let start = midnight(day).timestamp();
    let Some(data) = page["data"].as_array_mut() else {
        return Vec::new();
    };
    data.iter_mut()
        .filter(|bucket| span(bucket).is_some_and(|(from, _)| from == start))
        .collect()
}

/// Decodes `a=1&b=%2B` into pairs (what any server framework would see).
fn serde_urlencoded_pairs(raw: &str) -> Vec<(String, String)> {
    axum::extract::Query::<Vec<(String, String)>>::try_from_uri(
        &format!("/?{raw}").parse().expect("uri"),
    )
    .map(|q| q.0)
    .unwrap_or_default()
}
