//! Hourly provider buckets, kept beside the daily ones so usage can be
//! summed into local-time days. The daily buckets stay the ledger's truth:
//! a day's hours are stored only when they sum exactly to its daily
//! buckets, and are replaced as a whole when the provider's hours change.
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{usage_bucket, usage_hour, usage_rollup};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, IntoIden, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryTrait, Set};

use entity::enums::ProviderKind;

use crate::Result;
use crate::dates::{midnight, next_day};
use crate::pricing::PriceBook;
use crate::usage::buckets::{self, BucketRow, Counts, DaySet, Dimensions, ReplaceOutcome, Writer};
use crate::usage::digest::{self, DayKey, Series};
use crate::usage::rollup;

/// One provider hour bucket: its start and its rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Hour {
    pub start: DateTime<Utc>,
    pub rows: Vec<BucketRow>,
}

/// The hours of one day, merged per hour and dimensions.
type DayHours = BTreeMap<DateTime<Utc>, HashMap<Dimensions, Counts>>;

/// Why a day's hours were not stored: the first difference found, for the
/// run's issue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Disagreement(String);

/// Checks `hours` against the day's daily buckets and, when every count of
/// every dimension sums exactly (or `checked` is false: today, whose
/// daily and hourly figures both still grow), replaces the stored hours of
/// `set` with them. Call it inside a transaction, after the day's daily
/// buckets.
///
/// `Ok(Err(_))` is a disagreement: nothing was written.
pub async fn replace_hours(
    db: &impl ConnectionTrait,
    set: DaySet<'_>,
    hours: Vec<Hour>,
    run_id: Option<i64>,
    book: &PriceBook,
    checked: bool,
) -> Result<std::result::Result<ReplaceOutcome, Disagreement>> {
    let mut merged: DayHours = BTreeMap::new();
    for hour in hours {
        let slot = merged.entry(hour.start).or_default();
        for (dims, counts) in buckets::merge(hour.rows) {
            slot.entry(dims).or_default().add(&counts);
        }
    }
    // An hour without usage is not stored (most of a quiet night).
    for rows in merged.values_mut() {
        rows.retain(|_, counts| *counts != Counts::default());
    }
    if checked {
        let daily = daily_counts(db, &set).await?;
        if let Err(disagreement) = agree(&daily, &merged) {
            return Ok(Err(disagreement));
        }
    }
    let rows = merged.values().map(HashMap::len).sum();
    let content_hash = digest::hash(
        merged
            .iter()
            .flat_map(|(start, rows)| rows.iter().map(|(dims, counts)| (*start, dims, counts))),
    );
    let key = DayKey {
        connection_id: set.connection_id,
        usage_type: set.usage_type,
        day: midnight(set.day),
        series: Series::Hourly,
    };
    let mut outcome = ReplaceOutcome::default();
    if digest::unchanged(db, key, &content_hash, rows, async || {
        stored_count(db, &set).await
    })
    .await?
    {
        outcome.unchanged = rows as u64;
        return Ok(Ok(outcome));
    }
    outcome.deleted = delete_day(db, &set).await?;
    write(db, set, merged, run_id, book, &mut outcome).await?;
    digest::store(db, key, content_hash, rows).await?;
    Ok(Ok(outcome))
}

/// The day's stored daily buckets (hot and archived), per dimensions.
async fn daily_counts(
    db: &impl ConnectionTrait,
    set: &DaySet<'_>,
) -> Result<HashMap<Dimensions, Counts>> {
    Ok(buckets::stored_buckets(db, set)
        .await?
        .into_iter()
        .map(|(dims, (model, _))| (dims, Counts::of(&model)))
        .collect())
}

/// Every dimension's 24 hours sum to its daily counts, and every hour lies
/// in the day. Both directions: an hour row with no daily bucket is a
/// difference too.
fn agree(
    daily: &HashMap<Dimensions, Counts>,
    hours: &DayHours,
) -> std::result::Result<(), Disagreement> {
    let mut summed: HashMap<&Dimensions, Counts> = HashMap::new();
    for rows in hours.values() {
        for (dims, counts) in rows {
            summed.entry(dims).or_default().add(counts);
        }
    }
    for (dims, day) in daily {
        let hours = summed.remove(dims).unwrap_or_default();
        if hours != *day {
            return Err(Disagreement(format!(
                "the hours of {} sum to {} input / {} output tokens, the daily bucket says {} / {}",
                describe(dims),
                hours.input_tokens,
                hours.output_tokens,
                day.input_tokens,
                day.output_tokens
            )));
        }
    }
    match summed
        .into_iter()
        .find(|(_, counts)| *counts != Counts::default())
    {
        Some((dims, counts)) => Err(Disagreement(format!(
            "the hours report {} input / {} output tokens for {}, which has no daily bucket",
            counts.input_tokens,
            counts.output_tokens,
            describe(dims)
        ))),
        None => Ok(()),
    }
}

/// A short name for a row's dimensions in an issue.
fn describe(dims: &Dimensions) -> String {
    let parts: Vec<String> = [
        ("project", &dims.project_id),
        ("key", &dims.api_key_id),
        ("user", &dims.user_id),
        ("model", &dims.model),
        ("tier", &dims.service_tier),
    ]
    .into_iter()
    .filter(|(_, value)| !value.is_empty())
    .map(|(name, value)| format!("{name} {value}"))
    .collect();
    if parts.is_empty() {
        "the unattributed usage".to_owned()
    } else {
        parts.join(", ")
    }
}

async fn stored_count(db: &impl ConnectionTrait, set: &DaySet<'_>) -> Result<u64> {
    let (start, end) = (midnight(set.day), midnight(next_day(set.day)));
    let mut query = Query::select();
    query
        .expr(Expr::col(usage_hour::Column::Id).count())
        .from(usage_hour::Entity)
        .and_where(Expr::col(usage_hour::Column::ConnectionId).eq(set.connection_id))
        .and_where(Expr::col(usage_hour::Column::UsageType).eq(set.usage_type))
        .and_where(Expr::col(usage_hour::Column::WindowStart).gte(start))
        .and_where(Expr::col(usage_hour::Column::WindowStart).lt(end));
    Ok(match db.query_one(&query).await? {
        Some(row) => u64::try_from(row.try_get_by_index::<i64>(0)?).unwrap_or(0),
        None => 0,
    })
}

async fn delete_day(db: &impl ConnectionTrait, set: &DaySet<'_>) -> Result<u64> {
    let (start, end) = (midnight(set.day), midnight(next_day(set.day)));
    let deleted = usage_hour::Entity::delete_many()
        .filter(usage_hour::Column::ConnectionId.eq(set.connection_id))
        .filter(usage_hour::Column::UsageType.eq(set.usage_type))
        .filter(usage_hour::Column::WindowStart.gte(start))
        .filter(usage_hour::Column::WindowStart.lt(end))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected)
}

/// Rows per multi-row INSERT, as for daily buckets.
const INSERT_CHUNK: usize = 500;

/// Prices each hour row like a daily bucket of its day and inserts them.
async fn write(
    db: &impl ConnectionTrait,
    set: DaySet<'_>,
    merged: DayHours,
    run_id: Option<i64>,
    book: &PriceBook,
    outcome: &mut ReplaceOutcome,
) -> Result<()> {
    let writer = Writer {
        set,
        book,
        run_id,
        now: Utc::now(),
    };
    let mut rows: Vec<usage_bucket::ActiveModel> = Vec::new();
    for (start, hour) in merged {
        for (dims, counts) in hour {
            let (mut row, _) = writer.row(&dims, counts, outcome);
            row.window_start = Set(start);
            row.window_end = Set(start + Duration::hours(1));
            rows.push(row);
            outcome.inserted += 1;
        }
    }
    for chunk in rows.chunks(INSERT_CHUNK) {
        // Same columns as a bucket: build the bucket INSERT, aim it at the hours.
        let mut insert = usage_bucket::Entity::insert_many(chunk.to_vec()).into_query();
        insert.into_table(Alias::new("usage_hour"));
        db.execute(&insert).await?;
    }
    Ok(())
}

/// Which UTC days of `days` lack hours that agree with their daily
/// buckets, per provider: compares each day's daily token totals (from the
/// rollup) with its stored hours summed. Empty when every day is covered.
pub async fn uncovered_days(
    db: &impl ConnectionTrait,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    providers: &[ProviderKind],
) -> Result<Vec<NaiveDate>> {
    let mut daily_query = tokens_per_provider_and_start(start, end);
    daily_query
        .from_as(usage_rollup::Entity, usage_bucket::Entity.into_iden())
        .and_where(Expr::col(rollup::GRAIN_COLUMN).eq(rollup::GRAINS[0].id));
    let mut hourly_query = tokens_per_provider_and_start(start, end);
    hourly_query.from(usage_hour::Entity);
    let mut sums: [HashMap<(String, NaiveDate), i64>; 2] = Default::default();
    for (query, sums) in [daily_query, hourly_query].iter().zip(&mut sums) {
        for row in db.query_all(query).await? {
            let provider: String = row.try_get("", "provider")?;
            let at: DateTime<Utc> = row.try_get("", "window_start")?;
            let tokens: i64 = row.try_get("", "tokens")?;
            *sums.entry((provider, at.date_naive())).or_default() += tokens;
        }
    }
    let [daily, hourly] = sums;
    let asked =
        |provider: &str| providers.is_empty() || providers.iter().any(|p| p.as_str() == provider);
    let mut missing: Vec<NaiveDate> = daily
        .into_iter()
        .filter(|((provider, _), _)| asked(provider))
        .filter(|(key, tokens)| hourly.get(key).copied().unwrap_or(0) != *tokens)
        .map(|((_, day), _)| day)
        .collect();
    missing.sort_unstable();
    missing.dedup();
    Ok(missing)
}

/// Token and request totals per provider and window start in `start..end`;
/// the caller names the table.
fn tokens_per_provider_and_start(start: DateTime<Utc>, end: DateTime<Utc>) -> SelectStatement {
    let mut query = Query::select();
    query
        .column(usage_bucket::Column::Provider)
        .column(usage_bucket::Column::WindowStart)
        .expr_as(
            crate::db::sum_i64("input_tokens + output_tokens + num_model_requests"),
            Alias::new("tokens"),
        )
        .and_where(Expr::col(usage_bucket::Column::WindowStart).gte(start))
        .and_where(Expr::col(usage_bucket::Column::WindowStart).lt(end))
        .group_by_col(usage_bucket::Column::Provider)
        .group_by_col(usage_bucket::Column::WindowStart);
    query
}

/// Whether any hourly bucket is stored (the dashboard offers time zones then).
pub async fn any(db: &impl ConnectionTrait) -> Result<bool> {
    Ok(usage_hour::Entity::find().one(db).await?.is_some())
}
