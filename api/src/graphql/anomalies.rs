//! "Is this normal?": days whose spend departs from their own recent
//! baseline (the rule is in `ledger::usage::anomalies` and
//! docs/anomalies.md).
use async_graphql::{Context, Enum, Object, SimpleObject};
use ledger::money::{micros_to_usd, usd_to_micros};
use ledger::usage::Dimension;
use ledger::usage::anomalies::{self as domain, Rule};
use rust_decimal::Decimal;

use super::types::{Date, day_range};
use super::{principal, state};
use crate::error::{ApiError, ApiResult};

/// What spend is judged per.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum AnomalyDimension {
    Project,
    ApiKey,
    Model,
}

impl From<AnomalyDimension> for Dimension {
    fn from(d: AnomalyDimension) -> Self {
        match d {
            AnomalyDimension::Project => Dimension::Project,
            AnomalyDimension::ApiKey => Dimension::ApiKey,
            AnomalyDimension::Model => Dimension::Model,
        }
    }
}

/// A day whose spend for one project, API key or model is unusual.
#[derive(SimpleObject)]
pub struct UsageAnomaly {
    pub date: Date,
    /// The project id, API key id or model.
    pub value: String,
    pub cost_usd: Decimal,
    /// The median spend of the baseline days.
    pub baseline_usd: Decimal,
    /// The median absolute deviation of the baseline days.
    pub baseline_deviation_usd: Decimal,
    /// The robust z-score; null when the baseline was flat.
    pub z_score: Option<f64>,
    /// Above the baseline (a spike), not below it (a drop).
    pub spike: bool,
    /// Days the baseline had (28 back, same kind of day: weekdays or weekends).
    pub baseline_days: i32,
}

impl From<domain::Anomaly> for UsageAnomaly {
    fn from(a: domain::Anomaly) -> Self {
        Self {
            date: Date(a.day),
            spike: a.is_spike(),
            value: a.value,
            cost_usd: micros_to_usd(a.cost_micros),
            baseline_usd: micros_to_usd(a.baseline_median_micros),
            baseline_deviation_usd: micros_to_usd(a.baseline_mad_micros),
            z_score: a.z_score,
            baseline_days: i32::try_from(a.baseline_days).unwrap_or(i32::MAX),
        }
    }
}

#[derive(Default)]
pub struct AnomalyQuery;

#[Object]
impl AnomalyQuery {
    /// Days of `from`..`to` (today left out: it is not over) whose spend
    /// for a project, API key or model departs from that value's own
    /// baseline: the 28 days before, weekdays against weekdays and
    /// weekends against weekends; flagged when the robust z-score
    /// (0.6745 × (spend − median) / MAD) reaches `threshold` and the spend
    /// differs from the median by at least `minChangeUsd`.
    #[graphql(complexity = "crate::limits::cost::ranged(from.0, to.0, 1, child_complexity)")]
    async fn usage_anomalies(
        &self,
        ctx: &Context<'_>,
        from: Date,
        to: Date,
        dimension: AnomalyDimension,
        #[graphql(desc = "Default 3.5.")] threshold: Option<f64>,
        #[graphql(desc = "Default 1.00.")] min_change_usd: Option<Decimal>,
    ) -> ApiResult<Vec<UsageAnomaly>> {
        principal(ctx).viewer()?;
        let mut rule = Rule::default();
        if let Some(threshold) = threshold {
            rule.threshold = threshold;
        }
        if let Some(usd) = min_change_usd {
            rule.min_change_micros = usd_to_micros(usd)
                .ok_or_else(|| ApiError::BadInput("minChangeUsd is out of range".into()))?;
        }
        let found = domain::anomalies(
            &state(ctx)?.db,
            day_range(from, to)?,
            dimension.into(),
            rule,
        )
        .await?;
        Ok(found.into_iter().map(UsageAnomaly::from).collect())
    }
}
