//! Statement texts of the write path, built once per shape and reused: a
//! batch of 1,000 interactions binds 31,000 values, and building that
//! statement through the query builder (one boxed expression per value,
//! then the text) cost more than the database's own work.
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use sea_orm::DbBackend;

/// Shapes kept (a shape is a statement and its row count); past this the
/// cache starts over, so odd batch sizes cannot grow it without bound.
const MAX_SHAPES: usize = 32;

type Shape = (&'static str, bool, usize);

static CACHE: OnceLock<Mutex<HashMap<Shape, Arc<str>>>> = OnceLock::new();

/// The text of statement `name` for `rows` rows on `backend`, from the
/// cache or from `build`.
pub(super) fn cached(
    name: &'static str,
    backend: DbBackend,
    rows: usize,
    build: impl FnOnce() -> String,
) -> Arc<str> {
    let shape = (name, backend == DbBackend::Postgres, rows);
    let cache = CACHE.get_or_init(Mutex::default);
    if let Some(sql) = cache
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&shape)
    {
        return sql.clone();
    }
    let sql: Arc<str> = build().into();
    let mut shapes = cache.lock().unwrap_or_else(PoisonError::into_inner);
    if shapes.len() >= MAX_SHAPES {
        shapes.clear();
    }
    shapes.insert(shape, sql.clone());
    sql
}

/// Appends `rows` parenthesized groups of `width` placeholders, `?` on
/// SQLite and `$n` from `$first` on PostgreSQL: `(?, ?), (?, ?)`.
pub(super) fn push_groups(
    sql: &mut String,
    backend: DbBackend,
    rows: usize,
    width: usize,
    first: usize,
) {
    let mut n = first;
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        push_list(sql, backend, width, n);
        n += width;
        sql.push(')');
    }
}

/// Appends `count` comma-separated placeholders, numbered from `$first`
/// on PostgreSQL.
pub(super) fn push_list(sql: &mut String, backend: DbBackend, count: usize, first: usize) {
    for i in 0..count {
        if i > 0 {
            sql.push_str(", ");
        }
        if backend == DbBackend::Postgres {
            // Writing to a String cannot fail.
            let _ = write!(sql, "${}", first + i);
        } else {
            sql.push('?');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_numbered_on_postgres_only() {
        let mut sql = String::new();
        push_groups(&mut sql, DbBackend::Postgres, 2, 2, 3);
        assert_eq!(sql, "($3, $4), ($5, $6)");
        let mut sql = String::new();
        push_groups(&mut sql, DbBackend::Sqlite, 2, 2, 3);
        assert_eq!(sql, "(?, ?), (?, ?)");
    }

    #[test]
    fn a_shape_is_built_once() {
        let first = cached("test shape", DbBackend::Sqlite, 7, || "one".into());
        let again = cached("test shape", DbBackend::Sqlite, 7, || "two".into());
        assert_eq!(&*again, &*first);
        let other = cached("test shape", DbBackend::Postgres, 7, || "three".into());
        assert_eq!(&*other, "three");
    }
}
