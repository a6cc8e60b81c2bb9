//! OpenAI organization Usage and Costs APIs (admin key, bearer auth).
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::Value;

use super::error::ProviderError;
use super::http::{Auth, FetchStats, Transport};
use super::paging::{Paged, count, dim, fetch_pages};
use super::{CostBucket, CostLine, DayBucket, Width, decimal_from_f64};
use entity::enums::Batch;

use crate::dates::{midnight, next_day};
use crate::usage::buckets::{BucketRow, Counts, Dimensions};

pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";

/// Every usage endpoint with every `group_by` value it accepts: grouping by
/// all of them keeps each stored bucket at the finest grain the API has.
pub const USAGE_ENDPOINTS: &[(&str, &[&str])] = &[
    (
        "completions",
        &[
            "project_id",
            "user_id",
            "api_key_id",
            "model",
            "batch",
            "service_tier",
        ],
    ),
    (
        "embeddings",
        &["project_id", "user_id", "api_key_id", "model"],
    ),
    (
        "moderations",
        &["project_id", "user_id", "api_key_id", "model"],
    ),
    (
        "images",
        &[
            "project_id",
            "user_id",
            "api_key_id",
            "model",
            "size",
            "source",
        ],
    ),
    (
        "audio_speeches",
        &["project_id", "user_id", "api_key_id", "model"],
    ),
    (
        "audio_transcriptions",
        &["project_id", "user_id", "api_key_id", "model"],
    ),
    ("vector_stores", &["project_id"]),
    ("code_interpreter_sessions", &["project_id"]),
    (
        "web_search_calls",
        &[
            "project_id",
            "user_id",
            "api_key_id",
            "model",
            "context_level",
        ],
    ),
    (
        "file_search_calls",
        &["project_id", "user_id", "api_key_id", "vector_store_id"],
    ),
];

pub const COST_GROUP_BY: &[&str] = &["project_id", "line_item", "api_key_id"];

#[derive(Debug, Clone, Deserialize)]
pub struct UsagePage {
    pub data: Vec<UsageBucket>,
    #[serde(default)]
    pub has_more: bool,
    #[serde(default)]
    pub next_page: Option<Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct UsageBucket {
    pub start_time: i64,
    pub end_time: i64,
    #[serde(default)]
    pub results: Vec<UsageResult>,
}

/// One result of any usage endpoint; every field optional so older and
/// newer field sets both decode, unknown fields ignored.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UsageResult {
    #[serde(default)]
    pub object: Option<String>,
    #[serde(default, deserialize_with = "count")]
    pub input_tokens: Option<i64>,
    #[serde(default, deserialize_with = "count")]
    pub input_cached_tokens: Option<i64>,
    #[serde(default, deserialize_with = "count")]
    pub input_cache_write_tokens: Option<i64>,
    #[serde(default, deserialize_with = "count")]
    pub input_uncached_tokens: Option<i64>,
    #[serde(default, deserialize_with = "count")]
    pub input_text_tokens: Option<i64>,
    #[serde(default, deserialize_with = "count")]
    pub input_cached_text_tokens: Option<i64>,
    #[serde(default, deserialize_with = "count")]
    pub input_audio_tokens: Option<i64>,
    #[serde(default, deserialize_with = "count")]
    pub input_cached_audio_tokens: Option<i64>,
    #[serde(default, deserialize_with = "count")]
    pub input_image_tokens: Option<i64>,
    #[serde(default, deserialize_with = "count")]
    pub input_cached_image_tokens: Option<i64>,
    #[serde(default, deserialize_with = "count")]
    pub output_tokens: Option<i64>,
    #[serde(default, deserialize_with = "count")]
    pub output_text_tokens: Option<i64>,
    #[serde(default, deserialize_with = "count")]
    pub output_audio_tokens: Option<i64>,
    #[serde(default, deserialize_with = "count")]
    pub output_image_tokens: Option<i64>,
    #[serde(default, deserialize_with = "count")]
    pub num_model_requests: Option<i64>,
    #[serde(default, deserialize_with = "count")]
    pub num_requests: Option<i64>,
    #[serde(default, deserialize_with = "count")]
    pub images: Option<i64>,
    #[serde(default, deserialize_with = "count")]
    pub characters: Option<i64>,
    #[serde(default, deserialize_with = "count")]
    pub seconds: Option<i64>,
    #[serde(default, deserialize_with = "count")]
    pub usage_bytes: Option<i64>,
    #[serde(default, deserialize_with = "count")]
    pub num_sessions: Option<i64>,
    #[serde(default, deserialize_with = "dim")]
    pub project_id: String,
    #[serde(default, deserialize_with = "dim")]
    pub user_id: String,
    #[serde(default, deserialize_with = "dim")]
    pub api_key_id: String,
    #[serde(default, deserialize_with = "dim")]
    pub model: String,
    #[serde(default)]
    pub batch: Option<bool>,
    #[serde(default, deserialize_with = "dim")]
    pub service_tier: String,
    #[serde(default, deserialize_with = "dim")]
    pub size: String,
    #[serde(default, deserialize_with = "dim")]
    pub source: String,
    #[serde(default, deserialize_with = "dim")]
    pub context_level: String,
    #[serde(default, deserialize_with = "dim")]
    pub vector_store_id: String,
}

impl UsageResult {
    /// The normalised bucket row. OpenAI's `input_tokens` already counts
    /// cached and cache-write tokens, which is our meaning too.
    pub fn to_row(&self) -> BucketRow {
        let n = |v: Option<i64>| v.unwrap_or(0);
        let input = n(self.input_tokens);
        let cached = n(self.input_cached_tokens);
        let cache_write = n(self.input_cache_write_tokens);
        // Older field sets lack the uncached split; it follows from the identity.
        let uncached = self.input_uncached_tokens.unwrap_or_else(|| {
            // Saturating: a hostile page's counts must not overflow.
            input
                .saturating_sub(cached)
                .saturating_sub(cache_write)
                .max(0)
        });
        BucketRow {
            dims: Dimensions {
                project_id: self.project_id.clone(),
                api_key_id: self.api_key_id.clone(),
                user_id: self.user_id.clone(),
                model: self.model.clone(),
                batch: Batch::from(self.batch),
                service_tier: self.service_tier.clone(),
                image_size: self.size.clone(),
                image_source: self.source.clone(),
                context_level: self.context_level.clone(),
                vector_store_id: self.vector_store_id.clone(),
                ..Dimensions::default()
            },
            counts: Counts {
                input_tokens: input,
                input_cached_tokens: cached,
                input_cache_write_tokens: cache_write,
                input_uncached_tokens: uncached,
                input_text_tokens: n(self.input_text_tokens),
                input_cached_text_tokens: n(self.input_cached_text_tokens),
                input_audio_tokens: n(self.input_audio_tokens),
                input_cached_audio_tokens: n(self.input_cached_audio_tokens),
                input_image_tokens: n(self.input_image_tokens),
                input_cached_image_tokens: n(self.input_cached_image_tokens),
                output_tokens: n(self.output_tokens),
                output_text_tokens: n(self.output_text_tokens),
                output_audio_tokens: n(self.output_audio_tokens),
                output_image_tokens: n(self.output_image_tokens),
                num_model_requests: n(self.num_model_requests),
                num_requests: n(self.num_requests),
                images: n(self.images),
                characters: n(self.characters),
                seconds: n(self.seconds),
                usage_bytes: n(self.usage_bytes),
                num_sessions: n(self.num_sessions),
                ..Counts::default()
            },
        }
    }
}

impl UsageBucket {
    pub fn to_day_bucket(&self) -> Result<DayBucket, String> {
        Ok(DayBucket {
            start: unix(self.start_time)?,
            end: unix(self.end_time)?,
            rows: self.results.iter().map(UsageResult::to_row).collect(),
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct CostPage {
    pub data: Vec<CostBucketDto>,
    #[serde(default)]
    pub has_more: bool,
    #[serde(default)]
    pub next_page: Option<Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CostBucketDto {
    pub start_time: i64,
    pub end_time: i64,
    #[serde(default)]
    pub results: Vec<CostResult>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CostResult {
    #[serde(default)]
    pub amount: Option<Amount>,
    #[serde(default, deserialize_with = "dim")]
    pub line_item: String,
    #[serde(default, deserialize_with = "dim")]
    pub project_id: String,
    #[serde(default, deserialize_with = "dim")]
    pub api_key_id: String,
    #[serde(default)]
    pub quantity: Option<f64>,
    #[serde(default, deserialize_with = "dim")]
    pub quantity_unit: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Amount {
    #[serde(default)]
    pub value: Option<f64>,
    #[serde(default, deserialize_with = "dim")]
    pub currency: String,
}

impl CostBucketDto {
    pub fn to_cost_bucket(&self) -> Result<CostBucket, String> {
        let mut lines = Vec::with_capacity(self.results.len());
        for result in &self.results {
            let amount = result.amount.clone().unwrap_or_default();
            let currency = amount.currency.to_ascii_lowercase();
            if !currency.is_empty() && currency != "usd" {
                return Err(format!("unsupported currency {currency:?}"));
            }
            let amount_usd = match amount.value {
                Some(value) => decimal_from_f64(value)?,
                None => Decimal::ZERO,
            };
            // "gpt-4o-2024-08-06, cached input" names the model first.
            let model = match result.line_item.split_once(", ") {
                Some((model, _)) => model.to_owned(),
                None => String::new(),
            };
            lines.push(CostLine {
                project_id: result.project_id.clone(),
                api_key_id: result.api_key_id.clone(),
                description: result.line_item.clone(),
                model,
                amount_usd,
            });
        }
        Ok(CostBucket {
            start: unix(self.start_time)?,
            end: unix(self.end_time)?,
            lines,
        })
    }
}

fn unix(seconds: i64) -> Result<DateTime<Utc>, String> {
    DateTime::from_timestamp(seconds, 0).ok_or_else(|| format!("timestamp {seconds} out of range"))
}

/// One OpenAI organisation, reached through one admin key.
#[derive(Clone)]
pub struct OpenAiClient {
    transport: Transport,
    base_url: String,
    auth: Auth,
}

impl std::fmt::Debug for OpenAiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiClient")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl OpenAiClient {
    pub(crate) fn new(transport: Transport, base_url: &str, key: SecretString) -> Self {
        Self {
            transport,
            base_url: base_url.trim_end_matches('/').to_owned(),
            auth: Auth::Bearer(key),
        }
    }

    /// Buckets of one usage type for the UTC days `from..=to`, all pages.
    pub async fn usage(
        &self,
        usage_type: &str,
        from: NaiveDate,
        to: NaiveDate,
        width: Width,
        stats: &FetchStats,
    ) -> Result<Vec<DayBucket>, ProviderError> {
        let Some((_, group_by)) = USAGE_ENDPOINTS.iter().find(|(name, _)| *name == usage_type)
        else {
            return Err(ProviderError::Config(format!(
                "unknown OpenAI usage type {usage_type:?}"
            )));
        };
        let endpoint = format!("/organization/usage/{usage_type}");
        let pages: Vec<UsagePage> = self
            .pages(&endpoint, from, to, width, group_by, stats)
            .await?;
        let mut out = Vec::new();
        for page in pages {
            for bucket in page.data {
                out.push(bucket.to_day_bucket().map_err(|m| decode(&endpoint, m))?);
            }
        }
        Ok(out)
    }

    /// The provider-billed costs for `from..=to` (for reconciliation).
    pub async fn costs(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        stats: &FetchStats,
    ) -> Result<Vec<CostBucket>, ProviderError> {
        let endpoint = "/organization/costs".to_owned();
        let pages: Vec<CostPage> = self
            .pages(&endpoint, from, to, Width::Day, COST_GROUP_BY, stats)
            .await?;
        let mut out = Vec::new();
        for page in pages {
            for bucket in page.data {
                out.push(bucket.to_cost_bucket().map_err(|m| decode(&endpoint, m))?);
            }
        }
        Ok(out)
    }

    async fn pages<P: serde::de::DeserializeOwned + Paged>(
        &self,
        endpoint: &str,
        from: NaiveDate,
        to: NaiveDate,
        width: Width,
        group_by: &[&str],
        stats: &FetchStats,
    ) -> Result<Vec<P>, ProviderError> {
        let url = format!("{}{endpoint}", self.base_url);
        let mut query: Vec<(&str, String)> = vec![
            ("start_time", midnight(from).timestamp().to_string()),
            ("end_time", midnight(next_day(to)).timestamp().to_string()),
            ("bucket_width", width.param().to_owned()),
            ("limit", width.limit().to_string()),
        ];
        query.extend(group_by.iter().map(|g| ("group_by[]", (*g).to_owned())));
        fetch_pages(&self.transport, &url, endpoint, &query, &self.auth, stats).await
    }
}

impl Paged for UsagePage {
    fn cursor(&self) -> (bool, Option<&Value>) {
        (self.has_more, self.next_page.as_ref())
    }
}

impl Paged for CostPage {
    fn cursor(&self) -> (bool, Option<&Value>) {
        (self.has_more, self.next_page.as_ref())
    }
}

fn decode(endpoint: &str, message: String) -> ProviderError {
    ProviderError::Decode {
        endpoint: endpoint.to_owned(),
        attempts: 1,
        message,
    }
}
