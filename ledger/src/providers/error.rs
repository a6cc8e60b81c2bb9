//! Typed failures of the provider layer. Messages name the endpoint path,
//! never the host's credentials: keys travel only in headers and provider
//! messages are scrubbed before they are kept.
use crate::ingest::IssueCode;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ProviderError {
    /// 401/403: the key is wrong, revoked or not an admin key. Retrying or
    /// moving to the next day cannot help, so the engine stops the run.
    #[error("{endpoint}: the provider rejected the admin key (HTTP {status}): {message}")]
    Unauthorized {
        endpoint: String,
        status: u16,
        message: String,
    },
    /// Any other 4xx: our request is wrong; not retried.
    #[error("{endpoint}: HTTP {status}: {message}")]
    Client {
        endpoint: String,
        status: u16,
        message: String,
    },
    #[error("{endpoint}: still rate limited (HTTP 429) after {attempts} attempts")]
    RateLimited { endpoint: String, attempts: u32 },
    #[error("{endpoint}: HTTP {status} after {attempts} attempts")]
    Server {
        endpoint: String,
        status: u16,
        attempts: u32,
    },
    #[error("{endpoint}: timed out after {attempts} attempts")]
    Timeout { endpoint: String, attempts: u32 },
    #[error("{endpoint}: network error after {attempts} attempts: {message}")]
    Network {
        endpoint: String,
        attempts: u32,
        message: String,
    },
    /// Truncated or malformed JSON, or a shape we cannot read.
    #[error("{endpoint}: unreadable response after {attempts} attempts: {message}")]
    Decode {
        endpoint: String,
        attempts: u32,
        message: String,
    },
    /// A `next_page` that is not a plain opaque token (a URL, whitespace,
    /// a non-string). Following it could send the admin key elsewhere.
    #[error("{endpoint}: refusing next_page cursor: {reason}")]
    HostileCursor { endpoint: String, reason: String },
    /// Pagination that does not terminate (repeated cursor, too many pages,
    /// has_more without a cursor).
    #[error("{endpoint}: pagination error: {reason}")]
    Pagination { endpoint: String, reason: String },
    #[error("provider configuration: {0}")]
    Config(String),
}

impl ProviderError {
    /// A stable, machine-readable code for run telemetry.
    pub fn code(&self) -> IssueCode {
        match self {
            ProviderError::Unauthorized { .. } => IssueCode::Auth,
            ProviderError::Client { .. } => IssueCode::ClientError,
            ProviderError::RateLimited { .. } => IssueCode::RateLimited,
            ProviderError::Server { .. } => IssueCode::ServerError,
            ProviderError::Timeout { .. } => IssueCode::Timeout,
            ProviderError::Network { .. } => IssueCode::Network,
            ProviderError::Decode { .. } => IssueCode::BadResponse,
            ProviderError::HostileCursor { .. } => IssueCode::HostileCursor,
            ProviderError::Pagination { .. } => IssueCode::Pagination,
            ProviderError::Config(_) => IssueCode::Config,
        }
    }

    /// True when no later request of the same run can succeed either.
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            ProviderError::Unauthorized { .. } | ProviderError::Config(_)
        )
    }
}

impl From<ProviderError> for crate::Error {
    fn from(error: ProviderError) -> Self {
        match error {
            ProviderError::Config(message) => crate::Error::InvalidInput(message),
            other => crate::Error::Internal(other.to_string()),
        }
    }
}
