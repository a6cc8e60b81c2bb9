//! Daily usage counted in a local time zone: the stored hourly buckets
//! summed into the zone's calendar days, so a daylight-saving day has 23 or
//! 25 hours. Only hours that agree with the daily buckets exist (see
//! [`super::hours`]); a range whose UTC days lack them is refused, never
//! answered with shifted UTC days.
use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use entity::{usage_bucket, usage_hour};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{IntoIden, Query};

use super::{DailyRow, Dimension, Found, Sum, UsageFilter, add_row, fill, hours, sum_buckets};
use crate::dates::{midnight, next_day};
use crate::error::{Result, invalid};

/// The time zone named `name` (an IANA name such as `Europe/Berlin`).
pub fn zone(name: &str) -> Result<Tz> {
    crate::text::plain("timezone", name)?;
    name.parse::<Tz>().map_err(|_| {
        invalid(format!(
            "unknown time zone {name:?}: give an IANA name such as Europe/Berlin or UTC"
        ))
    })
}

/// The instant `day` begins in `tz`. Where midnight does not exist (a
/// daylight-saving gap at midnight) the day begins at the first instant it
/// has; where it happens twice, at the first.
pub fn day_start(tz: Tz, day: NaiveDate) -> DateTime<Utc> {
    let mut at = day.and_time(NaiveTime::MIN);
    // Gaps last at most a few hours; step in quarter hours until the
    // local time exists.
    for _ in 0..=4 * 24 {
        if let Some(start) = tz.from_local_datetime(&at).earliest() {
            return start.with_timezone(&Utc);
        }
        at += chrono::Duration::minutes(15);
    }
    day.and_time(NaiveTime::MIN).and_utc()
}

/// One row per local day of the filter's range and group, summed from the
/// hourly buckets whose hour begins on that local day in `tz`.
pub async fn daily_usage(
    db: &impl ConnectionTrait,
    filter: &UsageFilter,
    group_by: &[Dimension],
    sums: &[Sum],
    tz: Tz,
) -> Result<Vec<DailyRow>> {
    // UTC days are the daily buckets themselves.
    if tz == Tz::UTC {
        return super::daily_usage(db, filter, group_by, sums).await;
    }
    if filter.as_of.is_some() {
        return Err(invalid(
            "asOf answers count UTC days; ask without a time zone (hourly buckets keep no history)",
        ));
    }
    let start = day_start(tz, filter.range.from);
    let end = day_start(tz, next_day(filter.range.to));
    check_covered(db, filter, start, end).await?;
    let dims: BTreeSet<Dimension> = group_by.iter().copied().collect();
    let mut query = Query::select();
    query.from_as(usage_hour::Entity, usage_bucket::Entity.into_iden());
    sum_buckets(&mut query, sums);
    query.cond_where(filter.condition_between(start, end)?);
    query
        .column(usage_bucket::Column::WindowStart)
        .group_by_col(usage_bucket::Column::WindowStart);
    for dim in &dims {
        query.column(dim.column()).group_by_col(dim.column());
    }
    let mut found = Found::new();
    for row in db.query_all(&query).await? {
        add_row(&mut found, &row, &dims, sums, |at| {
            at.with_timezone(&tz).date_naive()
        })?;
    }
    Ok(fill(filter.range, &dims, found))
}

/// Refuses the question when a complete UTC day it touches has daily
/// usage its stored hours do not add up to (no hourly ingestion, or hours
/// that disagreed). Today is still growing on both sides, so it is not
/// checked.
async fn check_covered(
    db: &impl ConnectionTrait,
    filter: &UsageFilter,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<()> {
    // Whole UTC days: every day the local range touches, today excluded.
    let today = midnight(Utc::now().date_naive());
    let from = midnight(start.date_naive());
    let last = (end - chrono::Duration::seconds(1)).date_naive();
    let to = midnight(next_day(last)).min(today);
    if from >= to {
        return Ok(());
    }
    let days = hours::uncovered_days(db, from, to, &filter.providers).await?;
    match days.as_slice() {
        [] => Ok(()),
        [first, rest @ ..] => Err(invalid(format!(
            "no hourly buckets that add up to the daily ones for UTC day {first}{}: turn on \
             hourly ingestion for the connection (hourlyBuckets) and re-ingest those days, \
             or ask in UTC",
            if rest.is_empty() {
                String::new()
            } else {
                format!(" and {} more", rest.len())
            }
        ))),
    }
}
