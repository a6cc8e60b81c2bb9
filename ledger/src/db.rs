//! Opening the store and bringing its schema up to date.
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sea_query::Expr;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, TransactionTrait};

use crate::Result;

/// The embedded default store.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://cognitrack.db?mode=rwc";

/// Connects to SQLite or PostgreSQL. SQLite gets WAL and a busy timeout so
/// the scheduler and request handlers can share the file.
pub async fn connect(url: &str) -> Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10));
    if url.starts_with("sqlite:") {
        // Options of every connection the pool opens, not pragmas run once:
        // a connection that replaces an expired one gets them too.
        // `synchronous=NORMAL` under WAL syncs at checkpoints instead of at
        // every commit: a power loss may lose the last commits but cannot
        // corrupt the file, and a commit no longer waits for the disk.
        options
            .max_connections(1)
            .min_connections(1)
            .map_sqlx_sqlite_opts(|sqlite| {
                sqlite
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(5))
                    .foreign_keys(true)
            });
    } else {
        options.max_connections(16);
    }
    Ok(Database::connect(options).await?)
}

/// Applies pending migrations; safe to call on every start.
pub async fn migrate(db: &DatabaseConnection) -> Result<()> {
    Migrator::up(db, None).await?;
    // A store upgraded from before the rollups has buckets but no rollup
    // rows. The grains are the ledger's (`usage::rollup`), not a
    // migration's, so the ledger fills them once the schema is current.
    let txn = db.begin().await?;
    crate::usage::rollup::backfill_if_empty(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// Migrations defined in this build but not applied to `db` (empty when
/// the schema is current): what readiness checks.
pub async fn pending_migrations(db: &DatabaseConnection) -> Result<Vec<String>> {
    Ok(Migrator::get_pending_migrations(db)
        .await?
        .iter()
        .map(|m| m.name().to_owned())
        .collect())
}

/// An id unique to this process, the holder of its leases (job leases and
/// the leases of running ingestion runs): a random id per process tells
/// replicas apart where host names are not portable.
pub fn process_id() -> String {
    static ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ID.get_or_init(|| {
        format!(
            "pid{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        )
    })
    .clone()
}

/// `SUM(expr)` as a 64-bit integer, 0 over no rows. PostgreSQL sums BIGINT
/// into NUMERIC; the cast brings both backends back to i64.
pub fn sum_i64(expr: &str) -> Expr {
    Expr::cust(sum_i64_sql(expr))
}

/// [`sum_i64`] as SQL text, for statements written out in full.
pub fn sum_i64_sql(expr: &str) -> String {
    format!("CAST(COALESCE(SUM({expr}), 0) AS BIGINT)")
}
