//! Billed vs computed: what the provider billed per UTC day (and project)
//! next to what the price book computed from the usage buckets, with the
//! variance and its most likely cause. Variance is reported, never hidden.
use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::{billed_cost, reconciliation_report, usage_bucket, usage_bucket_archive};
use sea_orm::sea_query::{Alias, Query};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, Set};

use crate::Result;
use crate::archive;
use crate::dates::DayRange;
use crate::db::sum_i64;
use crate::money::micros_to_usd;
use crate::page::{IdOrder, Page, PageRequest, by_id};
use crate::usage::buckets::token_priced_sql;

/// Differences up to this many micro-USD, or this share of the bill, are
/// rounding, not a finding.
pub const TOLERANCE_MICROS: i64 = 10_000;
pub const TOLERANCE_PERCENT: i64 = 1;

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
    pub fn likely_cause(&self) -> Option<&'static str> {
        if self.within_tolerance() {
            None
        } else if self.usage_buckets == 0 {
            Some("line_item_without_usage")
        } else if self.billed_lines == 0 {
            Some("usage_not_billed_yet")
        } else if self.unpriced_buckets > 0 {
            Some("unpriced_model")
        } else if self.untokened_buckets > 0 && self.variance_micros() < 0 {
            Some("usage_without_token_price")
        } else if self.tier_unreported_buckets > 0 {
            Some("tier_not_reported")
        } else {
            Some("price_difference")
        }
    }
}

type Key = (String, NaiveDate, Option<String>);

/// One row per provider and day (and project when `by_project`) that has
/// billed lines or usage in `range`.
pub async fn reconcile(
    db: &impl ConnectionTrait,
    range: DayRange,
    by_project: bool,
    providers: &[String],
) -> Result<Vec<ReconRow>> {
    let mut rows: BTreeMap<Key, ReconRow> = BTreeMap::new();
    // Computed side.
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
        usage.and_where(usage_bucket::Column::Provider.is_in(providers.iter().map(String::as_str)));
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
        let project = if by_project {
            Some(found.try_get::<String>("", "project_id")?)
        } else {
            None
        };
        let provider: String = found.try_get("", "provider")?;
        let entry = entry(&mut rows, (provider, start.date_naive(), project));
        entry.computed_micros = found.try_get("", "computed")?;
        entry.usage_buckets = found.try_get("", "buckets")?;
        entry.unpriced_buckets = found.try_get("", "unpriced")?;
        entry.untokened_buckets = found.try_get("", "untokened")?;
        entry.tier_unreported_buckets = found.try_get("", "tier_unreported")?;
    }

    // Billed side.
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
        billed.and_where(billed_cost::Column::Provider.is_in(providers.iter().map(String::as_str)));
    }
    if by_project {
        billed
            .column(billed_cost::Column::ProjectId)
            .group_by_col(billed_cost::Column::ProjectId);
    }
    for found in db.query_all(&billed).await? {
        let project = if by_project {
            Some(found.try_get::<String>("", "project_id")?)
        } else {
            None
        };
        let provider: String = found.try_get("", "provider")?;
        let day: NaiveDate = found.try_get("", "day")?;
        let entry = entry(&mut rows, (provider, day, project));
        entry.billed_micros = found.try_get("", "billed")?;
        entry.billed_lines = found.try_get("", "lines")?;
    }
    Ok(rows.into_values().collect())
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
    let findings: Vec<serde_json::Value> = rows
        .iter()
        .filter_map(|row| {
            row.likely_cause().map(|cause| {
                serde_json::json!({
                    "provider": row.provider,
                    "day": row.day.to_string(),
                    "projectId": row.project_id,
                    "billedUsd": micros_to_usd(row.billed_micros).to_string(),
                    "computedUsd": micros_to_usd(row.computed_micros).to_string(),
                    "varianceUsd": micros_to_usd(row.variance_micros()).to_string(),
                    "likelyCause": cause,
                })
            })
        })
        .collect();
    let report = reconciliation_report::ActiveModel {
        range_start: Set(range.from),
        range_end: Set(range.to),
        within_tolerance: Set(findings.is_empty()),
        billed_micros: Set(rows.iter().map(|r| r.billed_micros).sum()),
        computed_micros: Set(rows.iter().map(|r| r.computed_micros).sum()),
        created_at: Set(Utc::now()),
        findings: Set(serde_json::Value::Array(findings)),
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
            Some("price_difference")
        );
        let mut unpriced = row(1_000_000, 0);
        unpriced.unpriced_buckets = 2;
        assert_eq!(unpriced.likely_cause(), Some("unpriced_model"));
        let mut no_usage = row(1_000_000, 0);
        no_usage.usage_buckets = 0;
        assert_eq!(no_usage.likely_cause(), Some("line_item_without_usage"));
        let mut not_billed = row(0, 1_000_000);
        not_billed.billed_lines = 0;
        assert_eq!(not_billed.likely_cause(), Some("usage_not_billed_yet"));
        let mut images = row(2_000_000, 1_000_000);
        images.untokened_buckets = 1;
        assert_eq!(images.likely_cause(), Some("usage_without_token_price"));
    }
}
