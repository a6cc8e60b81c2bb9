//! Repricing: an explicit admin action. Stored usage keeps the price it
//! was stored with until an admin reprices a range; a dry run shows the
//! difference without changing anything.
use std::collections::BTreeMap;

use chrono::NaiveDate;
use entity::usage_bucket::{self, ActiveModel, Column};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
    TransactionTrait,
};
use serde::Serialize;

use crate::Result;
use crate::dates::{DayRange, midnight, next_day};
use crate::pricing::PriceBook;
use crate::providers::ProviderKind;
use crate::usage::buckets::{self, TOKEN_PRICED_TYPES};
use crate::usage::revisions::{self, Table};

/// The change on one day of one provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayDiff {
    pub day: NaiveDate,
    pub provider: ProviderKind,
    pub buckets_changed: u64,
    /// Unpriced buckets count as 0 on either side; see `newly_*`.
    pub old_micros: i64,
    pub new_micros: i64,
    pub newly_priced: u64,
    pub newly_unpriced: u64,
}

impl DayDiff {
    fn new(day: NaiveDate, provider: ProviderKind) -> Self {
        Self {
            day,
            provider,
            buckets_changed: 0,
            old_micros: 0,
            new_micros: 0,
            newly_priced: 0,
            newly_unpriced: 0,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RepriceReport {
    pub dry_run: bool,
    pub buckets_examined: u64,
    pub buckets_changed: u64,
    pub old_micros: i64,
    pub new_micros: i64,
    /// Only days with a change.
    pub days: Vec<DayDiff>,
}

/// Reprices the token-priced buckets of `range` with the current book,
/// one transaction per day.
pub async fn reprice(
    db: &DatabaseConnection,
    book: &PriceBook,
    range: DayRange,
    dry_run: bool,
) -> Result<RepriceReport> {
    let mut report = RepriceReport {
        dry_run,
        ..RepriceReport::default()
    };
    for day in range.days() {
        let txn = db.begin().await?;
        let now = chrono::Utc::now();
        let rows = usage_bucket::Entity::find()
            .filter(Column::WindowStart.eq(midnight(day)))
            .filter(Column::UsageType.is_in(TOKEN_PRICED_TYPES.iter().copied()))
            .all(&txn)
            .await?;
        let mut diffs: BTreeMap<ProviderKind, DayDiff> = BTreeMap::new();
        for row in rows {
            report.buckets_examined += 1;
            let priced = buckets::reprice(book, &row);
            let (cost, estimated, version) =
                (priced.micros(), priced.estimated(), priced.version_id());
            if (cost, estimated, version)
                == (row.cost_micros, row.cost_estimated, row.price_version_id)
            {
                continue;
            }
            let diff = diffs
                .entry(row.provider)
                .or_insert_with(|| DayDiff::new(day, row.provider));
            diff.buckets_changed += 1;
            diff.old_micros += row.cost_micros.unwrap_or(0);
            diff.new_micros += cost.unwrap_or(0);
            match (row.cost_micros, cost) {
                (None, Some(_)) => diff.newly_priced += 1,
                (Some(_), None) => diff.newly_unpriced += 1,
                _ => {}
            }
            if !dry_run {
                // The old price stays answerable as of before this moment.
                revisions::supersede(&txn, Table::Hot, &[row.id], now, None).await?;
                let mut update = ActiveModel::from(row);
                update.cost_micros = Set(cost);
                update.cost_estimated = Set(estimated);
                update.price_version_id = Set(version);
                update.ingested_at = Set(now);
                update.update(&txn).await?;
            }
        }
        if !dry_run && !diffs.is_empty() {
            crate::usage::rollup::rebuild(&txn, midnight(day), midnight(next_day(day))).await?;
        }
        txn.commit().await?;
        for diff in diffs.into_values() {
            report.buckets_changed += diff.buckets_changed;
            report.old_micros += diff.old_micros;
            report.new_micros += diff.new_micros;
            report.days.push(diff);
        }
    }
    Ok(report)
}
