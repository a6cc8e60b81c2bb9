//! Application-tracking statistics, read from the daily rollup.
use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    ingestion_run, interaction_daily as daily, provider_connection, session, session_archive,
};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
    QueryTrait, Select,
};

use crate::Result;
use crate::archive;
use crate::dates::DayRange;
use crate::pricing::PriceBook;
use crate::usage::{self, UsageFilter};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrackedTotals {
    pub interactions: i64,
    pub input_tokens: i64,
    pub cached_input_tokens: i64,
    pub cache_write_tokens: i64,
    pub output_tokens: i64,
    pub db_ops: i64,
    pub api_calls: i64,
    pub compute_ms: i64,
    pub duration_ms: i64,
    pub ai_tokens_micros: i64,
    pub db_ops_micros: i64,
    pub api_calls_micros: i64,
    pub compute_micros: i64,
    pub explicit_micros: i64,
    pub total_micros: i64,
    pub unpriced_interactions: i64,
}

const FIELDS: [&str; 16] = [
    "interactions",
    "input_tokens",
    "cached_input_tokens",
    "cache_write_tokens",
    "output_tokens",
    "db_ops",
    "api_calls",
    "compute_ms",
    "duration_ms",
    "ai_tokens_micros",
    "db_ops_micros",
    "api_calls_micros",
    "compute_micros",
    "explicit_micros",
    "total_micros",
    "unpriced_interactions",
];

fn read(row: &sea_orm::QueryResult) -> Result<TrackedTotals> {
    let v: Vec<i64> = FIELDS
        .iter()
        .map(|f| row.try_get::<i64>("", f))
        .collect::<Result<_, _>>()?;
    Ok(TrackedTotals {
        interactions: v[0],
        input_tokens: v[1],
        cached_input_tokens: v[2],
        cache_write_tokens: v[3],
        output_tokens: v[4],
        db_ops: v[5],
        api_calls: v[6],
        compute_ms: v[7],
        duration_ms: v[8],
        ai_tokens_micros: v[9],
        db_ops_micros: v[10],
        api_calls_micros: v[11],
        compute_micros: v[12],
        explicit_micros: v[13],
        total_micros: v[14],
        unpriced_interactions: v[15],
    })
}

async fn sum_rollup(
    db: &impl ConnectionTrait,
    range: Option<DayRange>,
    user_id: Option<&str>,
    by_day: bool,
) -> Result<Vec<(Option<NaiveDate>, TrackedTotals)>> {
    let mut query = Query::select();
    query.from(daily::Entity);
    // Each rollup column is kept within i64 when written (see
    // `tracking::bump_rollup`); a sum over days and users could only leave
    // it past the sizes in `tracking::input`, and then PostgreSQL's CAST
    // and SQLite's SUM raise an error: a failed query, never a wrapped number.
    for field in FIELDS {
        query.expr_as(crate::db::sum_i64(field), Alias::new(field));
    }
    if let Some(range) = range {
        query
            .and_where(Expr::col(daily::Column::Day).gte(range.from))
            .and_where(Expr::col(daily::Column::Day).lte(range.to));
    }
    if let Some(user) = user_id {
        crate::text::plain("userId", user)?;
        query.and_where(Expr::col(daily::Column::UserId).eq(user));
    }
    if by_day {
        query
            .column(daily::Column::Day)
            .group_by_col(daily::Column::Day);
    }
    let mut out = Vec::new();
    for row in db.query_all(&query).await? {
        let day = if by_day {
            Some(row.try_get::<NaiveDate>("", "day")?)
        } else {
            None
        };
        out.push((day, read(&row)?));
    }
    Ok(out)
}

/// Tracked interactions per day, zero-filled.
pub async fn daily_stats(
    db: &impl ConnectionTrait,
    range: DayRange,
    user_id: Option<&str>,
) -> Result<Vec<(NaiveDate, TrackedTotals)>> {
    let mut found: std::collections::HashMap<NaiveDate, TrackedTotals> =
        sum_rollup(db, Some(range), user_id, true)
            .await?
            .into_iter()
            .filter_map(|(day, totals)| day.map(|d| (d, totals)))
            .collect();
    Ok(range
        .days()
        .map(|day| (day, found.remove(&day).unwrap_or_default()))
        .collect())
}

#[derive(Debug, Clone, Default)]
pub struct UserStats {
    pub user_id: String,
    pub sessions: i64,
    pub first_seen: Option<DateTime<Utc>>,
    pub last_seen: Option<DateTime<Utc>>,
    pub totals: TrackedTotals,
}

pub async fn user_stats(db: &impl ConnectionTrait, user_id: &str) -> Result<UserStats> {
    let totals = sum_rollup(db, None, Some(user_id), false)
        .await?
        .pop()
        .map(|(_, t)| t)
        .unwrap_or_default();
    // All-time figures: archived sessions count too.
    let SessionSpan {
        sessions,
        first_seen,
        last_seen,
    } = session_span(
        db,
        session::Entity::find().filter(session::Column::UserId.eq(user_id)),
        true,
    )
    .await?;
    Ok(UserStats {
        user_id: user_id.to_owned(),
        sessions,
        first_seen,
        last_seen,
        totals,
    })
}

#[derive(Debug, Clone, Default)]
struct SessionSpan {
    sessions: i64,
    first_seen: Option<DateTime<Utc>>,
    last_seen: Option<DateTime<Utc>>,
}

/// Count and first/last start of the sessions `select` finds, hot and,
/// when `archived`, archived.
async fn session_span(
    db: &impl ConnectionTrait,
    select: Select<session::Entity>,
    archived: bool,
) -> Result<SessionSpan> {
    let query = select
        .select_only()
        .column_as(session::Column::Id.count(), "n")
        .column_as(session::Column::StartedAt.min(), "first")
        .column_as(session::Column::StartedAt.max(), "last")
        .into_query();
    let mut span = SessionSpan::default();
    for query in archive::statements::<session::Entity, session_archive::Entity>(query, archived) {
        let Some(row) = db.query_one(&query).await? else {
            continue;
        };
        span.sessions += row.try_get::<i64>("", "n")?;
        let first: Option<DateTime<Utc>> = row.try_get("", "first")?;
        let last: Option<DateTime<Utc>> = row.try_get("", "last")?;
        span.first_seen = span.first_seen.into_iter().chain(first).min();
        span.last_seen = span.last_seen.into_iter().chain(last).max();
    }
    Ok(span)
}

#[derive(Debug, Clone, Default)]
pub struct SystemStats {
    pub provider: usage::Totals,
    pub tracked: TrackedTotals,
    pub sessions: i64,
    pub connections: i64,
    pub ingestion_runs: i64,
    pub price_version_id: i64,
    /// Share of token-priced input+output tokens that have a price, in %.
    pub priced_token_percent: f64,
}

pub async fn system_stats(
    db: &impl ConnectionTrait,
    book: &PriceBook,
    range: DayRange,
) -> Result<SystemStats> {
    let provider = usage::totals(db, &UsageFilter::new(range)).await?;
    let tracked = sum_rollup(db, Some(range), None, false)
        .await?
        .pop()
        .map(|(_, t)| t)
        .unwrap_or_default();
    let (start, end) = range.bounds();
    let archived = archive::includes::<session_archive::Entity>(
        db,
        session_archive::Column::StartedAt,
        None,
        Some(range.from),
    )
    .await?;
    let sessions = session_span(
        db,
        session::Entity::find()
            .filter(session::Column::StartedAt.gte(start))
            .filter(session::Column::StartedAt.lt(end)),
        archived,
    )
    .await?
    .sessions;
    let unpriced_tokens = usage::unpriced_tokens(db, range).await?;
    let all_tokens = provider.input_tokens + provider.output_tokens;
    let priced_token_percent = if all_tokens == 0 {
        100.0
    } else {
        100.0 * (all_tokens - unpriced_tokens) as f64 / all_tokens as f64
    };
    Ok(SystemStats {
        provider,
        tracked,
        sessions,
        connections: provider_connection::Entity::find().count(db).await? as i64,
        ingestion_runs: ingestion_run::Entity::find().count(db).await? as i64,
        price_version_id: book.version_id(),
        priced_token_percent,
    })
}
