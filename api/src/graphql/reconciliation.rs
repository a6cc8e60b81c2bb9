//! Billed vs computed: the provider's bill next to the price book's
//! computation, per day (and project), with the variance and its cause.
use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::reconciliation_report;
use ledger::costs::reconciliation::{self, ReconRow};
use ledger::dates::DayRange;
use ledger::money::micros_to_usd;
use ledger::page::PageRequest;
use rust_decimal::Decimal;

use super::scalars::connection;
use super::{principal, state};
use crate::error::ApiResult;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum ReconciliationDimension {
    Project,
}

/// One provider and day (and project, when grouped).
#[derive(SimpleObject)]
pub struct CostReconciliationRow {
    pub provider: String,
    pub date: String,
    /// Null unless grouped by PROJECT; `""` is the default workspace/none.
    pub project_id: Option<String>,
    pub billed_usd: Decimal,
    pub computed_usd: Decimal,
    /// Computed minus billed.
    pub variance_usd: Decimal,
    /// Variance as a percentage of the bill; null when nothing was billed.
    pub variance_percent: Option<Decimal>,
    /// Within max($0.01, 1 % of the bill).
    pub within_tolerance: bool,
    /// `unpriced_model`, `tier_not_reported`, `line_item_without_usage`,
    /// `usage_not_billed_yet`, `usage_without_token_price` or
    /// `price_difference`; null within tolerance.
    pub likely_cause: Option<String>,
    pub billed_lines: i64,
    pub usage_buckets: i64,
    pub unpriced_buckets: i64,
}

impl From<ReconRow> for CostReconciliationRow {
    fn from(row: ReconRow) -> Self {
        let variance = row.variance_micros();
        let variance_percent = (row.billed_micros != 0).then(|| {
            (Decimal::from(variance) * Decimal::ONE_HUNDRED / Decimal::from(row.billed_micros))
                .round_dp(2)
        });
        Self {
            date: row.day.to_string(),
            billed_usd: micros_to_usd(row.billed_micros),
            computed_usd: micros_to_usd(row.computed_micros),
            variance_usd: micros_to_usd(variance),
            variance_percent,
            within_tolerance: row.within_tolerance(),
            likely_cause: row.likely_cause().map(str::to_owned),
            billed_lines: row.billed_lines,
            usage_buckets: row.usage_buckets,
            unpriced_buckets: row.unpriced_buckets,
            provider: row.provider,
            project_id: row.project_id,
        }
    }
}

/// A recorded reconciliation (the daily job keeps one per run).
#[derive(SimpleObject)]
pub struct ReconciliationReport {
    pub id: ID,
    pub range_start: String,
    pub range_end: String,
    pub within_tolerance: bool,
    pub billed_usd: Decimal,
    pub computed_usd: Decimal,
    pub created_at: DateTime<Utc>,
    /// Rows outside tolerance with their likely cause.
    pub findings: Json<serde_json::Value>,
}

impl From<reconciliation_report::Model> for ReconciliationReport {
    fn from(r: reconciliation_report::Model) -> Self {
        Self {
            id: ID(r.id.to_string()),
            range_start: r.range_start.to_string(),
            range_end: r.range_end.to_string(),
            within_tolerance: r.within_tolerance,
            billed_usd: micros_to_usd(r.billed_micros),
            computed_usd: micros_to_usd(r.computed_micros),
            created_at: r.created_at,
            findings: Json(r.findings),
        }
    }
}

#[derive(Default)]
pub struct ReconciliationQuery;

#[Object]
impl ReconciliationQuery {
    /// Billed (provider costs API) vs computed (usage × price book) for the
    /// UTC days `from`..`to`, both included.
    async fn cost_reconciliation(
        &self,
        ctx: &Context<'_>,
        from: String,
        to: String,
        group_by: Option<Vec<ReconciliationDimension>>,
        providers: Option<Vec<String>>,
    ) -> ApiResult<Vec<CostReconciliationRow>> {
        principal(ctx).viewer()?;
        let range = DayRange::parse(&from, &to)?;
        let by_project = group_by.is_some_and(|g| g.contains(&ReconciliationDimension::Project));
        let rows = reconciliation::reconcile(
            &state(ctx)?.db,
            range,
            by_project,
            &providers.unwrap_or_default(),
        )
        .await?;
        Ok(rows.into_iter().map(CostReconciliationRow::from).collect())
    }

    /// Reconciliations recorded by the daily job, newest first.
    async fn reconciliation_reports(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<String, ReconciliationReport>> {
        principal(ctx).viewer()?;
        let page = PageRequest::new(first, after.as_deref())?;
        let found =
            ledger::costs::reconciliation::reconciliation_reports(&state(ctx)?.db, &page).await?;
        Ok(connection(
            found,
            page.after.is_some(),
            ReconciliationReport::from,
        ))
    }
}
