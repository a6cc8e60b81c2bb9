//! Provider ingestion end to end: real HTTP to a local mock provider (the
//! simulator with fault injection), the real engine, a fresh database per
//! test on SQLite and PostgreSQL.
use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{Days, NaiveDate, Utc};
use e2e::app::{Backend, TestDb};
use e2e::both_backends;
use e2e::mock_provider::{Fault, MockProvider, Rule};
use e2e::providers::{fast_clients, master, sealed_connection as connection};
use entity::{ingestion_run, provider_connection, usage_bucket};
use ledger::dates::{DayRange, parse_day};
use ledger::ingest::{self, IngestRequest, RunReport, RunStatus};
use ledger::pricing::{PriceBook, UnitRates};
use ledger::providers::connections::{self, KeySource};
use ledger::providers::keys::{self, MasterKey};
use ledger::providers::{ProviderClients, ProviderKind, ProvidersConfig, RateLimit};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use secrecy::SecretString;
use serde_json::{Value, json};
use sim::{SimConfig, Simulator};

/// Recorded provider responses, kept in the repository (`tests/fixtures`).
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures");

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}/{name}"))
        .unwrap_or_else(|e| panic!("fixture {name} in {FIXTURES}: {e}"))
}

fn day(text: &str) -> NaiveDate {
    parse_day(text).expect("day")
}

fn days_ago(n: u64) -> NaiveDate {
    Utc::now()
        .date_naive()
        .checked_sub_days(Days::new(n))
        .expect("date")
}

fn clients() -> ProviderClients {
    let rate = RateLimit {
        per_minute: 6000,
        burst: 100,
    };
    fast_clients(Duration::from_millis(400), 3, rate)
}

/// A fresh database, its price book, a mock provider and an OpenAI
/// connection to it (`oa`) presenting `key`.
struct OpenAiFixture {
    db: TestDb,
    book: PriceBook,
    mock: MockProvider,
    clients: ProviderClients,
    conn: provider_connection::Model,
}

async fn openai_fixture(backend: Backend, config: SimConfig, key: &str) -> OpenAiFixture {
    let db = TestDb::fresh(backend).await;
    let book = PriceBook::load(&db.conn, UnitRates::default())
        .await
        .expect("book");
    let mock = MockProvider::start(config).await;
    let conn = connection(
        &db.conn,
        "oa",
        ProviderKind::OpenAi,
        key,
        &mock.openai_base(),
    )
    .await;
    OpenAiFixture {
        db,
        book,
        mock,
        clients: clients(),
        conn,
    }
}

fn request(
    conn: &provider_connection::Model,
    from: NaiveDate,
    to: NaiveDate,
    chunk_days: u32,
) -> IngestRequest {
    let mut req = IngestRequest::new(conn, DayRange::new(from, to).expect("range")).expect("req");
    req.chunk_days = chunk_days;
    req.label = "test".to_owned();
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

pub(crate) type Key = (
    String,
    NaiveDate,
    String,
    String,
    String,
    String,
    String,
    String,
);

/// (input, cached, cache write, output, requests, units) per series.
pub(crate) type Totals = BTreeMap<Key, [i64; 6]>;

pub(crate) async fn stored(db: &DatabaseConnection, connection_id: i64) -> Totals {
    let mut out = Totals::new();
    for b in usage_bucket::Entity::find()
        .filter(usage_bucket::Column::ConnectionId.eq(connection_id))
        .all(db)
        .await
        .expect("buckets")
    {
        let key = (
            b.usage_type.clone(),
            b.window_start.date_naive(),
            b.project_id.clone(),
            b.api_key_id.clone(),
            b.user_id.clone(),
            b.model.clone(),
            b.service_tier.clone(),
            b.batch.as_str().to_owned(),
        );
        let units = b.images
            + b.characters
            + b.seconds
            + b.usage_bytes
            + b.num_sessions
            + b.num_requests
            + b.web_search_requests;
        let t = out.entry(key).or_default();
        for (slot, v) in t.iter_mut().zip([
            b.input_tokens,
            b.input_cached_tokens,
            b.input_cache_write_tokens,
            b.output_tokens,
            b.num_model_requests,
            units,
        ]) {
            *slot += v;
        }
    }
    out
}

pub(crate) fn expected(
    sim: &Simulator,
    provider: ProviderKind,
    from: NaiveDate,
    to: NaiveDate,
) -> Totals {
    let mut out = Totals::new();
    for d in from.iter_days().take_while(|d| *d <= to) {
        for e in sim.expected(provider, d) {
            let key = (
                e.usage_type,
                e.day,
                e.project_id,
                e.api_key_id,
                e.user_id,
                e.model,
                e.service_tier,
                e.batch,
            );
            let t = out.entry(key).or_default();
            for (slot, v) in t.iter_mut().zip([
                e.input_tokens,
                e.input_cached_tokens,
                e.input_cache_write_tokens,
                e.output_tokens,
                e.num_model_requests,
                e.units,
            ]) {
                *slot += v;
            }
        }
    }
    out
}

pub(crate) fn per_day(totals: &Totals) -> BTreeMap<NaiveDate, [i64; 6]> {
    let mut out: BTreeMap<NaiveDate, [i64; 6]> = BTreeMap::new();
    for (key, t) in totals {
        let d = out.entry(key.1).or_default();
        for (slot, v) in d.iter_mut().zip(t) {
            *slot += v;
        }
    }
    out
}

async fn bucket_count(db: &DatabaseConnection) -> u64 {
    usage_bucket::Entity::find().count(db).await.expect("count")
}

// ---------------------------------------------------------------- backfill

async fn backfill_matches_the_mock_and_reruns_change_nothing(backend: Backend) {
    let db = TestDb::fresh(backend).await;
    let book = PriceBook::load(&db.conn, UnitRates::default())
        .await
        .expect("book");
    // Three buckets per page, so every window paginates with cursors that
    // contain `+`, `/` and `=`.
    let mock = MockProvider::start(SimConfig {
        page_size_cap: Some(3),
        ..SimConfig::default()
    })
    .await;
    let clients = clients();
    let (from, to) = (days_ago(36), days_ago(1));

    for (name, provider, base) in [
        ("oa", ProviderKind::OpenAi, mock.openai_base()),
        ("an", ProviderKind::Anthropic, mock.anthropic_base()),
    ] {
        let conn = connection(&db.conn, name, provider, "sk-admin-test", &base).await;
        let first = run(&db.conn, &book, &clients, request(&conn, from, to, 7)).await;
        assert_eq!(first.status, RunStatus::Succeeded, "{first:#?}");
        assert!(first.issues.is_empty());
        let types = ledger::providers::usage_types(provider).len() as u64;
        assert_eq!(first.windows, 36 * types);
        assert!(
            first.pages > first.windows / 3,
            "pagination happened: {first:?}"
        );
        assert!(first.rows_inserted > 0);
        assert_eq!(first.complete_through, Some(to));

        let want = expected(&mock.sim, provider, from, to);
        let got = stored(&db.conn, conn.id).await;
        assert_eq!(
            per_day(&got),
            per_day(&want),
            "per-day totals of {provider}"
        );
        assert_eq!(
            got, want,
            "per (day, project, key, user, model, tier) of {provider}"
        );

        let second = run(&db.conn, &book, &clients, request(&conn, from, to, 31)).await;
        assert_eq!(second.status, RunStatus::Succeeded);
        assert_eq!(
            (
                second.rows_inserted,
                second.rows_updated,
                second.rows_deleted
            ),
            (0, 0, 0),
            "{second:#?}"
        );
        assert_eq!(second.rows_unchanged, first.rows_inserted);
        assert_eq!(stored(&db.conn, conn.id).await, want);
    }

    // Cursors went back percent-encoded and the mock understood every one.
    let log = mock.requests();
    let paged: Vec<_> = log.iter().filter(|r| r.param("page").is_some()).collect();
    assert!(!paged.is_empty());
    for r in &paged {
        assert!(
            r.raw_query.contains("page=page_%2B%2B%2B%2B%2F%2F%2F%2F"),
            "{}",
            r.raw_query
        );
        assert!(r.raw_query.contains("%3D"), "{}", r.raw_query);
    }
    assert!(
        log.iter().all(|r| r.status == 200),
        "every request answered 200"
    );
    // Bracketed group_by, every dimension, admin headers.
    let completions = log
        .iter()
        .find(|r| r.path.ends_with("/usage/completions"))
        .expect("completions request");
    assert!(
        completions
            .raw_query
            .contains("group_by%5B%5D=service_tier")
    );
    assert!(completions.raw_query.contains("bucket_width=1d"));
    let messages = log
        .iter()
        .find(|r| r.path.ends_with("/messages"))
        .expect("messages");
    assert!(
        messages
            .headers
            .iter()
            .any(|(k, v)| k == "anthropic-version" && v == "2023-06-01")
    );
    assert!(
        messages
            .headers
            .iter()
            .any(|(k, v)| k == "x-api-key" && v == "sk-admin-test")
    );

    let runs = ingestion_run::Entity::find()
        .all(&db.conn)
        .await
        .expect("runs");
    assert_eq!(runs.len(), 4);
    assert!(
        runs.iter()
            .all(|r| r.status == RunStatus::Succeeded && r.finished_at.is_some())
    );
    mock.stop();
    db.cleanup().await;
}

// ---------------------------------------------------------------- retries

async fn transient_failures_are_retried_and_counted(backend: Backend) {
    let OpenAiFixture {
        db,
        book,
        mock,
        clients,
        conn,
    } = openai_fixture(backend, SimConfig::default(), "k").await;
    let status = |code: u16, headers: Vec<(&'static str, String)>| Fault::Status {
        status: code,
        headers,
    };
    mock.inject(
        Rule::new(
            "/completions",
            status(429, vec![("retry-after-ms", "20".into())]),
        )
        .times(1),
    );
    mock.inject(
        Rule::new(
            "/embeddings",
            status(429, vec![("retry-after", "0".into())]),
        )
        .times(1),
    );
    mock.inject(Rule::new("/moderations", status(500, vec![])).times(2));
    mock.inject(Rule::new("/images", status(529, vec![])).times(1));
    mock.inject(Rule::new("/audio_speeches", Fault::Hang(Duration::from_secs(5))).times(1));
    mock.inject(Rule::new("/audio_transcriptions", Fault::Truncate).times(1));
    let (from, to) = (days_ago(4), days_ago(2));

    let report = run(&db.conn, &book, &clients, request(&conn, from, to, 7)).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    assert_eq!(report.rate_limited, 2);
    assert_eq!(report.retries, 7);
    // Ten usage types and the costs, plus the retries.
    assert_eq!(report.requests, 10 + 1 + 7);
    assert!(
        report.retry_wait_ms >= 20,
        "Retry-After honoured: {report:?}"
    );
    assert_eq!(
        stored(&db.conn, conn.id).await,
        expected(&mock.sim, ProviderKind::OpenAi, from, to)
    );
    let row = ingestion_run::Entity::find_by_id(report.run_id)
        .one(&db.conn)
        .await
        .expect("query")
        .expect("run row");
    assert_eq!((row.retries, row.rate_limited), (7, 2));
    mock.stop();
    db.cleanup().await;
}

async fn a_day_that_keeps_failing_becomes_an_issue(backend: Backend) {
    let OpenAiFixture {
        db,
        book,
        mock,
        clients,
        conn,
    } = openai_fixture(backend, SimConfig::default(), "k").await;
    let (from, bad, to) = (days_ago(6), days_ago(4), days_ago(2));
    mock.inject(
        Rule::new(
            "/completions",
            Fault::Status {
                status: 500,
                headers: vec![],
            },
        )
        .on_day(bad),
    );

    let report = run(&db.conn, &book, &clients, request(&conn, from, to, 7)).await;
    assert_eq!(report.status, RunStatus::Partial, "{report:#?}");
    assert_eq!(report.issues.len(), 1, "{:#?}", report.issues);
    let issue = &report.issues[0];
    assert_eq!(
        (issue.code.as_str(), issue.day, issue.usage_type.as_deref()),
        ("server_error", bad, Some("completions"))
    );
    assert_eq!(
        report.issue_counts.get(&ingest::IssueCode::ServerError),
        Some(&1)
    );
    // Every other (day, type) was stored, and only days before the bad one
    // count as complete.
    assert_eq!(report.windows, 5 * 10 - 1);
    let mut want = expected(&mock.sim, ProviderKind::OpenAi, from, to);
    want.retain(|k, _| !(k.0 == "completions" && k.1 == bad));
    assert_eq!(stored(&db.conn, conn.id).await, want);
    assert_eq!(report.complete_through, Some(days_ago(5)));

    let row = ingestion_run::Entity::find_by_id(report.run_id)
        .one(&db.conn)
        .await
        .expect("query")
        .expect("row");
    assert_eq!(row.status, RunStatus::Partial);
    assert_eq!(row.issues[0]["code"], json!("server_error"));
    mock.stop();
    db.cleanup().await;
}

// ---------------------------------------------------------------- hostile pages

async fn hostile_and_malformed_pages_become_issues(backend: Backend) {
    let OpenAiFixture {
        db,
        book,
        mock,
        clients,
        conn,
    } = openai_fixture(backend, SimConfig::default(), "k").await;
    let (from, to) = (days_ago(4), days_ago(2));
    mock.inject(Rule::new(
        "/completions",
        Fault::NextPage(json!("https://evil.example/steal?key=1")),
    ));
    mock.inject(Rule::new(
        "/embeddings",
        Fault::NextPage(json!({"url": "/x"})),
    ));
    mock.inject(Rule::new("/moderations", Fault::ShiftFirstBucket(3600)).times(1));
    mock.inject(Rule::new("/images", Fault::DuplicateFirstBucket).times(1));

    let report = run(&db.conn, &book, &clients, request(&conn, from, to, 7)).await;
    assert_eq!(report.status, RunStatus::Partial);
    let counts: Vec<(ingest::IssueCode, u64)> =
        report.issue_counts.iter().map(|(k, v)| (*k, *v)).collect();
    assert_eq!(
        counts,
        vec![
            (ingest::IssueCode::HostileCursor, 6),
            (ingest::IssueCode::PartialBucket, 1),
            (ingest::IssueCode::DuplicateBucket, 1),
        ],
        "{:#?}",
        report.issues
    );
    let partial = report
        .issues
        .iter()
        .find(|i| i.code == ingest::IssueCode::PartialBucket)
        .expect("partial");
    assert_eq!(
        (partial.day, partial.usage_type.as_deref()),
        (from, Some("moderations"))
    );
    // Nothing was ever requested from the hostile cursor, and the client
    // never retried a refused cursor.
    let log = mock.requests();
    assert!(
        log.iter()
            .all(|r| !r.raw_query.contains("evil") && r.param("page").is_none())
    );
    assert_eq!(
        log.iter()
            .filter(|r| r.path.ends_with("/completions"))
            .count(),
        1 + 3
    );
    // The days that were sound are stored; refused days are not.
    let got = stored(&db.conn, conn.id).await;
    assert!(
        got.keys()
            .all(|k| k.0 != "completions" && k.0 != "embeddings")
    );
    assert!(!got.keys().any(|k| k.0 == "moderations" && k.1 == from));
    assert!(got.keys().any(|k| k.0 == "moderations" && k.1 == to));
    assert!(!got.keys().any(|k| k.0 == "images" && k.1 == from));
    assert_eq!(report.complete_through, None);
    mock.stop();
    db.cleanup().await;
}

async fn bad_key_fails_fast_without_leaking_it(backend: Backend) {
    let OpenAiFixture {
        db,
        book,
        mock,
        clients,
        conn,
    } = openai_fixture(
        backend,
        SimConfig {
            required_key: Some("sk-admin-right".into()),
            ..SimConfig::default()
        },
        "sk-admin-wrong-secret",
    )
    .await;
    let report = run(
        &db.conn,
        &book,
        &clients,
        request(&conn, days_ago(20), days_ago(1), 7),
    )
    .await;
    assert_eq!(report.status, RunStatus::Failed);
    assert_eq!(report.windows, 0);
    assert_eq!(report.issue_counts.get(&ingest::IssueCode::Auth), Some(&7));
    assert_eq!(mock.requests().len(), 1, "a rejected key stops the run");
    let text = serde_json::to_string(&report).expect("json");
    assert!(!text.contains("wrong-secret"));
    let stored_row = connections::get(&db.conn, "oa").await.expect("row");
    assert!(
        !stored_row
            .key_ciphertext
            .unwrap_or_default()
            .contains("wrong-secret")
    );
    mock.stop();
    db.cleanup().await;
}

// ---------------------------------------------------------------- dry run, restatement

async fn dry_run_writes_no_buckets(backend: Backend) {
    let db = TestDb::fresh(backend).await;
    let book = PriceBook::load(&db.conn, UnitRates::default())
        .await
        .expect("book");
    let mock = MockProvider::start(SimConfig::default()).await;
    let clients = clients();
    let conn = connection(
        &db.conn,
        "an",
        ProviderKind::Anthropic,
        "k",
        &mock.anthropic_base(),
    )
    .await;
    let (from, to) = (days_ago(5), days_ago(1));

    let mut dry = request(&conn, from, to, 7);
    dry.dry_run = true;
    let report = run(&db.conn, &book, &clients, dry.clone()).await;
    assert_eq!(report.status, RunStatus::Succeeded);
    assert!(report.dry_run);
    assert_eq!(
        report.rows_inserted, 15,
        "3 series x 5 days would be inserted"
    );
    assert_eq!(bucket_count(&db.conn).await, 0);
    assert_eq!(report.complete_through, None);
    let row = ingestion_run::Entity::find_by_id(report.run_id)
        .one(&db.conn)
        .await
        .expect("query")
        .expect("row");
    assert!(row.dry_run);

    let real = run(&db.conn, &book, &clients, request(&conn, from, to, 7)).await;
    assert_eq!(real.rows_inserted, 15);
    // The provider restates one day to nothing: a dry run says what would go,
    // a real run removes it.
    let restated = days_ago(3);
    mock.inject(Rule::new("/messages", Fault::EmptyDay(restated)));
    let preview = run(&db.conn, &book, &clients, dry).await;
    assert_eq!(
        (
            preview.rows_inserted,
            preview.rows_updated,
            preview.rows_deleted
        ),
        (0, 0, 3)
    );
    assert_eq!(bucket_count(&db.conn).await, 15);
    let applied = run(&db.conn, &book, &clients, request(&conn, from, to, 7)).await;
    assert_eq!(applied.rows_deleted, 3);
    assert_eq!(applied.status, RunStatus::Succeeded);
    let got = stored(&db.conn, conn.id).await;
    assert!(!got.keys().any(|k| k.1 == restated));
    assert_eq!(got.len(), 12);
    mock.stop();
    db.cleanup().await;
}

async fn empty_days_store_nothing_and_are_complete(backend: Backend) {
    let quiet = days_ago(2);
    let OpenAiFixture {
        db,
        book,
        mock,
        clients,
        conn,
    } = openai_fixture(
        backend,
        SimConfig {
            empty_days: vec![quiet],
            ..SimConfig::default()
        },
        "k",
    )
    .await;
    let report = run(
        &db.conn,
        &book,
        &clients,
        request(&conn, days_ago(3), days_ago(1), 7),
    )
    .await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    assert_eq!(report.windows, 30);
    assert_eq!(report.complete_through, Some(days_ago(1)));
    let got = stored(&db.conn, conn.id).await;
    assert!(!got.keys().any(|k| k.1 == quiet));
    assert_eq!(
        got,
        expected(&mock.sim, ProviderKind::OpenAi, days_ago(3), days_ago(1))
    );
    mock.stop();
    db.cleanup().await;
}

// ---------------------------------------------------------------- fixtures

fn cost_totals(buckets: &[ledger::providers::CostBucket]) -> BTreeMap<String, Decimal> {
    let mut out = BTreeMap::new();
    for bucket in buckets {
        for line in &bucket.lines {
            let key = format!("{} {}", bucket.start.date_naive(), line.project_id);
            *out.entry(key).or_insert(Decimal::ZERO) += line.amount_usd;
        }
    }
    out
}

#[test]
fn fixtures_decode_and_match_the_expected_totals() {
    use ledger::providers::{anthropic, openai};
    let totals: Value = serde_json::from_str(&fixture("EXPECTED_TOTALS.json")).expect("totals");

    // OpenAI costs: per day x project.
    let page: openai::CostPage =
        serde_json::from_str(&fixture("openai_costs.json")).expect("costs");
    let buckets: Vec<_> = page
        .data
        .iter()
        .map(|b| b.to_cost_bucket().expect("bucket"))
        .collect();
    let got = cost_totals(&buckets);
    let want = totals["openai_usd_by_day_project"]
        .as_object()
        .expect("object");
    assert_eq!(got.len(), want.len());
    for (key, value) in want {
        let want: Decimal = value.as_str().expect("str").parse().expect("decimal");
        assert_eq!(got[key].round_dp(6), want, "{key}");
    }
    assert!(buckets[0].lines.is_empty(), "Nov 1 is an empty bucket");

    // Anthropic cost report: cents strings -> USD, per day x workspace.
    let page: anthropic::CostReportPage =
        serde_json::from_str(&fixture("anthropic_cost_report.json")).expect("cost report");
    let buckets: Vec<_> = page
        .data
        .iter()
        .map(|b| b.to_cost_bucket().expect("bucket"))
        .collect();
    let got = cost_totals(&buckets);
    let want = totals["anthropic_usd_by_day_workspace"]
        .as_object()
        .expect("object");
    assert_eq!(got.len(), want.len());
    for (key, value) in want {
        let key = key.replace(" (default workspace, workspace_id=null)", " ");
        let want: Decimal = value.as_str().expect("str").parse().expect("decimal");
        assert_eq!(got[&key].round_dp(6), want, "{key}");
    }

    // OpenAI completions pages: cursor, partial-free daily buckets, mapping.
    let p1: openai::UsagePage =
        serde_json::from_str(&fixture("openai_usage_completions_page1.json")).expect("page1");
    let p2: openai::UsagePage =
        serde_json::from_str(&fixture("openai_usage_completions_page2.json")).expect("page2");
    assert!(p1.has_more && !p2.has_more);
    assert_eq!(
        p1.next_page,
        Some(json!("page_AAAAAGrn9wCMHzpSAAAAAGrjQYA="))
    );
    let rows: Vec<_> = p1
        .data
        .iter()
        .chain(&p2.data)
        .flat_map(|b| b.to_day_bucket().expect("bucket").rows)
        .collect();
    assert_eq!(rows.len(), 4 + 4 + 3);
    for row in &rows {
        let c = row.counts;
        assert_eq!(
            c.input_tokens,
            c.input_cached_tokens + c.input_cache_write_tokens + c.input_uncached_tokens
        );
        assert!(["true", "false"].contains(&row.dims.batch.as_str()));
        assert!(!row.dims.project_id.is_empty() && !row.dims.service_tier.is_empty());
    }
    let first = &rows[0];
    assert_eq!(
        (
            first.counts.input_tokens,
            first.counts.input_cached_tokens,
            first.counts.output_tokens
        ),
        (1_946_090, 655_360, 301_117)
    );
    assert_eq!(first.dims.model, "gpt-4o-2024-08-06");
    assert_eq!(first.dims.batch, entity::enums::Batch::Interactive);

    // Anthropic usage: input becomes all input; workspace -> project.
    let page: anthropic::MessagesPage =
        serde_json::from_str(&fixture("anthropic_usage_messages.json")).expect("messages");
    let raw: Value = serde_json::from_str(&fixture("anthropic_usage_messages.json")).expect("json");
    let rows: Vec<_> = page
        .data
        .iter()
        .flat_map(|b| b.to_day_bucket().rows)
        .collect();
    let raw_rows: Vec<&Value> = raw["data"]
        .as_array()
        .expect("data")
        .iter()
        .flat_map(|b| b["results"].as_array().expect("results"))
        .collect();
    assert_eq!(rows.len(), raw_rows.len());
    for (row, raw) in rows.iter().zip(raw_rows) {
        let n = |v: &Value| v.as_i64().unwrap_or(0);
        let w5 = n(&raw["cache_creation"]["ephemeral_5m_input_tokens"]);
        let w1 = n(&raw["cache_creation"]["ephemeral_1h_input_tokens"]);
        let read = n(&raw["cache_read_input_tokens"]);
        let uncached = n(&raw["uncached_input_tokens"]);
        assert_eq!(row.counts.input_tokens, uncached + read + w5 + w1);
        assert_eq!(row.counts.input_cache_write_tokens, w5 + w1);
        assert_eq!(row.counts.input_cached_tokens, read);
        assert_eq!(row.counts.input_uncached_tokens, uncached);
        assert_eq!(
            row.counts.web_search_requests,
            n(&raw["server_tool_use"]["web_search_requests"])
        );
        assert_eq!(
            row.dims.project_id,
            raw["workspace_id"].as_str().unwrap_or("")
        );
        let batch = raw["service_tier"] == json!("batch");
        assert_eq!(row.dims.batch == entity::enums::Batch::Batch, batch);
    }
}

/// Computed bucket costs (micro-USD per day x project) against
/// EXPECTED_TOTALS.json. Each bucket is rounded to a micro-dollar on its
/// own, so a day's sum may differ from the rounded total by a micro or two.
fn assert_costs_match(cost: &BTreeMap<String, i64>, section: &str) {
    let totals: Value = serde_json::from_str(&fixture("EXPECTED_TOTALS.json")).expect("totals");
    let want = totals[section].as_object().expect("section");
    assert_eq!(cost.len(), want.len(), "{cost:?}");
    for (key, value) in want {
        let key = key.replace(" (default workspace, workspace_id=null)", " ");
        let want: Decimal = value.as_str().expect("str").parse().expect("decimal");
        let want = (want * Decimal::from(1_000_000)).round().to_string();
        let want: i64 = want.parse().expect("micros");
        let got = cost.get(&key).copied().unwrap_or_default();
        assert!(
            (got - want).abs() <= 2,
            "{section} {key}: computed {got} micro-USD, expected {want}"
        );
    }
}

/// Serves the fixture files as a provider would for their documented queries.
async fn fixture_server() -> (String, tokio::task::JoinHandle<()>) {
    use axum::extract::RawQuery;
    use axum::routing::get;
    let cursor = "page_AAAAAGrn9wCMHzpSAAAAAGrjQYA=";
    let page = move |RawQuery(q): RawQuery| async move {
        let params: Vec<(String, String)> = axum::extract::Query::try_from_uri(
            &format!("/?{}", q.unwrap_or_default()).parse().expect("uri"),
        )
        .map(|q: axum::extract::Query<Vec<(String, String)>>| q.0)
        .unwrap_or_default();
        let page = params
            .iter()
            .find(|(k, _)| k == "page")
            .map(|(_, v)| v.clone());
        match page.as_deref() {
            None => fixture("openai_usage_completions_page1.json"),
            Some(c) if c == cursor => fixture("openai_usage_completions_page2.json"),
            Some(other) => panic!("cursor mangled: {other:?}"),
        }
    };
    let router = axum::Router::new()
        .route("/v1/organization/usage/completions", get(page))
        .route(
            "/v1/organization/costs",
            get(|| async { fixture("openai_costs.json") }),
        )
        .route(
            "/v1/organizations/usage_report/messages",
            get(|| async { fixture("anthropic_usage_messages.json") }),
        )
        .route(
            "/v1/organizations/cost_report",
            get(|| async { fixture("anthropic_cost_report.json") }),
        );
    let (addr, handle) = sim::serve(router).await.expect("serve");
    (format!("http://{addr}"), handle)
}

async fn fixture_responses_ingest_exactly(backend: Backend) {
    let db = TestDb::fresh(backend).await;
    let book = PriceBook::load(&db.conn, UnitRates::default())
        .await
        .expect("book");
    let (base, server) = fixture_server().await;
    let clients = clients();
    let (from, to) = (day("2026-11-01"), day("2026-11-04"));

    let oa = connection(
        &db.conn,
        "oa",
        ProviderKind::OpenAi,
        "k",
        &format!("{base}/v1"),
    )
    .await;
    let mut req = request(&oa, from, to, 4);
    req.steps = Some(vec![
        ingest::Step::Usage("completions"),
        ingest::Step::Costs,
    ]);
    let report = run(&db.conn, &book, &clients, req).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    // Two pages of completions and one of costs.
    assert_eq!(
        (report.pages, report.windows, report.rows_inserted),
        (3, 4, 11)
    );
    let got = stored(&db.conn, oa.id).await;
    let days = per_day(&got);
    assert!(!days.contains_key(&from), "Nov 1 is empty");
    let raw: Vec<Value> = [
        "openai_usage_completions_page1.json",
        "openai_usage_completions_page2.json",
    ]
    .iter()
    .map(|f| serde_json::from_str(&fixture(f)).expect("json"))
    .collect();
    let mut want: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    for page in &raw {
        for bucket in page["data"].as_array().expect("data") {
            let d = chrono::DateTime::from_timestamp(bucket["start_time"].as_i64().expect("ts"), 0)
                .expect("ts")
                .date_naive();
            for r in bucket["results"].as_array().expect("results") {
                *want.entry(d).or_default() += r["input_tokens"].as_i64().expect("n");
            }
        }
    }
    let got_input: BTreeMap<NaiveDate, i64> = days.iter().map(|(d, t)| (*d, t[0])).collect();
    assert_eq!(got_input, want);

    // Priced with the book: the computed cost per day x project.
    let mut cost: BTreeMap<String, i64> = BTreeMap::new();
    for b in usage_bucket::Entity::find()
        .filter(usage_bucket::Column::ConnectionId.eq(oa.id))
        .all(&db.conn)
        .await
        .expect("buckets")
    {
        *cost
            .entry(format!("{} {}", b.window_start.date_naive(), b.project_id))
            .or_default() += b.cost_micros.unwrap_or(-1_000_000_000);
    }
    assert_costs_match(&cost, "openai_usd_by_day_project");

    let an = connection(&db.conn, "an", ProviderKind::Anthropic, "k", &base).await;
    let report = run(&db.conn, &book, &clients, request(&an, from, to, 4)).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    let got = stored(&db.conn, an.id).await;
    let sonnet_nov2 = got
        .iter()
        .find(|(k, _)| k.1 == day("2026-11-02") && k.5 == "claude-sonnet-4-5-20250929")
        .expect("sonnet row");
    assert_eq!(sonnet_nov2.1[0], 2_384_117 + 5_933_812 + 402_330 + 96_000);
    let mut cost: BTreeMap<String, i64> = BTreeMap::new();
    for b in usage_bucket::Entity::find()
        .filter(usage_bucket::Column::ConnectionId.eq(an.id))
        .all(&db.conn)
        .await
        .expect("buckets")
    {
        *cost
            .entry(format!("{} {}", b.window_start.date_naive(), b.project_id))
            .or_default() += b.cost_micros.unwrap_or(-1_000_000_000);
    }
    assert_costs_match(&cost, "anthropic_usd_by_day_workspace");
    let batch = got.keys().find(|k| k.6 == "batch").expect("batch row");
    assert_eq!((batch.2.as_str(), batch.7.as_str()), ("", "true"));

    // The billed costs were stored too, and billed matches computed per
    // day and project within rounding.
    assert!(report.billed_lines > 0);
    let rows = ledger::costs::reconciliation::reconcile(
        &db.conn,
        DayRange::new(from, to).expect("range"),
        true,
        &[],
    )
    .await
    .expect("reconcile");
    let billed: i64 = rows.iter().map(|r| r.billed_micros).sum();
    assert!(billed > 0, "{rows:#?}");
    for row in &rows {
        assert_eq!(row.likely_cause(), None, "{row:#?}");
    }
    server.abort();
    db.cleanup().await;
}

// ---------------------------------------------------------------- connections, lease, demo

async fn connections_seal_keys_and_never_show_them(backend: Backend) {
    let db = TestDb::fresh(backend).await;
    let env_key = SecretString::from("sk-admin-env-key-123");
    let made = connections::ensure_env_connections(&db.conn, Some(&env_key), None)
        .await
        .expect("ensure");
    assert_eq!(made.len(), 1);
    assert_eq!(made[0].name, "openai");
    assert_eq!(made[0].key_source, KeySource::Environment);
    assert_eq!(made[0].key_fingerprint, keys::fingerprint(&env_key));
    // Idempotent.
    connections::ensure_env_connections(&db.conn, Some(&env_key), None)
        .await
        .expect("again");

    let added = connections::add(
        &db.conn,
        &master(),
        "prod-anthropic",
        ProviderKind::Anthropic,
        SecretString::from("sk-ant-admin01-stored-secret"),
        Some("http://127.0.0.1:9/"),
    )
    .await
    .expect("add");
    assert_eq!(added.key_source, KeySource::Stored);
    assert_eq!(added.base_url.as_deref(), Some("http://127.0.0.1:9"));
    let duplicate = connections::add(
        &db.conn,
        &master(),
        "prod-anthropic",
        ProviderKind::Anthropic,
        SecretString::from("x"),
        None,
    )
    .await;
    assert!(matches!(duplicate, Err(ledger::Error::Conflict(_))));

    let listed = connections::list(&db.conn).await.expect("list");
    assert_eq!(listed.len(), 2);
    let text = serde_json::to_string(&listed).expect("json");
    assert!(
        !text.contains("secret") && !text.contains("env-key"),
        "{text}"
    );
    let row = connections::get(&db.conn, "prod-anthropic")
        .await
        .expect("row");
    assert!(
        !row.key_ciphertext
            .clone()
            .unwrap_or_default()
            .contains("stored-secret")
    );

    let config = ProvidersConfig {
        master_key: Some(master()),
        openai_admin_key: Some(env_key.clone()),
        ..ProvidersConfig::default()
    };
    use secrecy::ExposeSecret;
    assert_eq!(
        keys::resolve_key(&row, &config)
            .expect("key")
            .expose_secret(),
        "sk-ant-admin01-stored-secret"
    );
    let openai = connections::get(&db.conn, "openai").await.expect("openai");
    assert_eq!(
        keys::resolve_key(&openai, &config)
            .expect("env")
            .expose_secret(),
        "sk-admin-env-key-123"
    );
    let wrong = ProvidersConfig {
        master_key: Some(MasterKey::from_bytes([1u8; 32])),
        ..ProvidersConfig::default()
    };
    let refused = keys::resolve_key(&row, &wrong).expect_err("wrong master key");
    assert!(!refused.to_string().contains("secret-"));
    assert_eq!(
        connections::pick(&db.conn, ProviderKind::Anthropic, None)
            .await
            .expect("pick")
            .name,
        "prod-anthropic"
    );

    connections::remove(&db.conn, "prod-anthropic")
        .await
        .expect("remove");
    assert!(matches!(
        connections::remove(&db.conn, "prod-anthropic").await,
        Err(ledger::Error::NotFound(_))
    ));
    db.cleanup().await;
}

async fn connection_check_reports_ok_and_auth(backend: Backend) {
    let db = TestDb::fresh(backend).await;
    let mock = MockProvider::start(SimConfig {
        required_key: Some("good".into()),
        ..SimConfig::default()
    })
    .await;
    let clients = clients();
    connection(
        &db.conn,
        "good",
        ProviderKind::Anthropic,
        "good",
        &mock.anthropic_base(),
    )
    .await;
    connection(
        &db.conn,
        "bad",
        ProviderKind::OpenAi,
        "bad",
        &mock.openai_base(),
    )
    .await;
    let ok = connections::test(&db.conn, &clients, "good")
        .await
        .expect("check");
    assert!(ok.ok, "{ok:?}");
    let bad = connections::test(&db.conn, &clients, "bad")
        .await
        .expect("check");
    assert!(!bad.ok);
    assert_eq!(bad.code, Some(ingest::IssueCode::Auth));
    mock.stop();
    db.cleanup().await;
}

async fn lease_is_held_by_one_holder_at_a_time(backend: Backend) {
    use jobs::lease;
    let db = TestDb::fresh(backend).await;
    let ttl = Duration::from_secs(60);
    let a = lease::try_acquire(&db.conn, "daily-ingestion", "a", ttl)
        .await
        .expect("a")
        .expect("a holds it");
    assert!(
        lease::try_acquire(&db.conn, "daily-ingestion", "b", ttl)
            .await
            .expect("b")
            .is_none()
    );
    // Renewing our own lease works; another job name is independent.
    assert!(
        lease::try_acquire(&db.conn, "daily-ingestion", "a", ttl)
            .await
            .expect("renew")
            .is_some()
    );
    assert!(
        lease::try_acquire(&db.conn, "archival", "b", ttl)
            .await
            .expect("other")
            .is_some()
    );
    lease::release(&db.conn, &a).await.expect("release");
    assert!(
        lease::try_acquire(&db.conn, "daily-ingestion", "b", ttl)
            .await
            .expect("b")
            .is_some()
    );
    // An expired lease can be taken over.
    lease::try_acquire(&db.conn, "expiring", "a", Duration::ZERO)
        .await
        .expect("a")
        .expect("a holds it");
    let mut taken = None;
    for _ in 0..100 {
        taken = lease::try_acquire(&db.conn, "expiring", "b", ttl)
            .await
            .expect("b");
        if taken.is_some() {
            break;
        }
        tokio::task::yield_now().await;
    }
    assert!(taken.is_some(), "an expired lease is free");
    let ran = lease::with_lease(&db.conn, "job", async { 7 })
        .await
        .expect("job");
    assert_eq!(ran, Some(7));
    // Released afterwards: another holder may take it at once.
    assert!(
        lease::try_acquire(&db.conn, "job", "b", ttl)
            .await
            .expect("b")
            .is_some()
    );
    db.cleanup().await;
}

async fn demo_seed_ingests_both_providers(backend: Backend) {
    let db = TestDb::fresh(backend).await;
    let book = PriceBook::load(&db.conn, UnitRates::default())
        .await
        .expect("book");
    let reports = sim::demo::seed_demo(&db.conn, &book, 5)
        .await
        .expect("demo");
    let providers: Vec<&str> = reports.iter().map(|r| r.provider.as_str()).collect();
    assert_eq!(providers, ["openai", "anthropic"]);
    for report in &reports {
        assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
        assert!(report.rows_inserted > 0, "{report:#?}");
        // The demo only uses models the bundled price book knows.
        assert!(report.unpriced_models.is_empty(), "{report:#?}");
    }
    let listed = connections::list(&db.conn).await.expect("list");
    let mut names: Vec<&str> = listed.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["demo-anthropic", "demo-openai"]);
    assert!(
        listed
            .iter()
            .all(|c| c.is_demo && c.key_source == KeySource::Demo)
    );
    // Seeding again re-points the same connections and changes nothing.
    let again = sim::demo::seed_demo(&db.conn, &book, 5)
        .await
        .expect("demo");
    assert_eq!(again.len(), 2);
    assert!(
        again
            .iter()
            .all(|r| r.rows_inserted == 0 && r.rows_deleted == 0),
        "{again:#?}"
    );
    assert_eq!(connections::list(&db.conn).await.expect("list").len(), 2);
    // Demo buckets are priced: every Anthropic bucket is a messages bucket.
    let priced = usage_bucket::Entity::find()
        .filter(usage_bucket::Column::UsageType.eq("messages"))
        .all(&db.conn)
        .await
        .expect("buckets");
    assert_eq!(priced.len() as u64, reports[1].rows_inserted);
    assert!(priced.iter().all(|b| b.cost_micros.is_some()));
    db.cleanup().await;
}

async fn daily_job_runs_every_connection_once_across_replicas(backend: Backend) {
    let db = TestDb::fresh(backend).await;
    let mock = MockProvider::start(SimConfig::default()).await;
    let oa = connection(
        &db.conn,
        "oa",
        ProviderKind::OpenAi,
        "k",
        &mock.openai_base(),
    )
    .await;
    let an = connection(
        &db.conn,
        "an",
        ProviderKind::Anthropic,
        "k",
        &mock.anthropic_base(),
    )
    .await;
    // An env connection whose key this process does not have is skipped.
    connections::ensure_env_connections(&db.conn, Some(&SecretString::from("elsewhere")), None)
        .await
        .expect("env");
    let settings = jobs::JobSettings {
        lookback_days: 2,
        ..jobs::JobSettings::default()
    };
    let jobs = e2e::providers::jobs_over(&db.conn, clients(), settings).await;
    // Another replica is running the ingest job right now.
    let other = jobs::lease::try_acquire(&db.conn, "ingest", "replica-2", Duration::from_secs(60))
        .await
        .expect("lease")
        .expect("held");
    let skipped = jobs.run(jobs::JobName::Ingest).await.expect("job");
    assert!(skipped.skipped && skipped.report.is_none(), "{skipped:?}");
    jobs::lease::release(&db.conn, &other)
        .await
        .expect("release");

    let outcome = jobs.run(jobs::JobName::Ingest).await.expect("job");
    let Some(jobs::JobReport::Ingest(report)) = &outcome.report else {
        panic!("an ingest report: {outcome:?}");
    };
    let mut ran: Vec<_> = report
        .runs
        .iter()
        .map(|r| (r.connection_id, r.status))
        .collect();
    ran.sort_by_key(|r| r.0);
    assert_eq!(
        ran,
        vec![(oa.id, RunStatus::Succeeded), (an.id, RunStatus::Succeeded)]
    );
    assert!(outcome.ok && !outcome.skipped);
    for run in &report.runs {
        assert_eq!((run.from, run.to), (days_ago(2), days_ago(0)));
        assert_eq!(
            run.complete_through,
            Some(days_ago(1)),
            "today is never complete"
        );
        assert_eq!(run.label, jobs::ingest::LABEL);
    }
    // The lease was given back: the next tick runs again.
    let again = jobs.run(jobs::JobName::Ingest).await.expect("job");
    assert!(!again.skipped);
    mock.stop();
    db.cleanup().await;
}

both_backends!(
    backfill_matches_the_mock_and_reruns_change_nothing,
    transient_failures_are_retried_and_counted,
    a_day_that_keeps_failing_becomes_an_issue,
    hostile_and_malformed_pages_become_issues,
    bad_key_fails_fast_without_leaking_it,
    dry_run_writes_no_buckets,
    empty_days_store_nothing_and_are_complete,
    fixture_responses_ingest_exactly,
    connections_seal_keys_and_never_show_them,
    connection_check_reports_ok_and_auth,
    lease_is_held_by_one_holder_at_a_time,
    demo_seed_ingests_both_providers,
    daily_job_runs_every_connection_once_across_replicas,
);
