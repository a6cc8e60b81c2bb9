//! Anthropic Admin API: messages usage report and cost report.
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rust_decimal::Decimal;
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::Value;

use super::error::ProviderError;
use super::http::{Auth, FetchStats, Transport};
use super::paging::{Paged, count, dim, fetch_pages};
use super::{CostBucket, CostLine, DayBucket, Width};
use entity::enums::Batch;

use crate::dates::{midnight, next_day};
use crate::usage::buckets::{BucketRow, Counts, Dimensions};

pub const DEFAULT_BASE_URL: &str = "https://api.anthropic.com";
pub const USAGE_TYPE: &str = "messages";
pub const MESSAGES_PATH: &str = "/v1/organizations/usage_report/messages";
pub const COST_PATH: &str = "/v1/organizations/cost_report";
/// Every dimension the current reference documents without a beta header.
pub const MESSAGES_GROUP_BY: &[&str] = &[
    "api_key_id",
    "workspace_id",
    "model",
    "service_tier",
    "context_window",
    "inference_geo",
];
pub const COST_GROUP_BY: &[&str] = &["workspace_id", "description"];

#[derive(Debug, Clone, Deserialize)]
pub struct MessagesPage {
    pub data: Vec<MessagesBucket>,
    #[serde(default)]
    pub has_more: bool,
    #[serde(default)]
    pub next_page: Option<Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MessagesBucket {
    pub starting_at: DateTime<Utc>,
    pub ending_at: DateTime<Utc>,
    #[serde(default)]
    pub results: Vec<MessagesResult>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct MessagesResult {
    #[serde(default, deserialize_with = "dim")]
    pub account_id: String,
    #[serde(default, deserialize_with = "dim")]
    pub api_key_id: String,
    #[serde(default, deserialize_with = "dim")]
    pub workspace_id: String,
    #[serde(default, deserialize_with = "dim")]
    pub model: String,
    #[serde(default, deserialize_with = "dim")]
    pub service_tier: String,
    #[serde(default, deserialize_with = "dim")]
    pub context_window: String,
    #[serde(default, deserialize_with = "dim")]
    pub inference_geo: String,
    #[serde(default, deserialize_with = "count")]
    pub uncached_input_tokens: Option<i64>,
    #[serde(default, deserialize_with = "count")]
    pub cache_read_input_tokens: Option<i64>,
    #[serde(default)]
    pub cache_creation: Option<CacheCreation>,
    #[serde(default, deserialize_with = "count")]
    pub output_tokens: Option<i64>,
    #[serde(default)]
    pub server_tool_use: Option<ServerToolUse>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CacheCreation {
    #[serde(default, deserialize_with = "count")]
    pub ephemeral_1h_input_tokens: Option<i64>,
    #[serde(default, deserialize_with = "count")]
    pub ephemeral_5m_input_tokens: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ServerToolUse {
    #[serde(default, deserialize_with = "count")]
    pub web_search_requests: Option<i64>,
}

impl MessagesResult {
    /// The normalised row: `input_tokens` becomes ALL input (uncached +
    /// cache read + 5m and 1h cache writes), as OpenAI reports it, so one
    /// column means the same for every provider.
    pub fn to_row(&self) -> BucketRow {
        let n = |v: Option<i64>| v.unwrap_or(0);
        let uncached = n(self.uncached_input_tokens);
        let cache_read = n(self.cache_read_input_tokens);
        let creation = self.cache_creation.clone().unwrap_or_default();
        let write_5m = n(creation.ephemeral_5m_input_tokens);
        let write_1h = n(creation.ephemeral_1h_input_tokens);
        let write = write_5m.saturating_add(write_1h);
        let output = n(self.output_tokens);
        let batch = match self.service_tier.as_str() {
            "" => Batch::NotReported,
            "batch" => Batch::Batch,
            _ => Batch::Interactive,
        };
        BucketRow {
            dims: Dimensions {
                // Workspaces play the role of OpenAI projects; the default
                // workspace (null) is ''.
                project_id: self.workspace_id.clone(),
                api_key_id: self.api_key_id.clone(),
                user_id: self.account_id.clone(),
                model: self.model.clone(),
                batch,
                service_tier: self.service_tier.clone(),
                context_window: self.context_window.clone(),
                inference_geo: self.inference_geo.clone(),
                ..Dimensions::default()
            },
            counts: Counts {
                input_tokens: uncached.saturating_add(cache_read).saturating_add(write),
                input_cached_tokens: cache_read,
                input_cache_write_tokens: write,
                input_cache_write_5m_tokens: write_5m,
                input_cache_write_1h_tokens: write_1h,
                input_uncached_tokens: uncached,
                input_text_tokens: uncached,
                input_cached_text_tokens: cache_read,
                output_tokens: output,
                output_text_tokens: output,
                web_search_requests: self
                    .server_tool_use
                    .as_ref()
                    .map(|s| n(s.web_search_requests))
                    .unwrap_or(0),
                ..Counts::default()
            },
        }
    }
}

impl MessagesBucket {
    pub fn to_day_bucket(&self) -> DayBucket {
        DayBucket {
            start: self.starting_at,
            end: self.ending_at,
            rows: self.results.iter().map(MessagesResult::to_row).collect(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct CostReportPage {
    pub data: Vec<CostReportBucket>,
    #[serde(default)]
    pub has_more: bool,
    #[serde(default)]
    pub next_page: Option<Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CostReportBucket {
    pub starting_at: DateTime<Utc>,
    pub ending_at: DateTime<Utc>,
    #[serde(default)]
    pub results: Vec<CostReportResult>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CostReportResult {
    /// Decimal string in cents (lowest currency unit).
    #[serde(default)]
    pub amount: Option<Value>,
    #[serde(default, deserialize_with = "dim")]
    pub currency: String,
    #[serde(default, deserialize_with = "dim")]
    pub workspace_id: String,
    #[serde(default, deserialize_with = "dim")]
    pub description: String,
    #[serde(default, deserialize_with = "dim")]
    pub cost_type: String,
    #[serde(default, deserialize_with = "dim")]
    pub model: String,
    #[serde(default, deserialize_with = "dim")]
    pub service_tier: String,
    #[serde(default, deserialize_with = "dim")]
    pub token_type: String,
    #[serde(default, deserialize_with = "dim")]
    pub context_window: String,
    #[serde(default, deserialize_with = "dim")]
    pub inference_geo: String,
}

impl CostReportResult {
    /// The amount in USD: cents string / 100, exactly.
    pub fn amount_usd(&self) -> Result<Decimal, String> {
        let cents = match &self.amount {
            None | Some(Value::Null) => return Ok(Decimal::ZERO),
            Some(Value::String(text)) => text
                .trim()
                .parse::<Decimal>()
                .map_err(|e| format!("amount {text:?}: {e}"))?,
            Some(Value::Number(number)) => super::decimal_from_f64(number.as_f64().unwrap_or(0.0))?,
            Some(other) => return Err(format!("amount is not a decimal: {other}")),
        };
        if !self.currency.is_empty() && !self.currency.eq_ignore_ascii_case("usd") {
            return Err(format!("unsupported currency {:?}", self.currency));
        }
        Ok(cents / Decimal::ONE_HUNDRED)
    }
}

impl CostReportBucket {
    pub fn to_cost_bucket(&self) -> Result<CostBucket, String> {
        let mut lines = Vec::with_capacity(self.results.len());
        for result in &self.results {
            lines.push(CostLine {
                project_id: result.workspace_id.clone(),
                api_key_id: String::new(),
                description: result.description.clone(),
                model: result.model.clone(),
                amount_usd: result.amount_usd()?,
            });
        }
        Ok(CostBucket {
            start: self.starting_at,
            end: self.ending_at,
            lines,
        })
    }
}

impl Paged for MessagesPage {
    fn cursor(&self) -> (bool, Option<&Value>) {
        (self.has_more, self.next_page.as_ref())
    }
}

impl Paged for CostReportPage {
    fn cursor(&self) -> (bool, Option<&Value>) {
        (self.has_more, self.next_page.as_ref())
    }
}

/// One Anthropic organisation, reached through one admin key.
#[derive(Clone)]
pub struct AnthropicClient {
    transport: Transport,
    base_url: String,
    auth: Auth,
}

impl std::fmt::Debug for AnthropicClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnthropicClient")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl AnthropicClient {
    pub(crate) fn new(transport: Transport, base_url: &str, key: SecretString) -> Self {
        Self {
            transport,
            base_url: base_url.trim_end_matches('/').to_owned(),
            auth: Auth::Anthropic(key),
        }
    }

    fn query(
        from: NaiveDate,
        to: NaiveDate,
        width: Width,
        group_by: &[&str],
    ) -> Vec<(&'static str, String)> {
        let at = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
        let mut query = vec![
            ("starting_at", at(midnight(from))),
            ("ending_at", at(midnight(next_day(to)))),
            ("bucket_width", width.param().to_owned()),
            ("limit", width.limit().to_string()),
        ];
        for g in group_by {
            query.push(("group_by[]", (*g).to_owned()));
        }
        query
    }

    /// Message-usage buckets for the UTC days `from..=to`, all pages.
    pub async fn messages(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        width: Width,
        stats: &FetchStats,
    ) -> Result<Vec<DayBucket>, ProviderError> {
        let url = format!("{}{MESSAGES_PATH}", self.base_url);
        let query = Self::query(from, to, width, MESSAGES_GROUP_BY);
        let pages: Vec<MessagesPage> = fetch_pages(
            &self.transport,
            &url,
            MESSAGES_PATH,
            &query,
            &self.auth,
            stats,
        )
        .await?;
        Ok(pages
            .iter()
            .flat_map(|p| p.data.iter().map(MessagesBucket::to_day_bucket))
            .collect())
    }

    /// The provider-billed costs for `from..=to` (for reconciliation).
    pub async fn cost_report(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        stats: &FetchStats,
    ) -> Result<Vec<CostBucket>, ProviderError> {
        let url = format!("{}{COST_PATH}", self.base_url);
        let query = Self::query(from, to, Width::Day, COST_GROUP_BY);
        let pages: Vec<CostReportPage> =
            fetch_pages(&self.transport, &url, COST_PATH, &query, &self.auth, stats).await?;
        let mut out = Vec::new();
        for page in pages {
            for bucket in &page.data {
                out.push(
                    bucket
                        .to_cost_bucket()
                        .map_err(|message| ProviderError::Decode {
                            endpoint: COST_PATH.to_owned(),
                            attempts: 1,
                            message,
                        })?,
                );
            }
        }
        Ok(out)
    }
}
