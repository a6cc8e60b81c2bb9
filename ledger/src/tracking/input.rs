//! What a tracking input may hold, checked before anything is priced or
//! written, with the same answer on SQLite and PostgreSQL: every count has
//! a maximum, every id and label follows [`text::plain`] (no control
//! characters, at most 200 bytes), and metadata has a size, depth and key
//! cap, with keys plain and string values [`text::free`].
//!
//! # Why stored sums cannot wrap
//!
//! The maxima bound one interaction, and so every sum over interactions:
//!
//! - Tokens: input + output is at most 2·10^9 per interaction. A sum of
//!   tokens (the daily rollup, stats, attribution) leaves an `i64`
//!   (9.2·10^18) only past 4.6·10^9 interactions at the maximum: terabytes
//!   of rows in one store. Operations (10^9) and milliseconds (8.64·10^7)
//!   need even more rows.
//! - Money: one interaction costs at most about 4.1·10^15 micro-USD, even
//!   at the dearest rates an admin may set (tokens at $1 each, an
//!   override's maximum: 2·10^15; 10^9 API calls at $1: 10^15; a COST_EVENT:
//!   10^15; 10^9 db ops at $0.001: 10^12; a day of compute: 8.64·10^10).
//!   That is 2,000 times below the `i64` range, so one row is always
//!   priced exactly, and a sum of costs leaves the range only when the
//!   ledger holds more than $9.2 trillion.
//!
//! Past those sizes nothing wraps: Rust sums are checked, PostgreSQL's
//! `CAST(SUM(…) AS BIGINT)` and SQLite's `SUM` raise an error, and the
//! session counters and daily rollup refuse the batch that would carry
//! them past the range (`bump_sessions`, `bump_rollup`).
use std::io;

use rust_decimal::Decimal;
use serde_json::Value;

use super::{InteractionKind, NewInteraction};
use crate::error::{Result, invalid};
use crate::money::{MICROS_PER_USD, usd_to_micros};
use crate::text;

/// Tokens of each kind (`inputTokens`, `cachedInputTokens`,
/// `cacheWriteTokens`, `outputTokens`) in one interaction: a billion, a
/// hundred times the largest context window of any model.
pub const MAX_TOKENS: i64 = 1_000_000_000;
/// Database operations, and external API calls, in one interaction.
pub const MAX_OPERATIONS: i64 = 1_000_000_000;
/// `computeMs` and `durationMs` of one interaction: one day.
pub const MAX_MILLIS: i64 = 86_400_000;
/// `costUsd` of one COST_EVENT, in USD.
pub const MAX_COST_USD: i64 = 1_000_000_000;
/// Metadata serialized as compact JSON, in bytes.
pub const MAX_METADATA_BYTES: usize = 16 * 1024;
/// Levels of objects and arrays in metadata (`{"a": {"b": 1}}` is two).
pub const MAX_METADATA_DEPTH: usize = 8;
/// Keys in metadata, counted over every nested object.
pub const MAX_METADATA_KEYS: usize = 256;

/// An input's counters, absent ones as 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Counts {
    pub input_tokens: i64,
    pub cached: i64,
    pub cache_write: i64,
    pub output_tokens: i64,
    pub db_ops: i64,
    pub api_calls: i64,
    pub compute_ms: i64,
}

impl Counts {
    /// Refuses counters outside `0..=max` and more cache tokens than input
    /// tokens.
    pub(crate) fn of(input: &NewInteraction) -> Result<Self> {
        let counts = Self {
            input_tokens: count("inputTokens", input.input_tokens, MAX_TOKENS)?,
            cached: count("cachedInputTokens", input.cached_input_tokens, MAX_TOKENS)?,
            cache_write: count("cacheWriteTokens", input.cache_write_tokens, MAX_TOKENS)?,
            output_tokens: count("outputTokens", input.output_tokens, MAX_TOKENS)?,
            db_ops: count("dbOps", input.db_ops, MAX_OPERATIONS)?,
            api_calls: count("apiCalls", input.api_calls, MAX_OPERATIONS)?,
            compute_ms: count("computeMs", input.compute_ms, MAX_MILLIS)?,
        };
        count("durationMs", input.duration_ms, MAX_MILLIS)?;
        // Both at most MAX_TOKENS: the sum cannot overflow.
        if counts.cached + counts.cache_write > counts.input_tokens {
            return Err(invalid(
                "cachedInputTokens + cacheWriteTokens cannot exceed inputTokens (inputTokens is all input)",
            ));
        }
        Ok(counts)
    }

    pub(crate) fn has_tokens(&self) -> bool {
        self.input_tokens + self.output_tokens > 0
    }
}

fn count(name: &str, value: Option<i64>, max: i64) -> Result<i64> {
    match value {
        Some(v) if !(0..=max).contains(&v) => Err(invalid(format!(
            "{name} must be between 0 and {max} (got {v})"
        ))),
        other => Ok(other.unwrap_or(0)),
    }
}

/// An input's pricing and status labels, trimmed; absent ones empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Labels {
    /// Lowercase, as the price book names providers.
    pub provider: String,
    pub model: String,
    pub service_tier: String,
    pub status: String,
    pub project_id: String,
    pub api_key_id: String,
}

impl Labels {
    fn of(input: &NewInteraction) -> Result<Self> {
        Ok(Self {
            provider: label("provider", input.provider.as_deref())?.to_ascii_lowercase(),
            model: label("model", input.model.as_deref())?,
            service_tier: label("serviceTier", input.service_tier.as_deref())?,
            status: label("status", input.status.as_deref())?,
            project_id: label("projectId", input.project_id.as_deref())?,
            api_key_id: label("apiKeyId", input.api_key_id.as_deref())?,
        })
    }
}

/// An optional id or label: [`text::plain`] as sent, stored trimmed;
/// absent is empty.
pub(crate) fn label(name: &str, value: Option<&str>) -> Result<String> {
    let value = value.unwrap_or_default();
    text::plain(name, value)?;
    Ok(value.trim().to_owned())
}

/// A required id: [`label`], and not blank.
pub(crate) fn required(name: &str, value: &str) -> Result<String> {
    let trimmed = label(name, Some(value))?;
    if trimmed.is_empty() {
        return Err(invalid(format!("{name} must not be empty")));
    }
    Ok(trimmed)
}

/// What [`check`] found valid in an interaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Checked {
    pub counts: Counts,
    pub labels: Labels,
    pub explicit_micros: i64,
}

/// Every rule on one interaction except its session, which the caller
/// resolves. Checks run in a fixed order, so an input with several faults
/// always reports the same one.
pub(crate) fn check(input: &NewInteraction) -> Result<Checked> {
    let counts = Counts::of(input)?;
    let labels = Labels::of(input)?;
    if let Some(key) = &input.idempotency_key {
        required("idempotencyKey", key)?;
    }
    if counts.has_tokens() && labels.model.is_empty() {
        return Err(invalid("model is required when tokens are reported"));
    }
    let explicit_micros = explicit_micros(input.kind, input.cost_usd)?;
    if let Some(value) = &input.metadata {
        metadata(value)?;
    }
    Ok(Checked {
        counts,
        labels,
        explicit_micros,
    })
}

/// The cost a COST_EVENT states (0 to [`MAX_COST_USD`]); every other kind
/// must state none.
fn explicit_micros(kind: InteractionKind, cost_usd: Option<Decimal>) -> Result<i64> {
    let max_micros = MAX_COST_USD * MICROS_PER_USD;
    match (kind, cost_usd) {
        (InteractionKind::CostEvent, Some(usd)) => usd_to_micros(usd)
            .filter(|micros| (0..=max_micros).contains(micros))
            .ok_or_else(|| {
                invalid(format!(
                    "costUsd must be between 0 and {MAX_COST_USD} (got {usd})"
                ))
            }),
        (InteractionKind::CostEvent, None) => Err(invalid("COST_EVENT requires costUsd")),
        (_, Some(_)) => Err(invalid("costUsd is only accepted on COST_EVENT")),
        (_, None) => Ok(0),
    }
}

/// Refuses metadata deeper than [`MAX_METADATA_DEPTH`], with more than
/// [`MAX_METADATA_KEYS`] keys or longer than [`MAX_METADATA_BYTES`] as
/// compact JSON, with a key that is not [`text::plain`] or a string that
/// is not [`text::free`].
pub fn metadata(value: &Value) -> Result<()> {
    let mut keys = 0;
    walk(value, 0, &mut keys)?;
    let mut size = SizeLimit(0);
    if serde_json::to_writer(&mut size, value).is_err() {
        return Err(invalid(format!(
            "metadata is larger than {MAX_METADATA_BYTES} bytes as JSON"
        )));
    }
    Ok(())
}

/// Checks `value`, found at `depth` levels of nesting; stops at the first
/// fault, so hostile metadata is never walked further than the caps.
fn walk(value: &Value, depth: usize, keys: &mut usize) -> Result<()> {
    let nested = || {
        if depth >= MAX_METADATA_DEPTH {
            return Err(invalid(format!(
                "metadata is nested deeper than {MAX_METADATA_DEPTH} levels"
            )));
        }
        Ok(depth + 1)
    };
    match value {
        Value::String(s) => text::free("a metadata value", s),
        Value::Array(items) => {
            let depth = nested()?;
            items.iter().try_for_each(|item| walk(item, depth, keys))
        }
        Value::Object(map) => {
            let depth = nested()?;
            *keys += map.len();
            if *keys > MAX_METADATA_KEYS {
                return Err(invalid(format!(
                    "metadata has more than {MAX_METADATA_KEYS} keys"
                )));
            }
            map.iter().try_for_each(|(key, item)| {
                text::plain("a metadata key", key)?;
                walk(item, depth, keys)
            })
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => Ok(()),
    }
}

/// Counts written bytes and fails past [`MAX_METADATA_BYTES`], so the
/// size of large metadata is known without serializing all of it.
struct SizeLimit(usize);

impl io::Write for SizeLimit {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len();
        if self.0 > MAX_METADATA_BYTES {
            return Err(io::Error::other("metadata too large"));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests;
