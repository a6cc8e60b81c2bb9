//! Month-end close: `periodCloses`, `closePeriod`, `reopenPeriod` (the
//! rules are in `ledger::usage::closes`).
use async_graphql::{Context, Object, SimpleObject};
use chrono::{DateTime, Utc};
use ledger::money::micros_to_usd;
use ledger::usage::closes::{self as domain};
use rust_decimal::Decimal;

use super::types::{BigInt, Date, Provider};
use super::usage::UsageRevision;
use super::{principal, state};
use crate::error::ApiResult;

/// A closed month: usage frozen at closing, and the restatements that
/// arrived after it (adjustments). The lines never change.
#[derive(SimpleObject)]
pub struct PeriodClose {
    pub id: i64,
    /// `YYYY-MM`.
    pub period: String,
    /// Null: every provider.
    pub provider: Option<Provider>,
    pub first_day: Date,
    pub last_day: Date,
    pub closed_at: DateTime<Utc>,
    pub closed_by: String,
    pub reopened_at: Option<DateTime<Utc>>,
    pub reopened_by: Option<String>,
    /// The frozen totals: the sum of the lines.
    pub cost_usd: Decimal,
    pub input_tokens: BigInt,
    pub output_tokens: BigInt,
    pub lines: Vec<PeriodCloseLine>,
    /// Revisions of the month's days made after the close (while it held).
    pub adjustments: Vec<UsageRevision>,
    /// The adjustments' cost change, summed.
    pub adjustments_cost_usd: Decimal,
}

/// The month's usage of one provider, project, API key and model, as it
/// stood at closing.
#[derive(SimpleObject)]
pub struct PeriodCloseLine {
    pub provider: Provider,
    pub project_id: String,
    pub api_key_id: String,
    pub model: String,
    pub input_tokens: BigInt,
    pub input_cached_tokens: BigInt,
    pub output_tokens: BigInt,
    pub num_model_requests: BigInt,
    pub cost_usd: Decimal,
}

impl From<domain::Close> for PeriodClose {
    fn from(found: domain::Close) -> Self {
        let c = found.close;
        let sum = |f: fn(&entity::period_close_line::Model) -> i64| -> i64 {
            found.lines.iter().map(f).sum()
        };
        Self {
            id: c.id,
            period: c.period,
            provider: c.provider.map(Into::into),
            first_day: Date(c.first_day),
            last_day: Date(c.last_day),
            closed_at: c.closed_at,
            closed_by: c.closed_by,
            reopened_at: c.reopened_at,
            reopened_by: c.reopened_by,
            cost_usd: micros_to_usd(sum(|l| l.cost_micros)),
            input_tokens: sum(|l| l.input_tokens).into(),
            output_tokens: sum(|l| l.output_tokens).into(),
            adjustments_cost_usd: micros_to_usd(
                found.adjustments.iter().map(|a| a.cost_micros_delta).sum(),
            ),
            lines: found
                .lines
                .into_iter()
                .map(|l| PeriodCloseLine {
                    provider: l.provider.into(),
                    project_id: l.project_id,
                    api_key_id: l.api_key_id,
                    model: l.model,
                    input_tokens: l.input_tokens.into(),
                    input_cached_tokens: l.input_cached_tokens.into(),
                    output_tokens: l.output_tokens.into(),
                    num_model_requests: l.num_model_requests.into(),
                    cost_usd: micros_to_usd(l.cost_micros),
                })
                .collect(),
            adjustments: found
                .adjustments
                .into_iter()
                .map(UsageRevision::from)
                .collect(),
        }
    }
}

#[derive(Default)]
pub struct ClosesQuery;

#[Object]
impl ClosesQuery {
    /// Every month close, newest period first, with its lines and
    /// adjustments.
    async fn period_closes(&self, ctx: &Context<'_>) -> ApiResult<Vec<PeriodClose>> {
        principal(ctx).viewer()?;
        let found = domain::list(&state(ctx)?.db).await?;
        Ok(found.into_iter().map(PeriodClose::from).collect())
    }
}

#[derive(Default)]
pub struct ClosesMutation;

#[Object]
impl ClosesMutation {
    /// Closes a complete month (`YYYY-MM`) for one provider or, without
    /// one, for all: its usage is frozen as the close's lines. A month not
    /// over yet, malformed, or already closed for the same scope is
    /// `BAD_USER_INPUT`. Recorded with the admin's subject.
    async fn close_period(
        &self,
        ctx: &Context<'_>,
        period: String,
        provider: Option<Provider>,
    ) -> ApiResult<PeriodClose> {
        let who = principal(ctx).admin()?.sub.clone();
        let closed =
            domain::close(&state(ctx)?.db, &period, provider.map(Into::into), &who).await?;
        Ok(closed.into())
    }

    /// Marks a close reopened (who and when); its lines stay as they were.
    /// A close already reopened is `BAD_USER_INPUT`.
    async fn reopen_period(&self, ctx: &Context<'_>, id: i64) -> ApiResult<PeriodClose> {
        let who = principal(ctx).admin()?.sub.clone();
        Ok(domain::reopen(&state(ctx)?.db, id, &who).await?.into())
    }
}
