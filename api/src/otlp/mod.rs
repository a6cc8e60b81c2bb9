//! `POST /v1/traces`: OTLP/HTTP trace export, protobuf or JSON, plain or
//! gzip, authenticated with an ingest key. Spans become tracked
//! interactions through `ledger::otlp`; this module is the HTTP edge:
//! authentication, media types, size caps, decoding, status codes.
//!
//! Order of checks: the key (401/403), its write rate (429), the media
//! type (415), concurrency (429), the body and its encoding (415, 413, 400), then the ledger
//! (503 when it cannot store; the batch is all or nothing).
mod body;
pub mod json;
pub mod reply;

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use ledger::otlp::{IngestReport, MappingConfig};
use tokio::sync::Semaphore;

use crate::state::AppState;
use reply::{Encoding, OtlpError};

/// 16 MiB, as sent and once decompressed.
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// Exports stored at once; more are answered 429 with `Retry-After`.
pub const DEFAULT_MAX_CONCURRENT_EXPORTS: usize = 8;

/// How exports are received and read.
#[derive(Debug, Clone)]
pub struct OtlpSettings {
    pub max_body_bytes: usize,
    pub mapping: MappingConfig,
    /// One permit per export in progress.
    pub limiter: Arc<Semaphore>,
}

impl OtlpSettings {
    pub fn new(max_body_bytes: usize, max_concurrent: usize, mapping: MappingConfig) -> Self {
        Self {
            max_body_bytes,
            mapping,
            limiter: Arc::new(Semaphore::new(max_concurrent)),
        }
    }
}

impl Default for OtlpSettings {
    fn default() -> Self {
        Self::new(
            DEFAULT_MAX_BODY_BYTES,
            DEFAULT_MAX_CONCURRENT_EXPORTS,
            MappingConfig::default(),
        )
    }
}

pub async fn traces(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let encoding = body::encoding(&headers);
    // Errors are answered in the request's encoding; JSON when it has none.
    let answer_in = *encoding.as_ref().unwrap_or(&Encoding::Json);
    match export(&state, &headers, encoding, body).await {
        Ok(report) => {
            tracing::debug!(
                spans = report.spans,
                stored = report.stored,
                duplicates = report.duplicates,
                ignored = report.ignored,
                rejected = report.rejected_spans(),
                "OTLP export"
            );
            reply::success(answer_in, &report)
        }
        Err(error) => {
            tracing::debug!(status = %error.status(), %error, "OTLP export refused");
            reply::failure(answer_in, &error)
        }
    }
}

async fn export(
    state: &AppState,
    headers: &HeaderMap,
    encoding: Result<Encoding, String>,
    body: Body,
) -> Result<IngestReport, OtlpError> {
    let key = authenticate(state, headers).await?;
    state.limits.writes.check(key).map_err(|wait| {
        crate::ops::metrics::record_rate_limited("otlp");
        OtlpError::RateLimited(crate::limits::rate::retry_after_secs(wait))
    })?;
    let encoding = encoding.map_err(OtlpError::UnsupportedMediaType)?;
    let settings = &state.otlp;
    let _permit = settings
        .limiter
        .clone()
        .try_acquire_owned()
        .map_err(|_| OtlpError::Busy)?;
    let bytes = body::read(headers, body, settings.max_body_bytes).await?;
    let request = body::decode(encoding, bytes).await?;
    Ok(ledger::otlp::ingest(&state.db, &state.book, key, &request, &settings.mapping).await?)
}

/// The ingest key of `Authorization: Bearer ct_…`. A viewer or admin
/// token is authenticated but not allowed to export (403); a database
/// that cannot check the key is a 503, never a 401 (which is final).
async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<i64, OtlpError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or(OtlpError::MissingKey)?;
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .ok_or(OtlpError::InvalidKey(
            "expected `Authorization: Bearer ct_…`",
        ))?;
    if !token.starts_with(ledger::tracking::keys::PREFIX) {
        return Err(match state.jwt.verify(token) {
            Ok(_) => OtlpError::Forbidden(
                "exporting spans needs an ingest key (Bearer ct_…), not a user token",
            ),
            Err(_) => OtlpError::InvalidKey("not an ingest key (ct_…)"),
        });
    }
    match ledger::tracking::keys::verify(&state.reads, token).await? {
        Some(id) => Ok(id),
        None => Err(OtlpError::InvalidKey("unknown or revoked ingest key")),
    }
}
