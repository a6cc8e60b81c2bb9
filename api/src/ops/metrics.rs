//! `GET /metrics`: Prometheus text from the `metrics` facade (one recorder
//! per process), plus gauges read from the database at scrape time.
//!
//! Series, all prefixed `cognitrack_`:
//! - `http_request_duration_seconds{route,method,status}` (histogram; the
//!   route is the matched pattern, `unmatched` otherwise)
//! - `graphql_operation_duration_seconds{operation,type}` (histogram) and
//!   `graphql_errors_total{code}`; operation names are client-chosen, so a
//!   name must be a GraphQL name of at most 64 bytes, unnamed is
//!   `anonymous`, and past [`MAX_OPERATION_NAMES`] distinct names the rest
//!   are `other`
//! - `ingest_rows_total{provider,change}`, `ingest_runs_total{provider,status}`,
//!   `provider_retries_total{provider}`, `provider_rate_limited_total{provider}`
//! - `job_duration_seconds{job,outcome}` (histogram), `job_failures_total{job}`
//! - `unpriced_models`, `price_book_age_seconds`,
//!   `db_pool_connections{state="in_use"|"idle"}` (gauges)
//!
//! No series carries a key, a token, a user or a request's values.
//! Without `COGNITRACK_METRICS_TOKEN` the endpoint is open (bind the server
//! to a private address); with it, it requires `Authorization: Bearer <it>`.
use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use sea_orm::{DbBackend, EntityTrait};
use subtle::ConstantTimeEq;

use crate::state::AppState;

/// Distinct GraphQL operation names given series of their own.
pub const MAX_OPERATION_NAMES: usize = 200;
const MAX_NAME_BYTES: usize = 64;
const BUCKETS: [f64; 14] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 120.0,
];

/// The process's recorder, installed on first use.
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets(&BUCKETS)
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        // Fails only when another recorder is installed; ours then renders
        // nothing, which the tests would show.
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed");
        }
        describe();
        handle
    })
}

/// Help text for every series, and the failure counters at zero so an
/// alert on them has a series before the first failure.
fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_histogram!(
        "cognitrack_http_request_duration_seconds",
        metrics::Unit::Seconds,
        "HTTP requests by route pattern, method and status"
    );
    describe_histogram!(
        "cognitrack_graphql_operation_duration_seconds",
        metrics::Unit::Seconds,
        "GraphQL operations by operation name and type"
    );
    describe_counter!(
        "cognitrack_graphql_errors_total",
        "GraphQL errors by extensions.code"
    );
    describe_counter!(
        "cognitrack_ingest_rows_total",
        "Usage bucket rows changed by ingestion, by provider and change"
    );
    describe_counter!(
        "cognitrack_ingest_runs_total",
        "Finished ingestion runs by provider and status"
    );
    describe_counter!(
        "cognitrack_provider_retries_total",
        "Provider API requests retried, by provider"
    );
    describe_counter!(
        "cognitrack_provider_rate_limited_total",
        "Provider API 429 answers, by provider"
    );
    describe_counter!(
        "cognitrack_ingest_rate_limited_total",
        "Tracking writes refused with 429 because their ingest key was over its rate, by route"
    );
    describe_histogram!(
        "cognitrack_job_duration_seconds",
        metrics::Unit::Seconds,
        "Job runs by job and outcome (ok, partial, failed, skipped)"
    );
    describe_counter!(
        "cognitrack_job_failures_total",
        "Job runs that failed or reported a failure, by job"
    );
    describe_gauge!(
        "cognitrack_unpriced_models",
        "Models in token-priced usage without a price"
    );
    describe_gauge!(
        "cognitrack_price_book_age_seconds",
        metrics::Unit::Seconds,
        "Age of the price book version in force"
    );
    describe_gauge!(
        "cognitrack_db_pool_connections",
        "Database pool connections by state (in_use, idle)"
    );
    for job in jobs::JobName::ALL {
        metrics::counter!("cognitrack_job_failures_total", "job" => job.as_str()).increment(0);
    }
}

/// The metrics endpoint.
pub async fn scrape(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = state.metrics_token.as_deref() {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        if !bool::from(given.trim().as_bytes().ct_eq(token.as_bytes())) {
            return (StatusCode::UNAUTHORIZED, "metrics need the metrics token").into_response();
        }
    }
    let handle = handle();
    record_gauges(&state).await;
    handle.run_upkeep();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}

async fn record_gauges(state: &AppState) {
    match ledger::usage::unpriced_models(&state.db).await {
        Ok(models) => metrics::gauge!("cognitrack_unpriced_models").set(models.len() as f64),
        Err(error) => tracing::warn!(%error, "metrics: unpriced models unreadable"),
    }
    let version = entity::price_version::Entity::find_by_id(state.book.version_id())
        .one(&state.db)
        .await;
    if let Ok(Some(version)) = version {
        let age = chrono::Utc::now() - version.fetched_at;
        metrics::gauge!("cognitrack_price_book_age_seconds").set(age.num_seconds() as f64);
    }
    let (size, idle) = match state.db.get_database_backend() {
        DbBackend::Sqlite => {
            let pool = state.db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle())
        }
        DbBackend::Postgres => {
            let pool = state.db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle())
        }
        _ => return,
    };
    let idle = idle as f64;
    metrics::gauge!("cognitrack_db_pool_connections", "state" => "idle").set(idle);
    metrics::gauge!("cognitrack_db_pool_connections", "state" => "in_use")
        .set((f64::from(size) - idle).max(0.0));
}

/// Times every request by its route pattern, method and status.
pub async fn track_http(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::histogram!(
        "cognitrack_http_request_duration_seconds",
        "route" => route, "method" => method, "status" => status
    )
    .record(started.elapsed().as_secs_f64());
    response
}

/// Records one GraphQL operation and the codes of its errors.
pub fn record_graphql<'a>(
    name: Option<&str>,
    kind: &'static str,
    started: Instant,
    codes: impl Iterator<Item = &'a str>,
) {
    metrics::histogram!(
        "cognitrack_graphql_operation_duration_seconds",
        "operation" => operation_label(name), "type" => kind
    )
    .record(started.elapsed().as_secs_f64());
    for code in codes {
        metrics::counter!("cognitrack_graphql_errors_total", "code" => code_label(code))
            .increment(1);
    }
}

/// A tracking write refused for its key's rate (`route`: graphql, otlp).
pub fn record_rate_limited(route: &'static str) {
    metrics::counter!("cognitrack_ingest_rate_limited_total", "route" => route).increment(1);
}

/// The label of a client-chosen operation name (see the module docs).
pub fn operation_label(name: Option<&str>) -> String {
    static SEEN: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) else {
        return "anonymous".into();
    };
    let valid = name.len() <= MAX_NAME_BYTES
        && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return "invalid".into();
    }
    let mut seen = SEEN
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if seen.contains(name) || seen.len() < MAX_OPERATION_NAMES {
        seen.insert(name.to_owned());
        name.to_owned()
    } else {
        "other".into()
    }
}

/// Codes are ours, but a resolver's code passes through: keep it a short name.
fn code_label(code: &str) -> String {
    if code.len() <= 40 && code.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
        code.to_owned()
    } else {
        "OTHER".into()
    }
}

#[cfg(test)]
mod tests {
    use super::operation_label;

    #[test]
    fn operation_labels_are_bounded() {
        assert_eq!(operation_label(None), "anonymous");
        assert_eq!(operation_label(Some("  ")), "anonymous");
        assert_eq!(operation_label(Some("Overview")), "Overview");
        assert_eq!(operation_label(Some("a-b")), "invalid");
        assert_eq!(operation_label(Some(&"x".repeat(65))), "invalid");
        for i in 0..super::MAX_OPERATION_NAMES {
            operation_label(Some(&format!("Op{i}")));
        }
        assert_eq!(operation_label(Some("OneTooMany")), "other");
        assert_eq!(operation_label(Some("Overview")), "Overview");
    }
}
