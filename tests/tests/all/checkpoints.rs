//! `serve` checkpoints SQLite's write-ahead log on a connection of its own
//! (`ledger::db::checkpoint_wal`), so that no committing request copies the
//! log back into the database file with its two fsyncs: the tail of single
//! writes.
use std::time::Duration;

use e2e::app::{Backend, TestDb};
use sea_orm::ConnectionTrait;

/// A few pages committed (400 rows of 1 kB, far below SQLite's automatic
/// checkpoint at 1,000 pages) reach the database file with no further
/// commit.
#[tokio::test]
async fn sqlite_commits_reach_the_file_without_another_commit() {
    let db = TestDb::fresh(Backend::Sqlite).await;
    let path = db
        .url
        .strip_prefix("sqlite://")
        .and_then(|rest| rest.split('?').next())
        .expect("file path")
        .to_owned();
    for sql in [
        "PRAGMA wal_checkpoint(TRUNCATE)",
        "CREATE TABLE filler (x BLOB)",
        "INSERT INTO filler SELECT randomblob(1000) FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400) SELECT i FROM n)",
    ] {
        db.conn.execute_unprepared(sql).await.expect(sql);
    }
    let size = || std::fs::metadata(&path).expect("database file").len();
    let wal = std::fs::metadata(format!("{path}-wal")).expect("log").len();
    assert!(wal > 200 * 1000, "the rows are in the log: {wal} bytes");
    let before = size();

    let url = db.url.clone();
    let checkpoints =
        tokio::spawn(
            async move { ledger::db::checkpoint_wal(&url, Duration::from_millis(5)).await },
        );
    let copied = tokio::time::timeout(Duration::from_secs(20), async {
        while size() < before + 200 * 1000 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    checkpoints.abort();
    assert!(
        copied.is_ok(),
        "the database file stayed at {} bytes (was {before})",
        size()
    );
    db.cleanup().await;
}

/// PostgreSQL has no such log to tend: the task ends at once.
#[tokio::test]
async fn postgres_needs_no_checkpointer() {
    let db = TestDb::fresh(Backend::Postgres).await;
    let ended = tokio::time::timeout(
        Duration::from_secs(5),
        ledger::db::checkpoint_wal(&db.url, Duration::from_millis(5)),
    )
    .await;
    assert!(matches!(ended, Ok(Ok(()))), "{ended:?}");
    db.cleanup().await;
}
