//! Statistics over tracked interactions and the whole ledger.
use async_graphql::{Context, Object, SimpleObject};
use chrono::{DateTime, Utc};
use ledger::money::micros_to_usd;
use ledger::usage::stats::{self as domain, TrackedTotals};
use rust_decimal::Decimal;

use super::types::{BigInt, Date, day_range};
use super::{principal, state};
use crate::error::ApiResult;

/// Tracked interaction totals with their cost breakdown.
#[derive(SimpleObject)]
pub struct TrackedUsage {
    pub interactions: BigInt,
    pub input_tokens: BigInt,
    pub cached_input_tokens: BigInt,
    pub cache_write_tokens: BigInt,
    pub output_tokens: BigInt,
    pub db_ops: BigInt,
    pub api_calls: BigInt,
    pub compute_ms: BigInt,
    pub duration_ms: BigInt,
    pub ai_tokens_usd: Decimal,
    pub db_ops_usd: Decimal,
    pub api_calls_usd: Decimal,
    pub compute_usd: Decimal,
    pub explicit_usd: Decimal,
    /// Sum over priced interactions; see `unpricedInteractions`.
    pub total_usd: Decimal,
    pub unpriced_interactions: BigInt,
}

impl From<TrackedTotals> for TrackedUsage {
    fn from(t: TrackedTotals) -> Self {
        Self {
            interactions: t.interactions.into(),
            input_tokens: t.input_tokens.into(),
            cached_input_tokens: t.cached_input_tokens.into(),
            cache_write_tokens: t.cache_write_tokens.into(),
            output_tokens: t.output_tokens.into(),
            db_ops: t.db_ops.into(),
            api_calls: t.api_calls.into(),
            compute_ms: t.compute_ms.into(),
            duration_ms: t.duration_ms.into(),
            ai_tokens_usd: micros_to_usd(t.ai_tokens_micros),
            db_ops_usd: micros_to_usd(t.db_ops_micros),
            api_calls_usd: micros_to_usd(t.api_calls_micros),
            compute_usd: micros_to_usd(t.compute_micros),
            explicit_usd: micros_to_usd(t.explicit_micros),
            total_usd: micros_to_usd(t.total_micros),
            unpriced_interactions: t.unpriced_interactions.into(),
        }
    }
}

#[derive(SimpleObject)]
pub struct DailyStats {
    pub date: Date,
    pub usage: TrackedUsage,
}

#[derive(SimpleObject)]
pub struct UserStats {
    pub user_id: String,
    pub sessions: BigInt,
    pub first_seen: Option<DateTime<Utc>>,
    pub last_seen: Option<DateTime<Utc>>,
    pub usage: TrackedUsage,
}

/// Provider-side totals over a range.
#[derive(SimpleObject)]
pub struct ProviderTotals {
    pub input_tokens: BigInt,
    pub input_cached_tokens: BigInt,
    pub input_cache_write_tokens: BigInt,
    pub output_tokens: BigInt,
    pub num_model_requests: BigInt,
    /// The priced part of the cost.
    pub priced_cost_usd: Decimal,
    pub unpriced_buckets: BigInt,
}

#[derive(SimpleObject)]
pub struct SystemStats {
    pub from: Date,
    pub to: Date,
    pub provider: ProviderTotals,
    pub tracked: TrackedUsage,
    pub sessions: BigInt,
    pub connections: BigInt,
    pub ingestion_runs: BigInt,
    pub price_version_id: i64,
    /// Share of provider input+output tokens that have a price, in percent.
    pub priced_token_percent: f64,
}

#[derive(Default)]
pub struct StatsQuery;

#[Object]
impl StatsQuery {
    /// Tracked usage per UTC day, zero-filled, optionally for one user.
    #[graphql(complexity = "crate::limits::cost::ranged(from.0, to.0, 0, child_complexity)")]
    async fn daily_stats(
        &self,
        ctx: &Context<'_>,
        from: Date,
        to: Date,
        user_id: Option<String>,
    ) -> ApiResult<Vec<DailyStats>> {
        principal(ctx).viewer()?;
        let range = day_range(from, to)?;
        let rows = domain::daily_stats(&state(ctx)?.db, range, user_id.as_deref()).await?;
        Ok(rows
            .into_iter()
            .map(|(day, totals)| DailyStats {
                date: day.into(),
                usage: totals.into(),
            })
            .collect())
    }

    /// All-time tracked usage of one application user.
    async fn user_stats(&self, ctx: &Context<'_>, user_id: String) -> ApiResult<UserStats> {
        principal(ctx).viewer()?;
        let s = domain::user_stats(&state(ctx)?.db, &user_id).await?;
        Ok(UserStats {
            user_id: s.user_id,
            sessions: s.sessions.into(),
            first_seen: s.first_seen,
            last_seen: s.last_seen,
            usage: s.totals.into(),
        })
    }

    /// Ledger-wide totals and health over a range.
    #[graphql(complexity = "crate::limits::cost::ranged(from.0, to.0, 0, child_complexity)")]
    async fn system_stats(
        &self,
        ctx: &Context<'_>,
        from: Date,
        to: Date,
    ) -> ApiResult<SystemStats> {
        principal(ctx).viewer()?;
        let range = day_range(from, to)?;
        let state = state(ctx)?;
        let s = domain::system_stats(&state.db, &state.book, range).await?;
        Ok(SystemStats {
            from,
            to,
            provider: ProviderTotals {
                input_tokens: s.provider.input_tokens.into(),
                input_cached_tokens: s.provider.input_cached_tokens.into(),
                input_cache_write_tokens: s.provider.input_cache_write_tokens.into(),
                output_tokens: s.provider.output_tokens.into(),
                num_model_requests: s.provider.num_model_requests.into(),
                priced_cost_usd: micros_to_usd(s.provider.cost_micros),
                unpriced_buckets: s.provider.unpriced_buckets.into(),
            },
            tracked: s.tracked.into(),
            sessions: s.sessions.into(),
            connections: s.connections.into(),
            ingestion_runs: s.ingestion_runs.into(),
            price_version_id: s.price_version_id,
            priced_token_percent: s.priced_token_percent,
        })
    }
}
