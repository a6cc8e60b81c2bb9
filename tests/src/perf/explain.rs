//! Query plans of the hot statements, as each store states them.
use anyhow::Result;
use sea_orm::{ConnectionTrait, DbBackend, Statement};

/// SQLite: `EXPLAIN QUERY PLAN`; PostgreSQL: `EXPLAIN (ANALYZE, BUFFERS)`
/// (the statements are reads, so running them is harmless).
pub async fn explain(db: &impl ConnectionTrait, statement: &Statement) -> Result<String> {
    let backend = db.get_database_backend();
    let prefix = match backend {
        DbBackend::Postgres => "EXPLAIN (ANALYZE, BUFFERS) ",
        _ => "EXPLAIN QUERY PLAN ",
    };
    let explained = Statement {
        sql: format!("{prefix}{}", statement.sql),
        values: statement.values.clone(),
        db_backend: backend,
    };
    let rows = db.query_all_raw(explained).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let line = match backend {
            DbBackend::Postgres => row.try_get::<String>("", "QUERY PLAN")?,
            _ => {
                let (id, parent): (i64, i64) = (row.try_get("", "id")?, row.try_get("", "parent")?);
                format!(
                    "{id:>3} {parent:>3} {}",
                    row.try_get::<String>("", "detail")?
                )
            }
        };
        out.push(line);
    }
    Ok(out.join("\n"))
}
