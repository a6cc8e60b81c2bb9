//! The price book: genai-prices data (bundled, or a synced version stored
//! in `price_version`), swapped atomically, plus admin overrides.
//!
//! Every cost records the price version it used, so later price changes
//! never silently reprice history.
pub mod reprice;
pub mod unit_rates;

use std::sync::Arc;

use arc_swap::ArcSwap;
use chrono::NaiveDate;
use entity::{model_price, price_version, unit_rate};
use genai_prices::{Calculator, PriceRequest, Usage, UsageKey};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TryIntoModel,
};
use sha2::{Digest, Sha256};

use crate::Result;
use crate::money::{f64_usd_to_micros, usd_to_micros};

/// Identifies the data compiled into this binary in `price_version`.
pub const BUNDLED_SOURCE: &str = "bundled";
const BUNDLED_HASH: &str = "bundled:genai-prices-0.2.1";

/// Where the price feed is synced from unless configured otherwise.
pub const DEFAULT_PRICES_URL: &str = genai_prices::REMOTE_DATA_URL;

/// Token counts of one priced unit (a bucket or an interaction). Every
/// field follows the genai-prices meaning: `input_tokens` is all input,
/// the cache fields are subsets of it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tokens {
    pub input: i64,
    pub cache_read: i64,
    pub cache_write: i64,
    pub cache_write_1h: i64,
    pub output: i64,
    pub input_audio: i64,
    pub cache_audio_read: i64,
    pub output_audio: i64,
    pub web_searches: i64,
    /// Requests behind an aggregate, when the provider reports them.
    pub requests: i64,
}

/// What is being priced, beyond the counts.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub provider: &'a str,
    pub model: &'a str,
    pub day: NaiveDate,
    pub service_tier: &'a str,
    pub batch: bool,
    /// Anthropic's per-request context window bucket, e.g. `0-200k`.
    pub context_window: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priced {
    Cost {
        micros: i64,
        /// True when a tiered price was applied to an average request.
        estimated: bool,
        version_id: i64,
    },
    /// No price for this model: shown as `null`, never as $0.
    Unpriced,
}

impl Priced {
    pub fn micros(&self) -> Option<i64> {
        match self {
            Priced::Cost { micros, .. } => Some(*micros),
            Priced::Unpriced => None,
        }
    }
    pub fn version_id(&self) -> Option<i64> {
        match self {
            Priced::Cost { version_id, .. } => Some(*version_id),
            Priced::Unpriced => None,
        }
    }
    pub fn estimated(&self) -> bool {
        matches!(
            self,
            Priced::Cost {
                estimated: true,
                ..
            }
        )
    }
}

enum Data {
    Bundled,
    Synced(Box<Calculator>),
}

struct Snapshot {
    data: Data,
    version_id: i64,
    overrides: Vec<model_price::Model>,
    /// Newest first.
    unit_rates: Vec<unit_rate::Model>,
}

impl Snapshot {
    fn calculator(&self) -> &Calculator {
        match &self.data {
            Data::Bundled => Calculator::bundled(),
            Data::Synced(calculator) => calculator,
        }
    }
}

/// Unit rates for the non-token parts of an interaction's cost. Database
/// operations are priced in nano-USD because one op costs far less than a
/// micro-dollar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitRates {
    pub db_op_nanos: i64,
    pub api_call_micros: i64,
    pub compute_second_micros: i64,
}

impl Default for UnitRates {
    /// In the range of managed-database and serverless list prices: $0.25 per
    /// million db ops, $0.40 per thousand API calls, $0.00002 per compute second.
    fn default() -> Self {
        Self {
            db_op_nanos: 250,
            api_call_micros: 400,
            compute_second_micros: 20,
        }
    }
}

impl UnitRates {
    /// (db ops, api calls, compute) cost in micro-USD; `None` when a
    /// product leaves the i64 range (never within the tracking maxima and
    /// rate limits: 10^9 × 10^6 at most), rather than a saturated number.
    pub fn cost(&self, db_ops: i64, api_calls: i64, compute_ms: i64) -> Option<(i64, i64, i64)> {
        let db = db_ops.checked_mul(self.db_op_nanos)? / 1000;
        let api = api_calls.checked_mul(self.api_call_micros)?;
        let compute = compute_ms.checked_mul(self.compute_second_micros)? / 1000;
        Some((db, api, compute))
    }
}

/// The live price book. Cheap to share; reads never block a sync.
pub struct PriceBook {
    current: ArcSwap<Snapshot>,
    /// The configured rates, in force before the first stored version.
    pub unit_rates: UnitRates,
}

impl PriceBook {
    /// Loads the newest stored version (registering the bundled data on
    /// first start) and the admin overrides.
    pub async fn load(db: &impl ConnectionTrait, unit_rates: UnitRates) -> Result<Self> {
        let snapshot = load_snapshot(db).await?;
        Ok(Self {
            current: ArcSwap::from_pointee(snapshot),
            unit_rates,
        })
    }

    /// Re-reads versions and overrides after an admin change or a sync.
    pub async fn reload(&self, db: &impl ConnectionTrait) -> Result<()> {
        self.current.store(Arc::new(load_snapshot(db).await?));
        Ok(())
    }

    pub fn version_id(&self) -> i64 {
        self.current.load().version_id
    }

    /// The unit rates in force on `day`: the newest stored version from
    /// that day or earlier, else the configured rates.
    pub fn unit_rates_on(&self, day: NaiveDate) -> UnitRates {
        self.current
            .load()
            .unit_rates
            .iter()
            .find(|v| v.effective_from <= day)
            .map_or(self.unit_rates, |v| UnitRates {
                db_op_nanos: v.db_op_nanos,
                api_call_micros: v.api_call_micros,
                compute_second_micros: v.compute_second_micros,
            })
    }

    pub fn price(&self, ctx: &Context<'_>, tokens: &Tokens) -> Priced {
        let snapshot = self.current.load();
        if let Some(price) = find_override(&snapshot.overrides, ctx) {
            return match override_cost(price, tokens) {
                Some(micros) => Priced::Cost {
                    micros,
                    estimated: false,
                    version_id: snapshot.version_id,
                },
                None => Priced::Unpriced,
            };
        }
        match price_with_calculator(snapshot.calculator(), ctx, tokens) {
            Some((micros, estimated)) => Priced::Cost {
                micros,
                estimated,
                version_id: snapshot.version_id,
            },
            None => Priced::Unpriced,
        }
    }

    /// True when the book knows a price for the model.
    pub fn knows(&self, provider: &str, model: &str, day: NaiveDate) -> bool {
        let ctx = Context {
            provider,
            model,
            day,
            service_tier: "",
            batch: false,
            context_window: "",
        };
        let one = Tokens {
            input: 1,
            ..Tokens::default()
        };
        self.price(&ctx, &one) != Priced::Unpriced
    }

    /// Per-million-token list prices of a model on a day, from the book.
    pub fn list_prices(&self, provider: &str, model: &str, day: NaiveDate) -> Option<ListPrices> {
        let ctx = Context {
            provider,
            model,
            day,
            service_tier: "",
            batch: false,
            context_window: "",
        };
        let per_million = |tokens: Tokens| -> Option<Decimal> {
            let micros = self.price(&ctx, &tokens).micros()?;
            Some(Decimal::new(micros, 6).normalize())
        };
        let million = 1_000_000;
        Some(ListPrices {
            input_mtok: per_million(Tokens {
                input: million,
                ..Tokens::default()
            })?,
            cached_input_mtok: per_million(Tokens {
                input: million,
                cache_read: million,
                ..Tokens::default()
            }),
            cache_write_mtok: per_million(Tokens {
                input: million,
                cache_write: million,
                ..Tokens::default()
            }),
            output_mtok: per_million(Tokens {
                output: million,
                ..Tokens::default()
            })?,
            version_id: self.version_id(),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListPrices {
    pub input_mtok: Decimal,
    pub cached_input_mtok: Option<Decimal>,
    pub cache_write_mtok: Option<Decimal>,
    pub output_mtok: Decimal,
    pub version_id: i64,
}

async fn load_snapshot(db: &impl ConnectionTrait) -> Result<Snapshot> {
    let bundled_id = ensure_bundled_version(db).await?;
    let newest = price_version::Entity::find()
        .filter(price_version::Column::Data.is_not_null())
        .order_by_desc(price_version::Column::Id)
        .one(db)
        .await?;
    let (data, version_id) = match newest.and_then(|v| v.data.clone().map(|data| (data, v.id))) {
        Some((json, id)) => match Calculator::from_json(json.as_bytes()) {
            Ok(calculator) => (Data::Synced(Box::new(calculator)), id),
            Err(error) => {
                tracing::warn!(%error, version = id, "stored price version unreadable; using bundled data");
                (Data::Bundled, bundled_id)
            }
        },
        None => (Data::Bundled, bundled_id),
    };
    let overrides = model_price::Entity::find()
        .order_by_desc(model_price::Column::EffectiveFrom)
        .all(db)
        .await?;
    let unit_rates = unit_rate::Entity::find()
        .order_by_desc(unit_rate::Column::EffectiveFrom)
        .all(db)
        .await?;
    Ok(Snapshot {
        data,
        version_id,
        overrides,
        unit_rates,
    })
}

/// The bundled version's row, added when missing. Replicas starting on a
/// fresh database race to add it: the insert does nothing when another
/// got there first, and the row is read back either way.
async fn ensure_bundled_version(db: &impl ConnectionTrait) -> Result<i64> {
    let find = || {
        price_version::Entity::find()
            .filter(price_version::Column::ContentHash.eq(BUNDLED_HASH))
            .one(db)
    };
    if let Some(found) = find().await? {
        return Ok(found.id);
    }
    let row = price_version::ActiveModel {
        source: Set(BUNDLED_SOURCE.to_owned()),
        content_hash: Set(BUNDLED_HASH.to_owned()),
        fetched_at: Set(chrono::Utc::now()),
        data: Set(None),
        ..Default::default()
    };
    price_version::Entity::insert(row)
        .on_conflict_do_nothing_on([price_version::Column::ContentHash])
        .exec(db)
        .await?;
    let found = find().await?.ok_or_else(|| {
        crate::Error::Internal("the bundled price version was not stored".to_owned())
    })?;
    Ok(found.id)
}

/// The newest override in effect on the day (overrides are sorted newest first).
fn find_override<'a>(
    overrides: &'a [model_price::Model],
    ctx: &Context<'_>,
) -> Option<&'a model_price::Model> {
    overrides.iter().find(|o| {
        o.provider.eq_ignore_ascii_case(ctx.provider)
            && o.model.eq_ignore_ascii_case(ctx.model)
            && o.effective_from <= ctx.day
    })
}

fn override_cost(price: &model_price::Model, tokens: &Tokens) -> Option<i64> {
    let rate = |text: &str| text.parse::<Decimal>().ok();
    let uncached = tokens.input - tokens.cache_read - tokens.cache_write;
    let usd = Decimal::from(uncached) * rate(&price.input_mtok)?
        + Decimal::from(tokens.cache_read) * rate(&price.cached_input_mtok)?
        + Decimal::from(tokens.cache_write) * rate(&price.cache_write_mtok)?
        + Decimal::from(tokens.output) * rate(&price.output_mtok)?;
    usd_to_micros(usd / Decimal::from(1_000_000))
}

/// Prices an aggregate without falling into the cliff-tier pitfall: tiered
/// prices apply per request, so an aggregate is priced as requests of the
/// right size and multiplied back.
fn price_with_calculator(
    calculator: &Calculator,
    ctx: &Context<'_>,
    tokens: &Tokens,
) -> Option<(i64, bool)> {
    let whole = calculate(calculator, ctx, tokens, 1.0)?;
    // Anthropic reports the per-request context window: below the tier start
    // every request paid base rates, which pricing a slice under the tier start gives.
    let below_tier = ctx.context_window.starts_with("0-");
    let slices = if below_tier {
        (tokens.input / 100_000).max(1) as f64
    } else if tokens.requests > 1 {
        tokens.requests as f64
    } else {
        1.0
    };
    if slices <= 1.0 {
        return Some((f64_usd_to_micros(whole)?, false));
    }
    let sliced = calculate(calculator, ctx, tokens, slices)? * slices;
    let tiered = (sliced - whole).abs() > 1e-9 * whole.abs().max(1.0);
    if !tiered {
        return Some((f64_usd_to_micros(whole)?, false));
    }
    // A context-window split is exact; an average request is an estimate.
    Some((f64_usd_to_micros(sliced)?, !below_tier))
}

fn calculate(
    calculator: &Calculator,
    ctx: &Context<'_>,
    tokens: &Tokens,
    divisor: f64,
) -> Option<f64> {
    let mut usage = Usage::default();
    let mut put = |key: UsageKey, value: i64| {
        if value > 0 {
            usage.insert(key, value as f64 / divisor);
        }
    };
    put(UsageKey::INPUT_TOKENS, tokens.input);
    put(UsageKey::CACHE_READ_TOKENS, tokens.cache_read);
    put(UsageKey::CACHE_WRITE_TOKENS, tokens.cache_write);
    put(UsageKey::CACHE_WRITE_1H_TOKENS, tokens.cache_write_1h);
    put(UsageKey::OUTPUT_TOKENS, tokens.output);
    put(UsageKey::INPUT_AUDIO_TOKENS, tokens.input_audio);
    put(UsageKey::CACHE_AUDIO_READ_TOKENS, tokens.cache_audio_read);
    put(UsageKey::OUTPUT_AUDIO_TOKENS, tokens.output_audio);
    put(UsageKey::WEB_SEARCHES, tokens.web_searches);
    let noon = ctx.day.and_hms_opt(12, 0, 0)?.and_utc();
    let mut request = PriceRequest::new(ctx.model, &usage).with_timestamp(noon);
    if !ctx.provider.is_empty() {
        request = request.with_provider_id(ctx.provider);
    }
    let tier = ctx.service_tier;
    if ctx.batch || tier == "batch" {
        request = request.with_price_context("processing", "batch");
    } else if !tier.is_empty() && tier != "standard" {
        request = request.with_price_context("service_tier", tier);
    }
    match calculator.calculate(&request) {
        Ok(calc) => Some(calc.total_price),
        Err(error) => {
            tracing::debug!(model = ctx.model, %error, "no price");
            None
        }
    }
}

/// SHA-256 hex of a price feed payload, for "store only when changed".
pub fn content_hash(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// A negotiated price for one model from a day on; USD per million tokens.
#[derive(Debug, Clone)]
pub struct OverrideInput {
    pub provider: String,
    pub model: String,
    pub effective_from: NaiveDate,
    pub input_mtok: Decimal,
    pub cached_input_mtok: Decimal,
    pub cache_write_mtok: Decimal,
    pub output_mtok: Decimal,
}

/// Stores (or replaces, for the same day) an override and reloads the book.
/// Usage already stored keeps its cost until an explicit reprice.
pub async fn set_override(
    db: &impl ConnectionTrait,
    book: &PriceBook,
    input: OverrideInput,
    created_by: &str,
) -> Result<model_price::Model> {
    let provider = input.provider.trim().to_ascii_lowercase();
    let model = input.model.trim().to_owned();
    if provider.is_empty() || model.is_empty() {
        return Err(crate::error::invalid(
            "provider and model must not be empty",
        ));
    }
    for (name, value) in [
        ("inputMtok", input.input_mtok),
        ("cachedInputMtok", input.cached_input_mtok),
        ("cacheWriteMtok", input.cache_write_mtok),
        ("outputMtok", input.output_mtok),
    ] {
        if value.is_sign_negative() || value > Decimal::from(1_000_000) {
            return Err(crate::error::invalid(format!(
                "{name} must be between 0 and 1000000 USD per million tokens"
            )));
        }
    }
    let existing = model_price::Entity::find()
        .filter(model_price::Column::Provider.eq(&provider))
        .filter(model_price::Column::Model.eq(&model))
        .filter(model_price::Column::EffectiveFrom.eq(input.effective_from))
        .one(db)
        .await?;
    let mut row: model_price::ActiveModel = match existing {
        Some(found) => found.into(),
        None => model_price::ActiveModel {
            provider: Set(provider),
            model: Set(model),
            effective_from: Set(input.effective_from),
            ..Default::default()
        },
    };
    row.input_mtok = Set(input.input_mtok.normalize().to_string());
    row.cached_input_mtok = Set(input.cached_input_mtok.normalize().to_string());
    row.cache_write_mtok = Set(input.cache_write_mtok.normalize().to_string());
    row.output_mtok = Set(input.output_mtok.normalize().to_string());
    row.created_by = Set(created_by.to_owned());
    row.created_at = Set(chrono::Utc::now());
    let saved = row.save(db).await?.try_into_model()?;
    book.reload(db).await?;
    Ok(saved)
}

pub async fn overrides(db: &impl ConnectionTrait) -> Result<Vec<model_price::Model>> {
    Ok(model_price::Entity::find()
        .order_by_asc(model_price::Column::Provider)
        .order_by_asc(model_price::Column::Model)
        .order_by_desc(model_price::Column::EffectiveFrom)
        .all(db)
        .await?)
}

/// Where a price feed comes from: an `http(s)://` URL or a local file.
pub async fn fetch_feed(source: &str) -> Result<Vec<u8>> {
    if source.starts_with("http://") || source.starts_with("https://") {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|e| crate::Error::Internal(format!("http client: {e}")))?;
        let response = client
            .get(source)
            .send()
            .await
            .map_err(|e| crate::error::invalid(format!("price feed unreachable: {e}")))?;
        if !response.status().is_success() {
            return Err(crate::error::invalid(format!(
                "price feed answered HTTP {}",
                response.status()
            )));
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| crate::error::invalid(format!("price feed read failed: {e}")))?;
        Ok(body.to_vec())
    } else {
        tokio::fs::read(source)
            .await
            .map_err(|e| crate::error::invalid(format!("cannot read price feed {source:?}: {e}")))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncOutcome {
    pub version_id: i64,
    /// False when the feed's content equals a stored version.
    pub created: bool,
    pub content_hash: String,
}

/// Fetches and validates a v2 `data.json`; stores it as a new price version
/// only when its content is new, then swaps the live book. A failed or
/// malformed fetch leaves the current version in place.
pub async fn sync(
    db: &impl ConnectionTrait,
    book: &PriceBook,
    source: &str,
) -> Result<SyncOutcome> {
    let data = fetch_feed(source).await?;
    Calculator::from_json(&data)
        .map_err(|e| crate::error::invalid(format!("price feed rejected: {e}")))?;
    let text =
        String::from_utf8(data).map_err(|_| crate::error::invalid("price feed is not UTF-8"))?;
    let hash = content_hash(text.as_bytes());
    if let Some(found) = price_version::Entity::find()
        .filter(price_version::Column::ContentHash.eq(&hash))
        .one(db)
        .await?
    {
        return Ok(SyncOutcome {
            version_id: found.id,
            created: false,
            content_hash: hash,
        });
    }
    let row = price_version::ActiveModel {
        source: Set(source.to_owned()),
        content_hash: Set(hash.clone()),
        fetched_at: Set(chrono::Utc::now()),
        data: Set(Some(text)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    book.reload(db).await?;
    Ok(SyncOutcome {
        version_id: row.id,
        created: true,
        content_hash: hash,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx<'a>(context_window: &'a str) -> Context<'a> {
        Context {
            provider: "anthropic",
            model: "claude-sonnet-4-5-20250929",
            day: NaiveDate::from_ymd_opt(2026, 11, 2).expect("day"),
            service_tier: "standard",
            batch: false,
            context_window,
        }
    }

    /// A day of 10M input and 1M output tokens. Priced as one request, the
    /// aggregate would cross the 200k tier and pay $6 / $22.50 per million:
    /// the cliff. Every request was under 200k, so the day costs base rates.
    #[test]
    fn a_tiered_day_is_priced_per_request_not_as_one_cliff() {
        let day = Tokens {
            input: 10_000_000,
            output: 1_000_000,
            ..Tokens::default()
        };
        let calculator = Calculator::bundled();
        let cliff = calculate(calculator, &ctx("0-200k"), &day, 1.0).expect("priced");
        assert_eq!(f64_usd_to_micros(cliff), Some(82_500_000));

        // Anthropic says which side of the tier the requests were on: exact.
        let below = price_with_calculator(calculator, &ctx("0-200k"), &day).expect("priced");
        assert_eq!(below, (45_000_000, false));
        let above = price_with_calculator(calculator, &ctx("200k-1M"), &day).expect("priced");
        assert_eq!(above, (82_500_000, false));

        // OpenAI-style: only the request count is known, so the average
        // request (100k tokens, under the tier) is priced, as an estimate.
        let counted = Tokens {
            requests: 100,
            ..day
        };
        let estimated = price_with_calculator(calculator, &ctx(""), &counted).expect("priced");
        assert_eq!(estimated, (45_000_000, true));
    }
}
