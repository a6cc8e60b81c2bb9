//! The attribution ledger: app-reported usage against the provider's, per
//! day (and group): matched, provider-only, app-only, and coverage.
use async_graphql::{Context, Enum, Object, SimpleObject};
use ledger::money::micros_to_usd;
use ledger::usage::attribution::{self, Amount, AttributionRow, Dimension};
use rust_decimal::Decimal;

use super::types::{BigInt, Date, day_range};
use super::{principal, state};
use crate::error::ApiResult;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum AttributionDimension {
    Provider,
    Project,
    ApiKey,
    Model,
    ServiceTier,
}

impl From<AttributionDimension> for Dimension {
    fn from(d: AttributionDimension) -> Self {
        match d {
            AttributionDimension::Provider => Dimension::Provider,
            AttributionDimension::Project => Dimension::Project,
            AttributionDimension::ApiKey => Dimension::ApiKey,
            AttributionDimension::Model => Dimension::Model,
            AttributionDimension::ServiceTier => Dimension::ServiceTier,
        }
    }
}

/// Tokens (input + output) and cost of one category.
#[derive(SimpleObject, Clone, Copy)]
pub struct AttributedAmount {
    pub tokens: BigInt,
    pub cost_usd: Decimal,
}

impl From<Amount> for AttributedAmount {
    fn from(a: Amount) -> Self {
        Self {
            tokens: BigInt(a.tokens),
            cost_usd: micros_to_usd(a.micros),
        }
    }
}

#[derive(SimpleObject, Default)]
pub struct AttributionGroup {
    pub provider: Option<String>,
    pub project_id: Option<String>,
    pub api_key_id: Option<String>,
    pub model: Option<String>,
    pub service_tier: Option<String>,
}

/// matched + providerOnly = provider; matched + appOnly = app.
#[derive(SimpleObject)]
pub struct AttributionLine {
    /// Null on the totals line.
    pub date: Option<Date>,
    pub group: AttributionGroup,
    pub provider: AttributedAmount,
    pub app: AttributedAmount,
    pub matched: AttributedAmount,
    /// Usage the apps did not report: the unattributed remainder.
    pub provider_only: AttributedAmount,
    /// Reported by apps, absent at the provider.
    pub app_only: AttributedAmount,
    /// Grain keys (provider, day, project, key, model, tier) both sides
    /// reported with different numbers.
    pub mismatched_keys: i64,
    /// Matched tokens as a share of the provider's; null without provider usage.
    pub coverage_percent: Option<f64>,
}

impl From<AttributionRow> for AttributionLine {
    fn from(row: AttributionRow) -> Self {
        let value = |d: Dimension| row.group.get(&d).cloned();
        let coverage = (row.provider_total.tokens > 0).then(|| {
            // Rounded to 0.01 %; a share, not money, so f64 is fine.
            (row.matched.tokens as f64 * 10_000.0 / row.provider_total.tokens as f64).round()
                / 100.0
        });
        Self {
            date: Some(row.day.into()),
            group: AttributionGroup {
                provider: value(Dimension::Provider),
                project_id: value(Dimension::Project),
                api_key_id: value(Dimension::ApiKey),
                model: value(Dimension::Model),
                service_tier: value(Dimension::ServiceTier),
            },
            provider: row.provider_total.into(),
            app: row.app_total.into(),
            matched: row.matched.into(),
            provider_only: row.provider_only.into(),
            app_only: row.app_only.into(),
            mismatched_keys: row.mismatched_keys,
            coverage_percent: coverage,
        }
    }
}

#[derive(SimpleObject)]
pub struct Attribution {
    pub rows: Vec<AttributionLine>,
    pub totals: AttributionLine,
}

#[derive(Default)]
pub struct AttributionQuery;

#[Object]
impl AttributionQuery {
    /// App-tracked chat interactions joined to the provider's buckets at
    /// the grain (provider, day, project, API key, model, service tier),
    /// for the UTC days `from`..`to` (both included). Models must be
    /// reported with the provider's exact id to match; an interaction
    /// without a tier matches the provider's default tier.
    #[graphql(
        complexity = "crate::limits::cost::ranged(from.0, to.0, group_by.as_ref().map_or(0, Vec::len), child_complexity)"
    )]
    async fn attribution(
        &self,
        ctx: &Context<'_>,
        from: Date,
        to: Date,
        group_by: Option<Vec<AttributionDimension>>,
    ) -> ApiResult<Attribution> {
        principal(ctx).viewer()?;
        let range = day_range(from, to)?;
        let dims: Vec<Dimension> = group_by
            .unwrap_or_default()
            .into_iter()
            .map(Dimension::from)
            .collect();
        let rows = attribution::attribution(&state(ctx)?.db, range, &dims).await?;
        let mut total = AttributionRow::default();
        for row in &rows {
            total.add(row)?;
        }
        let mut totals = AttributionLine::from(total);
        totals.date = None;
        Ok(Attribution {
            rows: rows.into_iter().map(AttributionLine::from).collect(),
            totals,
        })
    }
}
