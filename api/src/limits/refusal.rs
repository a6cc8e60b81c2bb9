//! Why a request was refused by a limit, and how that is answered: as a
//! GraphQL error (with `extensions.code`) on `/graphql`, as text elsewhere.
use std::time::Duration;

use async_graphql::{ErrorExtensionValues, ServerError};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::Route;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The body is larger than this many bytes (413).
    TooLarge(usize),
    /// The body is not a GraphQL request (400).
    Malformed(String),
    /// The GraphQL document is over a limit (`BAD_USER_INPUT`, like any
    /// validation error).
    Document(String),
    /// The request did not finish in time (503).
    Timeout(Duration),
    /// Expensive operations are all busy and none finished in time (503).
    Busy(Duration),
    /// The ingest key is over its write rate; it may send again after
    /// this long (429).
    RateLimited(Duration),
}

impl Refusal {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Malformed(_) => StatusCode::BAD_REQUEST,
            Self::Document(_) => StatusCode::OK,
            Self::Timeout(_) | Self::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLarge(_) => "PAYLOAD_TOO_LARGE",
            Self::Malformed(_) | Self::Document(_) => "BAD_USER_INPUT",
            Self::Timeout(_) => "TIMEOUT",
            Self::Busy(_) => "BUSY",
            Self::RateLimited(_) => "RATE_LIMITED",
        }
    }

    pub fn message(&self) -> String {
        match self {
            Self::TooLarge(cap) => format!("the request body is larger than {cap} bytes"),
            Self::Malformed(message) | Self::Document(message) => message.clone(),
            Self::Timeout(limit) => format!(
                "the request did not finish within {} s and was stopped; narrow it or split it",
                limit.as_secs()
            ),
            Self::Busy(wait) => format!(
                "too many expensive queries are running; none finished within {} s, retry shortly",
                wait.as_secs()
            ),
            Self::RateLimited(wait) => format!(
                "this ingest key is over its write rate; nothing was written, retry after {} s",
                super::rate::retry_after_secs(*wait)
            ),
        }
    }

    /// `Retry-After` in seconds, for the refusals worth retrying.
    fn retry_after(&self) -> Option<u64> {
        match self {
            Self::Timeout(_) | Self::Busy(_) => Some(1),
            Self::RateLimited(wait) => Some(super::rate::retry_after_secs(*wait)),
            _ => None,
        }
    }

    /// The error as async-graphql reports it, with its code.
    pub fn server_error(&self) -> ServerError {
        let mut error = ServerError::new(self.message(), None);
        let mut extensions = ErrorExtensionValues::default();
        extensions.set("code", self.code());
        error.extensions = Some(extensions);
        error
    }

    /// The status a GraphQL response carrying these codes is answered with.
    pub fn status_of_code(code: &str) -> Option<StatusCode> {
        match code {
            "TIMEOUT" | "BUSY" => Some(StatusCode::SERVICE_UNAVAILABLE),
            "RATE_LIMITED" => Some(StatusCode::TOO_MANY_REQUESTS),
            _ => None,
        }
    }

    /// A GraphQL error body on `/graphql`, plain text elsewhere; 503s and
    /// 429s say when to retry.
    pub fn into_response_for(self, route: Route) -> Response {
        let status = self.status();
        let mut response = match route {
            Route::GraphQl | Route::Interactions => {
                let body = serde_json::json!({ "errors": [self.server_error()] });
                (status, axum::Json(body)).into_response()
            }
            _ => (status, self.message()).into_response(),
        };
        if let Some(secs) = self.retry_after() {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        self.into_response_for(Route::GraphQl)
    }
}
