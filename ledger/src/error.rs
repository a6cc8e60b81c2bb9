//! The domain error type. Callers map it once at their edge (GraphQL
//! `extensions.code`, CLI exit status).
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The caller sent something we refuse; nothing was written.
    #[error("{0}")]
    InvalidInput(String),
    #[error("{0} not found")]
    NotFound(String),
    /// Reusing an idempotency key with a different payload, and the like.
    #[error("{0}")]
    Conflict(String),
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error("{0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

pub(crate) fn invalid(message: impl Into<String>) -> Error {
    Error::InvalidInput(message.into())
}

impl From<entity::enums::UnknownValue> for Error {
    fn from(unknown: entity::enums::UnknownValue) -> Self {
        Error::InvalidInput(unknown.to_string())
    }
}
