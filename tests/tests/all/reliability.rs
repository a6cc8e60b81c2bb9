//! Reliability: a backfill through a seeded storm of provider faults (429,
//! 500, timeouts, truncated JSON) ends exact or with exactly the failed
//! (day, usage type) windows reported, and a re-run completes them; the
//! database connections cut in the middle of a run.
use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{Days, NaiveDate, Utc};
use e2e::app::{Backend, TestDb};
use e2e::both_backends;
use e2e::mock_provider::{Fault, MockProvider, Rule};
use e2e::providers::{fast_clients, sealed_connection};
use entity::ingestion_run;
use ledger::dates::DayRange;
use ledger::ingest::{self, IngestRequest, IssueCode, RunReport, RunStatus};
use ledger::pricing::{PriceBook, UnitRates};
use ledger::providers::anthropic::{COST_PATH, MESSAGES_PATH};
use ledger::providers::{
    HttpConfig, ProviderClients, ProviderKind, ProvidersConfig, RateLimit, RetryPolicy,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{
    ConnectionTrait, Database, DatabaseConnection, EntityTrait, Statement, TransactionTrait,
};
use sim::SimConfig;

use crate::ingestion::{expected, per_day, stored};

/// Retries after the first attempt; a window fails for good when a fault
/// fires on all `MAX_RETRIES + 1` attempts.
const MAX_RETRIES: u32 = 3;
/// The seed of the fault plan (change it to explore; the assertions hold
/// for any seed).
const SEED: u64 = 0x00C0_FFEE;
/// The chance that a (provider, step, day) window gets a fault rule; each
/// rule fires 1..=5 times, so about 20 % of all responses are faults.
const WINDOW_FAULT_CHANCE: f64 = 0.1;
const DAYS: u64 = 20;

fn days_ago(n: u64) -> NaiveDate {
    Utc::now().date_naive() - Days::new(n)
}

fn clients() -> ProviderClients {
    let rate = RateLimit {
        per_minute: 60_000,
        burst: 1_000,
    };
    fast_clients(Duration::from_millis(250), MAX_RETRIES, rate)
}

/// The path fragment the mock matches for a step of a provider.
fn step_path(provider: ProviderKind, step: &str) -> &'static str {
    match (provider, step) {
        (ProviderKind::OpenAi, "costs") => "/v1/organization/costs",
        (ProviderKind::Anthropic, "costs") => COST_PATH,
        (ProviderKind::Anthropic, _) => MESSAGES_PATH,
        // Test-only: one small leak per usage type name.
        (ProviderKind::OpenAi, usage) => {
            Box::leak(format!("/v1/organization/usage/{usage}").into_boxed_str())
        }
    }
}

/// One planned fault: which window, what, how many times in a row.
#[derive(Debug, Clone)]
struct Planned {
    provider: ProviderKind,
    step: &'static str,
    day: NaiveDate,
    kind: usize,
    times: u32,
}

impl Planned {
    fn fault(&self) -> Fault {
        match self.kind {
            0 => Fault::Status {
                status: 429,
                headers: vec![],
            },
            1 => Fault::Status {
                status: 500,
                headers: vec![],
            },
            2 => Fault::Hang(Duration::from_secs(2)),
            _ => Fault::Truncate,
        }
    }

    /// The issue a window reports when every attempt met the fault.
    fn code(&self) -> IssueCode {
        [
            IssueCode::RateLimited,
            IssueCode::ServerError,
            IssueCode::Timeout,
            IssueCode::BadResponse,
        ][self.kind]
    }

    fn fails(&self) -> bool {
        self.times > MAX_RETRIES
    }

    /// Faulty responses this window serves before it succeeds or gives up.
    fn fired(&self) -> u32 {
        self.times.min(MAX_RETRIES + 1)
    }
}

fn plan(seed: u64, from: NaiveDate, to: NaiveDate) -> Vec<Planned> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = Vec::new();
    for provider in [ProviderKind::OpenAi, ProviderKind::Anthropic] {
        let steps: Vec<&'static str> = ingest::Step::all(provider)
            .into_iter()
            .map(ingest::Step::name)
            .collect();
        for day in from.iter_days().take_while(|d| *d <= to) {
            for &step in &steps {
                if rng.random_bool(WINDOW_FAULT_CHANCE) {
                    out.push(Planned {
                        provider,
                        step,
                        day,
                        kind: rng.random_range(0..4),
                        times: rng.random_range(1..=5),
                    });
                }
            }
        }
    }
    out
}

fn one_day_windows(
    conn: &entity::provider_connection::Model,
    from: NaiveDate,
    to: NaiveDate,
) -> IngestRequest {
    let mut req = IngestRequest::new(conn, DayRange::new(from, to).expect("range")).expect("req");
    // One day per request, so each fault rule hits exactly its window.
    req.chunk_days = 1;
    req.label = "reliability".to_owned();
    req
}

async fn run(
    db: &DatabaseConnection,
    book: &PriceBook,
    clients: &ProviderClients,
    req: IngestRequest,
) -> RunReport {
    ingest::run(db, book, clients, req, None)
        .await
        .expect("run")
}

async fn backfill_through_seeded_provider_faults_ends_exact_or_reports_the_failed_days(
    backend: Backend,
) {
    let db = TestDb::fresh(backend).await;
    let book = PriceBook::load(&db.conn, UnitRates::default())
        .await
        .expect("book");
    let mock = MockProvider::start(SimConfig::default()).await;
    let clients = clients();
    let (from, to) = (days_ago(DAYS), days_ago(1));
    let planned = plan(SEED, from, to);
    for p in &planned {
        mock.inject(
            Rule::new(step_path(p.provider, p.step), p.fault())
                .on_day(p.day)
                .times(p.times),
        );
    }
    // The seed exercises every kind of fault, some windows that recover and
    // some that do not.
    let kinds: BTreeSet<usize> = planned.iter().map(|p| p.kind).collect();
    assert_eq!(kinds.len(), 4, "{planned:#?}");
    assert!(planned.iter().any(Planned::fails) && planned.iter().any(|p| !p.fails()));

    let mut fired = 0u64;
    let mut requests = 0u64;
    for (name, provider, base) in [
        ("oa", ProviderKind::OpenAi, mock.openai_base()),
        ("an", ProviderKind::Anthropic, mock.anthropic_base()),
    ] {
        let conn = sealed_connection(&db.conn, name, provider, "sk-admin-test", &base).await;
        let mine: Vec<&Planned> = planned.iter().filter(|p| p.provider == provider).collect();
        fired += mine.iter().map(|p| u64::from(p.fired())).sum::<u64>();
        let report = run(&db.conn, &book, &clients, one_day_windows(&conn, from, to)).await;
        requests += report.requests;

        // Exactly the windows whose every attempt failed are issues, each
        // with the code of its fault.
        let want_issues: BTreeSet<(NaiveDate, String, IssueCode)> = mine
            .iter()
            .filter(|p| p.fails())
            .map(|p| (p.day, p.step.to_owned(), p.code()))
            .collect();
        let got_issues: BTreeSet<(NaiveDate, String, IssueCode)> = report
            .issues
            .iter()
            .map(|i| {
                let step = i.usage_type.clone().expect("issue names its step");
                (i.day, step, i.code)
            })
            .collect();
        assert_eq!(got_issues, want_issues, "{provider}: {report:#?}");
        assert_eq!(report.issues.len(), want_issues.len());
        let expected_status = if want_issues.is_empty() {
            RunStatus::Succeeded
        } else {
            RunStatus::Partial
        };
        assert_eq!(report.status, expected_status, "{provider}");
        let retried: u64 = mine
            .iter()
            .map(|p| u64::from(p.fired().min(MAX_RETRIES)))
            .sum();
        assert_eq!(report.retries, retried, "{provider}: retries");

        // Every window that recovered is stored exactly; the failed
        // (day, usage type) windows hold nothing.
        let failed_usage: BTreeSet<(NaiveDate, &str)> = mine
            .iter()
            .filter(|p| p.fails() && p.step != "costs")
            .map(|p| (p.day, p.step))
            .collect();
        let mut want = expected(&mock.sim, provider, from, to);
        want.retain(|k, _| !failed_usage.contains(&(k.1, k.0.as_str())));
        let got = stored(&db.conn, conn.id).await;
        assert_eq!(per_day(&got), per_day(&want), "{provider}: per day");
        assert_eq!(got, want, "{provider}: per day and dimension");
        let first_bad = want_issues.iter().map(|(d, _, _)| *d).min();
        let want_mark = match first_bad {
            None => Some(to),
            Some(bad) if bad == from => None,
            Some(bad) => bad.pred_opt(),
        };
        assert_eq!(report.complete_through, want_mark, "{provider}");

        // The re-run, over a healed provider, completes the failed days.
        let run_row = ingestion_run::Entity::find_by_id(report.run_id)
            .one(&db.conn)
            .await
            .expect("query")
            .expect("row");
        assert_eq!(run_row.status, expected_status);
        assert!(run_row.finished_at.is_some());
    }
    let share = fired as f64 / requests as f64;
    eprintln!(
        "reliability: {fired} faulty responses of {requests} ({:.1} %), {} windows faulted, {} failed for good",
        share * 100.0,
        planned.len(),
        planned.iter().filter(|p| p.fails()).count()
    );
    assert!((0.12..=0.35).contains(&share), "fault share {share}");

    mock.clear_faults();
    for (name, provider) in [
        ("oa", ProviderKind::OpenAi),
        ("an", ProviderKind::Anthropic),
    ] {
        let conn = ledger::providers::connections::get(&db.conn, name)
            .await
            .expect("connection");
        let rerun = run(&db.conn, &book, &clients, one_day_windows(&conn, from, to)).await;
        assert_eq!(rerun.status, RunStatus::Succeeded, "{rerun:#?}");
        assert!(rerun.issues.is_empty());
        assert_eq!(rerun.retries, 0);
        assert_eq!(rerun.complete_through, Some(to));
        let want = expected(&mock.sim, provider, from, to);
        let got = stored(&db.conn, conn.id).await;
        assert_eq!(per_day(&got), per_day(&want), "{provider}: per day");
        assert_eq!(got, want, "{provider}: per day and dimension");
    }
    mock.stop();
    db.cleanup().await;
}

both_backends!(backfill_through_seeded_provider_faults_ends_exact_or_reports_the_failed_days);

// ---------------------------------------------------------------- connection loss

/// Polls `check` every 20 ms until it holds; panics after `limit`.
async fn wait_until<F, Fut>(what: &str, limit: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + limit;
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn count(db: &impl ConnectionTrait, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("query")
        .expect("row");
    row.try_get_by_index::<i64>(0).expect("count")
}

/// Clients that wait 30 s for a response and never retry.
fn patient_clients() -> ProviderClients {
    ProviderClients::new(ProvidersConfig {
        master_key: Some(e2e::providers::master()),
        http: HttpConfig {
            read_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(30),
            ..HttpConfig::default()
        },
        rate_limit: RateLimit::UNLIMITED,
        retry: RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        },
        ..ProvidersConfig::default()
    })
    .expect("clients")
}

/// PostgreSQL only: every backend of the test database is terminated
/// (`pg_terminate_backend`, as a restart or a failover would) while the
/// engine is inside the transaction that writes a day. The run ends
/// `failed`, nothing half-written is visible, and a re-run is exact.
#[tokio::test]
async fn database_connections_cut_mid_run_fail_the_run_and_a_rerun_is_exact() {
    let db = TestDb::fresh(Backend::Postgres).await;
    let book = PriceBook::load(&db.conn, UnitRates::default())
        .await
        .expect("book");
    let mock = MockProvider::start(SimConfig::default()).await;
    // Timeouts well above the hold below: the held request succeeds.
    let clients = patient_clients();
    let conn = sealed_connection(
        &db.conn,
        "oa",
        ProviderKind::OpenAi,
        "sk-admin-test",
        &mock.openai_base(),
    )
    .await;
    let (from, cut, to) = (days_ago(8), days_ago(5), days_ago(2));
    // Completions is the first step of a day: the mock holds the request
    // of the cut day while the test takes a lock the day's write needs.
    mock.inject(
        Rule::new("/usage/completions", Fault::Hang(Duration::from_secs(3)))
            .on_day(cut)
            .times(1),
    );
    let admin = {
        let mut options = sea_orm::ConnectOptions::new(db.url.clone());
        options
            .max_connections(1)
            .min_connections(1)
            .sqlx_logging(false);
        Database::connect(options).await.expect("admin connection")
    };
    let engine = {
        let db = db.conn.clone();
        let req = one_day_windows(&conn, from, to);
        tokio::spawn(async move {
            let book = PriceBook::load(&db, UnitRates::default())
                .await
                .expect("book");
            ingest::run(&db, &book, &clients, req, None).await
        })
    };
    tokio::time::timeout(Duration::from_secs(60), mock.hung())
        .await
        .expect("the run reached the cut day");
    let lock = admin.begin().await.expect("begin");
    lock.execute_unprepared("LOCK TABLE usage_bucket IN ACCESS EXCLUSIVE MODE")
        .await
        .expect("lock");
    // The engine is now blocked inside its write of the cut day.
    wait_until(
        "the engine to wait on the lock",
        Duration::from_secs(30),
        || async {
            count(
                &lock,
                "SELECT count(*)::bigint FROM pg_stat_activity \
             WHERE datname = current_database() AND wait_event_type = 'Lock' \
             AND pid <> pg_backend_pid()",
            )
            .await
                > 0
        },
    )
    .await;
    let terminated = count(
        &lock,
        "SELECT count(*)::bigint FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()) AS t",
    )
    .await;
    assert!(terminated >= 1);
    lock.rollback().await.expect("unlock");

    let outcome = tokio::time::timeout(Duration::from_secs(60), engine)
        .await
        .expect("the run ended")
        .expect("no panic");
    let error = outcome.expect_err("a lost connection fails the run");
    eprintln!("connection loss: {terminated} backends terminated; run error: {error}");
    let runs = ingestion_run::Entity::find()
        .all(&db.conn)
        .await
        .expect("runs (the pool reconnected)");
    assert_eq!(runs.len(), 1);
    let run_row = &runs[0];
    eprintln!(
        "connection loss: run status {:?}, issues {}",
        run_row.status, run_row.issues
    );
    assert_eq!(run_row.status, RunStatus::Failed, "{run_row:?}");
    assert!(run_row.finished_at.is_some());
    let issues = run_row.issues.as_array().expect("issues");
    assert_eq!(issues.len(), 1, "{}", run_row.issues);
    assert_eq!(issues[0]["code"], "internal", "{}", run_row.issues);
    assert_eq!(
        issues[0]["day"],
        cut.to_string(),
        "the issue names the day whose write failed"
    );
    // The days before the cut are stored exactly; the cut day's write was
    // rolled back and no later day was fetched.
    let want = expected(
        &mock.sim,
        ProviderKind::OpenAi,
        from,
        cut.pred_opt().expect("day"),
    );
    assert_eq!(stored(&db.conn, conn.id).await, want);
    let connection = ledger::providers::connections::get(&db.conn, "oa")
        .await
        .expect("connection");
    assert_eq!(
        connection.complete_through, None,
        "a failed run moves no mark"
    );

    // The re-run completes every day exactly.
    mock.clear_faults();
    let clients = patient_clients();
    let rerun = run(&db.conn, &book, &clients, one_day_windows(&conn, from, to)).await;
    assert_eq!(rerun.status, RunStatus::Succeeded, "{rerun:#?}");
    assert_eq!(rerun.complete_through, Some(to));
    let want = expected(&mock.sim, ProviderKind::OpenAi, from, to);
    let got = stored(&db.conn, conn.id).await;
    assert_eq!(per_day(&got), per_day(&want));
    assert_eq!(got, want);
    drop(admin.close().await);
    mock.stop();
    db.cleanup().await;
}
