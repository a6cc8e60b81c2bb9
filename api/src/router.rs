//! The HTTP surface: GraphQL (GraphiQL on GET), health, the cron trigger
//! and the dashboard.
use std::path::Path;

use async_graphql::http::GraphiQLSource;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse};
use axum::routing::{get, post};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;

use crate::auth::Principal;
use crate::graphql::{AppSchema, build_schema};
use crate::state::AppState;

/// Largest request body accepted; a full 1,000-interaction batch is far below.
const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

#[derive(Clone)]
struct Http {
    state: AppState,
    schema: AppSchema,
}

pub fn router(state: AppState, frontend_dir: Option<&Path>) -> Router {
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
                .with_state(state),
        );
    app = match frontend_dir.filter(|dir| dir.join("index.html").is_file()) {
        // Client-side routes get index.html with 200 (`fallback`, unlike
        // `not_found_service`, keeps the fallback's status).
        Some(dir) => app
            .fallback_service(ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html")))),
        None => app.fallback(get(no_dashboard)),
    };
    app.layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TraceLayer::new_for_http())
}

async fn graphiql() -> Html<String> {
    Html(GraphiQLSource::build().endpoint("/graphql").finish())
}

async fn graphql(
    State(http): State<Http>,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> GraphQLResponse {
    let principal = principal(&http.state, &headers).await;
    let mut response = http
        .schema
        .execute(request.into_inner().data(principal))
        .await;
    // Parse and validation errors (unknown enum values, wrong types, depth
    // limits) come from the library without a code; they are the caller's.
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
            extensions.set("code", "BAD_USER_INPUT");
        }
    }
    response.into()
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
        return match ledger::tracking::keys::verify(&state.db, token).await {
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
             <p>The dashboard is not built (run <code>npm --prefix frontend ci &amp;&amp; npm --prefix frontend run build</code>).\
             The GraphQL playground is at <a href=\"/graphql\">/graphql</a>.</p>",
        ),
    )
}
