//! Month-end close. An admin closes a complete month, for one provider or
//! for all: its usage is frozen as close lines (per provider, project, API
//! key and model) that never change. A revision of a day in a closed month
//! that arrives after the close is an adjustment of that close: listed with
//! it and flagged in its `usage.revised` webhook. Reopening marks the close
//! (who, when); closing again writes a new close.
use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::ProviderKind;
use entity::{
    period_close, period_close_line as line, usage_bucket, usage_bucket_archive, usage_revision,
};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, Set, TransactionTrait,
};

use crate::archive;
use crate::db::sum_i64;
use crate::error::{Error, Result, invalid};

/// A close with its frozen lines and the adjustments made after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Close {
    pub close: period_close::Model,
    pub lines: Vec<line::Model>,
    pub adjustments: Vec<usage_revision::Model>,
}

/// `YYYY-MM` as its first and last day.
pub fn parse_month(text: &str) -> Result<(NaiveDate, NaiveDate)> {
    let bad = || invalid(format!("malformed period {text:?}: expected YYYY-MM"));
    let canonical = text.len() == 7
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !canonical {
        return Err(bad());
    }
    let first = NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").map_err(|_| bad())?;
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .ok_or_else(bad)?;
    Ok((first, next.pred_opt().ok_or_else(bad)?))
}

/// Closes `period` for `provider` (None: every provider) as `who`.
pub async fn close(
    db: &DatabaseConnection,
    period: &str,
    provider: Option<ProviderKind>,
    who: &str,
) -> Result<Close> {
    let (first, last) = parse_month(period)?;
    let now = Utc::now();
    if last >= now.date_naive() {
        return Err(invalid(format!(
            "{period} is not over yet: a month can be closed from the day after its last day"
        )));
    }
    let txn = db.begin().await?;
    // The insert is the check, and the transaction's first statement: the
    // unique open scope lets one of two concurrent closes in, and a SQLite
    // transaction that writes first waits for the other writer, where one
    // that read first would fail on its stale snapshot.
    let inserted = period_close::ActiveModel {
        period: Set(period.to_owned()),
        provider: Set(provider),
        first_day: Set(first),
        last_day: Set(last),
        closed_at: Set(now),
        closed_by: Set(who.to_owned()),
        reopened_at: Set(None),
        reopened_by: Set(None),
        open_scope: Set(Some(open_scope(period, provider))),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let close = match inserted {
        Ok(close) => close,
        Err(error) if is_unique_violation(&error) => {
            return Err(Error::Conflict(format!(
                "{period} is already closed for {}; reopen it first",
                scope(provider)
            )));
        }
        Err(error) => return Err(error.into()),
    };
    let lines = freeze(&txn, &close).await?;
    txn.commit().await?;
    Ok(Close {
        close,
        lines,
        adjustments: Vec::new(),
    })
}

/// Marks close `id` reopened by `who`; its lines stay as they were.
pub async fn reopen(db: &DatabaseConnection, id: i64, who: &str) -> Result<Close> {
    let found = period_close::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| Error::NotFound(format!("period close {id}")))?;
    if found.reopened_at.is_some() {
        return Err(Error::Conflict(format!(
            "period close {id} is already reopened"
        )));
    }
    let mut row: period_close::ActiveModel = found.into();
    row.reopened_at = Set(Some(Utc::now()));
    row.reopened_by = Set(Some(who.to_owned()));
    // Frees the scope for a new close of the period.
    row.open_scope = Set(None);
    let close = row.update(db).await?;
    with_details(db, close).await
}

/// Every close, newest period first.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<Close>> {
    let closes = period_close::Entity::find()
        .order_by_desc(period_close::Column::FirstDay)
        .order_by_desc(period_close::Column::Id)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(closes.len());
    for close in closes {
        out.push(with_details(db, close).await?);
    }
    Ok(out)
}

/// The close in force at `at` that covers `day` of `provider`, if any.
pub async fn covering(
    db: &impl ConnectionTrait,
    provider: ProviderKind,
    day: NaiveDate,
    at: DateTime<Utc>,
) -> Result<Option<period_close::Model>> {
    Ok(period_close::Entity::find()
        .filter(period_close::Column::FirstDay.lte(day))
        .filter(period_close::Column::LastDay.gte(day))
        .filter(period_close::Column::ClosedAt.lt(at))
        .filter(
            Condition::any()
                .add(period_close::Column::Provider.is_null())
                .add(period_close::Column::Provider.eq(provider)),
        )
        .filter(
            Condition::any()
                .add(period_close::Column::ReopenedAt.is_null())
                .add(period_close::Column::ReopenedAt.gt(at)),
        )
        .order_by_asc(period_close::Column::Id)
        .one(db)
        .await?)
}

fn scope(provider: Option<ProviderKind>) -> &'static str {
    provider.map_or("every provider", ProviderKind::as_str)
}

/// The key `period_close.open_scope` holds while a close is open.
fn open_scope(period: &str, provider: Option<ProviderKind>) -> String {
    format!("{period}:{}", provider.map_or("*", ProviderKind::as_str))
}

fn is_unique_violation(error: &sea_orm::DbErr) -> bool {
    matches!(
        error.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

async fn with_details(db: &impl ConnectionTrait, close: period_close::Model) -> Result<Close> {
    let lines = line::Entity::find()
        .filter(line::Column::CloseId.eq(close.id))
        .order_by_asc(line::Column::Id)
        .all(db)
        .await?;
    let mut adjustments = usage_revision::Entity::find()
        .filter(usage_revision::Column::Day.gte(close.first_day))
        .filter(usage_revision::Column::Day.lte(close.last_day))
        .filter(usage_revision::Column::RevisedAt.gt(close.closed_at));
    if let Some(provider) = close.provider {
        adjustments = adjustments.filter(usage_revision::Column::Provider.eq(provider));
    }
    if let Some(reopened) = close.reopened_at {
        adjustments = adjustments.filter(usage_revision::Column::RevisedAt.lt(reopened));
    }
    let adjustments = adjustments
        .order_by_asc(usage_revision::Column::Id)
        .all(db)
        .await?;
    Ok(Close {
        close,
        lines,
        adjustments,
    })
}

/// (provider, project, API key, model) of a close line.
type LineKey = (String, String, String, String);
const LINE_SUMS: [(&str, &str); 5] = [
    ("input_tokens", "input_tokens"),
    ("input_cached_tokens", "input_cached_tokens"),
    ("output_tokens", "output_tokens"),
    ("num_model_requests", "num_model_requests"),
    ("cost_micros", "COALESCE(cost_micros, 0)"),
];

/// Writes the close's lines: the month's current usage, frozen.
async fn freeze(
    db: &impl ConnectionTrait,
    close: &period_close::Model,
) -> Result<Vec<line::Model>> {
    let mut lines = Vec::new();
    for ((provider, project_id, api_key_id, model), s) in month_sums(db, close).await? {
        let row = line::ActiveModel {
            close_id: Set(close.id),
            provider: Set(provider.parse()?),
            project_id: Set(project_id),
            api_key_id: Set(api_key_id),
            model: Set(model),
            input_tokens: Set(s[0]),
            input_cached_tokens: Set(s[1]),
            output_tokens: Set(s[2]),
            num_model_requests: Set(s[3]),
            cost_micros: Set(s[4]),
            ..Default::default()
        };
        lines.push(row.insert(db).await?);
    }
    Ok(lines)
}

/// The month's current buckets (hot and archived) summed per line.
async fn month_sums(
    db: &impl ConnectionTrait,
    close: &period_close::Model,
) -> Result<BTreeMap<LineKey, [i64; 5]>> {
    use usage_bucket::Column as C;
    let start = crate::dates::midnight(close.first_day);
    let end = crate::dates::midnight(crate::dates::next_day(close.last_day));
    let mut query = Query::select();
    query
        .from(usage_bucket::Entity)
        .columns([C::Provider, C::ProjectId, C::ApiKeyId, C::Model])
        .and_where(C::WindowStart.gte(start))
        .and_where(C::WindowStart.lt(end))
        .group_by_columns([C::Provider, C::ProjectId, C::ApiKeyId, C::Model]);
    if let Some(provider) = close.provider {
        query.and_where(Expr::col(C::Provider).eq(provider.as_str()));
    }
    for (alias, expr) in LINE_SUMS {
        query.expr_as(sum_i64(expr), Alias::new(alias));
    }
    let mut sums: BTreeMap<LineKey, [i64; 5]> = BTreeMap::new();
    let statements =
        archive::statements::<usage_bucket::Entity, usage_bucket_archive::Entity>(query, true);
    for statement in statements {
        for row in db.query_all(&statement).await? {
            let key = (
                row.try_get::<String>("", "provider")?,
                row.try_get::<String>("", "project_id")?,
                row.try_get::<String>("", "api_key_id")?,
                row.try_get::<String>("", "model")?,
            );
            let entry = sums.entry(key).or_default();
            for (total, (name, _)) in entry.iter_mut().zip(LINE_SUMS) {
                *total += row.try_get::<i64>("", name)?;
            }
        }
    }
    Ok(sums)
}
