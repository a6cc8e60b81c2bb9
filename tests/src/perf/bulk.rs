//! Multi-row INSERTs with bound values, each statement under the backend's
//! bind-parameter limit, so millions of rows cost thousands of round trips
//! instead of millions.
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

/// SQLite's default `SQLITE_MAX_VARIABLE_NUMBER` since 3.32.
pub const SQLITE_MAX_BINDS: usize = 32_766;
/// PostgreSQL's wire protocol counts parameters in an i16-sized field.
pub const POSTGRES_MAX_BINDS: usize = 65_535;

pub fn max_binds(backend: DbBackend) -> usize {
    match backend {
        DbBackend::Postgres => POSTGRES_MAX_BINDS,
        _ => SQLITE_MAX_BINDS,
    }
}

/// `INSERT INTO table (columns) VALUES (…), (…)` for `rows` rows, with
/// `$n` placeholders on PostgreSQL and `?` elsewhere.
pub fn insert_sql(backend: DbBackend, table: &str, columns: &[&str], rows: usize) -> String {
    let width = columns.len();
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    sql.reserve(rows * width * 6);
    let mut n = 0;
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for col in 0..width {
            if col > 0 {
                sql.push_str(", ");
            }
            n += 1;
            if backend == DbBackend::Postgres {
                sql.push('$');
                sql.push_str(&n.to_string());
            } else {
                sql.push('?');
            }
        }
        sql.push(')');
    }
    sql
}

/// Inserts `values` (row after row, `columns.len()` values each) into
/// `table`, as few statements as the bind limit allows. `suffix` is added
/// to every statement (e.g. an `ON CONFLICT` clause).
pub async fn insert(
    db: &impl ConnectionTrait,
    table: &str,
    columns: &[&str],
    values: Vec<Value>,
    suffix: &str,
) -> Result<(), sea_orm::DbErr> {
    let backend = db.get_database_backend();
    let width = columns.len();
    let per_statement = (max_binds(backend) / width).max(1);
    let rows = values.len() / width;
    // Full chunks share one SQL text: building it is not free at 1,000+ rows.
    let mut cached: Option<(usize, String)> = None;
    let mut values = values.into_iter();
    let mut done = 0;
    while done < rows {
        let n = per_statement.min(rows - done);
        let sql = match &cached {
            Some((len, sql)) if *len == n => sql.clone(),
            _ => {
                let sql = format!("{}{suffix}", insert_sql(backend, table, columns, n));
                cached = Some((n, sql.clone()));
                sql
            }
        };
        let chunk: Vec<Value> = values.by_ref().take(n * width).collect();
        db.execute_raw(Statement::from_sql_and_values(backend, sql, chunk))
            .await?;
        done += n;
    }
    Ok(())
}
