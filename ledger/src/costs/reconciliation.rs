//! Billed vs computed: what the provider billed per UTC day (and project)
//! next to what the price book computed from the usage buckets, with the
//! variance and its most likely cause. Variance is reported, never hidden.
use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::{billed_cost, reconciliation_report, usage_bucket, usage_bucket_archive};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Alias, Query, SelectStatement};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryResult, Set};
use serde::{Deserialize, Serialize};

use crate::archive;
use crate::dates::DayRange;
use crate::db::sum_i64;
use crate::money::micros_to_usd;
use crate::page::{IdOrder, Page, PageRequest, by_id};
use crate::providers::ProviderKind;
use crate::usage::buckets::token_priced_sql;
use crate::{Error, Result};

/// Differences up to this many micro-USD, or this share of the bill, are
/// rounding, not a finding.
pub const TOLERANCE_MICROS: i64 = 10_000;
pub const TOLERANCE_PERCENT: i64 = 1;

/// Why billed and computed differ beyond tolerance, likeliest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LikelyCause {
    /// Billed, with no usage for it (images, fine-tuning, credits).
    LineItemWithoutUsage,
    /// Usage the provider has not billed yet.
    UsageNotBilledYet,
    /// A model the price book cannot price.
    UnpricedModel,
    /// Usage with no token price (images, audio, tool calls), billed only.
    UsageWithoutTokenPrice,
    /// The provider did not report the service tier, so the default was priced.
    TierNotReported,
    /// The price book and the bill disagree.
    PriceDifference,
}

/// A row outside tolerance, as a recorded report keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub provider: ProviderKind,
    pub day: NaiveDate,
    pub project_id: Option<String>,
    pub billed_usd: Decimal,
    pub computed_usd: Decimal,
    pub variance_usd: Decimal,
    pub likely_cause: LikelyCause,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReconRow {
    pub provider: String,
    pub day: NaiveDate,
    /// `None` unless grouped by project.
    pub project_id: Option<String>,
    pub billed_micros: i64,
    pub computed_micros: i64,
    pub billed_lines: i64,
    pub usage_buckets: i64,
    pub unpriced_buckets: i64,
    /// Buckets of usage the price book has no token price for (images,
    /// audio, storage, tool calls): billed by the provider, not computed.
    pub untokened_buckets: i64,
    pub tier_unreported_buckets: i64,
}

impl ReconRow {
    /// Computed minus billed.
    pub fn variance_micros(&self) -> i64 {
        self.computed_micros - self.billed_micros
    }

    pub fn within_tolerance(&self) -> bool {
        let variance = self.variance_micros().unsigned_abs();
        let relative = self.billed_micros.unsigned_abs() * TOLERANCE_PERCENT as u64 / 100;
        variance <= (TOLERANCE_MICROS as u64).max(relative)
    }

    /// The likeliest reason for a variance outside tolerance.
    pub fn likely_cause(&self) -> Option<LikelyCause> {
        Some(if self.within_tolerance() {
            return None;
        } else if self.usage_buckets == 0 {
            LikelyCause::LineItemWithoutUsage
        } else if self.billed_lines == 0 {
            LikelyCause::UsageNotBilledYet
        } else if self.unpriced_buckets > 0 {
            LikelyCause::UnpricedModel
        } else if self.untokened_buckets > 0 && self.variance_micros() < 0 {
            LikelyCause::UsageWithoutTokenPrice
        } else if self.tier_unreported_buckets > 0 {
            LikelyCause::TierNotReported
        } else {
            LikelyCause::PriceDifference
        })
    }

    /// The row as a finding, when it is outside tolerance.
    fn finding(&self) -> Result<Option<Finding>> {
        let Some(likely_cause) = self.likely_cause() else {
            return Ok(None);
        };
        Ok(Some(Finding {
            provider: self.provider.parse()?,
            day: self.day,
            project_id: self.project_id.clone(),
            billed_usd: micros_to_usd(self.billed_micros),
            computed_usd: micros_to_usd(self.computed_micros),
            variance_usd: micros_to_usd(self.variance_micros()),
            likely_cause,
        }))
    }
}

type Key = (String, NaiveDate, Option<String>);

/// One row per provider and day (and project when `by_project`) that has
/// billed lines or usage in `range`.
pub async fn reconcile(
    db: &impl ConnectionTrait,
    range: DayRange,
    by_project: bool,
    providers: &[ProviderKind],
) -> Result<Vec<ReconRow>> {
    let mut rows: BTreeMap<Key, ReconRow> = BTreeMap::new();
    add_computed(db, range, by_project, providers, &mut rows).await?;
    add_billed(db, range, by_project, providers, &mut rows).await?;
    Ok(rows.into_values().collect())
}

/// The computed side: what the price book made of the usage buckets.
async fn add_computed(
    db: &impl ConnectionTrait,
    range: DayRange,
    by_project: bool,
    providers: &[ProviderKind],
    rows: &mut BTreeMap<Key, ReconRow>,
) -> Result<()> {
    let usage = computed_query(range, by_project, providers);
    // Usage past the retention window is in the archive; the bill is not.
    let archived = archive::includes::<usage_bucket_archive::Entity>(
        db,
        usage_bucket_archive::Column::WindowStart,
        None,
        Some(range.from),
    )
    .await?;
    let mut found_rows = Vec::new();
    for query in
        archive::statements::<usage_bucket::Entity, usage_bucket_archive::Entity>(usage, archived)
    {
        found_rows.extend(db.query_all(&query).await?);
    }
    for found in found_rows {
        let start: DateTime<Utc> = found.try_get("", "window_start")?;
        let project = project_of(&found, by_project)?;
        let provider: String = found.try_get("", "provider")?;
        let entry = entry(rows, (provider, start.date_naive(), project));
        entry.computed_micros = found.try_get("", "computed")?;
        entry.usage_buckets = found.try_get("", "buckets")?;
        entry.unpriced_buckets = found.try_get("", "unpriced")?;
        entry.untokened_buckets = found.try_get("", "untokened")?;
        entry.tier_unreported_buckets = found.try_get("", "tier_unreported")?;
    }
    Ok(())
}

/// The usage buckets of `range` summed per provider and day (and project),
/// with the counts [`ReconRow::likely_cause`] reads.
fn computed_query(
    range: DayRange,
    by_project: bool,
    providers: &[ProviderKind],
) -> SelectStatement {
    let (start, end) = range.bounds();
    let priced = token_priced_sql();
    let mut usage = Query::select();
    usage
        .from(usage_bucket::Entity)
        .columns([
            usage_bucket::Column::Provider,
            usage_bucket::Column::WindowStart,
        ])
        .and_where(usage_bucket::Column::WindowStart.gte(start))
        .and_where(usage_bucket::Column::WindowStart.lt(end))
        .group_by_col(usage_bucket::Column::Provider)
        .group_by_col(usage_bucket::Column::WindowStart);
    if !providers.is_empty() {
        usage.and_where(usage_bucket::Column::Provider.is_in(providers.iter().copied()));
    }
    if by_project {
        usage
            .column(usage_bucket::Column::ProjectId)
            .group_by_col(usage_bucket::Column::ProjectId);
    }
    for (alias, expr) in [
        ("computed", "COALESCE(cost_micros, 0)".to_owned()),
        ("buckets", "1".to_owned()),
        (
            "unpriced",
            format!("CASE WHEN cost_micros IS NULL AND usage_type IN ({priced}) THEN 1 ELSE 0 END"),
        ),
        (
            "untokened",
            format!("CASE WHEN usage_type IN ({priced}) THEN 0 ELSE 1 END"),
        ),
        (
            "tier_unreported",
            "CASE WHEN usage_type = 'completions' AND service_tier = '' THEN 1 ELSE 0 END"
                .to_owned(),
        ),
    ] {
        usage.expr_as(sum_i64(&expr), Alias::new(alias));
    }
    usage
}

/// The billed side: the provider's cost lines.
async fn add_billed(
    db: &impl ConnectionTrait,
    range: DayRange,
    by_project: bool,
    providers: &[ProviderKind],
    rows: &mut BTreeMap<Key, ReconRow>,
) -> Result<()> {
    let mut billed = Query::select();
    billed
        .from(billed_cost::Entity)
        .columns([billed_cost::Column::Provider, billed_cost::Column::Day])
        .and_where(billed_cost::Column::Day.gte(range.from))
        .and_where(billed_cost::Column::Day.lte(range.to))
        .group_by_col(billed_cost::Column::Provider)
        .group_by_col(billed_cost::Column::Day)
        .expr_as(sum_i64("amount_micros"), Alias::new("billed"))
        .expr_as(sum_i64("1"), Alias::new("lines"));
    if !providers.is_empty() {
        billed.and_where(billed_cost::Column::Provider.is_in(providers.iter().copied()));
    }
    if by_project {
        billed
            .column(billed_cost::Column::ProjectId)
            .group_by_col(billed_cost::Column::ProjectId);
    }
    for found in db.query_all(&billed).await? {
        let project = project_of(&found, by_project)?;
        let provider: String = found.try_get("", "provider")?;
        let day: NaiveDate = found.try_get("", "day")?;
        let entry = entry(rows, (provider, day, project));
        entry.billed_micros = found.try_get("", "billed")?;
        entry.billed_lines = found.try_get("", "lines")?;
    }
    Ok(())
}

/// The row's project, read only when grouped by project.
fn project_of(found: &QueryResult, by_project: bool) -> Result<Option<String>> {
    Ok(if by_project {
        Some(found.try_get::<String>("", "project_id")?)
    } else {
        None
    })
}

/// Days the scheduled reconciliation compares, ending yesterday: providers
/// bill late.
pub const RECONCILE_WINDOW_DAYS: u64 = 7;

/// Reconciles `range` per day and project and records the outcome (the
/// scheduled job's work); returns the stored report.
pub async fn record(
    db: &impl ConnectionTrait,
    range: DayRange,
) -> Result<reconciliation_report::Model> {
    let rows = reconcile(db, range, true, &[]).await?;
    let mut findings = Vec::new();
    for row in &rows {
        findings.extend(row.finding()?);
    }
    let encoded = serde_json::to_value(&findings)
        .map_err(|e| Error::Internal(format!("cannot encode the findings: {e}")))?;
    let report = reconciliation_report::ActiveModel {
        range_start: Set(range.from),
        range_end: Set(range.to),
        within_tolerance: Set(findings.is_empty()),
        billed_micros: Set(rows.iter().map(|r| r.billed_micros).sum()),
        computed_micros: Set(rows.iter().map(|r| r.computed_micros).sum()),
        created_at: Set(Utc::now()),
        findings: Set(encoded),
        ..Default::default()
    };
    Ok(report.insert(db).await?)
}

fn entry(rows: &mut BTreeMap<Key, ReconRow>, key: Key) -> &mut ReconRow {
    rows.entry(key.clone()).or_insert_with(|| ReconRow {
        provider: key.0,
        day: key.1,
        project_id: key.2,
        ..ReconRow::default()
    })
}

/// The findings a recorded report kept.
pub fn findings_of(report: &reconciliation_report::Model) -> Result<Vec<Finding>> {
    serde_json::from_value(report.findings.clone())
        .map_err(|e| Error::Internal(format!("report {}: unreadable findings: {e}", report.id)))
}

/// Recorded billed-vs-computed reports, newest first.
pub async fn reconciliation_reports(
    db: &impl ConnectionTrait,
    page: &PageRequest,
) -> Result<Page<reconciliation_report::Model>> {
    let query = reconciliation_report::Entity::find();
    by_id(
        db,
        query,
        reconciliation_report::Column::Id,
        IdOrder::Newest,
        page,
        |r| r.id,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(billed: i64, computed: i64) -> ReconRow {
        ReconRow {
            billed_micros: billed,
            computed_micros: computed,
            billed_lines: 1,
            usage_buckets: 1,
            ..ReconRow::default()
        }
    }

    #[test]
    fn causes() {
        assert_eq!(row(1_000_000, 1_005_000).likely_cause(), None);
        assert_eq!(
            row(100_000_000, 99_500_000).likely_cause(),
            None,
            "within 1 %"
        );
        assert_eq!(
            row(1_000_000, 2_000_000).likely_cause(),
            Some(LikelyCause::PriceDifference)
        );
        let mut unpriced = row(1_000_000, 0);
        unpriced.unpriced_buckets = 2;
        assert_eq!(unpriced.likely_cause(), Some(LikelyCause::UnpricedModel));
        let mut no_usage = row(1_000_000, 0);
        no_usage.usage_buckets = 0;
        assert_eq!(
            no_usage.likely_cause(),
            Some(LikelyCause::LineItemWithoutUsage)
        );
        let mut not_billed = row(0, 1_000_000);
        not_billed.billed_lines = 0;
        assert_eq!(
            not_billed.likely_cause(),
            Some(LikelyCause::UsageNotBilledYet)
        );
        let mut images = row(2_000_000, 1_000_000);
        images.untokened_buckets = 1;
        assert_eq!(
            images.likely_cause(),
            Some(LikelyCause::UsageWithoutTokenPrice)
        );
    }
}
