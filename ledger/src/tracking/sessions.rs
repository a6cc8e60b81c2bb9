//! Reading sessions, hot and archived: one by id, a page in the order the
//! caller asks for (newest, most expensive, most tokens), and how many
//! match a filter (for a pager that says "page 2 of 7").
use entity::{session, session_archive};
use sea_orm::sea_query::SelectStatement;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Select,
};

use super::input;
use crate::archive;
use crate::dates::DayRange;
use crate::error::Result;
use crate::page::{Cursor, Page, PageRequest};

#[derive(Debug, Clone, Default)]
pub struct SessionFilter {
    pub user_id: Option<String>,
    pub range: Option<DayRange>,
    /// See [`crate::usage::UsageFilter::include_archived`].
    pub include_archived: Option<bool>,
}

impl SessionFilter {
    /// The text rules of [`crate::text::plain`], as on every input.
    fn check(&self) -> Result<()> {
        input::label("userId", self.user_id.as_deref()).map(drop)
    }

    fn apply(&self, mut query: Select<session::Entity>) -> Select<session::Entity> {
        use session::Column as C;
        if let Some(user) = &self.user_id {
            query = query.filter(C::UserId.eq(user.as_str()));
        }
        if let Some(range) = &self.range {
            let (start, end) = range.bounds();
            query = query
                .filter(C::StartedAt.gte(start))
                .filter(C::StartedAt.lt(end));
        }
        query
    }

    async fn archived(&self, db: &impl ConnectionTrait) -> Result<bool> {
        archive::includes::<session_archive::Entity>(
            db,
            session_archive::Column::StartedAt,
            self.include_archived,
            self.range.map(|r| r.from),
        )
        .await
    }
}

/// What a page of sessions is ordered by; ties are broken by id, in the
/// same direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SessionSort {
    #[default]
    StartedAt,
    Cost,
    Tokens,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SessionOrder {
    pub sort: SessionSort,
    /// Largest (newest) first; `false`: smallest (oldest) first.
    pub descending: bool,
}

impl SessionOrder {
    pub const NEWEST: Self = Self {
        sort: SessionSort::StartedAt,
        descending: true,
    };

    fn column(self) -> session::Column {
        match self.sort {
            SessionSort::StartedAt => session::Column::StartedAt,
            SessionSort::Cost => session::Column::TotalCostMicros,
            SessionSort::Tokens => session::Column::TotalTokens,
        }
    }

    /// The sort key as the cursor carries it.
    fn key(self, s: &session::Model) -> i64 {
        match self.sort {
            SessionSort::StartedAt => s.started_at.timestamp_micros(),
            SessionSort::Cost => s.total_cost_micros,
            SessionSort::Tokens => s.total_tokens,
        }
    }

    /// The rows after `cursor` in this order.
    fn after(self, cursor: &Cursor) -> Result<Condition> {
        let at: sea_orm::Value = match self.sort {
            SessionSort::StartedAt => super::from_micros(cursor.at)?.into(),
            SessionSort::Cost | SessionSort::Tokens => cursor.at.into(),
        };
        let (column, id) = (self.column(), session::Column::Id);
        let (beyond, tie) = if self.descending {
            (column.lt(at.clone()), id.lt(cursor.id.as_str()))
        } else {
            (column.gt(at.clone()), id.gt(cursor.id.as_str()))
        };
        Ok(Condition::any()
            .add(beyond)
            .add(Condition::all().add(column.eq(at)).add(tie)))
    }
}

/// A session, hot or archived.
pub async fn get_session(db: &impl ConnectionTrait, id: &str) -> Result<Option<session::Model>> {
    crate::text::plain("the session id", id)?;
    let query = session::Entity::find_by_id(id.to_owned());
    Ok(
        archive::models::<session::Entity, session_archive::Entity>(db, query, true)
            .await?
            .pop(),
    )
}

/// A page of sessions in `order`.
pub async fn list_sessions(
    db: &impl ConnectionTrait,
    filter: &SessionFilter,
    order: SessionOrder,
    page: &PageRequest,
) -> Result<Page<session::Model>> {
    filter.check()?;
    let mut query = filter.apply(session::Entity::find());
    if let Some(after) = &page.after {
        query = query.filter(order.after(after)?);
    }
    let direction = if order.descending {
        sea_orm::Order::Desc
    } else {
        sea_orm::Order::Asc
    };
    let query = query
        .order_by(order.column(), direction.clone())
        .order_by(session::Column::Id, direction)
        .limit(page.first + 1);
    let archived = filter.archived(db).await?;
    // Each table gives its first+1 rows; the first+1 of the merge are the page.
    let mut rows =
        archive::models::<session::Entity, session_archive::Entity>(db, query, archived).await?;
    rows.sort_by(|a, b| {
        let ordered = (order.key(a), &a.id).cmp(&(order.key(b), &b.id));
        if order.descending {
            ordered.reverse()
        } else {
            ordered
        }
    });
    Ok(Page::from_rows(rows, page.first, |s| Cursor {
        at: order.key(s),
        id: s.id.clone(),
    }))
}

/// How many sessions match `filter`, hot and (when it applies) archived:
/// one count per table, the same statement on each.
pub async fn count_sessions(db: &impl ConnectionTrait, filter: &SessionFilter) -> Result<u64> {
    filter.check()?;
    let query: SelectStatement = filter
        .apply(session::Entity::find())
        .select_only()
        .column_as(session::Column::Id.count(), "n")
        .into_query();
    let archived = filter.archived(db).await?;
    let mut total = 0;
    for statement in
        archive::statements::<session::Entity, session_archive::Entity>(query, archived)
    {
        if let Some(row) = db.query_one(&statement).await? {
            total += row.try_get::<i64>("", "n")?.unsigned_abs();
        }
    }
    Ok(total)
}
