//! Reading an export request: its media type, its Content-Encoding, a body
//! capped before and after decompression, and the decoded spans.
use std::io::Read;

use axum::body::Body;
use axum::http::{HeaderMap, header};
use futures_util::StreamExt;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message;

use super::json;
use super::reply::{Encoding, OtlpError};

/// The encoding a Content-Type names; the unsupported type otherwise.
pub fn encoding(headers: &HeaderMap) -> Result<Encoding, String> {
    let raw = headers
        .get(header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    let media = raw
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match media.as_str() {
        "application/x-protobuf" | "application/protobuf" => Ok(Encoding::Protobuf),
        "application/json" => Ok(Encoding::Json),
        _ => Err(raw),
    }
}

/// Whether the body is gzip-compressed.
fn gzipped(headers: &HeaderMap) -> Result<bool, OtlpError> {
    let Some(value) = headers.get(header::CONTENT_ENCODING) else {
        return Ok(false);
    };
    let text = String::from_utf8_lossy(value.as_bytes())
        .trim()
        .to_ascii_lowercase();
    match text.as_str() {
        "" | "identity" => Ok(false),
        "gzip" | "x-gzip" => Ok(true),
        _ => Err(OtlpError::UnsupportedEncoding(text)),
    }
}

/// The body, at most `limit` bytes as sent and again once decompressed.
pub async fn read(headers: &HeaderMap, body: Body, limit: usize) -> Result<Vec<u8>, OtlpError> {
    let gzip = gzipped(headers)?;
    let too_large = |decompressed| OtlpError::TooLarge {
        limit,
        decompressed,
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large(false));
    }
    let mut raw = Vec::with_capacity(declared.map_or(0, |n| n as usize));
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| OtlpError::Malformed {
            what: "request",
            detail: "the body could not be read".into(),
        })?;
        if raw.len() + chunk.len() > limit {
            return Err(too_large(false));
        }
        raw.extend_from_slice(&chunk);
    }
    if !gzip {
        return Ok(raw);
    }
    tokio::task::spawn_blocking(move || gunzip(&raw, limit))
        .await
        .map_err(|_| OtlpError::Internal)?
}

fn gunzip(raw: &[u8], limit: usize) -> Result<Vec<u8>, OtlpError> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(raw)
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| OtlpError::Malformed {
            what: "gzip",
            detail: e.to_string(),
        })?;
    if out.len() > limit {
        return Err(OtlpError::TooLarge {
            limit,
            decompressed: true,
        });
    }
    Ok(out)
}

/// The export request, decoded off the async threads.
pub async fn decode(
    encoding: Encoding,
    bytes: Vec<u8>,
) -> Result<ExportTraceServiceRequest, OtlpError> {
    tokio::task::spawn_blocking(move || match encoding {
        Encoding::Protobuf => {
            ExportTraceServiceRequest::decode(&bytes[..]).map_err(|e| OtlpError::Malformed {
                what: "protobuf",
                detail: e.to_string(),
            })
        }
        Encoding::Json => json::decode(&bytes).map_err(|e| OtlpError::Malformed {
            what: "OTLP/JSON",
            detail: e.to_string(),
        }),
    })
    .await
    .map_err(|_| OtlpError::Internal)?
}
