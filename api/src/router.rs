//! The HTTP surface: GraphQL (GraphiQL on GET), health, the cron trigger,
//! OTLP trace ingest (`/v1/traces`), tracked interactions in bulk
//! (`/v1/interactions`) and the dashboard.
use std::path::Path;

use async_graphql::parser::types::OperationType;
use async_graphql_axum::GraphQLResponse;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use crate::auth::Principal;
use crate::graphql::{AppSchema, build_schema};
use crate::limits::{self, Refusal, Route};
use crate::state::AppState;

#[derive(Clone)]
struct Http {
    state: AppState,
    schema: AppSchema,
}

pub fn router(state: AppState, frontend_dir: Option<&Path>) -> Router {
    // The metrics recorder, before anything records.
    crate::ops::metrics::handle();
    let limits = state.limits.clone();
    let schema = build_schema(Some(state.clone()));
    let http = Http {
        state: state.clone(),
        schema,
    };
    let mut app = Router::new()
        .route("/graphql", get(graphiql).post(graphql))
        .route("/healthz", get(health))
        .with_state(http)
        .merge(
            Router::new()
                .route("/api/cron/{job}", post(crate::cron::trigger))
                .route("/api/export/buckets", get(crate::export::buckets))
                .route("/v1/traces", post(crate::otlp::traces))
                .route("/v1/interactions", post(crate::bulk::interactions))
                .route("/metrics", get(crate::ops::metrics::scrape))
                .route("/readyz", get(crate::ops::ready::readyz))
                .with_state(state),
        );
    app = match frontend_dir {
        // Client-side routes get index.html with 200 (`fallback`, unlike
        // `not_found_service`, keeps the fallback's status).
        Some(dir) if dir.join("index.html").is_file() => app
            .fallback_service(ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html")))),
        Some(dir) => {
            tracing::warn!(dir = %dir.display(), "no index.html in the dashboard folder; not serving a dashboard");
            app.fallback(get(no_dashboard))
        }
        None if crate::dashboard::embedded() => app.fallback(get(crate::dashboard::serve)),
        None => app.fallback(get(no_dashboard)),
    };
    // Limits (body cap, time limit) before any handler; security headers
    // and CORS outside them, so refusals carry them too. A body read by an
    // axum extractor meets the same cap there.
    let app = app
        .layer(axum::extract::DefaultBodyLimit::max(
            limits.settings.max_body_bytes,
        ))
        .layer(axum::middleware::from_fn_with_state(
            limits.clone(),
            limits::enforce,
        ));
    // Outermost: a request id (the client's `x-request-id`, else a new
    // UUID) set first, echoed on the response and recorded in the span of
    // every log line of the request; the timing sees every answer.
    limits::headers::apply(app, &limits)
        .layer(axum::middleware::from_fn(crate::ops::metrics::track_http))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// The span of one request: method, path (never the query string, which
/// could carry a secret) and request id; never a header.
fn request_span(request: &Request) -> tracing::Span {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= 128)
        .unwrap_or("invalid");
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id = %id,
    )
}

async fn graphiql() -> Response {
    limits::headers::graphiql()
}

/// The body is read under its cap and the document measured before the
/// bearer token is looked at; a query then has `request_timeout` to run.
async fn graphql(State(http): State<Http>, request: Request) -> Response {
    let settings = &http.state.limits.settings;
    let (parts, body) = request.into_parts();
    let mut request = match limits::body::graphql_request(&parts.headers, body, settings).await {
        Ok(request) => request,
        Err(refusal) => return refusal.into_response(),
    };
    let operation = match limits::document::check(&mut request, settings) {
        Ok(operation) => operation,
        Err(refusal) => return refusal.into_response(),
    };
    let principal = principal(&http.state, &parts.headers).await;
    if let Principal::IngestKey(key) = principal
        && let Err(wait) = http.state.limits.writes.check(key)
    {
        crate::ops::metrics::record_rate_limited("graphql");
        return Refusal::RateLimited(wait).into_response();
    }
    let started = std::time::Instant::now();
    let name = request.operation_name.clone();
    let execution = http.schema.execute(request.data(principal));
    let mut response = match operation {
        OperationType::Mutation => execution.await,
        _ => match tokio::time::timeout(settings.request_timeout, execution).await {
            Ok(response) => response,
            Err(_) => {
                return Refusal::Timeout(settings.request_timeout)
                    .into_response_for(Route::GraphQl);
            }
        },
    };
    let status = status_of(&mut response);
    crate::ops::metrics::record_graphql(
        name.as_deref(),
        operation_kind(operation),
        started,
        response
            .errors
            .iter()
            .filter_map(|e| match e.extensions.as_ref()?.get("code") {
                Some(async_graphql::Value::String(code)) => Some(code.as_str()),
                _ => None,
            }),
    );
    let mut response = (status, GraphQLResponse::from(response)).into_response();
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
    }
    response
}

/// The HTTP status of a GraphQL answer: 200 unless an error asks for
/// another (busy, timed out). Parse and validation errors (unknown enum
/// values, wrong types, depth limits) come from the library without a
/// code; they are the caller's, so they get `BAD_USER_INPUT`.
fn status_of(response: &mut async_graphql::Response) -> StatusCode {
    let mut status = StatusCode::OK;
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        match extensions.get("code") {
            None => extensions.set("code", "BAD_USER_INPUT"),
            Some(async_graphql::Value::String(code)) => {
                status = Refusal::status_of_code(code).unwrap_or(status);
            }
            Some(_) => {}
        }
    }
    status
}

fn operation_kind(operation: OperationType) -> &'static str {
    match operation {
        OperationType::Query => "query",
        OperationType::Mutation => "mutation",
        OperationType::Subscription => "subscription",
    }
}

pub(crate) async fn principal(state: &AppState, headers: &HeaderMap) -> Principal {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Principal::Anonymous;
    };
    let Some(token) = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")) else {
        return Principal::Invalid("expected `Authorization: Bearer <token>`".into());
    };
    let token = token.trim();
    if token.starts_with(ledger::tracking::keys::PREFIX) {
        return match ledger::tracking::keys::verify(&state.reads, token).await {
            Ok(Some(id)) => Principal::IngestKey(id),
            Ok(None) => Principal::Invalid("unknown or revoked ingest key".into()),
            Err(error) => {
                tracing::error!(%error, "ingest key lookup failed");
                Principal::Invalid("ingest key could not be checked".into())
            }
        };
    }
    match state.jwt.verify(token) {
        Ok(claims) => Principal::User(claims),
        Err(reason) => Principal::Invalid(reason),
    }
}

async fn health(State(http): State<Http>) -> impl IntoResponse {
    match http.state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}

async fn no_dashboard() -> impl IntoResponse {
    (
        StatusCode::NOT_FOUND,
        Html(
            "<!doctype html><title>CogniTrack</title><h1>CogniTrack</h1>\
             <p>This binary was built without the dashboard (run <code>npm --prefix frontend ci &amp;&amp; npm --prefix frontend run build</code>, then build it again), or <code>COGNITRACK_FRONTEND_DIR</code> names a folder without one. \
             The GraphQL playground is at <a href=\"/graphql\">/graphql</a>.</p>",
        ),
    )
}
