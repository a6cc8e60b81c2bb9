//! Request limits (SECURITY.md): refused before any work and without a
//! token: a fragment bomb, an oversized body, too many aliases of an
//! expensive field; expensive queries wait in a gate cheap ones bypass.
use std::sync::Arc;
use std::time::Duration;

use api::auth::Role;
use api::limits::{LimitSettings, Limits};
use api::state::AppState;
use e2e::app::{Backend, JWT_SECRET, TestApp, TestDb, error_code};
use e2e::both_backends;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The real router over a fresh database, with the given limits (and a
/// dashboard folder when given).
pub struct Served {
    pub addr: std::net::SocketAddr,
    pub state: AppState,
    db: TestDb,
    server: tokio::task::JoinHandle<()>,
}

impl Served {
    pub async fn start(
        backend: Backend,
        settings: LimitSettings,
        dashboard: Option<&std::path::Path>,
    ) -> Self {
        let db = TestDb::fresh(backend).await;
        let mut state = AppState::new(
            db.conn.clone(),
            ledger::pricing::UnitRates::default(),
            JWT_SECRET.as_bytes(),
            None,
            ledger::providers::ProviderClients::new(Default::default()).expect("clients"),
            jobs::JobSettings::default(),
        )
        .await
        .expect("app state");
        state.limits = Arc::new(Limits::new(settings));
        let app = api::router::router(state.clone(), dashboard);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("serve");
        });
        Self {
            addr,
            state,
            db,
            server,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn token(&self, role: Role) -> String {
        api::auth::JwtKeys::new(JWT_SECRET.as_bytes())
            .mint("tester", role, chrono::Duration::hours(1))
            .expect("mint")
    }

    pub async fn gql(
        &self,
        bearer: Option<&str>,
        query: &str,
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let mut request = reqwest::Client::new()
            .post(self.url("/graphql"))
            .json(&json!({ "query": query }));
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (status, headers, response.json().await.expect("json body"))
    }

    pub async fn stop(self) {
        self.server.abort();
        self.db.cleanup().await;
    }
}

/// `fragment F1 on QueryRoot { ...F0 ...F0 }` … `F30`: 1.3 KB that expand
/// to 2^30 selections.
fn fragment_bomb() -> String {
    let mut query =
        String::from("query Bomb { ...F30 }\nfragment F0 on QueryRoot { __typename }\n");
    for i in 1..=30 {
        query.push_str(&format!(
            "fragment F{i} on QueryRoot {{ ...F{p} ...F{p} }}\n",
            p = i - 1
        ));
    }
    query
}

const ALL_DIMENSIONS: &str = "[PROJECT, API_KEY, USER, MODEL, SERVICE_TIER, BATCH, PROVIDER]";
const ROW: &str = "date group { provider projectId apiKeyId userId model serviceTier batch } \
    inputTokens inputCachedTokens inputCacheWriteTokens outputTokens inputAudioTokens \
    outputAudioTokens numModelRequests costUsd pricedCostUsd unpricedBuckets costEstimated";

/// `n` aliases of a year of `dailyUsage` grouped by every dimension.
fn aliases(n: usize) -> String {
    let fields: String = (0..n)
        .map(|i| {
            format!(
                "a{i}: dailyUsage(filter: {{from: \"2025-01-01\", to: \"2025-12-31\"}}, groupBy: {ALL_DIMENSIONS}) {{ {ROW} }}\n"
            )
        })
        .collect();
    format!("query Aliases {{\n{fields}}}")
}

/// The dashboard's overview over a year: four ranges of usage rows, stats
/// and connections (frontend/src/features/overview/queries.ts).
const OVERVIEW: &str = r#"
query OverviewSummary {
  previous: dailyUsage(filter: {from: "2024-01-01", to: "2024-12-31"}) { ...UsageRowFields }
  byProject: dailyUsage(filter: {from: "2025-01-01", to: "2025-12-31"}, groupBy: [PROJECT]) { ...UsageRowFields }
  byKey: dailyUsage(filter: {from: "2025-01-01", to: "2025-12-31"}, groupBy: [API_KEY]) { ...UsageRowFields }
  byModel: dailyUsage(filter: {from: "2025-01-01", to: "2025-12-31"}, groupBy: [MODEL]) { ...UsageRowFields }
  systemStats(from: "2025-01-01", to: "2025-12-31") { pricedTokenPercent priceVersionId sessions }
  providerConnections { id name provider isDemo completeThrough }
}
fragment UsageRowFields on DailyUsage {
  date group { provider projectId apiKeyId userId model serviceTier batch }
  inputTokens inputCachedTokens inputCacheWriteTokens outputTokens inputAudioTokens
  outputAudioTokens numModelRequests costUsd pricedCostUsd unpricedBuckets costEstimated
}
"#;

fn message(body: &Value) -> &str {
    body["errors"][0]["message"].as_str().unwrap_or_default()
}

/// Failure 1: the bomb used to keep a core busy for over 80 s. It is
/// refused, without a token, within the request timeout (a generous bound
/// proving it is not run), as the caller's error.
#[tokio::test]
async fn a_fragment_bomb_is_refused_quickly_without_a_token() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let bomb = fragment_bomb();
    assert!(bomb.len() < 1500, "{} bytes", bomb.len());
    let limit = api::limits::LimitSettings::default().request_timeout;
    let body = tokio::time::timeout(limit, app.gql(None, &bomb, json!({})))
        .await
        .expect("answered within the request timeout");
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert!(
        message(&body).contains("once its fragment spreads are expanded"),
        "{body}"
    );
    assert!(body.get("data").is_none_or(Value::is_null), "{body}");
    // The same with a token: refused before anything else.
    let viewer = app.token(Role::Viewer);
    let body = app.gql(Some(&viewer), &bomb, json!({})).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    app.stop().await;
}

/// Sends `head` and then up to `total` body bytes (as `chunked` transfer
/// coding or plain), and returns the status the server answered with.
/// The body is written while the answer is awaited: a server that answers
/// early is heard.
async fn raw_post(addr: std::net::SocketAddr, head: &str, total: usize, chunked: bool) -> u16 {
    let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let (mut read, mut write) = stream.into_split();
    write.write_all(head.as_bytes()).await.expect("head");
    let writer = tokio::spawn(async move {
        let chunk = vec![b' '; 64 * 1024];
        let mut sent = 0;
        while sent < total {
            let piece = if chunked {
                let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
                framed.extend_from_slice(&chunk);
                framed.extend_from_slice(b"\r\n");
                framed
            } else {
                chunk.clone()
            };
            if write.write_all(&piece).await.is_err() {
                return;
            }
            sent += chunk.len();
        }
        if chunked {
            let _ = write.write_all(b"0\r\n\r\n").await;
        }
    });
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
        match read.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&buffer[..n]),
        }
    }
    writer.abort();
    let text = String::from_utf8_lossy(&answer);
    text.split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"))
}

const FIFTY_MB: usize = 50 * 1024 * 1024;

/// Failure 2: 50 MB bodies were accepted on /graphql (200) without a
/// token. Declared or streamed, they get 413 now.
#[tokio::test]
async fn a_50_mb_body_to_graphql_gets_413_without_a_token() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let declared = format!(
        "POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {FIFTY_MB}\r\n\r\n"
    );
    assert_eq!(raw_post(app.addr, &declared, FIFTY_MB, false).await, 413);
    let streamed = "POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
    assert_eq!(raw_post(app.addr, streamed, FIFTY_MB, true).await, 413);
    let multipart = format!(
        "POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: multipart/form-data; boundary=b\r\ncontent-length: {}\r\n\r\n",
        api::limits::MULTIPART_MAX_BODY_BYTES + 1
    );
    assert_eq!(raw_post(app.addr, &multipart, 0, false).await, 413);

    // With reqwest, the way a client sends it: 413 and a GraphQL error.
    let response = reqwest::Client::new()
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body(vec![b' '; 5 * 1024 * 1024])
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.expect("json");
    assert_eq!(error_code(&body), Some("PAYLOAD_TOO_LARGE"), "{body}");
    // Within the cap, GraphQL still answers.
    let body = app.gql(None, "{ __typename }", json!({})).await;
    assert_eq!(body["data"]["__typename"], "QueryRoot");
    app.stop().await;
}

/// The JSON body is read as one request: a batch (an array) and a body
/// that is not a request get 400 and `BAD_USER_INPUT` before any token is
/// looked at; a request after white space, with variables, is answered.
#[tokio::test]
async fn a_batch_or_a_body_that_is_not_a_request_gets_400() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let post = |body: &'static str| {
        reqwest::Client::new()
            .post(app.url("/graphql"))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    for (body, says) in [
        (
            r#" [{"query": "{ __typename }"}]"#,
            "batched GraphQL requests are not supported",
        ),
        (r#"{"query": 5}"#, "not a GraphQL request"),
        (r#"{"query": "{ __typename }""#, "not a GraphQL request"),
    ] {
        let response = post(body).await.expect("send");
        assert_eq!(response.status(), 400, "{body}");
        let answer: Value = response.json().await.expect("json");
        assert_eq!(error_code(&answer), Some("BAD_USER_INPUT"), "{answer}");
        assert!(message(&answer).contains(says), "{body}: {answer}");
    }
    let response = post(
        r#"
          {"query": "query($n: String!) { __type(name: $n) { name } }", "variables": {"n": "QueryRoot"}}"#,
    )
        .await
        .expect("send");
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.expect("json");
    assert_eq!(answer["data"]["__type"]["name"], "QueryRoot", "{answer}");
    app.stop().await;
}

/// Failure 3: 500 aliases of a year of `dailyUsage` grouped by every
/// dimension passed, ran 11 s and returned 118 MB. Refused now (root
/// fields), as are 10 (complexity counts each alias); a year-long
/// dashboard overview still runs.
async fn aliases_of_expensive_fields_are_refused_and_the_dashboard_passes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let viewer = app.token(Role::Viewer);
    for bearer in [None, Some(viewer.as_str())] {
        let body = app.gql(bearer, &aliases(500), json!({})).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
        assert!(message(&body).contains("500 root fields"), "{body}");
    }
    let body = app.gql(Some(&viewer), &aliases(10), json!({})).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert!(message(&body).contains("too complex"), "{body}");

    let data = app.ok(Some(&viewer), &aliases(1), json!({})).await;
    assert!(data["a0"].is_array(), "{data}");
    let data = app.ok(Some(&viewer), OVERVIEW, json!({})).await;
    // Ungrouped rows are zero-filled: one per day of 2024.
    assert_eq!(data["previous"].as_array().map(Vec::len), Some(366));
    assert!(data["systemStats"].is_object());
    app.stop().await;
}

/// Failure 9: expensive queries run a few at a time; when their permits are
/// all taken, another expensive one is told to retry (503 BUSY) while cheap
/// queries are served at once.
async fn expensive_queries_cannot_starve_cheap_ones(backend: Backend) {
    let settings = LimitSettings {
        expensive_concurrency: 2,
        queue_wait: Duration::ZERO,
        ..LimitSettings::default()
    };
    let app = Served::start(backend, settings, None).await;
    let viewer = app.token(Role::Viewer);
    let permits = app.state.limits.expensive_permits().clone();
    let held = permits.acquire_many_owned(2).await.expect("permits");

    let (status, headers, body) = app.gql(Some(&viewer), &aliases(1)).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(error_code(&body), Some("BUSY"), "{body}");
    assert_eq!(headers["retry-after"], "1");
    let cheap =
        "{ dailyUsage(filter: {from: \"2025-01-01\", to: \"2025-01-07\"}) { date inputTokens } }";
    let (status, _, body) = app.gql(Some(&viewer), cheap).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("errors").is_none(), "{body}");

    drop(held);
    let (status, _, body) = app.gql(Some(&viewer), &aliases(1)).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
    app.stop().await;
}

/// A query that does not finish in time is stopped with 503 TIMEOUT (here
/// it waits for a permit the test holds; the timeout is shorter).
async fn a_query_past_its_time_limit_gets_503(backend: Backend) {
    let settings = LimitSettings {
        expensive_concurrency: 1,
        queue_wait: Duration::from_secs(600),
        request_timeout: Duration::from_millis(300),
        ..LimitSettings::default()
    };
    let app = Served::start(backend, settings, None).await;
    let viewer = app.token(Role::Viewer);
    let _held = app
        .state
        .limits
        .expensive_permits()
        .clone()
        .acquire_owned()
        .await
        .expect("permit");
    let (status, _, body) = app.gql(Some(&viewer), &aliases(1)).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(error_code(&body), Some("TIMEOUT"), "{body}");
    app.stop().await;
}

/// Each ingest key has its own write rate (GraphQL, `/v1/interactions`
/// and OTLP share it):
/// past it, 429 `RATE_LIMITED` with `Retry-After`, nothing stored; another
/// key is served as before.
async fn an_ingest_key_over_its_rate_gets_429_and_writes_nothing(backend: Backend) {
    use sea_orm::{EntityTrait, PaginatorTrait};
    let three_an_hour = governor::Quota::with_period(Duration::from_secs(1_200))
        .expect("period")
        .allow_burst(std::num::NonZeroU32::new(3).expect("three"));
    let settings = LimitSettings {
        ingest_quota: Some(three_an_hour),
        ..LimitSettings::default()
    };
    let app = Served::start(backend, settings, None).await;
    let start = "mutation { startSession(input: {userId: \"u\"}) { id } }";
    let record = |session: &str| {
        format!(
            "mutation {{ recordInteraction(input: {{sessionId: \"{session}\", kind: CHAT, model: \"gpt-4o\", inputTokens: 10}}) {{ id }} }}"
        )
    };
    let mut keys = Vec::new();
    for name in ["busy", "quiet"] {
        let secret = ledger::tracking::keys::create(&app.state.db, name)
            .await
            .expect("key")
            .secret;
        let (status, _, body) = app.gql(Some(&secret), start).await;
        assert_eq!(status, 200, "{body}");
        let session = body["data"]["startSession"]["id"]
            .as_str()
            .expect("session id")
            .to_owned();
        keys.push((secret, session));
    }
    let [(busy, busy_session), (quiet, quiet_session)] = &keys[..] else {
        unreachable!("two keys")
    };
    for _ in 0..2 {
        let (status, _, body) = app.gql(Some(busy), &record(busy_session)).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.get("errors").is_none(), "{body}");
    }
    let (status, headers, body) = app.gql(Some(busy), &record(busy_session)).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(error_code(&body), Some("RATE_LIMITED"), "{body}");
    let retry: u64 = headers["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((60..=1_200).contains(&retry), "Retry-After {retry}");

    let span = e2e::otlp::span(1, 1, e2e::otlp::nanos("2025-03-01T10:00:00Z"), Vec::new());
    let export = e2e::otlp::protobuf(&e2e::otlp::request("svc", Vec::new(), vec![span]));
    let response = e2e::otlp::post(
        &reqwest::Client::new(),
        &app.url("/v1/traces"),
        Some(busy),
        "application/x-protobuf",
        export,
        false,
    )
    .await;
    assert_eq!(response.status().as_u16(), 429);
    assert!(response.headers().contains_key("retry-after"));

    let response = reqwest::Client::new()
        .post(app.url("/v1/interactions"))
        .bearer_auth(busy)
        .json(&json!({"interactions": [{"sessionId": busy_session, "kind": "DB", "dbOps": 1}]}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 429);
    assert!(response.headers().contains_key("retry-after"));
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(error_code(&body), Some("RATE_LIMITED"), "{body}");

    let (status, _, body) = app.gql(Some(quiet), &record(quiet_session)).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
    let stored = entity::interaction::Entity::find()
        .count(&app.state.db)
        .await
        .expect("count");
    assert_eq!(stored, 3, "two from the busy key, one from the quiet one");
    app.stop().await;
}

both_backends!(
    an_ingest_key_over_its_rate_gets_429_and_writes_nothing,
    aliases_of_expensive_fields_are_refused_and_the_dashboard_passes,
    expensive_queries_cannot_starve_cheap_ones,
    a_query_past_its_time_limit_gets_503,
);
