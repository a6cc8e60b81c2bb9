//! Administration: ingest keys, prices, runs, connections and reports
//! (parity reports live in `parity.rs`).
use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, Json, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{ingest_key, ingestion_run, model_price};
use ledger::dates::parse_day;
use ledger::page::PageRequest;
use ledger::pricing::{self, OverrideInput};
use rust_decimal::Decimal;

use super::scalars::connection;
use super::{principal, state};
use crate::error::{ApiError, ApiResult};

#[derive(SimpleObject)]
pub struct IngestKey {
    pub id: ID,
    pub name: String,
    /// The first characters of the key, to recognise it.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<ingest_key::Model> for IngestKey {
    fn from(k: ingest_key::Model) -> Self {
        Self {
            id: ID(k.id.to_string()),
            name: k.name,
            prefix: k.prefix,
            created_at: k.created_at,
            revoked_at: k.revoked_at,
        }
    }
}

/// A new ingest key. `key` is shown this once and never stored.
#[derive(SimpleObject)]
pub struct CreatedIngestKey {
    pub id: ID,
    pub name: String,
    pub key: String,
}

/// A model's price per million tokens, from the price book or an override.
#[derive(SimpleObject)]
pub struct ModelPrice {
    pub provider: String,
    pub model: String,
    /// `book` (genai-prices data) or `override` (admin-set).
    pub source: String,
    pub effective_from: Option<String>,
    pub input_mtok: Decimal,
    pub cached_input_mtok: Option<Decimal>,
    pub cache_write_mtok: Option<Decimal>,
    pub output_mtok: Decimal,
    pub price_version_id: Option<i64>,
}

impl TryFrom<model_price::Model> for ModelPrice {
    type Error = ApiError;
    fn try_from(m: model_price::Model) -> ApiResult<Self> {
        let dec = |s: &str| s.parse::<Decimal>().map_err(|_| ApiError::Internal);
        Ok(Self {
            source: "override".into(),
            effective_from: Some(m.effective_from.to_string()),
            input_mtok: dec(&m.input_mtok)?,
            cached_input_mtok: Some(dec(&m.cached_input_mtok)?),
            cache_write_mtok: Some(dec(&m.cache_write_mtok)?),
            output_mtok: dec(&m.output_mtok)?,
            price_version_id: None,
            provider: m.provider,
            model: m.model,
        })
    }
}

/// The result of a price feed sync.
#[derive(SimpleObject)]
pub struct PriceSync {
    pub price_version_id: i64,
    /// False when the feed equals a stored version (nothing changed).
    pub created: bool,
    pub content_hash: String,
}

#[derive(SimpleObject)]
pub struct UnpricedModel {
    pub provider: String,
    pub model: String,
}

#[derive(SimpleObject)]
pub struct IngestionRun {
    pub id: ID,
    pub label: String,
    pub provider: String,
    pub connection_id: Option<i64>,
    pub range_start: String,
    pub range_end: String,
    pub status: String,
    pub dry_run: bool,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub duration_ms: i64,
    pub windows: i64,
    pub pages: i64,
    pub rows_inserted: i64,
    pub rows_updated: i64,
    pub rows_deleted: i64,
    pub retries: i64,
    pub rate_limited: i64,
    pub issues: Json<serde_json::Value>,
}

impl From<ingestion_run::Model> for IngestionRun {
    fn from(r: ingestion_run::Model) -> Self {
        Self {
            id: ID(r.id.to_string()),
            label: r.label,
            provider: r.provider,
            connection_id: r.connection_id,
            range_start: r.range_start.to_string(),
            range_end: r.range_end.to_string(),
            status: r.status,
            dry_run: r.dry_run,
            started_at: r.started_at,
            finished_at: r.finished_at,
            duration_ms: r.duration_ms,
            windows: r.windows,
            pages: r.pages,
            rows_inserted: r.rows_inserted,
            rows_updated: r.rows_updated,
            rows_deleted: r.rows_deleted,
            retries: r.retries,
            rate_limited: r.rate_limited,
            issues: Json(r.issues),
        }
    }
}

#[derive(InputObject)]
pub struct PriceOverrideInput {
    pub provider: String,
    pub model: String,
    /// First UTC day (`YYYY-MM-DD`) the price applies to.
    pub effective_from: String,
    pub input_mtok: Decimal,
    pub cached_input_mtok: Decimal,
    pub cache_write_mtok: Decimal,
    pub output_mtok: Decimal,
}

fn parse_id(id: &ID) -> ApiResult<i64> {
    id.parse::<i64>()
        .map_err(|_| ApiError::BadInput(format!("malformed id {:?}", id.0)))
}

#[derive(Default)]
pub struct AdminQuery;

#[Object]
impl AdminQuery {
    /// Prices per million tokens. With a model: that model's price on `date`
    /// (default today), an override winning over the book. Without: every override.
    async fn model_prices(
        &self,
        ctx: &Context<'_>,
        provider: Option<String>,
        model: Option<String>,
        date: Option<String>,
    ) -> ApiResult<Vec<ModelPrice>> {
        principal(ctx).viewer()?;
        let state = state(ctx)?;
        let day: NaiveDate = match date {
            Some(d) => parse_day(&d)?,
            None => Utc::now().date_naive(),
        };
        let overrides = pricing::overrides(&state.db).await?;
        let Some(model) = model else {
            return overrides
                .into_iter()
                .filter(|o| {
                    provider
                        .as_ref()
                        .is_none_or(|p| p.eq_ignore_ascii_case(&o.provider))
                })
                .map(ModelPrice::try_from)
                .collect();
        };
        let provider = provider.unwrap_or_default();
        if let Some(o) = overrides.into_iter().find(|o| {
            o.model.eq_ignore_ascii_case(&model)
                && (provider.is_empty() || o.provider.eq_ignore_ascii_case(&provider))
                && o.effective_from <= day
        }) {
            return Ok(vec![o.try_into()?]);
        }
        let prices = state
            .book
            .list_prices(&provider, &model, day)
            .ok_or_else(|| ApiError::NotFound(format!("no price for model {model:?}")))?;
        Ok(vec![ModelPrice {
            provider,
            model,
            source: "book".into(),
            effective_from: None,
            input_mtok: prices.input_mtok,
            cached_input_mtok: prices.cached_input_mtok,
            cache_write_mtok: prices.cache_write_mtok,
            output_mtok: prices.output_mtok,
            price_version_id: Some(prices.version_id),
        }])
    }

    /// Models seen in provider usage that the price book cannot price.
    async fn unpriced_models(&self, ctx: &Context<'_>) -> ApiResult<Vec<UnpricedModel>> {
        principal(ctx).viewer()?;
        let rows = ledger::usage::unpriced_models(&state(ctx)?.db).await?;
        Ok(rows
            .into_iter()
            .map(|(provider, model)| UnpricedModel { provider, model })
            .collect())
    }

    /// Ingestion runs with their telemetry, newest first.
    async fn ingestion_runs(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<String, IngestionRun>> {
        principal(ctx).viewer()?;
        let page = PageRequest::new(first, after.as_deref())?;
        let found = ledger::ingest::runs::ingestion_runs(&state(ctx)?.db, &page).await?;
        Ok(connection(found, page.after.is_some(), IngestionRun::from))
    }

    async fn ingest_keys(&self, ctx: &Context<'_>) -> ApiResult<Vec<IngestKey>> {
        principal(ctx).admin()?;
        let rows = ledger::tracking::keys::list(&state(ctx)?.db).await?;
        Ok(rows.into_iter().map(IngestKey::from).collect())
    }
}

#[derive(Default)]
pub struct AdminMutation;

#[Object]
impl AdminMutation {
    /// Creates a tracking key for an application; the key is shown once.
    async fn create_ingest_key(
        &self,
        ctx: &Context<'_>,
        name: String,
    ) -> ApiResult<CreatedIngestKey> {
        principal(ctx).admin()?;
        let created = ledger::tracking::keys::create(&state(ctx)?.db, &name).await?;
        Ok(CreatedIngestKey {
            id: ID(created.id.to_string()),
            name: created.name,
            key: created.secret,
        })
    }

    async fn revoke_ingest_key(&self, ctx: &Context<'_>, id: ID) -> ApiResult<IngestKey> {
        principal(ctx).admin()?;
        let revoked = ledger::tracking::keys::revoke(&state(ctx)?.db, parse_id(&id)?).await?;
        Ok(revoked.into())
    }

    /// Fetches the configured price feed (`COGNITRACK_PRICES_URL`); stores a
    /// new price version only when its content changed. Stored usage keeps its cost.
    async fn sync_pricing(&self, ctx: &Context<'_>) -> ApiResult<PriceSync> {
        principal(ctx).admin()?;
        let state = state(ctx)?;
        let outcome = pricing::sync(&state.db, &state.book, &state.settings().prices_url).await?;
        Ok(PriceSync {
            price_version_id: outcome.version_id,
            created: outcome.created,
            content_hash: outcome.content_hash,
        })
    }

    /// Backfills provider usage for the UTC days `from`..`to` (both included)
    /// and returns the run's telemetry. Re-running a range changes nothing.
    #[allow(clippy::too_many_arguments)]
    async fn run_ingestion(
        &self,
        ctx: &Context<'_>,
        provider: String,
        from: String,
        to: String,
        connection: Option<String>,
        dry_run: Option<bool>,
        chunk_days: Option<i32>,
    ) -> ApiResult<IngestionRun> {
        let claims = principal(ctx).admin()?;
        let state = state(ctx)?;
        let kind: ledger::providers::ProviderKind = provider.parse()?;
        let range = ledger::dates::DayRange::parse(&from, &to)?;
        let target =
            ledger::providers::connections::pick(&state.db, kind, connection.as_deref()).await?;
        let mut request = ledger::ingest::IngestRequest::new(&target, range)?;
        request.label = format!("api:{}", claims.sub);
        request.dry_run = dry_run.unwrap_or(false);
        if let Some(days) = chunk_days {
            request.chunk_days = u32::try_from(days)
                .ok()
                .filter(|d| (1..=31).contains(d))
                .ok_or_else(|| ApiError::BadInput("chunkDays must be between 1 and 31".into()))?;
        }
        let report =
            ledger::ingest::run(&state.db, &state.book, &state.clients, request, None).await?;
        let row = ledger::ingest::runs::ingestion_run(&state.db, report.run_id)
            .await?
            .ok_or(ApiError::Internal)?;
        Ok(row.into())
    }

    /// Sets a negotiated price from a day on. Stored usage keeps its cost.
    async fn set_price_override(
        &self,
        ctx: &Context<'_>,
        input: PriceOverrideInput,
    ) -> ApiResult<ModelPrice> {
        let claims = principal(ctx).admin()?;
        let state = state(ctx)?;
        let input = OverrideInput {
            provider: input.provider,
            model: input.model,
            effective_from: parse_day(&input.effective_from)?,
            input_mtok: input.input_mtok,
            cached_input_mtok: input.cached_input_mtok,
            cache_write_mtok: input.cache_write_mtok,
            output_mtok: input.output_mtok,
        };
        let saved = pricing::set_override(&state.db, &state.book, input, &claims.sub).await?;
        saved.try_into()
    }
}
