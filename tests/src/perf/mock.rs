//! A local OpenAI usage API serving a fixed set of completions buckets
//! (every other usage type and the costs empty), one day a page, with no
//! rate limit. Pages are rendered before the clock starts, so the backfill
//! measures the ingestion, not the mock.
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Result;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use serde_json::json;

use super::generate::Tokens;
use super::shape::{self, Combo};

/// One bucket the mock serves.
pub struct MockRow {
    pub combo: Combo,
    pub tokens: Tokens,
}

pub struct MockData {
    pub first_day: NaiveDate,
    /// Per day, its rows.
    pub days: Vec<Vec<MockRow>>,
}

struct Served {
    first: i64,
    /// Per day, the `results` array as JSON text.
    results: Vec<String>,
}

fn result_json(row: &MockRow) -> serde_json::Value {
    let t = &row.tokens;
    let c = &row.combo;
    json!({
        "object": "organization.usage.completions.result",
        "input_tokens": t.input, "input_cached_tokens": t.cached, "input_cache_write_tokens": 0,
        "input_uncached_tokens": t.input - t.cached, "output_tokens": t.output,
        "input_text_tokens": t.input, "output_text_tokens": t.output,
        "input_cached_text_tokens": t.cached, "input_audio_tokens": 0,
        "input_cached_audio_tokens": 0, "output_audio_tokens": 0, "input_image_tokens": 0,
        "input_cached_image_tokens": 0, "output_image_tokens": 0,
        "num_model_requests": t.requests, "project_id": shape::key_project(c.key),
        "user_id": c.user.map(shape::user), "api_key_id": shape::api_key(c.key),
        "model": c.model.name, "batch": c.batch, "service_tier": c.tier,
    })
}

/// Serves `data` on 127.0.0.1; the base URL to give a connection is
/// `http://{addr}/v1`.
pub async fn serve(data: &MockData) -> Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let results = data
        .days
        .iter()
        .map(|rows| serde_json::to_string(&rows.iter().map(result_json).collect::<Vec<_>>()))
        .collect::<Result<Vec<_>, _>>()?;
    let served = Arc::new(Served {
        first: ledger::dates::midnight(data.first_day).timestamp(),
        results,
    });
    let router = Router::new()
        .route("/v1/organization/usage/{usage_type}", get(usage))
        .route("/v1/organization/costs", get(empty))
        .with_state(served);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    let handle = tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, router).await {
            eprintln!("mock provider stopped: {error}");
        }
    });
    Ok((addr, handle))
}

const DAY: i64 = 86_400;

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn span(params: &[(String, String)]) -> (i64, i64) {
    let start = param(params, "start_time")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let end = param(params, "end_time")
        .and_then(|v| v.parse().ok())
        .unwrap_or(start + DAY);
    (start, end)
}

fn bucket(start: i64, results: &str) -> String {
    format!(
        r#"{{"object":"bucket","start_time":{start},"end_time":{},"results":{results}}}"#,
        start + DAY
    )
}

fn page(buckets: &[String], next: Option<i64>) -> Response {
    let next_page = next.map_or("null".to_owned(), |n| format!("\"d{n}\""));
    let body = format!(
        r#"{{"object":"page","data":[{}],"has_more":{},"next_page":{next_page}}}"#,
        buckets.join(","),
        next.is_some()
    );
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

/// Completions: one day a page (a cursor names the next day); any other
/// usage type: every day of the window at once, empty.
async fn usage(
    State(served): State<Arc<Served>>,
    Path(usage_type): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    let (start, end) = span(&params);
    if usage_type != "completions" {
        return empty(Query(params)).await;
    }
    let at = param(&params, "page")
        .and_then(|p| p.strip_prefix('d'))
        .and_then(|d| d.parse().ok())
        .unwrap_or(start);
    let index = (at - served.first).div_euclid(DAY);
    let results = usize::try_from(index)
        .ok()
        .and_then(|i| served.results.get(i))
        .map_or("[]", String::as_str);
    let next = (at + DAY < end).then_some(at + DAY);
    page(&[bucket(at, results)], next)
}

async fn empty(Query(params): Query<Vec<(String, String)>>) -> Response {
    let (start, end) = span(&params);
    let buckets: Vec<String> = (0..(end - start).div_euclid(DAY))
        .map(|d| bucket(start + d * DAY, "[]"))
        .collect();
    page(&buckets, None)
}
