//! What `POST /v1/traces` answers, in the request's encoding: an
//! `ExportTraceServiceResponse` (with `partial_success` when spans were
//! rejected) on success, a `google.rpc.Status` with the status code the
//! OTLP/HTTP specification names on failure.
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ledger::otlp::IngestReport;
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTracePartialSuccess, ExportTraceServiceResponse,
};
use prost::Message;
use serde_json::json;

/// Seconds a client should wait after a 429.
pub const BUSY_RETRY_AFTER_SECS: u32 = 1;
/// Seconds a client should wait after a 503.
pub const UNAVAILABLE_RETRY_AFTER_SECS: u32 = 5;

/// The two OTLP/HTTP encodings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Protobuf,
    Json,
}

impl Encoding {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Protobuf => "application/x-protobuf",
            Self::Json => "application/json",
        }
    }
}

/// Why an export was refused; each maps to one status once, here.
#[derive(Debug, thiserror::Error)]
pub enum OtlpError {
    #[error(
        "authentication required: send `Authorization: Bearer ct_…` (OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer%20ct_…)"
    )]
    MissingKey,
    #[error("invalid ingest key: {0}")]
    InvalidKey(&'static str),
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("unsupported content type {0:?}: send application/x-protobuf or application/json")]
    UnsupportedMediaType(String),
    #[error("unsupported Content-Encoding {0:?}: send gzip or no encoding")]
    UnsupportedEncoding(String),
    #[error("request body is over the limit of {limit} bytes{}", if *.decompressed { " once decompressed" } else { "" })]
    TooLarge { limit: usize, decompressed: bool },
    #[error("malformed {what} body: {detail}")]
    Malformed { what: &'static str, detail: String },
    #[error("too many exports in progress; retry after {BUSY_RETRY_AFTER_SECS} s")]
    Busy,
    #[error("this ingest key is over its write rate; nothing was stored, retry after {0} s")]
    RateLimited(u64),
    #[error("the ledger is unavailable; retry after {UNAVAILABLE_RETRY_AFTER_SECS} s")]
    Unavailable,
    #[error("internal error")]
    Internal,
}

impl OtlpError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::MissingKey | Self::InvalidKey(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::UnsupportedMediaType(_) | Self::UnsupportedEncoding(_) => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            Self::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Malformed { .. } => StatusCode::BAD_REQUEST,
            Self::Busy | Self::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The gRPC code in the `google.rpc.Status` body.
    fn grpc_code(&self) -> i32 {
        match self {
            Self::MissingKey | Self::InvalidKey(_) => 16, // UNAUTHENTICATED
            Self::Forbidden(_) => 7,                      // PERMISSION_DENIED
            Self::UnsupportedMediaType(_)
            | Self::UnsupportedEncoding(_)
            | Self::Malformed { .. } => 3, // INVALID_ARGUMENT
            Self::TooLarge { .. } | Self::Busy | Self::RateLimited(_) => 8, // RESOURCE_EXHAUSTED
            Self::Unavailable => 14,                      // UNAVAILABLE
            Self::Internal => 13,                         // INTERNAL
        }
    }

    fn retry_after(&self) -> Option<u32> {
        match self {
            Self::Busy => Some(BUSY_RETRY_AFTER_SECS),
            Self::RateLimited(secs) => Some(u32::try_from(*secs).unwrap_or(u32::MAX)),
            Self::Unavailable => Some(UNAVAILABLE_RETRY_AFTER_SECS),
            _ => None,
        }
    }
}

/// A failed store is worth retrying (the transaction rolled back and
/// spans are stored once); anything else is ours.
impl From<ledger::Error> for OtlpError {
    fn from(error: ledger::Error) -> Self {
        match error {
            ledger::Error::Db(error) => {
                tracing::warn!(%error, "OTLP export could not be stored; the client will retry");
                Self::Unavailable
            }
            other => {
                tracing::error!(error = %other, "OTLP export failed");
                Self::Internal
            }
        }
    }
}

/// `google.rpc.Status`, the body of an OTLP/HTTP error response.
#[derive(Clone, PartialEq, Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
}

pub fn failure(encoding: Encoding, error: &OtlpError) -> Response {
    let message = error.to_string();
    let body = match encoding {
        Encoding::Protobuf => RpcStatus {
            code: error.grpc_code(),
            message,
        }
        .encode_to_vec(),
        Encoding::Json => json!({"code": error.grpc_code(), "message": message})
            .to_string()
            .into_bytes(),
    };
    let mut response = (
        error.status(),
        [(header::CONTENT_TYPE, encoding.content_type())],
        body,
    )
        .into_response();
    if let Some(seconds) = error.retry_after() {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// Headers that count what became of the spans (OTLP's response only
/// counts the rejected ones).
pub const STORED_HEADER: &str = "x-cognitrack-spans-stored";
pub const DUPLICATE_HEADER: &str = "x-cognitrack-spans-duplicate";
pub const IGNORED_HEADER: &str = "x-cognitrack-spans-ignored";
pub const REJECTED_HEADER: &str = "x-cognitrack-spans-rejected";

pub fn success(encoding: Encoding, report: &IngestReport) -> Response {
    let rejected = report.rejected_spans();
    let partial = (rejected > 0).then(|| ExportTracePartialSuccess {
        rejected_spans: i64::try_from(rejected).unwrap_or(i64::MAX),
        error_message: report.message(),
    });
    let body = match encoding {
        Encoding::Protobuf => ExportTraceServiceResponse {
            partial_success: partial,
        }
        .encode_to_vec(),
        // int64 is a decimal string in the protobuf JSON mapping.
        Encoding::Json => match partial {
            Some(p) => json!({"partialSuccess": {
                "rejectedSpans": p.rejected_spans.to_string(),
                "errorMessage": p.error_message,
            }}),
            None => json!({}),
        }
        .to_string()
        .into_bytes(),
    };
    let mut response = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, encoding.content_type())],
        body,
    )
        .into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (STORED_HEADER, report.stored),
        (DUPLICATE_HEADER, report.duplicates),
        (IGNORED_HEADER, report.ignored),
        (REJECTED_HEADER, rejected),
    ] {
        headers.insert(name, HeaderValue::from(value));
    }
    response
}
