//! Billed vs computed: the provider's bill next to the price book's
//! computation, per day (and project), with the variance and its cause.
use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::enums::ProviderKind;
use entity::reconciliation_report;
use ledger::costs::reconciliation::{self, Finding, ReconRow};
use ledger::money::micros_to_usd;
use ledger::page::PageRequest;
use rust_decimal::Decimal;

use super::types::{Date, Provider, day_range, try_connection};
use super::{principal, state};
use crate::error::{ApiError, ApiResult};

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum ReconciliationDimension {
    Project,
}

/// One provider and day (and project, when grouped).
#[derive(SimpleObject)]
pub struct CostReconciliationRow {
    pub provider: Provider,
    pub date: Date,
    /// Null unless grouped by PROJECT; `""` is the default workspace/none.
    pub project_id: Option<String>,
    pub billed_usd: Decimal,
    pub computed_usd: Decimal,
    /// Computed minus billed.
    pub variance_usd: Decimal,
    /// Variance as a percentage of the bill; null when nothing was billed.
    pub variance_percent: Option<Decimal>,
    /// Within `reconciliationTolerance`.
    pub within_tolerance: bool,
    /// Null within tolerance.
    pub likely_cause: Option<LikelyCause>,
    pub billed_lines: i64,
    pub usage_buckets: i64,
    pub unpriced_buckets: i64,
}

impl TryFrom<ReconRow> for CostReconciliationRow {
    type Error = ApiError;

    fn try_from(row: ReconRow) -> ApiResult<Self> {
        let variance = row.variance_micros();
        let variance_percent = (row.billed_micros != 0).then(|| {
            (Decimal::from(variance) * Decimal::ONE_HUNDRED / Decimal::from(row.billed_micros))
                .round_dp(2)
        });
        Ok(Self {
            date: row.day.into(),
            billed_usd: micros_to_usd(row.billed_micros),
            computed_usd: micros_to_usd(row.computed_micros),
            variance_usd: micros_to_usd(variance),
            variance_percent,
            within_tolerance: row.within_tolerance(),
            likely_cause: row.likely_cause().map(Into::into),
            billed_lines: row.billed_lines,
            usage_buckets: row.usage_buckets,
            unpriced_buckets: row.unpriced_buckets,
            provider: row.provider.parse::<ProviderKind>()?.into(),
            project_id: row.project_id,
        })
    }
}

/// A recorded reconciliation (the daily job keeps one per run).
#[derive(SimpleObject)]
pub struct ReconciliationReport {
    pub id: ID,
    pub range_start: Date,
    pub range_end: Date,
    pub within_tolerance: bool,
    pub billed_usd: Decimal,
    pub computed_usd: Decimal,
    pub created_at: DateTime<Utc>,
    /// Rows outside tolerance with their likely cause.
    pub findings: Vec<ReconciliationFinding>,
}

impl TryFrom<reconciliation_report::Model> for ReconciliationReport {
    type Error = ApiError;

    fn try_from(r: reconciliation_report::Model) -> ApiResult<Self> {
        let findings = reconciliation::findings_of(&r)?;
        Ok(Self {
            id: ID(r.id.to_string()),
            range_start: r.range_start.into(),
            range_end: r.range_end.into(),
            within_tolerance: r.within_tolerance,
            billed_usd: micros_to_usd(r.billed_micros),
            computed_usd: micros_to_usd(r.computed_micros),
            created_at: r.created_at,
            findings: findings.into_iter().map(Into::into).collect(),
        })
    }
}

/// Why billed and computed differ beyond tolerance, likeliest first.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "ledger::costs::reconciliation::LikelyCause")]
pub enum LikelyCause {
    /// Billed, with no usage for it (images, fine-tuning, credits).
    LineItemWithoutUsage,
    /// Usage the provider has not billed yet.
    UsageNotBilledYet,
    /// A model the price book cannot price.
    UnpricedModel,
    /// Usage with no token price (images, audio, tool calls), billed only.
    UsageWithoutTokenPrice,
    /// The provider did not report the service tier; its default was priced.
    TierNotReported,
    /// The price book and the bill disagree.
    PriceDifference,
}

/// A provider day (and project) outside tolerance in a recorded report.
#[derive(SimpleObject)]
pub struct ReconciliationFinding {
    pub provider: Provider,
    pub date: Date,
    pub project_id: Option<String>,
    pub billed_usd: Decimal,
    pub computed_usd: Decimal,
    pub variance_usd: Decimal,
    pub likely_cause: LikelyCause,
}

impl From<Finding> for ReconciliationFinding {
    fn from(f: Finding) -> Self {
        Self {
            provider: f.provider.into(),
            date: f.day.into(),
            project_id: f.project_id,
            billed_usd: f.billed_usd,
            computed_usd: f.computed_usd,
            variance_usd: f.variance_usd,
            likely_cause: f.likely_cause.into(),
        }
    }
}

/// A row is within tolerance when billed and computed differ by at most
/// the larger of the two.
#[derive(SimpleObject)]
pub struct ReconciliationTolerance {
    pub absolute_usd: Decimal,
    /// Percent of the bill.
    pub percent: Decimal,
}

#[derive(Default)]
pub struct ReconciliationQuery;

#[Object]
impl ReconciliationQuery {
    /// Billed (provider costs API) vs computed (usage × price book) for the
    /// UTC days `from`..`to`, both included.
    #[graphql(
        complexity = "crate::limits::cost::ranged(from.0, to.0, group_by.as_ref().map_or(0, Vec::len), child_complexity)"
    )]
    async fn cost_reconciliation(
        &self,
        ctx: &Context<'_>,
        from: Date,
        to: Date,
        group_by: Option<Vec<ReconciliationDimension>>,
        providers: Option<Vec<Provider>>,
    ) -> ApiResult<Vec<CostReconciliationRow>> {
        principal(ctx).viewer()?;
        let range = day_range(from, to)?;
        let by_project = group_by.is_some_and(|g| g.contains(&ReconciliationDimension::Project));
        let rows = reconciliation::reconcile(
            &state(ctx)?.db,
            range,
            by_project,
            &providers
                .into_iter()
                .flatten()
                .map(Into::into)
                .collect::<Vec<ProviderKind>>(),
        )
        .await?;
        rows.into_iter()
            .map(CostReconciliationRow::try_from)
            .collect()
    }

    /// The tolerance billed-vs-computed rows are judged by.
    async fn reconciliation_tolerance(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<ReconciliationTolerance> {
        principal(ctx).viewer()?;
        Ok(ReconciliationTolerance {
            absolute_usd: micros_to_usd(reconciliation::TOLERANCE_MICROS),
            percent: Decimal::from(reconciliation::TOLERANCE_PERCENT),
        })
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
        try_connection(found, page.after.is_some(), ReconciliationReport::try_from)
    }
}
