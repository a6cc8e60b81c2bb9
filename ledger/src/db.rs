//! Opening the store and bringing its schema up to date.
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sea_query::Expr;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::sqlx::{self, ConnectOptions as _, Connection as _};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, TransactionTrait};

use crate::Result;

/// The embedded default store.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://cognitrack.db?mode=rwc";

/// SQLite's page cache per connection (there is one), in KiB.
const SQLITE_CACHE_KIB: u32 = 64 * 1024;

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
        options
            .max_connections(1)
            .min_connections(1)
            .map_sqlx_sqlite_opts(|sqlite| {
                wal(sqlite)
                    .busy_timeout(Duration::from_secs(5))
                    .foreign_keys(true)
                    // The one connection's page cache (default 2 MiB): a
                    // year of rollup rows and the hot index pages stay in
                    // memory instead of being read from the file each time.
                    .pragma("cache_size", format!("-{SQLITE_CACHE_KIB}"))
                    // `serve` checkpoints every 100 ms on a connection of
                    // its own; at SQLite's default of 1,000 pages a burst
                    // of batches still made a commit checkpoint inline.
                    // The backstop stays for stores nobody checkpoints.
                    .pragma("wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES.to_string())
            });
    } else {
        options.max_connections(16);
    }
    Ok(Database::connect(options).await?)
}

/// Pages of write-ahead log at which a commit checkpoints it inline
/// (SQLite's default is 1,000): 40 MiB at the default page size.
const WAL_AUTOCHECKPOINT_PAGES: u32 = 10_000;

/// Read-only connections that [`connect_reads`] opens beside the writer.
const SQLITE_READERS: u32 = 2;

/// Connections for the reads a request makes before its own work, which
/// must not queue behind another request's write: the ingest-key check
/// above all. On a SQLite file these are read-only connections beside the
/// one writer of [`connect`] (under WAL a reader sees the last commit while
/// a write transaction is open; on the writer's connection the check waited
/// for the whole of another batch's transaction, so batches could not be
/// parsed and priced while one was stored). On PostgreSQL, and for an
/// in-memory SQLite store that only its own connection sees, `writer`.
pub async fn connect_reads(url: &str, writer: &DatabaseConnection) -> Result<DatabaseConnection> {
    if !is_sqlite_file(url) {
        return Ok(writer.clone());
    }
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .max_connections(SQLITE_READERS)
        .min_connections(1)
        .map_sqlx_sqlite_opts(|sqlite| {
            // `mode=rwc` in the URL asks to create the file; with read-only
            // that is not a valid open, and the writer has made it already.
            sqlite
                .read_only(true)
                .create_if_missing(false)
                .busy_timeout(Duration::from_secs(5))
        });
    Ok(Database::connect(options).await?)
}

/// A SQLite store in a file, which other connections (the checkpointer,
/// the readers) can open too.
fn is_sqlite_file(url: &str) -> bool {
    url.starts_with("sqlite:") && !url.contains(":memory:") && !url.contains("mode=memory")
}

/// The journal of every connection to a SQLite store, the checkpointer's
/// included (a checkpoint syncs as its connection's `synchronous` says).
/// `synchronous=NORMAL` under WAL syncs at checkpoints instead of at every
/// commit: a power loss may lose the last commits but cannot corrupt the
/// file, and a commit no longer waits for the disk.
fn wal(sqlite: SqliteConnectOptions) -> SqliteConnectOptions {
    sqlite
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
}

/// How often [`checkpoint_wal`] copies SQLite's log back: often enough
/// that single writes never fill the 1,000 pages at which SQLite would make
/// the committing request do it.
pub const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);

/// Checkpoints the write-ahead log of the SQLite store at `url` every
/// `every`, on a connection of its own, until the task is dropped. A
/// passive checkpoint never waits for (or blocks) the writer, so its two
/// fsyncs leave the request path: otherwise one commit in a hundred
/// performs them inline, the tail of single writes. SQLite's own automatic
/// checkpoint stays as the backstop. Returns at once for PostgreSQL and
/// in-memory stores.
pub async fn checkpoint_wal(url: &str, every: Duration) -> std::result::Result<(), sqlx::Error> {
    if !is_sqlite_file(url) {
        return Ok(());
    }
    let options = wal(url.parse::<SqliteConnectOptions>()?);
    let mut connection = options.connect().await?;
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&mut connection)
            .await
        {
            tracing::warn!(%error, "WAL checkpoint failed; SQLite's automatic checkpoint remains");
            if connection.ping().await.is_err() {
                connection = options.connect().await?;
            }
        }
    }
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
