//! The `cognitrack` binary as a user scripts it: `ingest` against a mock
//! provider given by OPENAI_BASE_URL / OPENAI_ADMIN_KEY, then the numbers
//! over GraphQL; a run killed half way and re-run; bad input.
use std::collections::BTreeMap;
use std::time::Duration;

use api::auth::Role;
use chrono::{Days, NaiveDate, Utc};
use e2e::app::{AppOptions, Backend, TestApp, TestDb};
use e2e::both_backends;
use e2e::cli::{self, stderr, stdout};
use e2e::mock_provider::{Fault, MockProvider, Rule};
use entity::{ingestion_run, usage_bucket};
use ledger::providers::ProviderKind;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};
use sim::SimConfig;

use crate::ingestion::{expected, per_day, stored};

const ADMIN_KEY: &str = "sk-admin-cli-0123456789abcdef";
const MASTER_KEY: &str = "2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a";

fn days_ago(n: u64) -> NaiveDate {
    Utc::now().date_naive() - Days::new(n)
}

fn env<'a>(db: &'a TestDb, base: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("DATABASE_URL", db.url.as_str()),
        ("OPENAI_BASE_URL", base),
        ("OPENAI_ADMIN_KEY", ADMIN_KEY),
        ("COGNITRACK_MASTER_KEY", MASTER_KEY),
        // A local mock needs no politeness.
        ("COGNITRACK_PROVIDER_RPM", "0"),
    ]
}

fn ingest_args(from: NaiveDate, to: NaiveDate) -> Vec<String> {
    [
        "ingest",
        "--provider",
        "openai",
        "--start",
        &from.to_string(),
        "--end",
        &to.to_string(),
        "--chunk-days",
        "7",
    ]
    .map(str::to_owned)
    .to_vec()
}

fn args(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

async fn buckets(db: &TestDb) -> u64 {
    usage_bucket::Entity::find()
        .count(&db.conn)
        .await
        .expect("count")
}

async fn cli_ingest_killed_rerun_and_graphql_totals(backend: Backend) {
    let db = TestDb::fresh(backend).await;
    // Small pages so every window paginates; the mock insists on the key.
    let mock = MockProvider::start(SimConfig {
        page_size_cap: Some(5),
        required_key: Some(ADMIN_KEY.into()),
        ..SimConfig::default()
    })
    .await;
    let base = mock.openai_base();
    let (from, to) = (days_ago(36), days_ago(1));
    let ingest = ingest_args(from, to);

    // Killed half way: the mock holds a request of a middle window until
    // the process is gone.
    mock.inject(
        Rule::new("/usage/completions", Fault::Hang(Duration::from_secs(600)))
            .on_day(days_ago(15))
            .times(1),
    );
    let mut child = cli::command(&args(&ingest), &env(&db, &base))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    tokio::time::timeout(Duration::from_secs(300), mock.hung())
        .await
        .expect("the run reached the hanging request");
    child.kill().await.expect("kill");
    let connection = ledger::providers::connections::get(&db.conn, "openai")
        .await
        .expect("default connection from OPENAI_ADMIN_KEY");
    let want = expected(&mock.sim, ProviderKind::OpenAi, from, to);
    let partial = stored(&db.conn, connection.id).await;
    assert!(!partial.is_empty(), "earlier windows were committed");
    assert_ne!(partial, want);
    let runs = ingestion_run::Entity::find()
        .all(&db.conn)
        .await
        .expect("runs");
    assert_eq!(runs.len(), 1);
    assert_eq!(
        runs[0].status,
        entity::enums::RunStatus::Running,
        "a killed run is not reported finished"
    );
    assert!(runs[0].finished_at.is_none());

    // Re-run: the stored ledger equals the provider's, to the token.
    mock.clear_faults();
    let rerun = cli::run(&args(&ingest), &env(&db, &base)).await;
    assert!(rerun.status.success(), "{}", stderr(&rerun));
    let telemetry: Value = serde_json::from_str(stdout(&rerun).trim()).expect("one JSON object");
    assert_eq!(telemetry["status"], "succeeded", "{telemetry}");
    assert_eq!(telemetry["complete_through"], json!(to.to_string()));
    assert_eq!(stored(&db.conn, connection.id).await, want);

    // Once more: nothing changes.
    let again = cli::run(&args(&ingest), &env(&db, &base)).await;
    assert!(again.status.success(), "{}", stderr(&again));
    let telemetry: Value = serde_json::from_str(stdout(&again).trim()).expect("json");
    for field in ["rows_inserted", "rows_updated", "rows_deleted"] {
        assert_eq!(telemetry[field], 0, "{field}: {telemetry}");
    }
    assert_eq!(stored(&db.conn, connection.id).await, want);
    for output in [&rerun, &again] {
        assert!(!stdout(output).contains(ADMIN_KEY) && !stderr(output).contains(ADMIN_KEY));
    }

    // What a user then sees over GraphQL: the provider's per-day totals.
    let app = TestApp::serve(db, AppOptions::default()).await;
    let data = app
        .ok(
            Some(&app.token(Role::Viewer)),
            "query($f: UsageFilter!) { dailyUsage(filter: $f) { date inputTokens inputCachedTokens inputCacheWriteTokens outputTokens numModelRequests } }",
            json!({"f": {"from": from.to_string(), "to": to.to_string(), "providers": ["openai"]}}),
        )
        .await;
    let got: BTreeMap<NaiveDate, [i64; 5]> = data["dailyUsage"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| {
            let n = |field: &str| row[field].as_i64().expect("count");
            (
                row["date"].as_str().expect("date").parse().expect("day"),
                [
                    n("inputTokens"),
                    n("inputCachedTokens"),
                    n("inputCacheWriteTokens"),
                    n("outputTokens"),
                    n("numModelRequests"),
                ],
            )
        })
        .collect();
    let want: BTreeMap<NaiveDate, [i64; 5]> = per_day(&want)
        .into_iter()
        .map(|(day, t)| (day, [t[0], t[1], t[2], t[3], t[4]]))
        .collect();
    assert_eq!(got.len(), 36);
    assert_eq!(got, want);
    mock.stop();
    app.stop().await;
}

/// Each mistake: exit status 1, one `error:` line, no panic, no key in the
/// output, no usage written.
async fn cli_bad_input_is_refused_cleanly(backend: Backend) {
    let db = TestDb::fresh(backend).await;
    let mock = MockProvider::start(SimConfig {
        required_key: Some("sk-admin-the-right-one-000000".into()),
        ..SimConfig::default()
    })
    .await;
    let base = mock.openai_base();
    let (from, to) = (days_ago(3), days_ago(1));
    let day = |d: NaiveDate| d.to_string();
    // (arguments, environment overrides, what the error line must say)
    type Case<'a> = (Vec<String>, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        (ingest_args(to, from), vec![], "after"),
        (
            ingest_args(from, to)
                .into_iter()
                .map(|a| {
                    if a == day(from) {
                        "2026-02-30".into()
                    } else {
                        a
                    }
                })
                .collect(),
            vec![],
            "2026-02-30",
        ),
        (ingest_args(days_ago(401), to), vec![], "at most 400 days"),
        (
            ingest_args(from, to),
            vec![("OPENAI_BASE_URL", "ftp://127.0.0.1/v1")],
            "http",
        ),
        (
            ingest_args(from, to)
                .into_iter()
                .map(|a| if a == "openai" { "mistral".into() } else { a })
                .collect(),
            vec![],
            "mistral",
        ),
        // The mock answers 401 to this key.
        (ingest_args(from, to), vec![], "failed"),
        (
            ingest_args(from, to),
            vec![
                ("OPENAI_BASE_URL", "http://127.0.0.1:9/v1"),
                ("COGNITRACK_PROVIDER_MAX_RETRIES", "0"),
            ],
            "failed",
        ),
    ];
    for (case_args, overrides, needle) in cases {
        let mut vars = env(&db, &base);
        vars.extend(overrides);
        let output = cli::run(&args(&case_args), &vars).await;
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{case_args:?}: {err}");
        let last = err.lines().last().unwrap_or_default();
        assert!(last.starts_with("error:"), "{case_args:?}: {err}");
        assert!(last.contains(needle), "{case_args:?}: {last}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(!err.contains(ADMIN_KEY) && !stdout(&output).contains(ADMIN_KEY));
        assert_eq!(buckets(&db).await, 0, "{case_args:?} wrote usage");
    }
    mock.stop();
    db.cleanup().await;
}

/// `cognitrack archive` moves old usage out of the hot table, GraphQL still
/// answers the same, and `archive restore` brings it back.
async fn cli_archive_and_restore(backend: Backend) {
    let db = TestDb::fresh(backend).await;
    let book = ledger::pricing::PriceBook::load(&db.conn, ledger::pricing::UnitRates::default())
        .await
        .expect("book");
    let connection = ledger::providers::connections::upsert_demo(
        &db.conn,
        "old",
        ProviderKind::OpenAi,
        "http://127.0.0.1:9/v1",
    )
    .await
    .expect("connection");
    let (old, recent) = (days_ago(400), days_ago(2));
    for day in [old, recent] {
        let set = ledger::usage::buckets::DaySet {
            connection_id: connection.id,
            provider: entity::enums::ProviderKind::OpenAi,
            usage_type: "completions",
            day,
        };
        ledger::usage::buckets::replace_day(&db.conn, set, vec![old_row()], None, &book)
            .await
            .expect("bucket");
    }
    let vars = [("DATABASE_URL", db.url.as_str())];
    let json_of = |output: &std::process::Output| -> Value {
        assert!(output.status.success(), "{}", stderr(output));
        serde_json::from_str(stdout(output).trim()).expect("one JSON object")
    };

    let dry = json_of(&cli::run(&["archive", "--dry-run"], &vars).await);
    assert_eq!(
        (dry["dry_run"].clone(), dry["usage_buckets"].clone()),
        (json!(true), json!(1))
    );
    assert_eq!(buckets(&db).await, 2, "a dry run moves nothing");

    let moved = json_of(&cli::run(&["archive"], &vars).await);
    assert_eq!(moved["usage_buckets"], 1);
    assert_eq!(moved["complete"], true);
    assert_eq!(buckets(&db).await, 1, "the old bucket left the hot table");

    let bad = cli::run(&["archive", "--older-than-days", "-1"], &vars).await;
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stderr(&bad)
            .lines()
            .last()
            .unwrap_or_default()
            .starts_with("error:")
    );

    let range = (old.to_string(), recent.to_string());
    let app = TestApp::serve(db, AppOptions::default()).await;
    let usage =
        "query($f: Date!, $t: Date!) { dailyUsage(filter: {from: $f, to: $t}) { inputTokens } }";
    let total = |data: Value| -> i64 {
        data["dailyUsage"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| r["inputTokens"].as_i64().expect("i64"))
            .sum()
    };
    let viewer = app.token(Role::Viewer);
    let before_restore = total(
        app.ok(Some(&viewer), usage, json!({"f": range.0, "t": range.1}))
            .await,
    );
    assert_eq!(before_restore, 2_000, "archived usage still answers");

    let restored = json_of(
        &cli::run(
            &["archive", "restore", "--from", &range.0, "--to", &range.0],
            &vars_for(&app),
        )
        .await,
    );
    assert_eq!(restored["usage_buckets"], 1);
    assert_eq!(buckets(&app.db).await, 2);
    let after = total(
        app.ok(Some(&viewer), usage, json!({"f": range.0, "t": range.1}))
            .await,
    );
    assert_eq!(after, before_restore);

    // Archived again, then the provider's day is ingested anew: the same
    // set leaves the archived rows where they are, never counted beside
    // them (a changed set replaces them: tests/all/rollups.rs).
    let again = json_of(&cli::run(&["archive"], &vars_for(&app)).await);
    assert_eq!(again["usage_buckets"], 1);
    let set = ledger::usage::buckets::DaySet {
        connection_id: connection.id,
        provider: entity::enums::ProviderKind::OpenAi,
        usage_type: "completions",
        day: old,
    };
    let outcome =
        ledger::usage::buckets::replace_day(&app.state.db, set, vec![old_row()], None, &book)
            .await
            .expect("re-ingest");
    assert_eq!(
        (outcome.inserted, outcome.deleted, outcome.unchanged),
        (0, 0, 1)
    );
    let reingested = total(
        app.ok(Some(&viewer), usage, json!({"f": range.0, "t": range.1}))
            .await,
    );
    assert_eq!(reingested, before_restore, "not double counted");
    app.stop().await;
}

fn old_row() -> ledger::usage::buckets::BucketRow {
    ledger::usage::buckets::BucketRow {
        dims: ledger::usage::buckets::Dimensions {
            model: "gpt-4o-mini-2024-07-18".into(),
            ..ledger::usage::buckets::Dimensions::default()
        },
        counts: ledger::usage::buckets::Counts {
            input_tokens: 1_000,
            output_tokens: 100,
            ..ledger::usage::buckets::Counts::default()
        },
    }
}

fn vars_for(app: &TestApp) -> Vec<(&str, &str)> {
    vec![("DATABASE_URL", app.db.url.as_str())]
}

both_backends!(
    cli_ingest_killed_rerun_and_graphql_totals,
    cli_bad_input_is_refused_cleanly,
    cli_archive_and_restore
);
