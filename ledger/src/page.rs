//! Keyset pagination with opaque cursors: stable under inserts, O(page).
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};

use crate::error::{Result, invalid};

pub const MAX_PAGE: u64 = 500;
pub const DEFAULT_PAGE: u64 = 50;

/// A position in a list ordered by (`at`, `id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub at: i64,
    pub id: String,
}

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}|{}", self.at, self.id))
    }

    pub fn decode(text: &str) -> Result<Self> {
        let bad = || invalid(format!("malformed cursor {text:?}"));
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| bad())?;
        let text = String::from_utf8(bytes).map_err(|_| bad())?;
        let (at, id) = text.split_once('|').ok_or_else(bad)?;
        Ok(Self {
            at: at.parse().map_err(|_| bad())?,
            id: id.to_owned(),
        })
    }
}

/// `first` and `after` of a Relay connection, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub first: u64,
    pub after: Option<Cursor>,
}

impl PageRequest {
    pub fn new(first: Option<i32>, after: Option<&str>) -> Result<Self> {
        let first = match first {
            None => DEFAULT_PAGE,
            Some(n) if n < 0 => return Err(invalid("first must not be negative")),
            Some(n) if n as u64 > MAX_PAGE => {
                return Err(invalid(format!("first must be at most {MAX_PAGE}")));
            }
            Some(n) => n as u64,
        };
        Ok(Self {
            first,
            after: after.map(Cursor::decode).transpose()?,
        })
    }
}

#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<(Cursor, T)>,
    pub has_next: bool,
}

impl<T> Page<T> {
    /// Builds a page from up to `first + 1` fetched rows.
    pub fn from_rows(mut rows: Vec<T>, first: u64, cursor: impl Fn(&T) -> Cursor) -> Self {
        let has_next = rows.len() as u64 > first;
        rows.truncate(first as usize);
        Self {
            items: rows.into_iter().map(|row| (cursor(&row), row)).collect(),
            has_next,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        let cursor = Cursor {
            at: 1_793_577_600_000_000,
            id: "a|b".into(),
        };
        assert_eq!(Cursor::decode(&cursor.encode()).expect("valid"), cursor);
        assert!(Cursor::decode("not a cursor!").is_err());
        assert!(PageRequest::new(Some(501), None).is_err());
        assert!(PageRequest::new(Some(-1), None).is_err());
        assert_eq!(
            PageRequest::new(None, None).expect("valid").first,
            DEFAULT_PAGE
        );
    }
}

/// Which way a list keyed by its integer id runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdOrder {
    Oldest,
    Newest,
}

/// One page of `query` ordered by the integer primary key `id`, for lists
/// whose only order is creation (runs, reports, budgets, alerts).
pub async fn by_id<E, C>(
    db: &impl ConnectionTrait,
    mut query: Select<E>,
    id: C,
    order: IdOrder,
    page: &PageRequest,
    id_of: impl Fn(&E::Model) -> i64,
) -> Result<Page<E::Model>>
where
    E: EntityTrait,
    C: ColumnTrait,
{
    if let Some(after) = &page.after {
        let after: i64 = after.id.parse().map_err(|_| invalid("malformed cursor"))?;
        query = match order {
            IdOrder::Oldest => query.filter(id.gt(after)),
            IdOrder::Newest => query.filter(id.lt(after)),
        };
    }
    query = match order {
        IdOrder::Oldest => query.order_by_asc(id),
        IdOrder::Newest => query.order_by_desc(id),
    };
    let rows = query.limit(page.first + 1).all(db).await?;
    Ok(Page::from_rows(rows, page.first, |row| Cursor {
        at: 0,
        id: id_of(row).to_string(),
    }))
}
