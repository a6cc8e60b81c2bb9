//! Request bodies under their cap.
//!
//! Why `DefaultBodyLimit` alone never applied to `/graphql`: it is a
//! setting that axum's own extractors (`Bytes`, `String`, `Json`, `Form`)
//! read; async-graphql-axum's `GraphQLRequest` extractor reads the raw body
//! stream (`into_data_stream`) and never looks at it, so any size was
//! accepted. Here the cap is applied to the stream itself, for every route,
//! and the GraphQL handler reads its body through [`graphql_request`].
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_graphql::ParseRequestError;
use async_graphql::http::{MultipartOptions, receive_batch_body};
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, header};
use futures_util::{StreamExt, TryStreamExt};

use super::{LimitSettings, Refusal};

/// Set once a body went past its cap while being read.
#[derive(Debug, Clone, Default)]
pub struct Overflow(Arc<AtomicBool>);

impl Overflow {
    pub fn hit(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }

    fn set(&self) {
        self.0.store(true, Ordering::Release);
    }
}

/// The body was cut at its cap.
#[derive(Debug, thiserror::Error)]
#[error("the request body is larger than {0} bytes")]
pub struct BodyTooLarge(pub usize);

pub fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/")
        })
}

/// Refuses a body declared larger than `cap` before reading a byte of it;
/// otherwise the body ends in an error once more than `cap` bytes came,
/// and the returned [`Overflow`] says so.
pub fn cap(request: Request, cap: usize) -> Result<(Request, Overflow), Refusal> {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > cap as u64) {
        return Err(Refusal::TooLarge(cap));
    }
    let overflow = Overflow::default();
    let flag = overflow.clone();
    let request = request.map(|body| {
        let mut seen = 0usize;
        let stream = body.into_data_stream().map(move |chunk| {
            let chunk = chunk.map_err(axum::BoxError::from)?;
            seen = seen.saturating_add(chunk.len());
            if seen > cap {
                flag.set();
                return Err(axum::BoxError::from(BodyTooLarge(cap)));
            }
            Ok(chunk)
        });
        Body::from_stream(stream)
    });
    Ok((request, overflow))
}

/// The GraphQL request in the body: JSON up to `max_body_bytes`, or a
/// multipart upload (GraphQL multipart request spec) whose file may be as
/// large as the parity CSV cap while its `operations` part stays within
/// `max_body_bytes`. Batches are refused.
pub async fn graphql_request(
    headers: &HeaderMap,
    body: Body,
    settings: &LimitSettings,
) -> Result<async_graphql::Request, Refusal> {
    let request = if is_multipart(headers) {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let reader = body
            .into_data_stream()
            .map_err(std::io::Error::other)
            .into_async_read();
        let options = MultipartOptions::default()
            .max_file_size(ledger::parity::MAX_FILE_BYTES.saturating_add(1));
        receive_batch_body(content_type, reader, options)
            .await
            .and_then(async_graphql::BatchRequest::into_single)
    } else {
        let bytes = axum::body::to_bytes(body, settings.max_body_bytes)
            .await
            .map_err(|_| Refusal::Malformed("the request body could not be read".into()))?;
        json_request(&bytes)
    }
    .map_err(parse_refusal)?;
    if request.query.len() > settings.max_body_bytes {
        return Err(Refusal::TooLarge(settings.max_body_bytes));
    }
    Ok(request)
}

/// A JSON body as one GraphQL request. async-graphql's own reader takes
/// it as a single request or a batch (an untagged enum), which buffers the
/// whole document as generic values before reading it again as a request:
/// for a batch of 1,000 interactions that second copy cost as much as the
/// parse. A batch is an array, told by its first byte, and refused.
fn json_request(body: &[u8]) -> Result<async_graphql::Request, ParseRequestError> {
    if body.trim_ascii_start().first() == Some(&b'[') {
        return Err(ParseRequestError::UnsupportedBatch);
    }
    serde_json::from_slice(body).map_err(|e| ParseRequestError::InvalidRequest(Box::new(e)))
}

fn parse_refusal(error: ParseRequestError) -> Refusal {
    match error {
        ParseRequestError::PayloadTooLarge => Refusal::TooLarge(ledger::parity::MAX_FILE_BYTES),
        ParseRequestError::UnsupportedBatch => {
            Refusal::Malformed("batched GraphQL requests are not supported".into())
        }
        other => Refusal::Malformed(format!("not a GraphQL request: {other}")),
    }
}
