//! `repriceUsage`: applies the current price book to stored usage, only
//! when an admin asks, and shows the difference first.
use async_graphql::{Context, Object, SimpleObject};
use ledger::money::micros_to_usd;
use ledger::pricing::reprice::{self, DayDiff, RepriceReport};
use rust_decimal::Decimal;

use super::types::{Date, Provider, day_range};
use super::{principal, state};
use crate::error::ApiResult;

#[derive(SimpleObject)]
pub struct RepriceDay {
    pub date: Date,
    pub provider: Provider,
    pub buckets_changed: i64,
    pub old_cost_usd: Decimal,
    pub new_cost_usd: Decimal,
    pub delta_usd: Decimal,
    /// Buckets that had no price and now have one, and the reverse.
    pub newly_priced: i64,
    pub newly_unpriced: i64,
}

#[derive(SimpleObject)]
pub struct RepriceResult {
    pub dry_run: bool,
    pub buckets_examined: i64,
    pub buckets_changed: i64,
    pub old_cost_usd: Decimal,
    pub new_cost_usd: Decimal,
    pub delta_usd: Decimal,
    /// Only the days (per provider) that change.
    pub days: Vec<RepriceDay>,
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl From<DayDiff> for RepriceDay {
    fn from(d: DayDiff) -> Self {
        Self {
            date: d.day.into(),
            provider: d.provider.into(),
            buckets_changed: count(d.buckets_changed),
            old_cost_usd: micros_to_usd(d.old_micros),
            new_cost_usd: micros_to_usd(d.new_micros),
            delta_usd: micros_to_usd(d.new_micros - d.old_micros),
            newly_priced: count(d.newly_priced),
            newly_unpriced: count(d.newly_unpriced),
        }
    }
}

impl From<RepriceReport> for RepriceResult {
    fn from(r: RepriceReport) -> Self {
        Self {
            dry_run: r.dry_run,
            buckets_examined: count(r.buckets_examined),
            buckets_changed: count(r.buckets_changed),
            old_cost_usd: micros_to_usd(r.old_micros),
            new_cost_usd: micros_to_usd(r.new_micros),
            delta_usd: micros_to_usd(r.new_micros - r.old_micros),
            days: r.days.into_iter().map(RepriceDay::from).collect(),
        }
    }
}

#[derive(Default)]
pub struct RepriceMutation;

#[Object]
impl RepriceMutation {
    /// Prices the usage of the UTC days `from`..`to` (both included) with
    /// the price in effect on each day as the book stands now. A dry run
    /// (the default) changes nothing and shows the difference.
    async fn reprice_usage(
        &self,
        ctx: &Context<'_>,
        from: Date,
        to: Date,
        #[graphql(default = true)] dry_run: bool,
    ) -> ApiResult<RepriceResult> {
        principal(ctx).admin()?;
        let state = state(ctx)?;
        let range = day_range(from, to)?;
        let report = reprice::reprice(&state.db, &state.book, range, dry_run).await?;
        Ok(report.into())
    }
}
