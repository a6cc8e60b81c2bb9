//! Interactions in the order they happened, by the usual
//! [`InteractionFilter`] and optionally by top-level metadata values (e.g.
//! `service.name = checkout` or `otlp.dialect = openinference`), hot and
//! archived rows alike.
use entity::{interaction, interaction_archive};
use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};

use crate::archive;
use crate::error::{Result, invalid};
use crate::page::{Cursor, Page, PageRequest};
use crate::tracking::{self, InteractionFilter};

/// At most this many metadata conditions per query.
pub const MAX_MATCHES: usize = 10;

/// A top-level metadata key and the text it must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataMatch {
    pub key: String,
    pub value: String,
}

/// Interactions of `filter` whose metadata holds every one of `matches`
/// (none: no metadata condition), in the order they happened.
pub async fn list_interactions(
    db: &impl ConnectionTrait,
    filter: &InteractionFilter,
    matches: &[MetadataMatch],
    page: &PageRequest,
) -> Result<Page<interaction::Model>> {
    filter.check()?;
    if matches.len() > MAX_MATCHES {
        return Err(invalid(format!(
            "at most {MAX_MATCHES} metadata conditions"
        )));
    }
    let mut condition = Condition::all();
    for m in matches {
        condition = condition.add(metadata_equals(db.get_database_backend(), m)?);
    }
    // Asked once: the user's sessions and the interactions are read from
    // the same tables.
    let archived = archive::includes::<interaction_archive::Entity>(
        db,
        interaction_archive::Column::OccurredAt,
        filter.include_archived,
        filter.range.map(|r| r.from),
    )
    .await?;
    let mut query = interaction::Entity::find().filter(condition);
    query = with_filter(db, query, filter, archived).await?;
    if let Some(after) = &page.after {
        let at = tracking::from_micros(after.at)?;
        use interaction::Column as C;
        query = query.filter(
            Condition::any()
                .add(C::OccurredAt.gt(at))
                .add(C::OccurredAt.eq(at).and(C::Id.gt(after.id.as_str()))),
        );
    }
    let query = query
        .order_by_asc(interaction::Column::OccurredAt)
        .order_by_asc(interaction::Column::Id)
        .limit(page.first + 1);
    let mut rows =
        archive::models::<interaction::Entity, interaction_archive::Entity>(db, query, archived)
            .await?;
    rows.sort_by(|a, b| (a.occurred_at, &a.id).cmp(&(b.occurred_at, &b.id)));
    Ok(Page::from_rows(rows, page.first, |i| Cursor {
        at: i.occurred_at.timestamp_micros(),
        id: i.id.clone(),
    }))
}

/// The usual filter's conditions, except the user, which is a session's:
/// it is applied through the sessions listed for that user.
async fn with_filter(
    db: &impl ConnectionTrait,
    mut query: Select<interaction::Entity>,
    filter: &InteractionFilter,
    archived: bool,
) -> Result<Select<interaction::Entity>> {
    use interaction::Column as C;
    if let Some(session_id) = &filter.session_id {
        query = query.filter(C::SessionId.eq(session_id.as_str()));
    }
    if let Some(user) = &filter.user_id {
        query = query.filter(C::SessionId.is_in(user_sessions(db, user, archived).await?));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(C::Kind.eq(kind.as_str()));
    }
    if let Some(range) = &filter.range {
        let (start, end) = range.bounds();
        query = query
            .filter(C::OccurredAt.gte(start))
            .filter(C::OccurredAt.lt(end));
    }
    Ok(query)
}

/// The ids of a user's sessions, hot and archived.
async fn user_sessions(
    db: &impl ConnectionTrait,
    user: &str,
    archived: bool,
) -> Result<Vec<String>> {
    use entity::{session, session_archive};
    use sea_orm::QueryTrait;
    let sessions = session::Entity::find()
        .select_only()
        .column(session::Column::Id)
        .filter(session::Column::UserId.eq(user))
        .into_query();
    let mut ids = Vec::new();
    for query in archive::statements::<session::Entity, session_archive::Entity>(sessions, archived)
    {
        for row in db.query_all(&query).await? {
            ids.push(row.try_get_by_index::<String>(0)?);
        }
    }
    Ok(ids)
}

/// `metadata.<key> = value`, as each store reads JSON. The column is not
/// qualified, so the same expression reads the archive table.
fn metadata_equals(backend: DbBackend, m: &MetadataMatch) -> Result<SimpleExpr> {
    let key = m.key.trim();
    crate::text::plain("metadata key", &m.key)?;
    // Values are matched as stored: free text, which may hold tabs and
    // newlines, kept to the length of an id.
    crate::text::free("metadata value", &m.value)?;
    if m.value.len() > crate::text::MAX_TEXT_BYTES {
        return Err(invalid(format!(
            "metadata value is longer than {} bytes",
            crate::text::MAX_TEXT_BYTES
        )));
    }
    if key.is_empty() || key.contains(['"', '\\']) {
        return Err(invalid(
            "a metadata key must be non-empty, without quotes or backslashes",
        ));
    }
    let value = m.value.clone();
    Ok(match backend {
        DbBackend::Postgres => {
            Expr::cust_with_values("(metadata ->> $1) = $2", [key.to_owned(), value])
        }
        _ => Expr::cust_with_values(
            "json_extract(metadata, ?) = ?",
            [format!("$.\"{key}\""), value],
        ),
    })
}
