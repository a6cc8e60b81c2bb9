//! `POST /api/cron/{job}`: runs a scheduled job now, for an external
//! scheduler (a Kubernetes CronJob, a platform's cron). Authorised by
//! `Authorization: Bearer $COGNITRACK_CRON_SECRET`.
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::state::AppState;
use jobs::{JobError, JobName};

/// The shortest secret accepted, configured or presented.
pub const MIN_SECRET_LEN: usize = 16;

/// Values that reach a header when a deployment forgot to set the secret.
pub fn is_placeholder(secret: &str) -> bool {
    let secret = secret.trim();
    secret.len() < MIN_SECRET_LEN || matches!(secret, "undefined" | "null")
}

pub async fn trigger(
    State(state): State<AppState>,
    Path(job): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(expected) = state.cron_secret.as_deref() else {
        return reply(
            StatusCode::SERVICE_UNAVAILABLE,
            "the cron trigger is disabled: COGNITRACK_CRON_SECRET is not set",
        );
    };
    if !authorized(expected, &headers) {
        return reply(StatusCode::UNAUTHORIZED, "wrong or missing cron secret");
    }
    let job: JobName = match job.parse() {
        Ok(job) => job,
        Err(message) => return reply(StatusCode::NOT_FOUND, &message),
    };
    match state.jobs.run(job).await {
        Ok(outcome) if outcome.ok => (StatusCode::OK, Json(outcome)).into_response(),
        // The job ran, but a provider or the feed failed it: upstream trouble.
        Ok(outcome) => (StatusCode::BAD_GATEWAY, Json(outcome)).into_response(),
        Err(error @ JobError::Busy(_)) => reply(StatusCode::CONFLICT, &error.to_string()),
        Err(error) => {
            tracing::error!(%job, %error, "cron trigger failed");
            reply(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
        }
    }
}

/// Compares digests so neither the secret's content nor its length leaks
/// through timing.
fn authorized(expected: &str, headers: &HeaderMap) -> bool {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or_default();
    if is_placeholder(presented) {
        return false;
    }
    let presented = Sha256::digest(presented.as_bytes());
    let expected = Sha256::digest(expected.as_bytes());
    presented.ct_eq(&expected).into()
}

fn reply(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_refused() {
        for value in ["", "undefined", "null", "short-secret", "   "] {
            assert!(is_placeholder(value), "{value:?}");
        }
        assert!(!is_placeholder("a-real-secret-of-32-characters!!"));
    }
}
