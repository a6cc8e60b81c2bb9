//! The one mapping from domain errors to GraphQL errors with
//! `extensions.code`. Internal details are logged, never echoed.
use async_graphql::ErrorExtensions;

/// Deliberately not `Display`: async-graphql converts any `Display` error
/// without a code, so this type only converts through the impl below.
#[derive(Debug, Clone)]
pub enum ApiError {
    Unauthenticated,
    InvalidToken(String),
    Forbidden(&'static str),
    BadInput(String),
    NotFound(String),
    Internal,
}

impl ApiError {
    pub fn message(&self) -> String {
        match self {
            Self::Unauthenticated => {
                "authentication required: send `Authorization: Bearer <token>`".into()
            }
            Self::InvalidToken(reason) => format!("invalid token: {reason}"),
            Self::Forbidden(message) => (*message).into(),
            Self::BadInput(message) | Self::NotFound(message) => message.clone(),
            Self::Internal => "internal error".into(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated | Self::InvalidToken(_) => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::BadInput(_) => "BAD_USER_INPUT",
            Self::NotFound(_) => "NOT_FOUND",
            Self::Internal => "INTERNAL",
        }
    }
}

impl From<ledger::Error> for ApiError {
    fn from(error: ledger::Error) -> Self {
        match error {
            ledger::Error::InvalidInput(message) | ledger::Error::Conflict(message) => {
                Self::BadInput(message)
            }
            ledger::Error::NotFound(what) => Self::NotFound(format!("{what} not found")),
            other => {
                tracing::error!(error = %other, "request failed");
                Self::Internal
            }
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(error: sea_orm::DbErr) -> Self {
        ledger::Error::from(error).into()
    }
}

/// A stored value that names no variant: a damaged row, our fault.
impl From<entity::enums::UnknownValue> for ApiError {
    fn from(error: entity::enums::UnknownValue) -> Self {
        tracing::error!(%error, "a stored value is not a known variant");
        Self::Internal
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(error: ApiError) -> Self {
        let code = error.code();
        async_graphql::Error::new(error.message()).extend_with(|_, e| e.set("code", code))
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
