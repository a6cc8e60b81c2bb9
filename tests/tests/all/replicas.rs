//! Two replicas: two real `cognitrack serve` processes over one PostgreSQL
//! database, the ingest job scheduled every two seconds in both, against
//! the mock provider.
use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::Duration;

use chrono::{Days, Utc};
use e2e::app::{Backend, JWT_SECRET, TestDb};
use e2e::cli;
use e2e::mock_provider::MockProvider;
use e2e::providers::sealed_connection;
use entity::enums::RunStatus;
use entity::{ingestion_run, usage_bucket};
use ledger::providers::ProviderKind;
use sea_orm::{EntityTrait, PaginatorTrait, QueryOrder};
use sim::SimConfig;

use crate::ingestion::{expected, stored};

const MASTER_KEY: &str = "2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a";
/// Every job but ingest: never within a test (1 January, midnight).
const NEVER: &str = "0 0 0 1 1 *";
/// Scheduled ticks to observe.
const TICKS: usize = 6;

fn replica(db: &TestDb, log: &std::path::Path) -> tokio::process::Child {
    let env = [
        ("RUST_LOG", "info"),
        ("DATABASE_URL", db.url.as_str()),
        ("COGNITRACK_JWT_SECRET", JWT_SECRET),
        ("COGNITRACK_MASTER_KEY", MASTER_KEY),
        ("COGNITRACK_PROVIDER_RPM", "0"),
        ("COGNITRACK_INGEST_CRON", "*/2 * * * * *"),
        ("COGNITRACK_PRICING_CRON", NEVER),
        ("COGNITRACK_INVENTORY_CRON", NEVER),
        ("COGNITRACK_RECONCILE_CRON", NEVER),
        ("COGNITRACK_BUDGETS_CRON", NEVER),
        ("COGNITRACK_ARCHIVE_CRON", NEVER),
        ("COGNITRACK_PARITY_CRON", NEVER),
    ];
    cli::command(&["serve", "--addr", "127.0.0.1:0"], &env)
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(log).expect("log file"))
        .spawn()
        .expect("spawn serve")
}

/// Returns once the replica prints that it listens (it has started its
/// scheduler by then).
async fn listening(child: &mut tokio::process::Child) {
    use tokio::io::AsyncBufReadExt;
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
        .await
        .expect("the replica started in time")
        .expect("stdout")
        .expect("a line");
    assert!(line.contains("listening on"), "{line}");
    // Keep draining stdout so the replica never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
}

/// Scheduled runs per two-second tick (by start time).
async fn runs_per_tick(db: &TestDb) -> BTreeMap<i64, Vec<ingestion_run::Model>> {
    let mut out: BTreeMap<i64, Vec<ingestion_run::Model>> = BTreeMap::new();
    for run in ingestion_run::Entity::find()
        .order_by_asc(ingestion_run::Column::Id)
        .all(&db.conn)
        .await
        .expect("runs")
    {
        out.entry(run.started_at.timestamp().div_euclid(2))
            .or_default()
            .push(run);
    }
    out
}

#[tokio::test]
async fn two_serve_replicas_never_overlap_a_scheduled_ingest_and_store_it_once() {
    let db = TestDb::fresh(Backend::Postgres).await;
    let mock = MockProvider::start(SimConfig::default()).await;
    let conn = sealed_connection(
        &db.conn,
        "oa",
        ProviderKind::OpenAi,
        "sk-admin-test",
        &mock.openai_base(),
    )
    .await;
    let logs = [0, 1].map(|i| {
        std::env::temp_dir().join(format!(
            "ct_replica_{}_{i}.log",
            uuid::Uuid::new_v4().simple()
        ))
    });
    // Started together on a fresh database: both seed the price book at
    // the same moment, and both must come up.
    let mut a = replica(&db, &logs[0]);
    let mut b = replica(&db, &logs[1]);
    listening(&mut a).await;
    listening(&mut b).await;

    // Bounded poll on observable state: the finished runs of TICKS ticks.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    loop {
        let ticks = runs_per_tick(&db).await;
        let finished = ticks
            .values()
            .filter(|runs| runs.iter().all(|r| r.finished_at.is_some()))
            .count();
        if finished > TICKS {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} ticks ran in 90 s",
            ticks.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(a.try_wait().expect("a").is_none(), "replica a is alive");
    assert!(b.try_wait().expect("b").is_none(), "replica b is alive");
    a.kill().await.expect("kill a");
    b.kill().await.expect("kill b");

    let ticks = runs_per_tick(&db).await;
    let per_tick: Vec<usize> = ticks.values().map(Vec::len).collect();
    eprintln!("replicas: scheduled ingest runs per two-second tick {per_tick:?}");
    for runs in ticks.values() {
        // One run per tick across both replicas: the first to claim the
        // tick runs it, the other skips it.
        assert_eq!(runs.len(), 1, "{runs:#?}");
        for pair in runs.windows(2) {
            let earlier = pair[0]
                .finished_at
                .expect("finished before the next started");
            assert!(earlier <= pair[1].started_at, "overlapping runs: {pair:#?}");
        }
        for run in runs.iter().filter(|r| r.finished_at.is_some()) {
            assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");
        }
    }
    // Both replicas ran the schedule (their logs say so).
    for log in &logs {
        let text = std::fs::read_to_string(log).expect("log");
        let _ = std::fs::remove_file(log);
        let lines = text.lines().filter(|l| l.contains("job finished")).count();
        assert!(lines > 0, "a replica that never ran its schedule:\n{text}");
    }

    // No duplicated buckets: the complete days equal the provider's.
    let today = Utc::now().date_naive();
    let (from, to) = (
        today - Days::new(u64::from(jobs::ingest::DEFAULT_LOOKBACK_DAYS)),
        today - Days::new(1),
    );
    let mut got = stored(&db.conn, conn.id).await;
    got.retain(|k, _| k.1 <= to);
    assert_eq!(got, expected(&mock.sim, ProviderKind::OpenAi, from, to));
    let rows = usage_bucket::Entity::find()
        .count(&db.conn)
        .await
        .expect("count");
    assert!(rows > 0);
    mock.stop();
    db.cleanup().await;
}
