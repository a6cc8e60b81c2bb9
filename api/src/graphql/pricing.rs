//! The price book: model prices, overrides, unpriced models, feed sync.
use async_graphql::{Context, InputObject, Object, SimpleObject};
use entity::model_price;
use ledger::pricing::{self, OverrideInput};
use rust_decimal::Decimal;

use super::types::{Date, Provider, day_or_today};
use super::{principal, state};
use crate::error::{ApiError, ApiResult};

/// A model's price per million tokens, from the price book or an override.
#[derive(SimpleObject)]
pub struct ModelPrice {
    pub provider: String,
    pub model: String,
    /// `book` (genai-prices data) or `override` (admin-set).
    pub source: String,
    pub effective_from: Option<Date>,
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
            effective_from: Some(m.effective_from.into()),
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
    pub provider: Provider,
    pub model: String,
}

#[derive(InputObject)]
pub struct PriceOverrideInput {
    pub provider: String,
    pub model: String,
    /// First UTC day the price applies to.
    pub effective_from: Date,
    pub input_mtok: Decimal,
    pub cached_input_mtok: Decimal,
    pub cache_write_mtok: Decimal,
    pub output_mtok: Decimal,
}

#[derive(Default)]
pub struct PricingQuery;

#[Object]
impl PricingQuery {
    /// Prices per million tokens. With a model: that model's price on `date`
    /// (default today), an override winning over the book. Without: every override.
    async fn model_prices(
        &self,
        ctx: &Context<'_>,
        provider: Option<String>,
        model: Option<String>,
        date: Option<Date>,
    ) -> ApiResult<Vec<ModelPrice>> {
        principal(ctx).viewer()?;
        let state = state(ctx)?;
        let day = day_or_today(date);
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
            .map(|(provider, model)| {
                Ok(UnpricedModel {
                    provider: provider.parse::<entity::enums::ProviderKind>()?.into(),
                    model,
                })
            })
            .collect::<ApiResult<_>>()?)
    }
}

#[derive(Default)]
pub struct PricingMutation;

#[Object]
impl PricingMutation {
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
            effective_from: input.effective_from.0,
            input_mtok: input.input_mtok,
            cached_input_mtok: input.cached_input_mtok,
            cache_write_mtok: input.cache_write_mtok,
            output_mtok: input.output_mtok,
        };
        let saved = pricing::set_override(&state.db, &state.book, input, &claims.sub).await?;
        saved.try_into()
    }
}
