//! Demo month-end close and a restatement against it: the previous
//! calendar month is closed for every provider, then one of its days is
//! restated (late usage on one bucket) and written through
//! [`replace_day`], exactly as an ingestion that found the provider's
//! corrected numbers would write it. The ledger records the change as a
//! revision, which the close lists as its adjustment.
use std::cmp::Reverse;

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use entity::usage_hour;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait,
};

use super::ingest::DEMO_OPENAI;
use ledger::dates::{DayRange, midnight, next_day};
use ledger::page::PageRequest;
use ledger::pricing::PriceBook;
use ledger::providers::{ProviderKind, connections};
use ledger::usage::buckets::{BucketRow, Counts, DaySet, Dimensions, replace_day};
use ledger::usage::closes;
use ledger::usage::hours::{Hour, replace_hours};
use ledger::usage::{UsageFilter, list_buckets};
use ledger::{Error, Result};

/// Who closes the demo month: the subject of the demo's admin token.
pub const DEMO_CLOSED_BY: &str = "demo-admin";
/// The restated usage type of `demo-openai`.
pub const RESTATED_USAGE_TYPE: &str = "completions";
/// The day of the closed month that is restated: far enough back that the
/// scheduled re-pull (a few days) never reaches it, whatever today is.
pub const RESTATED_DAY_OF_MONTH: u32 = 20;
/// Late usage on the restated bucket, in percent of what it reported.
pub const RESTATED_INCREASE_PCT: i64 = 25;

/// What [`close_and_restate`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoClose {
    /// `YYYY-MM`.
    pub period: String,
    pub close_id: i64,
    pub restated_day: NaiveDate,
}

/// The calendar month before `today`'s: its `YYYY-MM` and the restated day.
pub fn demo_period(today: NaiveDate) -> (String, NaiveDate) {
    let first_of_this = today.with_day(1).unwrap_or(today);
    let first = first_of_this
        .checked_sub_months(Months::new(1))
        .unwrap_or(first_of_this);
    let day = first.with_day(RESTATED_DAY_OF_MONTH).unwrap_or(first);
    (first.format("%Y-%m").to_string(), day)
}

/// Closes the month before `today`'s for every provider as
/// [`DEMO_CLOSED_BY`], then restates one `demo-openai` bucket of that
/// month's [`RESTATED_DAY_OF_MONTH`]th day. Fails if the ledger did not
/// list the restatement as an adjustment of the close.
pub async fn close_and_restate(
    db: &DatabaseConnection,
    book: &PriceBook,
    today: NaiveDate,
) -> Result<DemoClose> {
    let (period, day) = demo_period(today);
    let closed = closes::close(db, &period, None, DEMO_CLOSED_BY).await?;
    restate(db, book, day).await?;
    let close_id = closed.close.id;
    let listed = closes::list(db).await?;
    let adjusted = listed
        .iter()
        .find(|c| c.close.id == close_id)
        .is_some_and(|c| c.adjustments.iter().any(|a| a.day == day));
    if !adjusted {
        return Err(Error::Internal(format!(
            "the demo restatement of {day} is not an adjustment of the {period} close"
        )));
    }
    Ok(DemoClose {
        period,
        close_id,
        restated_day: day,
    })
}

/// Builds `$t` from the fields of the same names of `$b`.
macro_rules! fields_of {
    ($t:ident, $b:ident; $($f:ident),* $(,)?) => { $t { $($f: $b.$f),* } };
}

/// Every count of a stored bucket (or hour) row.
macro_rules! all_counts {
    ($b:ident) => {
        fields_of!(Counts, $b;
            input_tokens, input_cached_tokens, input_cache_write_tokens,
            input_cache_write_5m_tokens, input_cache_write_1h_tokens, input_uncached_tokens,
            input_text_tokens, input_cached_text_tokens, input_audio_tokens,
            input_cached_audio_tokens, input_image_tokens, input_cached_image_tokens,
            output_tokens, output_text_tokens, output_audio_tokens, output_image_tokens,
            num_model_requests, num_requests, web_search_requests, images, characters,
            seconds, usage_bytes, num_sessions)
    };
}

/// Rewrites `day`'s `demo-openai` completions with late usage on one
/// bucket (the one with the most output tokens): input, output and
/// requests each up by [`RESTATED_INCREASE_PCT`] percent.
async fn restate(db: &DatabaseConnection, book: &PriceBook, day: NaiveDate) -> Result<()> {
    let connection = connections::get(db, DEMO_OPENAI).await?;
    let mut rows = stored_rows(db, connection.id, day).await?;
    // The same bucket every time: most output tokens, ties by dimensions.
    let restated = rows
        .iter_mut()
        .max_by_key(|r| {
            let d = &r.dims;
            let tie = (
                d.model.clone(),
                d.project_id.clone(),
                d.api_key_id.clone(),
                d.user_id.clone(),
            );
            (r.counts.output_tokens, Reverse(tie))
        })
        .ok_or_else(|| {
            Error::Internal(format!(
                "no {DEMO_OPENAI} {RESTATED_USAGE_TYPE} buckets on {day} to restate"
            ))
        })?;
    let before = restated.counts;
    late_usage(&mut restated.counts);
    let late = BucketRow {
        dims: restated.dims.clone(),
        counts: difference(&restated.counts, &before),
    };
    let txn = db.begin().await?;
    let set = DaySet {
        connection_id: connection.id,
        provider: ProviderKind::OpenAi,
        usage_type: RESTATED_USAGE_TYPE,
        day,
    };
    replace_day(&txn, set, rows, None, book).await?;
    if connection.hourly_buckets {
        restate_hours(&txn, set, late, book).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The late usage lands in the day's noon hour, so the hours still sum to
/// the restated day and local-time days keep answering.
async fn restate_hours(
    db: &impl ConnectionTrait,
    set: DaySet<'_>,
    late: BucketRow,
    book: &PriceBook,
) -> Result<()> {
    let noon = midnight(set.day) + chrono::Duration::hours(12);
    let mut by_hour: BTreeMap<DateTime<Utc>, Vec<BucketRow>> = BTreeMap::new();
    let stored = usage_hour::Entity::find()
        .filter(usage_hour::Column::ConnectionId.eq(set.connection_id))
        .filter(usage_hour::Column::UsageType.eq(set.usage_type))
        .filter(usage_hour::Column::WindowStart.gte(midnight(set.day)))
        .filter(usage_hour::Column::WindowStart.lt(midnight(next_day(set.day))))
        .all(db)
        .await?;
    for h in stored {
        let dims = fields_of!(Dimensions, h;
            project_id, api_key_id, user_id, model, batch, service_tier, context_window,
            inference_geo, image_size, image_source, context_level, vector_store_id);
        let counts = all_counts!(h);
        by_hour
            .entry(h.window_start)
            .or_default()
            .push(BucketRow { dims, counts });
    }
    by_hour.entry(noon).or_default().push(late);
    let hours = by_hour
        .into_iter()
        .map(|(start, rows)| Hour { start, rows })
        .collect();
    match replace_hours(db, set, hours, None, book, true).await? {
        Ok(_) => Ok(()),
        Err(disagreement) => Err(Error::Internal(format!(
            "the demo's restated hours of {}: {disagreement}",
            set.day
        ))),
    }
}

/// `after - before`, count by count (what [`late_usage`] added).
fn difference(after: &Counts, before: &Counts) -> Counts {
    Counts {
        input_tokens: after.input_tokens - before.input_tokens,
        input_uncached_tokens: after.input_uncached_tokens - before.input_uncached_tokens,
        input_text_tokens: after.input_text_tokens - before.input_text_tokens,
        output_tokens: after.output_tokens - before.output_tokens,
        output_text_tokens: after.output_text_tokens - before.output_text_tokens,
        num_model_requests: after.num_model_requests - before.num_model_requests,
        ..Counts::default()
    }
}

/// The stored buckets of connection `connection_id`'s
/// [`RESTATED_USAGE_TYPE`] on `day`, as the rows that would replace them
/// unchanged.
async fn stored_rows(
    db: &DatabaseConnection,
    connection_id: i64,
    day: NaiveDate,
) -> Result<Vec<BucketRow>> {
    let mut filter = UsageFilter::new(DayRange::new(day, day)?);
    filter.providers = vec![ProviderKind::OpenAi];
    let mut page = PageRequest::new(Some(500), None)?;
    let mut rows = Vec::new();
    loop {
        let found = list_buckets(db, &filter, &page).await?;
        let last = found.items.last().map(|(cursor, _)| cursor.clone());
        for (_, b) in found.items {
            if b.connection_id != connection_id || b.usage_type != RESTATED_USAGE_TYPE {
                continue;
            }
            let dims = fields_of!(Dimensions, b;
                project_id, api_key_id, user_id, model, batch, service_tier, context_window,
                inference_geo, image_size, image_source, context_level, vector_store_id);
            let counts = all_counts!(b);
            rows.push(BucketRow { dims, counts });
        }
        match (found.has_next, last) {
            (true, Some(cursor)) => page.after = Some(cursor),
            _ => break,
        }
    }
    Ok(rows)
}

/// Raises a bucket's uncached input, output and requests by
/// [`RESTATED_INCREASE_PCT`] percent, keeping its breakdowns consistent.
fn late_usage(counts: &mut Counts) {
    let more = |n: i64| (n * RESTATED_INCREASE_PCT / 100).max(1);
    let uncached = counts.input_tokens - counts.input_cached_tokens;
    let input = more(uncached.max(1));
    counts.input_tokens += input;
    if counts.input_uncached_tokens > 0 {
        counts.input_uncached_tokens += input;
    }
    if counts.input_text_tokens > 0 {
        counts.input_text_tokens += input;
    }
    let output = more(counts.output_tokens);
    counts.output_tokens += output;
    if counts.output_text_tokens > 0 {
        counts.output_text_tokens += output;
    }
    counts.num_model_requests += more(counts.num_model_requests);
}
