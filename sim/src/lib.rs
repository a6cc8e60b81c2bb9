//! A built-in simulated provider: an axum router that serves the OpenAI
//! usage/costs endpoints and the Anthropic usage/cost reports with
//! realistic, deterministic data for any day. The demo ingests from it and
//! the tests wrap it with fault injection.
//!
//! Base URLs: OpenAI `http://ADDR/v1`, Anthropic `http://ADDR`.
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};
use tokio::task::JoinHandle;

pub mod costs;
pub mod data;
pub mod demo;
pub mod inventory;

pub use data::{ExpectedRow, SimRow};

use ledger::dates::{midnight, next_day};
use ledger::providers::ProviderKind;
use ledger::providers::anthropic::{COST_PATH, MESSAGES_GROUP_BY, MESSAGES_PATH};
use ledger::providers::openai::USAGE_ENDPOINTS;

const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;

#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Varies every number; the same seed always gives the same data.
    pub seed: u64,
    /// The admin key clients must present; `None` accepts any non-empty key.
    pub required_key: Option<String>,
    /// Days that report no usage (empty buckets), like a provider on a
    /// quiet day.
    pub empty_days: Vec<NaiveDate>,
    /// Serve at most this many buckets per page whatever `limit` says (the
    /// APIs may return fewer than asked); makes pagination visible.
    pub page_size_cap: Option<u32>,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            seed: 0x00C0_6017_12AC,
            required_key: None,
            empty_days: Vec::new(),
            page_size_cap: None,
        }
    }
}

/// The simulated organisations. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Simulator {
    config: Arc<SimConfig>,
}

impl Simulator {
    pub fn new(config: SimConfig) -> Self {
        Self {
            config: Arc::new(config),
        }
    }

    /// Finest-grain OpenAI rows of one usage type on one day.
    pub fn openai_rows(&self, day: NaiveDate, usage_type: &str) -> Vec<SimRow> {
        if self.config.empty_days.contains(&day) {
            return Vec::new();
        }
        data::openai_rows(self.config.seed, day, usage_type)
    }

    pub fn anthropic_rows(&self, day: NaiveDate) -> Vec<SimRow> {
        if self.config.empty_days.contains(&day) {
            return Vec::new();
        }
        data::anthropic_rows(self.config.seed, day)
    }

    /// What an ingestion of `day` must store, one row per series, in the
    /// ledger's own terms (input = all input).
    pub fn expected(&self, provider: ProviderKind, day: NaiveDate) -> Vec<ExpectedRow> {
        match provider {
            ProviderKind::OpenAi => USAGE_ENDPOINTS
                .iter()
                .flat_map(|(usage_type, _)| {
                    self.openai_rows(day, usage_type)
                        .into_iter()
                        .map(move |row| data::expected_openai(usage_type, day, &row))
                })
                .collect(),
            ProviderKind::Anthropic => self
                .anthropic_rows(day)
                .iter()
                .map(|row| data::expected_anthropic(day, row))
                .collect(),
        }
    }

    /// The router serving both providers.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/v1/organization/usage/{usage_type}", get(openai_usage))
            .route("/v1/organization/costs", get(openai_costs))
            .route(MESSAGES_PATH, get(anthropic_messages))
            .route(COST_PATH, get(anthropic_costs))
            .route("/_sim/expected", get(expected))
            .with_state(self.clone())
            .merge(inventory::router(
                self,
                inventory::SimInventory::default().shared(),
            ))
    }
}

pub fn router(config: SimConfig) -> Router {
    Simulator::new(config).router()
}

/// Serves `router` on 127.0.0.1 with an OS-chosen port. The task runs until
/// aborted or the runtime stops.
pub async fn serve(router: Router) -> std::io::Result<(SocketAddr, JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    let handle = tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, router).await {
            tracing::warn!("simulator stopped: {error}");
        }
    });
    Ok((addr, handle))
}

/// Starts a simulator on 127.0.0.1:0.
pub async fn spawn(config: SimConfig) -> std::io::Result<(SocketAddr, JoinHandle<()>)> {
    serve(router(config)).await
}

/// Query pairs, accepting both `group_by[]=a` and repeated `group_by=a`.
struct Params(Vec<(String, String)>);

impl Params {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    fn all(&self, name: &str) -> Vec<String> {
        let bracketed = format!("{name}[]");
        self.0
            .iter()
            .filter(|(k, _)| *k == name || *k == bracketed)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Flavor {
    OpenAi,
    Anthropic,
}

/// A provider-style error answer.
struct Reject {
    flavor: Flavor,
    status: StatusCode,
    kind: &'static str,
    message: String,
}

impl IntoResponse for Reject {
    fn into_response(self) -> Response {
        let (kind, message) = (self.kind, self.message);
        let body = match self.flavor {
            Flavor::OpenAi => {
                json!({"error": {"message": message, "type": kind, "param": null, "code": null}})
            }
            Flavor::Anthropic => {
                json!({"type": "error", "error": {"type": kind, "message": message}, "request_id": "req_sim"})
            }
        };
        (self.status, Json(body)).into_response()
    }
}

fn error(flavor: Flavor, status: StatusCode, kind: &'static str, message: &str) -> Reject {
    Reject {
        flavor,
        status,
        kind,
        message: message.to_owned(),
    }
}

fn bad_request(flavor: Flavor, message: &str) -> Reject {
    error(
        flavor,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        message,
    )
}

impl Simulator {
    /// A window's billed cost lines; none on a simulated quiet day.
    fn cost_rows(&self, w: &Window, rows: fn(u64, NaiveDate) -> Vec<SimRow>) -> Vec<SimRow> {
        match day_of(w.start) {
            Some(day) if !self.config.empty_days.contains(&day) => rows(self.config.seed, day),
            _ => Vec::new(),
        }
    }

    fn check_key(&self, flavor: Flavor, headers: &HeaderMap) -> Result<(), Reject> {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let presented = match flavor {
            Flavor::OpenAi => header("authorization").and_then(|v| v.strip_prefix("Bearer ")),
            Flavor::Anthropic => {
                if header("anthropic-version").is_none() {
                    return Err(bad_request(flavor, "anthropic-version header is required"));
                }
                header("x-api-key")
            }
        };
        let ok = match (presented, &self.config.required_key) {
            (None, _) => false,
            (Some(key), Some(required)) => key == required,
            (Some(key), None) => !key.is_empty(),
        };
        if ok {
            Ok(())
        } else {
            Err(error(
                flavor,
                StatusCode::UNAUTHORIZED,
                match flavor {
                    Flavor::OpenAi => "invalid_request_error",
                    Flavor::Anthropic => "authentication_error",
                },
                "Incorrect API key provided.",
            ))
        }
    }
}

/// One page of windows `[start, end)` of the requested width: the first
/// may be partial when `start` is not on a boundary (as OpenAI does),
/// later ones are whole days (or hours).
struct Window {
    start: i64,
    end: i64,
    hourly: bool,
}

impl Window {
    /// The usage of this window out of its day's `rows`: the whole day, or
    /// the hour's share of it; scaled down when the window is partial.
    fn usage(&self, rows: Vec<SimRow>) -> Vec<SimRow> {
        if self.hourly {
            let hour = self.start.rem_euclid(DAY) / HOUR;
            let rows = data::hour_share(rows, hour);
            data::scale_part(rows, self.end - self.start, HOUR)
        } else {
            data::scale(rows, self.end - self.start)
        }
    }
}

/// Which bucket widths an endpoint serves: usage takes hours too, costs
/// only days.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Widths {
    DayOnly,
    DayOrHour,
}

struct PageOf {
    windows: Vec<Window>,
    next: Option<String>,
}

/// Cursors are `page_` + standard base64 of a fixed prefix and the next
/// bucket start: they always contain `+`, `/` and `=`, which a client must
/// percent-encode to pass back intact.
fn encode_cursor(start: i64) -> String {
    let mut bytes = vec![0xFB, 0xEF, 0xBE, 0xFF, 0xFF, 0xFF];
    bytes.extend_from_slice(&start.to_be_bytes());
    format!("page_{}", STANDARD.encode(bytes))
}

fn decode_cursor(cursor: &str) -> Option<i64> {
    let bytes = STANDARD.decode(cursor.strip_prefix("page_")?).ok()?;
    let (prefix, ts) = bytes.split_at_checked(6)?;
    if prefix != [0xFB, 0xEF, 0xBE, 0xFF, 0xFF, 0xFF] {
        return None;
    }
    Some(i64::from_be_bytes(ts.try_into().ok()?))
}

fn paginate(
    sim: &Simulator,
    flavor: Flavor,
    params: &Params,
    start: i64,
    end: i64,
    max_limit: u32,
    widths: Widths,
) -> Result<PageOf, Reject> {
    let (hourly, step) = match (params.get("bucket_width"), widths) {
        (None | Some("1d"), _) => (false, DAY),
        (Some("1h"), Widths::DayOrHour) => (true, HOUR),
        (Some(_), Widths::DayOrHour) => {
            return Err(bad_request(
                flavor,
                "bucket_width must be 1d or 1h (the simulator serves no minutes)",
            ));
        }
        (Some(_), Widths::DayOnly) => {
            return Err(bad_request(flavor, "bucket_width must be 1d"));
        }
    };
    let limit = if hourly {
        page_limit(sim, flavor, params, 24, 168)?
    } else {
        page_limit(sim, flavor, params, 7, max_limit)?
    };
    let limit = i64::from(limit);
    let mut from = start;
    if let Some(cursor) = params.get("page") {
        match decode_cursor(cursor) {
            Some(at) if at >= start && at < end => from = at,
            _ => return Err(bad_request(flavor, "invalid page cursor")),
        }
    }
    let mut windows = Vec::new();
    let mut at = from;
    while at < end && (windows.len() as i64) < limit {
        let boundary = (at.div_euclid(step) + 1) * step;
        let stop = boundary.min(end);
        windows.push(Window {
            start: at,
            end: stop,
            hourly,
        });
        at = stop;
    }
    let next = (at < end).then(|| encode_cursor(at));
    Ok(PageOf { windows, next })
}

/// The `limit` a list request asked for (`default` without one), within
/// `1..=max_limit`, and no more than the configured page-size cap.
fn page_limit(
    sim: &Simulator,
    flavor: Flavor,
    params: &Params,
    default: u32,
    max_limit: u32,
) -> Result<u32, Reject> {
    let limit = match params.get("limit") {
        None => default,
        Some(text) => match text.parse::<u32>() {
            Ok(n) if (1..=max_limit).contains(&n) => n,
            _ => {
                return Err(bad_request(
                    flavor,
                    &format!("limit must be 1..{max_limit}"),
                ));
            }
        },
    };
    Ok(match sim.config.page_size_cap {
        Some(cap) => limit.min(cap.max(1)),
        None => limit,
    })
}

fn day_of(ts: i64) -> Option<NaiveDate> {
    DateTime::from_timestamp(ts, 0).map(|t| t.date_naive())
}

/// Default end when the client gives none: the end of today (UTC).
fn end_of_today() -> i64 {
    midnight(next_day(Utc::now().date_naive())).timestamp()
}

fn openai_range(params: &Params, flavor: Flavor) -> Result<(i64, i64), Reject> {
    let start = params
        .get("start_time")
        .and_then(|v| v.parse::<i64>().ok())
        .ok_or_else(|| bad_request(flavor, "start_time is required (Unix seconds)"))?;
    let end = match params.get("end_time") {
        None => end_of_today(),
        Some(v) => v
            .parse::<i64>()
            .map_err(|_| bad_request(flavor, "end_time must be Unix seconds"))?,
    };
    if end <= start {
        return Err(bad_request(flavor, "end_time must be after start_time"));
    }
    Ok((start, end))
}

fn check_group_by(flavor: Flavor, given: &[String], allowed: &[&str]) -> Result<(), Reject> {
    match given.iter().find(|g| !allowed.contains(&g.as_str())) {
        Some(bad) => Err(bad_request(
            flavor,
            &format!("invalid group_by value {bad:?}"),
        )),
        None => Ok(()),
    }
}

/// The windows of the requested range on this page; each provider states
/// its range its own way.
fn page_of(
    sim: &Simulator,
    flavor: Flavor,
    params: &Params,
    max_limit: u32,
    widths: Widths,
) -> Result<PageOf, Reject> {
    let (start, end) = match flavor {
        Flavor::OpenAi => openai_range(params, flavor)?,
        Flavor::Anthropic => anthropic_range(params)?,
    };
    paginate(sim, flavor, params, start, end, max_limit, widths)
}

/// A page of daily buckets in the provider's envelope, `results` filling
/// each window.
fn page_response(
    flavor: Flavor,
    page: &PageOf,
    results: impl Fn(&Window) -> Vec<Value>,
) -> Response {
    let data: Vec<Value> = page
        .windows
        .iter()
        .map(|w| match flavor {
            Flavor::OpenAi => json!({
                "object": "bucket", "start_time": w.start, "end_time": w.end, "results": results(w),
            }),
            Flavor::Anthropic => json!({
                "starting_at": rfc3339(w.start), "ending_at": rfc3339(w.end), "results": results(w),
            }),
        })
        .collect();
    let mut body = json!({"data": data, "has_more": page.next.is_some(), "next_page": page.next});
    if flavor == Flavor::OpenAi {
        body["object"] = json!("page");
    }
    Json(body).into_response()
}

async fn openai_usage(
    State(sim): State<Simulator>,
    Path(usage_type): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    let flavor = Flavor::OpenAi;
    let params = Params(params);
    if let Err(response) = sim.check_key(flavor, &headers) {
        return response.into_response();
    }
    let Some((_, allowed)) = USAGE_ENDPOINTS.iter().find(|(n, _)| *n == usage_type) else {
        return error(
            flavor,
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            "unknown endpoint",
        )
        .into_response();
    };
    let group_by = params.all("group_by");
    if let Err(response) = check_group_by(flavor, &group_by, allowed) {
        return response.into_response();
    }
    let page = match page_of(&sim, flavor, &params, 31, Widths::DayOrHour) {
        Ok(page) => page,
        Err(response) => return response.into_response(),
    };
    let object = match usage_type.as_str() {
        "web_search_calls" => "organization.usage.web_searches.result".to_owned(),
        "file_search_calls" => "organization.usage.file_searches.result".to_owned(),
        other => format!("organization.usage.{other}.result"),
    };
    page_response(flavor, &page, |w| {
        let rows = day_of(w.start)
            .map(|day| sim.openai_rows(day, &usage_type))
            .unwrap_or_default();
        let rows = w.usage(data::group(&rows, &group_by));
        rows.iter()
            .map(|r| data::to_json(r, Some(&object)))
            .collect()
    })
}

async fn openai_costs(
    State(sim): State<Simulator>,
    Query(params): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    let flavor = Flavor::OpenAi;
    let params = Params(params);
    if let Err(response) = sim.check_key(flavor, &headers) {
        return response.into_response();
    }
    let group_by = params.all("group_by");
    if let Err(response) = check_group_by(
        flavor,
        &group_by,
        &["project_id", "line_item", "api_key_id"],
    ) {
        return response.into_response();
    }
    let page = match page_of(&sim, flavor, &params, 180, Widths::DayOnly) {
        Ok(page) => page,
        Err(response) => return response.into_response(),
    };
    let line_items = group_by.iter().any(|g| g == "line_item");
    page_response(flavor, &page, |w| {
        let rows = sim.cost_rows(w, costs::openai_cost_rows);
        let rows = data::group(&rows, &group_by);
        rows.iter()
            .map(|r| costs::openai_cost_json(r, line_items))
            .collect()
    })
}

/// Anthropic snaps `starting_at` to the start of its day (or hour).
fn anthropic_range(params: &Params) -> Result<(i64, i64), Reject> {
    let flavor = Flavor::Anthropic;
    let parse = |name: &str| -> Result<Option<i64>, Reject> {
        match params.get(name) {
            None => Ok(None),
            Some(text) => DateTime::parse_from_rfc3339(text)
                .map(|t| Some(t.timestamp()))
                .map_err(|_| bad_request(flavor, &format!("{name} must be RFC 3339"))),
        }
    };
    let snap = if params.get("bucket_width") == Some("1h") {
        HOUR
    } else {
        DAY
    };
    let start = parse("starting_at")?
        .ok_or_else(|| bad_request(flavor, "starting_at is required"))?
        .div_euclid(snap)
        * snap;
    let end = parse("ending_at")?.unwrap_or_else(end_of_today);
    if end <= start {
        return Err(bad_request(flavor, "ending_at must be after starting_at"));
    }
    Ok((start, end))
}

fn rfc3339(ts: i64) -> String {
    DateTime::from_timestamp(ts, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

async fn anthropic_messages(
    State(sim): State<Simulator>,
    Query(params): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    let flavor = Flavor::Anthropic;
    let params = Params(params);
    if let Err(response) = sim.check_key(flavor, &headers) {
        return response.into_response();
    }
    let group_by = params.all("group_by");
    if let Err(response) = check_group_by(flavor, &group_by, MESSAGES_GROUP_BY) {
        return response.into_response();
    }
    let page = match page_of(&sim, flavor, &params, 31, Widths::DayOrHour) {
        Ok(page) => page,
        Err(response) => return response.into_response(),
    };
    page_response(flavor, &page, |w| {
        let rows = day_of(w.start)
            .map(|day| sim.anthropic_rows(day))
            .unwrap_or_default();
        let rows = w.usage(data::group(&rows, &group_by));
        rows.iter().map(|r| data::to_json(r, None)).collect()
    })
}

async fn anthropic_costs(
    State(sim): State<Simulator>,
    Query(params): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    let flavor = Flavor::Anthropic;
    let params = Params(params);
    if let Err(response) = sim.check_key(flavor, &headers) {
        return response.into_response();
    }
    let mut group_by = params.all("group_by");
    if let Err(response) = check_group_by(flavor, &group_by, &["workspace_id", "description"]) {
        return response.into_response();
    }
    // Grouping by description also fills the fields derived from it.
    if group_by.iter().any(|g| g == "description") {
        for derived in [
            "cost_type",
            "model",
            "service_tier",
            "token_type",
            "context_window",
            "inference_geo",
        ] {
            group_by.push(derived.to_owned());
        }
    }
    let page = match page_of(&sim, flavor, &params, 31, Widths::DayOnly) {
        Ok(page) => page,
        Err(response) => return response.into_response(),
    };
    page_response(flavor, &page, |w| {
        let rows = sim.cost_rows(w, costs::anthropic_cost_rows);
        let rows = data::group(&rows, &group_by);
        rows.iter().map(costs::anthropic_cost_json).collect()
    })
}

/// `GET /_sim/expected?provider=openai&day=YYYY-MM-DD`: the expected rows.
async fn expected(
    State(sim): State<Simulator>,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    let params = Params(params);
    let provider = params
        .get("provider")
        .and_then(|p| p.parse::<ProviderKind>().ok());
    let day = params
        .get("day")
        .and_then(|d| ledger::dates::parse_day(d).ok());
    match (provider, day) {
        (Some(provider), Some(day)) => Json(sim.expected(provider, day)).into_response(),
        _ => bad_request(Flavor::OpenAi, "provider and day are required").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_need_encoding() {
        let cursor = encode_cursor(1_793_491_200);
        assert!(cursor.contains('+') && cursor.contains('/') && cursor.contains('='));
        assert_eq!(decode_cursor(&cursor), Some(1_793_491_200));
        assert_eq!(decode_cursor(&cursor.replace('+', " ")), None);
    }

    #[test]
    fn hours_sum_to_the_day_and_keep_row_identities() {
        let sim = Simulator::new(SimConfig::default());
        let day = ledger::dates::parse_day("2026-10-25").expect("day");
        let rows = sim.openai_rows(day, "completions");
        assert!(!rows.is_empty());
        let hours: Vec<Vec<SimRow>> = (0..24).map(|h| data::hour_share(rows.clone(), h)).collect();
        for (i, row) in rows.iter().enumerate() {
            for (name, total) in &row.counts {
                let summed: i64 = hours.iter().map(|hour| hour[i].count(name)).sum();
                assert_eq!(summed, *total, "{name}");
            }
            for hour in &hours {
                let r = &hour[i];
                assert_eq!(
                    r.count("input_tokens"),
                    r.count("input_cached_tokens")
                        + r.count("input_cache_write_tokens")
                        + r.count("input_uncached_tokens")
                );
            }
        }
    }

    #[test]
    fn data_is_deterministic_and_consistent() {
        let sim = Simulator::new(SimConfig::default());
        let day = ledger::dates::parse_day("2026-11-02").expect("day");
        assert_eq!(
            sim.openai_rows(day, "completions"),
            sim.openai_rows(day, "completions")
        );
        for row in sim.openai_rows(day, "completions") {
            assert_eq!(
                row.count("input_tokens"),
                row.count("input_cached_tokens")
                    + row.count("input_cache_write_tokens")
                    + row.count("input_uncached_tokens")
            );
            assert_eq!(
                row.count("input_uncached_tokens"),
                row.count("input_text_tokens")
                    + row.count("input_audio_tokens")
                    + row.count("input_image_tokens")
            );
        }
        assert_eq!(sim.expected(ProviderKind::Anthropic, day).len(), 3);
    }
}
