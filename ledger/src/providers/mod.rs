//! HTTP clients for the providers' admin usage and cost APIs, typed DTOs,
//! and the mapping of their results to [`crate::usage::buckets::BucketRow`].
//!
//! Base URLs and keys come in as configuration; nothing here reads the
//! environment. Keys stay in [`SecretString`] and only ever become
//! sensitive request headers.
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};
use entity::provider_connection;
use governor::DefaultDirectRateLimiter;
use rust_decimal::Decimal;
use secrecy::SecretString;

pub mod anthropic;
pub mod connections;
pub mod error;
pub mod http;
pub mod inventory;
pub mod keys;
pub mod openai;
pub mod paging;

pub use anthropic::AnthropicClient;
pub use error::ProviderError;
pub use http::{FetchStats, HttpConfig, RateLimit, RetryPolicy};
pub use inventory::{InventoryClient, InventoryItem, InventoryKind};
pub use openai::OpenAiClient;

use self::keys::MasterKey;
use crate::usage::buckets::BucketRow;

pub use entity::enums::ProviderKind;

/// Usage types ingested for `provider`, as stored in `usage_type`.
pub fn usage_types(provider: ProviderKind) -> Vec<&'static str> {
    match provider {
        ProviderKind::OpenAi => openai::USAGE_ENDPOINTS.iter().map(|(n, _)| *n).collect(),
        ProviderKind::Anthropic => vec![anthropic::USAGE_TYPE],
    }
}

/// How long each usage bucket a fetch asks for is: a UTC day, or an hour
/// (for local-time days).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    Day,
    Hour,
}

impl Width {
    /// The `bucket_width` both providers take.
    pub fn param(self) -> &'static str {
        match self {
            Width::Day => "1d",
            Width::Hour => "1h",
        }
    }

    /// Buckets per page: the documented maximum for the width (31 days or
    /// 168 hours, a week either way).
    pub fn limit(self) -> u32 {
        match self {
            Width::Day => 31,
            Width::Hour => 168,
        }
    }
}

/// One provider time bucket with its results already normalised.
#[derive(Debug, Clone, PartialEq)]
pub struct DayBucket {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub rows: Vec<BucketRow>,
}

/// One line of a provider's billed costs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostLine {
    /// OpenAI project or Anthropic workspace; `''` when absent/default.
    pub project_id: String,
    pub api_key_id: String,
    /// OpenAI `line_item` or Anthropic `description`.
    pub description: String,
    pub model: String,
    pub amount_usd: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostBucket {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub lines: Vec<CostLine>,
}

/// JSON numbers arrive as f64; the shortest representation that round-trips
/// is the decimal the provider wrote (for up to ~15 significant digits).
pub(crate) fn decimal_from_f64(value: f64) -> Result<Decimal, String> {
    if !value.is_finite() {
        return Err(format!("amount {value} is not finite"));
    }
    Decimal::from_str(&format!("{value}")).map_err(|e| format!("amount {value}: {e}"))
}

/// Everything needed to reach the providers. Built once at start-up from
/// the configuration layer; defaults match the real services.
#[derive(Clone)]
pub struct ProvidersConfig {
    pub openai_base_url: String,
    pub anthropic_base_url: String,
    /// `OPENAI_ADMIN_KEY`: the key of the default `openai` connection.
    pub openai_admin_key: Option<SecretString>,
    /// `ANTHROPIC_ADMIN_KEY`: the key of the default `anthropic` connection.
    pub anthropic_admin_key: Option<SecretString>,
    /// Opens keys of named connections stored in the database.
    pub master_key: Option<MasterKey>,
    pub http: HttpConfig,
    pub rate_limit: RateLimit,
    pub retry: RetryPolicy,
}

impl Default for ProvidersConfig {
    fn default() -> Self {
        Self {
            openai_base_url: openai::DEFAULT_BASE_URL.to_owned(),
            anthropic_base_url: anthropic::DEFAULT_BASE_URL.to_owned(),
            openai_admin_key: None,
            anthropic_admin_key: None,
            master_key: None,
            http: HttpConfig::default(),
            rate_limit: RateLimit::default(),
            retry: RetryPolicy::default(),
        }
    }
}

impl std::fmt::Debug for ProvidersConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProvidersConfig")
            .field("openai_base_url", &self.openai_base_url)
            .field("anthropic_base_url", &self.anthropic_base_url)
            .field("openai_admin_key", &self.openai_admin_key.is_some())
            .field("anthropic_admin_key", &self.anthropic_admin_key.is_some())
            .field("master_key", &self.master_key.is_some())
            .field("http", &self.http)
            .field("rate_limit", &self.rate_limit)
            .field("retry", &self.retry)
            .finish()
    }
}

/// The shared HTTP client and one rate limiter per connection, so
/// concurrent runs against one account share its budget. Cheap to share
/// behind an `Arc`.
pub struct ProviderClients {
    config: ProvidersConfig,
    client: reqwest::Client,
    limiters: Mutex<HashMap<String, Arc<DefaultDirectRateLimiter>>>,
}

impl ProviderClients {
    pub fn new(config: ProvidersConfig) -> crate::Result<Self> {
        let client = http::build_client(&config.http)?;
        Ok(Self {
            config,
            client,
            limiters: Mutex::new(HashMap::new()),
        })
    }

    pub fn config(&self) -> &ProvidersConfig {
        &self.config
    }

    fn transport(&self, limiter_key: &str) -> http::Transport {
        self.transport_with(limiter_key, self.config.retry)
    }

    fn transport_with(&self, limiter_key: &str, retry: RetryPolicy) -> http::Transport {
        let limiter = match self.limiters.lock() {
            Ok(mut map) => match map.get(limiter_key) {
                Some(limiter) => Some(limiter.clone()),
                None => {
                    let limiter = http::limiter(self.config.rate_limit);
                    if let Some(limiter) = &limiter {
                        map.insert(limiter_key.to_owned(), limiter.clone());
                    }
                    limiter
                }
            },
            // A poisoned map only loses sharing, never correctness.
            Err(_) => http::limiter(self.config.rate_limit),
        };
        http::Transport::new(self.client.clone(), limiter, retry)
    }

    /// A client for an explicit base URL and key (tests, connection checks).
    pub fn client(
        &self,
        provider: ProviderKind,
        base_url: &str,
        key: SecretString,
    ) -> ProviderClient {
        let transport = self.transport(&format!("{provider}:{base_url}"));
        match provider {
            ProviderKind::OpenAi => {
                ProviderClient::OpenAi(OpenAiClient::new(transport, base_url, key))
            }
            ProviderKind::Anthropic => {
                ProviderClient::Anthropic(AnthropicClient::new(transport, base_url, key))
            }
        }
    }

    /// The client of a stored connection: its own base URL (or the
    /// configured default) and its key (sealed in the row, or from the
    /// environment for the default connections).
    pub fn for_connection(
        &self,
        connection: &provider_connection::Model,
    ) -> crate::Result<ProviderClient> {
        self.for_connection_with(connection, self.config.retry)
    }

    /// [`for_connection`](Self::for_connection) with its own retry policy
    /// (a connection check answers at once instead of backing off).
    pub fn for_connection_with(
        &self,
        connection: &provider_connection::Model,
        retry: RetryPolicy,
    ) -> crate::Result<ProviderClient> {
        let provider = connection.provider;
        let key = keys::resolve_key(connection, &self.config)?;
        let base_url = match (&connection.base_url, provider) {
            (Some(url), _) if !url.is_empty() => url.clone(),
            (_, ProviderKind::OpenAi) => self.config.openai_base_url.clone(),
            (_, ProviderKind::Anthropic) => self.config.anthropic_base_url.clone(),
        };
        let transport = self.transport_with(&format!("connection:{}", connection.id), retry);
        Ok(match provider {
            ProviderKind::OpenAi => {
                ProviderClient::OpenAi(OpenAiClient::new(transport, &base_url, key))
            }
            ProviderKind::Anthropic => {
                ProviderClient::Anthropic(AnthropicClient::new(transport, &base_url, key))
            }
        })
    }
}

/// A client for one provider account.
#[derive(Debug, Clone)]
pub enum ProviderClient {
    OpenAi(OpenAiClient),
    Anthropic(AnthropicClient),
}

impl ProviderClient {
    pub fn kind(&self) -> ProviderKind {
        match self {
            ProviderClient::OpenAi(_) => ProviderKind::OpenAi,
            ProviderClient::Anthropic(_) => ProviderKind::Anthropic,
        }
    }

    /// Buckets of `usage_type` of `width` covering the UTC days `from..=to`.
    pub async fn usage(
        &self,
        usage_type: &str,
        from: NaiveDate,
        to: NaiveDate,
        width: Width,
        stats: &FetchStats,
    ) -> Result<Vec<DayBucket>, ProviderError> {
        match self {
            ProviderClient::OpenAi(client) => {
                client.usage(usage_type, from, to, width, stats).await
            }
            ProviderClient::Anthropic(client) if usage_type == anthropic::USAGE_TYPE => {
                client.messages(from, to, width, stats).await
            }
            ProviderClient::Anthropic(_) => Err(ProviderError::Config(format!(
                "unknown Anthropic usage type {usage_type:?}"
            ))),
        }
    }

    /// Provider-billed costs for the UTC days `from..=to`.
    pub async fn costs(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        stats: &FetchStats,
    ) -> Result<Vec<CostBucket>, ProviderError> {
        match self {
            ProviderClient::OpenAi(client) => client.costs(from, to, stats).await,
            ProviderClient::Anthropic(client) => client.cost_report(from, to, stats).await,
        }
    }
}
