//! Who is calling: an HS256 JWT (viewer or admin) or a tracking key.
use chrono::{Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Admin,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub role: Role,
    pub exp: i64,
    pub iat: i64,
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl JwtKeys {
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "sub"]);
        validation.leeway = 0;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }

    pub fn mint(
        &self,
        sub: &str,
        role: Role,
        ttl: Duration,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let now = Utc::now();
        let claims = Claims {
            sub: sub.to_owned(),
            role,
            iat: now.timestamp(),
            exp: (now + ttl).timestamp(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// Only HS256 with a valid signature and an `exp` in the future passes;
    /// `alg: none` and other algorithms are refused by the validation.
    pub fn verify(&self, token: &str) -> Result<Claims, String> {
        decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|error| match error.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => "expired".to_owned(),
                jsonwebtoken::errors::ErrorKind::InvalidSignature => "bad signature".to_owned(),
                jsonwebtoken::errors::ErrorKind::InvalidAlgorithm => {
                    "algorithm not allowed".to_owned()
                }
                jsonwebtoken::errors::ErrorKind::MissingRequiredClaim(claim) => {
                    format!("missing claim {claim}")
                }
                _ => "malformed".to_owned(),
            })
    }
}

/// The caller of one request, resolved once in the HTTP handler.
#[derive(Debug, Clone)]
pub enum Principal {
    Anonymous,
    /// A bearer credential that did not verify; the reason is safe to show.
    Invalid(String),
    User(Claims),
    IngestKey(i64),
}

impl Principal {
    /// Reads need a viewer or admin token.
    pub fn viewer(&self) -> Result<&Claims, ApiError> {
        match self {
            Self::User(claims) => Ok(claims),
            Self::Anonymous => Err(ApiError::Unauthenticated),
            Self::Invalid(reason) => Err(ApiError::InvalidToken(reason.clone())),
            Self::IngestKey(_) => Err(ApiError::Forbidden(
                "an ingest key may only call tracking mutations; reads need a viewer or admin token",
            )),
        }
    }

    pub fn admin(&self) -> Result<&Claims, ApiError> {
        let claims = self.viewer().map_err(|error| match error {
            ApiError::Forbidden(_) => ApiError::Forbidden("this mutation needs an admin token"),
            other => other,
        })?;
        match claims.role {
            Role::Admin => Ok(claims),
            Role::Viewer => Err(ApiError::Forbidden("this mutation needs an admin token")),
        }
    }

    pub fn ingest_key(&self) -> Result<i64, ApiError> {
        match self {
            Self::IngestKey(id) => Ok(*id),
            Self::Anonymous => Err(ApiError::Unauthenticated),
            Self::Invalid(reason) => Err(ApiError::InvalidToken(reason.clone())),
            Self::User(_) => Err(ApiError::Forbidden(
                "tracking mutations need an ingest key (Bearer ct_…), not a user token",
            )),
        }
    }
}

/// Parses `"1h"`, `"30m"`, `"7d"`, `"90s"` into a duration.
pub fn parse_ttl(text: &str) -> Result<Duration, String> {
    let bad = || format!("malformed ttl {text:?}: use a number with s, m, h or d, e.g. 1h");
    let (number, unit) = text.split_at(text.len().saturating_sub(1));
    let n: i64 = number.parse().map_err(|_| bad())?;
    if n <= 0 {
        return Err(bad());
    }
    match unit {
        "s" => Ok(Duration::seconds(n)),
        "m" => Ok(Duration::minutes(n)),
        "h" => Ok(Duration::hours(n)),
        "d" => Ok(Duration::days(n)),
        _ => Err(bad()),
    }
}
