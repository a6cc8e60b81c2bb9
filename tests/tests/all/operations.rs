//! Running it: `/metrics` after traffic, `/readyz` on a current and a
//! behind schema, request ids, JSON logs, a clean stop of the real binary
//! on SIGTERM (and an unclean one past its bound), and runs left `running`
//! by a killed process settled as abandoned.
use std::collections::BTreeMap;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use api::auth::Role;
use chrono::{Days, NaiveDate, Utc};
use e2e::app::{AppOptions, Backend, TestApp, TestDb};
use e2e::both_backends;
use e2e::cli;
use e2e::mock_provider::{Fault, MockProvider, Rule};
use entity::enums::RunStatus;
use entity::{ingestion_run, job_lease};
use ledger::providers::{ProviderKind, ProvidersConfig, RateLimit, RetryPolicy};
use reqwest::StatusCode;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Statement,
};
use serde_json::{Value, json};
use sim::SimConfig;
use tokio::io::{AsyncBufReadExt, BufReader};

const SECRET: &str = "cron-secret-of-sufficient-length-42";
const JWT_SECRET: &str = "jwt-secret-for-the-operations-tests-0123456789";
const ADMIN_KEY: &str = "sk-admin-ops-0123456789abcdef";
const MASTER_KEY: &str = "2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a";

fn days_ago(n: u64) -> NaiveDate {
    Utc::now().date_naive() - Days::new(n)
}

/// One sample of the Prometheus text: name, labels, value.
type Sample = (String, BTreeMap<String, String>, f64);

fn parse_metrics(text: &str) -> Vec<Sample> {
    let mut samples = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (series, value) = line.rsplit_once(' ').expect("`series value`");
        let value: f64 = value
            .parse()
            .unwrap_or_else(|_| panic!("value in {line:?}"));
        let (name, labels) = match series.split_once('{') {
            None => (series.to_owned(), BTreeMap::new()),
            Some((name, rest)) => {
                let inner = rest.strip_suffix('}').expect("closing brace");
                let labels = inner
                    .split("\",")
                    .filter(|pair| !pair.is_empty())
                    .map(|pair| {
                        let (k, v) = pair.split_once("=\"").expect("label=\"value\"");
                        (k.to_owned(), v.trim_end_matches('"').to_owned())
                    })
                    .collect();
                (name.to_owned(), labels)
            }
        };
        samples.push((name, labels, value));
    }
    samples
}

/// The sum of the samples named `name` whose labels include `want`.
fn value(samples: &[Sample], name: &str, want: &[(&str, &str)]) -> Option<f64> {
    let matching: Vec<f64> = samples
        .iter()
        .filter(|(n, labels, _)| {
            n == name
                && want
                    .iter()
                    .all(|(k, v)| labels.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|(_, _, v)| *v)
        .collect();
    (!matching.is_empty()).then(|| matching.iter().sum())
}

async fn scrape(url: &str, bearer: Option<&str>) -> (StatusCode, String) {
    let mut request = reqwest::Client::new().get(url);
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("scrape");
    (response.status(), response.text().await.expect("text"))
}

fn providers() -> ProvidersConfig {
    ProvidersConfig {
        rate_limit: RateLimit::UNLIMITED,
        retry: RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        },
        ..ProvidersConfig::default()
    }
}

async fn metrics_expose_the_listed_series_after_traffic(backend: Backend) {
    let mock = MockProvider::start(SimConfig::default()).await;
    let app = TestApp::serve(
        TestDb::fresh(backend).await,
        AppOptions {
            cron_secret: Some(SECRET.into()),
            providers: providers(),
            ..AppOptions::default()
        },
    )
    .await;
    ledger::providers::connections::upsert_demo(
        &app.state.db,
        "sim",
        ProviderKind::OpenAi,
        &mock.openai_base(),
    )
    .await
    .expect("connection");
    let (status, before) = scrape(&app.url("/metrics"), None).await;
    assert_eq!(status, StatusCode::OK, "{before}");
    let before = parse_metrics(&before);

    // Traffic: a named query, a refused one, a job through the cron trigger.
    let client = reqwest::Client::new();
    let named = client
        .post(app.url("/graphql"))
        .bearer_auth(app.token(Role::Viewer))
        .json(&json!({ "query": "query OpsProbe { __typename }", "operationName": "OpsProbe" }))
        .send()
        .await
        .expect("named query");
    assert_eq!(named.status(), StatusCode::OK);
    let refused = app.gql(None, "{ noSuchField }", json!({})).await;
    assert_eq!(
        e2e::app::error_code(&refused),
        Some("BAD_USER_INPUT"),
        "{refused}"
    );
    let cron = client
        .post(app.url("/api/cron/ingest"))
        .bearer_auth(SECRET)
        .send()
        .await
        .expect("cron");
    assert_eq!(cron.status(), StatusCode::OK);

    let (status, text) = scrape(&app.url("/metrics"), None).await;
    assert_eq!(status, StatusCode::OK);
    let after = parse_metrics(&text);
    let get = |name: &str, labels: &[(&str, &str)]| {
        value(&after, name, labels).unwrap_or_else(|| panic!("{name} {labels:?} missing:\n{text}"))
    };
    let http = "cognitrack_http_request_duration_seconds_count";
    assert!(
        get(
            http,
            &[("route", "/graphql"), ("method", "POST"), ("status", "200")]
        ) >= 2.0
    );
    assert!(get(http, &[("route", "/api/cron/{job}"), ("status", "200")]) >= 1.0);
    assert!(get(http, &[("route", "/metrics")]) >= 1.0);
    let ops = "cognitrack_graphql_operation_duration_seconds_count";
    assert!(get(ops, &[("operation", "OpsProbe"), ("type", "query")]) >= 1.0);
    assert!(get(ops, &[("operation", "anonymous")]) >= 1.0);
    // A counter that increased with this test's traffic.
    let errors = "cognitrack_graphql_errors_total";
    let was = value(&before, errors, &[("code", "BAD_USER_INPUT")]).unwrap_or(0.0);
    assert!(get(errors, &[("code", "BAD_USER_INPUT")]) > was);
    let rows = "cognitrack_ingest_rows_total";
    assert!(get(rows, &[("provider", "openai"), ("change", "inserted")]) > 0.0);
    get(rows, &[("provider", "openai"), ("change", "updated")]);
    get(rows, &[("provider", "openai"), ("change", "deleted")]);
    get(
        "cognitrack_provider_retries_total",
        &[("provider", "openai")],
    );
    get(
        "cognitrack_provider_rate_limited_total",
        &[("provider", "openai")],
    );
    assert!(
        get(
            "cognitrack_job_duration_seconds_count",
            &[("job", "ingest")]
        ) >= 1.0
    );
    get("cognitrack_job_failures_total", &[("job", "ingest")]);
    get("cognitrack_unpriced_models", &[]);
    assert!(get("cognitrack_price_book_age_seconds", &[]) >= 0.0);
    get("cognitrack_db_pool_connections", &[("state", "idle")]);
    get("cognitrack_db_pool_connections", &[("state", "in_use")]);
    for secret in [SECRET, JWT_SECRET, ADMIN_KEY] {
        assert!(!text.contains(secret));
    }

    // With a metrics token, a scrape must carry it.
    let mut guarded = app.state.clone();
    guarded.metrics_token = Some(Arc::from("metrics-token-0123456789"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = tokio::spawn(async move {
        axum::serve(listener, api::router::router(guarded, None))
            .await
            .expect("serve");
    });
    let url = format!("http://{addr}/metrics");
    assert_eq!(scrape(&url, None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        scrape(&url, Some("wrong")).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, text) = scrape(&url, Some("metrics-token-0123456789")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("cognitrack_http_request_duration_seconds"));
    server.abort();
    app.stop().await;
}

async fn readyz_needs_a_current_schema(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = reqwest::Client::new();
    let ready = client.get(app.url("/readyz")).send().await.expect("readyz");
    assert_eq!(ready.status(), StatusCode::OK);
    let body: Value = ready.json().await.expect("json");
    assert_eq!(body["status"], "ready", "{body}");

    // The last migration's row gone: the schema is behind this build.
    let db = &app.state.db;
    let last = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT version FROM seaql_migrations ORDER BY version DESC LIMIT 1",
        ))
        .await
        .expect("query")
        .expect("a migration row")
        .try_get::<String>("", "version")
        .expect("version");
    db.execute_unprepared(&format!(
        "DELETE FROM seaql_migrations WHERE version = '{last}'"
    ))
    .await
    .expect("delete");
    let behind = client.get(app.url("/readyz")).send().await.expect("readyz");
    assert_eq!(behind.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = behind.json().await.expect("json");
    assert_eq!(body["reason"], "migrations pending", "{body}");
    assert_eq!(body["pending_migrations"], json!([last]), "{body}");
    // Liveness is not readiness.
    let health = client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(health.status(), StatusCode::OK);
    app.stop().await;
}

async fn every_response_carries_a_request_id(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = reqwest::Client::new();
    for path in ["/healthz", "/graphql", "/no/such/page", "/metrics"] {
        let response = client.get(app.url(path)).send().await.expect("get");
        let id = response.headers()["x-request-id"].to_str().expect("ascii");
        uuid::Uuid::parse_str(id).unwrap_or_else(|_| panic!("{path}: {id:?} is not a UUID"));
    }
    let response = client
        .get(app.url("/healthz"))
        .header("x-request-id", "client-chosen-id-42")
        .send()
        .await
        .expect("get");
    assert_eq!(response.headers()["x-request-id"], "client-chosen-id-42");
    app.stop().await;
}

both_backends!(
    metrics_expose_the_listed_series_after_traffic,
    readyz_needs_a_current_schema,
    every_response_carries_a_request_id,
);

/// A `cognitrack serve` child, its address and its stderr lines so far.
struct Served {
    child: tokio::process::Child,
    base: String,
    stderr: Arc<Mutex<Vec<String>>>,
}

impl Served {
    async fn start(env: &[(&str, &str)]) -> Self {
        Self::start_with(&[], env).await
    }

    async fn start_with(extra: &[&str], env: &[(&str, &str)]) -> Self {
        let mut args = vec![
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--frontend-dir",
            "/nonexistent",
        ];
        args.extend_from_slice(extra);
        let mut child = cli::command(&args, env)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn serve");
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let mut err_lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
        let sink = stderr.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = err_lines.next_line().await {
                sink.lock().expect("lines").push(line);
            }
        });
        let mut out_lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let base = tokio::time::timeout(Duration::from_secs(120), async {
            while let Some(line) = out_lines.next_line().await.expect("stdout line") {
                if let Some(rest) = line.split("listening on ").nth(1) {
                    return rest.split_whitespace().next().expect("url").to_owned();
                }
            }
            panic!(
                "serve ended before listening: {:?}",
                stderr.lock().expect("lines")
            );
        })
        .await
        .expect("serve listens");
        tokio::spawn(async move { while let Ok(Some(_)) = out_lines.next_line().await {} });
        Self {
            child,
            base,
            stderr,
        }
    }

    fn signal(&self, name: &str) {
        let pid = self.child.id().expect("running").to_string();
        let status = std::process::Command::new("kill")
            .args([format!("-{name}"), pid])
            .status()
            .expect("kill command");
        assert!(status.success());
    }

    async fn exit_within(&mut self, bound: Duration) -> (std::process::ExitStatus, Duration) {
        let started = Instant::now();
        let status = tokio::time::timeout(bound, self.child.wait())
            .await
            .expect("exited within the bound")
            .expect("wait");
        (status, started.elapsed())
    }

    fn lines(&self) -> Vec<String> {
        self.stderr.lock().expect("lines").clone()
    }
}

fn serve_env<'a>(db: &'a TestDb, base: &'a str, bound: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("DATABASE_URL", db.url.as_str()),
        ("OPENAI_BASE_URL", base),
        ("OPENAI_ADMIN_KEY", ADMIN_KEY),
        ("COGNITRACK_MASTER_KEY", MASTER_KEY),
        ("COGNITRACK_PROVIDER_RPM", "0"),
        ("COGNITRACK_JWT_SECRET", JWT_SECRET),
        ("COGNITRACK_CRON_SECRET", SECRET),
        ("COGNITRACK_LOG_FORMAT", "json"),
        ("RUST_LOG", "info"),
        ("COGNITRACK_SHUTDOWN_TIMEOUT_SECS", bound),
    ]
}

async fn leases(db: &TestDb) -> Vec<job_lease::Model> {
    job_lease::Entity::find()
        .all(&db.conn)
        .await
        .expect("leases")
}

/// Starts `serve`, triggers the ingest job (which the mock holds), and
/// returns once the job holds its lease, with the pending cron answer.
async fn serve_with_a_running_job(
    db: &TestDb,
    mock: &MockProvider,
    env: &[(&str, &str)],
) -> (
    Served,
    tokio::task::JoinHandle<reqwest::Result<reqwest::Response>>,
) {
    let served = Served::start(env).await;
    let url = format!("{}/api/cron/ingest", served.base);
    let cron = tokio::spawn(async move {
        reqwest::Client::new()
            .post(url)
            .bearer_auth(SECRET)
            .send()
            .await
    });
    tokio::time::timeout(Duration::from_secs(60), mock.hung())
        .await
        .expect("the job reached the held request");
    let held = leases(db).await;
    assert!(held.iter().any(|l| l.name == "ingest"), "{held:?}");
    assert!(held.iter().any(|l| l.name.starts_with("run:")), "{held:?}");
    (served, cron)
}

async fn sigterm_stops_serve_cleanly_within_its_bound(backend: Backend) {
    let db = TestDb::fresh(backend).await;
    let mock = MockProvider::start(SimConfig {
        required_key: Some(ADMIN_KEY.into()),
        ..SimConfig::default()
    })
    .await;
    let base = mock.openai_base();

    // A job in flight when SIGTERM comes finishes, then the process exits 0.
    mock.inject(Rule::new("/usage/completions", Fault::Hang(Duration::from_secs(3))).times(1));
    let (mut served, cron) =
        serve_with_a_running_job(&db, &mock, &serve_env(&db, &base, "30")).await;
    let ping = reqwest::Client::new()
        .get(format!("{}/healthz", served.base))
        .header("x-request-id", "ops-request-id-1")
        .send()
        .await
        .expect("healthz");
    assert_eq!(ping.headers()["x-request-id"], "ops-request-id-1");
    served.signal("TERM");
    let (status, took) = served.exit_within(Duration::from_secs(40)).await;
    assert!(status.success(), "{status:?} {:#?}", served.lines());
    assert!(took < Duration::from_secs(30), "{took:?}");
    let answer = cron
        .await
        .expect("task")
        .expect("the in-flight request got its answer");
    assert_eq!(answer.status(), StatusCode::OK);
    let body: Value = answer.json().await.expect("json");
    assert_eq!(body["job"], "ingest", "{body}");
    assert!(leases(&db).await.is_empty(), "leases released");
    check_json_logs(&served.lines(), "ops-request-id-1");

    // Past its bound (1 s) with the job still held: exit non-zero with a
    // log line, leases released all the same.
    mock.clear_faults();
    mock.inject(Rule::new("/usage/completions", Fault::Hang(Duration::from_secs(600))).times(1));
    let (mut served, _cron) =
        serve_with_a_running_job(&db, &mock, &serve_env(&db, &base, "1")).await;
    served.signal("INT");
    let (status, took) = served.exit_within(Duration::from_secs(20)).await;
    assert!(!status.success(), "{status:?}");
    assert!(took < Duration::from_secs(15), "{took:?}");
    let lines = served.lines();
    assert!(
        lines.iter().any(|l| l.contains("unclean stop")),
        "{lines:#?}"
    );
    assert!(
        leases(&db).await.is_empty(),
        "leases released past the bound too"
    );
    // The run it left behind holds no lease: the next start settles it.
    mock.clear_faults();
    let mut next = Served::start(&serve_env(&db, &base, "30")).await;
    let runs = ingestion_run::Entity::find()
        .all(&db.conn)
        .await
        .expect("runs");
    assert!(
        runs.iter().any(|r| r.status == RunStatus::Abandoned),
        "{runs:#?}"
    );
    assert!(
        !runs.iter().any(|r| r.status == RunStatus::Running),
        "{runs:#?}"
    );
    next.signal("TERM");
    let (status, _) = next.exit_within(Duration::from_secs(40)).await;
    assert!(status.success(), "{status:?} {:#?}", next.lines());
    db.cleanup().await;
}

/// Every line is a JSON object; one carries the request id in its span;
/// the stop is logged; no secret is.
fn check_json_logs(lines: &[String], request_id: &str) {
    let objects: Vec<Value> = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?} is not JSON: {e}")))
        .collect();
    assert!(
        objects
            .iter()
            .any(|o| o["span"]["request_id"] == request_id),
        "{objects:#?}"
    );
    assert!(
        objects
            .iter()
            .any(|o| o["fields"]["message"] == "stopped cleanly"),
        "{objects:#?}"
    );
    for line in lines {
        for secret in [SECRET, JWT_SECRET, ADMIN_KEY, MASTER_KEY] {
            assert!(!line.contains(secret), "a secret in the log: {line}");
        }
    }
}

async fn a_killed_ingest_run_is_abandoned_at_the_next_start(backend: Backend) {
    let db = TestDb::fresh(backend).await;
    let mock = MockProvider::start(SimConfig {
        required_key: Some(ADMIN_KEY.into()),
        ..SimConfig::default()
    })
    .await;
    let base = mock.openai_base();
    let env = serve_env(&db, &base, "30");
    let (from, to) = (days_ago(10).to_string(), days_ago(1).to_string());
    let ingest = [
        "ingest",
        "--provider",
        "openai",
        "--start",
        &from,
        "--end",
        &to,
    ];
    mock.inject(Rule::new("/usage/completions", Fault::Hang(Duration::from_secs(600))).times(1));
    let mut child = cli::command(&ingest, &env)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    tokio::time::timeout(Duration::from_secs(120), mock.hung())
        .await
        .expect("the run reached the held request");
    child.kill().await.expect("SIGKILL");
    let killed = ingestion_run::Entity::find()
        .one(&db.conn)
        .await
        .expect("runs")
        .expect("the killed run");
    assert_eq!(killed.status, RunStatus::Running);
    let lease = format!("run:{}", killed.id);

    // Its lease is still fresh: another process cannot tell it from a run
    // live on another replica, and leaves it alone.
    mock.clear_faults();
    let rerun = cli::run(&ingest, &env).await;
    assert!(rerun.status.success(), "{}", cli::stderr(&rerun));
    assert_eq!(status_of(&db, killed.id).await, RunStatus::Running);

    // Once its lease has expired (as it does within the TTL when nobody
    // renews it), the next start settles it.
    job_lease::Entity::update_many()
        .col_expr(
            job_lease::Column::ExpiresAt,
            Expr::value(Utc::now() - chrono::Duration::seconds(1)),
        )
        .filter(job_lease::Column::Name.eq(lease.as_str()))
        .exec(&db.conn)
        .await
        .expect("expire");
    let again = cli::run(&ingest, &env).await;
    assert!(again.status.success(), "{}", cli::stderr(&again));
    assert!(
        cli::stderr(&again).contains("abandoned"),
        "{}",
        cli::stderr(&again)
    );
    assert_eq!(status_of(&db, killed.id).await, RunStatus::Abandoned);
    let rows = ingestion_run::Entity::find()
        .order_by_asc(ingestion_run::Column::Id)
        .all(&db.conn)
        .await
        .expect("runs");
    assert!(
        rows[1..].iter().all(|r| r.status == RunStatus::Succeeded),
        "{rows:#?}"
    );
    assert!(leases(&db).await.is_empty());

    // What the dashboard sees.
    let app = TestApp::serve(db, AppOptions::default()).await;
    let data = app
        .ok(
            Some(&app.token(Role::Viewer)),
            "{ ingestionRuns(first: 10) { edges { node { id status finishedAt } } } }",
            json!({}),
        )
        .await;
    let node = data["ingestionRuns"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| &e["node"])
        .find(|n| n["id"] == json!(killed.id.to_string()) || n["id"] == json!(killed.id))
        .cloned()
        .expect("the killed run over GraphQL");
    assert_eq!(node["status"], "ABANDONED", "{node}");
    assert!(!node["finishedAt"].is_null(), "{node}");
    app.stop().await;
}

async fn status_of(db: &TestDb, id: i64) -> RunStatus {
    ingestion_run::Entity::find_by_id(id)
        .one(&db.conn)
        .await
        .expect("run")
        .expect("exists")
        .status
}

both_backends!(
    sigterm_stops_serve_cleanly_within_its_bound,
    a_killed_ingest_run_is_abandoned_at_the_next_start,
);

/// `serve --demo` seeds the database `DATABASE_URL` names when it is set,
/// and otherwise a temporary SQLite file that a clean stop removes.
async fn serve_demo_honours_database_url(backend: Backend) {
    let db = TestDb::fresh(backend).await;
    let env = [
        ("DATABASE_URL", db.url.as_str()),
        ("COGNITRACK_MASTER_KEY", MASTER_KEY),
        ("COGNITRACK_LOG_FORMAT", "json"),
    ];
    let mut served = Served::start_with(&["--demo"], &env).await;
    served.signal("TERM");
    let (status, _) = served.exit_within(Duration::from_secs(40)).await;
    assert!(status.success(), "{status:?} {:#?}", served.lines());
    let buckets = entity::usage_bucket::Entity::find()
        .count(&db.conn)
        .await
        .expect("count");
    assert!(buckets > 0, "the demo seeded the given database");

    if backend == Backend::Sqlite {
        let tmp = std::env::temp_dir().join(format!("ct_test_demo_{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&tmp).expect("tmp dir");
        let tmp_str = tmp.to_str().expect("utf-8 path");
        let mut served = Served::start_with(
            &["--demo"],
            &[("TMPDIR", tmp_str), ("COGNITRACK_MASTER_KEY", MASTER_KEY)],
        )
        .await;
        let files = || std::fs::read_dir(&tmp).expect("read tmp").count();
        assert!(files() > 0, "the demo database lives in TMPDIR");
        served.signal("TERM");
        let (status, _) = served.exit_within(Duration::from_secs(40)).await;
        assert!(status.success(), "{status:?} {:#?}", served.lines());
        assert_eq!(files(), 0, "the demo database is removed on a clean stop");
        std::fs::remove_dir_all(&tmp).expect("remove tmp dir");
    }
    db.cleanup().await;
}

both_backends!(serve_demo_honours_database_url);
