//! `POST /v1/interactions`: a batch of tracked interactions as plain JSON,
//! for applications and SDKs that report at volume. The same rows, rules,
//! limits and all-or-nothing batch as GraphQL's `recordInteractions`
//! (both call `ledger::tracking::record`), without GraphQL's work on every
//! input value: checking each variable against the input types, copying
//! and converting it, a quarter of the server's CPU for a batch of 1,000.
//!
//! Errors have GraphQL's shape, `{"errors": [{"message", "extensions":
//! {"code"}}]}`, with the codes GraphQL uses and an HTTP status per code.
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::graphql::InteractionInput;
use crate::limits::Refusal;
use crate::router::principal;
use crate::state::AppState;

/// The body: `{"interactions": [...]}`, at most 1,000.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Batch {
    interactions: Vec<InteractionInput>,
}

/// The answer: each input's stored interaction, in input order (a retried
/// idempotency key answers with the row stored the first time).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Stored {
    interactions: Vec<StoredInteraction>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StoredInteraction {
    id: String,
    /// Null when the model has no price.
    total_usd: Option<Decimal>,
}

/// The key is checked (401/403) and its write rate (429) before the body
/// is parsed; the body cap and time limit are the router's.
pub async fn interactions(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let key = match principal(&state, &headers).await.ingest_key() {
        Ok(key) => key,
        Err(error) => return refuse(&error),
    };
    if let Err(wait) = state.limits.writes.check(key) {
        crate::ops::metrics::record_rate_limited("interactions");
        return Refusal::RateLimited(wait).into_response();
    }
    if !is_json(&headers) {
        return refuse_with(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "BAD_USER_INPUT",
            "send the batch as Content-Type: application/json",
        );
    }
    let batch: Batch = match serde_json::from_slice(&body) {
        Ok(batch) => batch,
        Err(error) => {
            return refuse(&ApiError::BadInput(format!(
                "the body is not a batch of interactions: {error}"
            )));
        }
    };
    let inputs = batch.interactions.into_iter().map(Into::into).collect();
    match ledger::tracking::record(&state.db, &state.book, key, inputs).await {
        Ok(stored) => {
            let interactions = stored
                .into_iter()
                .map(|row| StoredInteraction {
                    id: row.id,
                    total_usd: row.total_micros.map(ledger::money::micros_to_usd),
                })
                .collect();
            (StatusCode::OK, axum::Json(Stored { interactions })).into_response()
        }
        Err(ledger::Error::Db(error)) => {
            tracing::warn!(%error, "a batch of interactions could not be stored");
            let mut response = refuse_with(
                StatusCode::SERVICE_UNAVAILABLE,
                "UNAVAILABLE",
                "the ledger is unavailable; nothing was stored, retry",
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            response
        }
        Err(error) => refuse(&ApiError::from(error)),
    }
}

/// `application/json`, with or without parameters (`; charset=utf-8`).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"))
}

fn refuse(error: &ApiError) -> Response {
    let status = match error {
        ApiError::Unauthenticated | ApiError::InvalidToken(_) => StatusCode::UNAUTHORIZED,
        ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
        ApiError::BadInput(_) => StatusCode::BAD_REQUEST,
        ApiError::NotFound(_) => StatusCode::NOT_FOUND,
        ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    };
    refuse_with(status, error.code(), &error.message())
}

fn refuse_with(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({
        "errors": [{ "message": message, "extensions": { "code": code } }]
    });
    (status, axum::Json(body)).into_response()
}
