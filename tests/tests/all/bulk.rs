//! `POST /v1/interactions`: the same batch as GraphQL's
//! `recordInteractions`, as plain JSON, over real HTTP on both stores.
use e2e::app::{Backend, TestApp, error_code};
use e2e::both_backends;
use reqwest::StatusCode;
use serde_json::{Value, json};

const RECORD: &str = "mutation($inputs: [InteractionInput!]!) { recordInteractions(inputs: $inputs) { id totalUsd } }";
const LIST: &str = "query($id: ID!) { interactions(filter: {sessionId: $id}, first: 100) { edges { node { id kind occurredAt durationMs status provider model projectId apiKeyId serviceTier batch inputTokens cachedInputTokens cacheWriteTokens outputTokens dbOps apiCalls computeMs priced aiTokensUsd dbOpsUsd apiCallsUsd computeUsd explicitUsd totalUsd priceVersionId idempotencyKey metadata } } } }";

async fn start(app: &TestApp, key: &str, user: &str) -> String {
    let data = app
        .ok(
            Some(key),
            "mutation($u: String!) { startSession(input: {userId: $u}) { id } }",
            json!({ "u": user }),
        )
        .await;
    data["startSession"]["id"]
        .as_str()
        .expect("session id")
        .to_owned()
}

/// POSTs `body` (already JSON text) with `content_type`; the status and
/// the parsed answer.
async fn post_raw(
    app: &TestApp,
    bearer: Option<&str>,
    content_type: &str,
    body: String,
) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new()
        .post(app.url("/v1/interactions"))
        .header("content-type", content_type)
        .body(body);
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    let text = response.text().await.expect("body");
    let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{status}: {text}: {e}"));
    (status, value)
}

async fn post(app: &TestApp, bearer: Option<&str>, interactions: Value) -> (StatusCode, Value) {
    post_raw(
        app,
        bearer,
        "application/json",
        json!({ "interactions": interactions }).to_string(),
    )
    .await
}

/// Every stored interaction of `session`, oldest first, without the
/// fields that differ between two sessions (ids).
async fn listed(app: &TestApp, viewer: &str, session: &str) -> Vec<Value> {
    let data = app.ok(Some(viewer), LIST, json!({ "id": session })).await;
    data["interactions"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|edge| {
            let mut node = edge["node"].clone();
            node.as_object_mut().expect("node").remove("id");
            node
        })
        .collect()
}

/// A chat priced by the price book, a cached-input chat, an unknown
/// model, a DB call, an API call and an explicit cost: what one batch can
/// hold, in one form for both routes.
fn sample(session: &str, tag: &str) -> Value {
    json!([
        {"sessionId": session, "kind": "CHAT", "provider": "openai", "model": "gpt-4o-mini-2024-07-18",
         "inputTokens": 12000, "cachedInputTokens": 2000, "outputTokens": 900, "durationMs": 850,
         "status": "ok", "projectId": "proj_1", "apiKeyId": "key_1", "serviceTier": "default",
         "occurredAt": "2026-11-20T10:00:00Z", "idempotencyKey": format!("{tag}-1"),
         "metadata": {"route": "/chat", "n": 1}},
        {"sessionId": session, "kind": "CHAT", "provider": "anthropic", "model": "claude-3-5-haiku-latest",
         "inputTokens": 5000, "cacheWriteTokens": 1000, "outputTokens": 10, "batch": true,
         "occurredAt": "2026-11-20T10:00:01Z"},
        {"sessionId": session, "kind": "CHAT", "provider": "openai", "model": "no-such-model",
         "inputTokens": 10, "outputTokens": 10, "occurredAt": "2026-11-20T10:00:02Z"},
        {"sessionId": session, "kind": "DB", "dbOps": 4000, "computeMs": 1500, "occurredAt": "2026-11-20T10:00:03Z"},
        {"sessionId": session, "kind": "API", "apiCalls": 3, "occurredAt": "2026-11-20T10:00:04Z"},
        {"sessionId": session, "kind": "COST_EVENT", "costUsd": "0.125001", "occurredAt": "2026-11-20T10:00:05Z"}
    ])
}

async fn stores_what_graphql_stores(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let key = app.ingest_key().await;
    let viewer = app.token(api::auth::Role::Viewer);
    let through_graphql = start(&app, &key, "alice").await;
    let through_json = start(&app, &key, "alice").await;

    let graphql = app
        .ok(
            Some(&key),
            RECORD,
            json!({ "inputs": sample(&through_graphql, "g") }),
        )
        .await;
    let (status, answer) = post(&app, Some(&key), sample(&through_json, "j")).await;
    assert_eq!(status, StatusCode::OK, "{answer}");

    let graphql = graphql["recordInteractions"].as_array().expect("rows");
    let answered = answer["interactions"].as_array().expect("rows");
    assert_eq!(answered.len(), 6, "{answer}");
    assert_eq!(graphql.len(), answered.len());
    for (g, j) in graphql.iter().zip(answered) {
        assert_eq!(g["totalUsd"], j["totalUsd"], "{g} / {j}");
    }
    // The unknown model is unpriced (null), never free.
    assert_eq!(answered[2]["totalUsd"], Value::Null, "{answer}");
    assert_eq!(answered[5]["totalUsd"], json!("0.125001"), "{answer}");

    let mut stored_graphql = listed(&app, &viewer, &through_graphql).await;
    let mut stored_json = listed(&app, &viewer, &through_json).await;
    assert_eq!(stored_json.len(), 6);
    // Only the idempotency keys were chosen differently.
    for row in stored_graphql.iter_mut().chain(stored_json.iter_mut()) {
        row.as_object_mut().expect("row").remove("idempotencyKey");
    }
    assert_eq!(stored_graphql, stored_json);
    app.stop().await;
}

async fn a_retry_is_stored_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let key = app.ingest_key().await;
    let viewer = app.token(api::auth::Role::Viewer);
    let session = start(&app, &key, "bob").await;
    let batch = json!([
        {"sessionId": session, "kind": "DB", "dbOps": 7, "idempotencyKey": "r-1"},
        {"sessionId": session, "kind": "API", "apiCalls": 2, "idempotencyKey": "r-2"}
    ]);
    let (status, first) = post(&app, Some(&key), batch.clone()).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let (status, again) = post(&app, Some(&key), batch).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(first, again);
    assert_eq!(listed(&app, &viewer, &session).await.len(), 2);

    // The same key with another payload: refused, and the batch's fresh
    // row is not stored either.
    let changed = json!([
        {"sessionId": session, "kind": "DB", "dbOps": 1},
        {"sessionId": session, "kind": "DB", "dbOps": 8, "idempotencyKey": "r-1"}
    ]);
    let (status, body) = post(&app, Some(&key), changed).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(listed(&app, &viewer, &session).await.len(), 2);
    app.stop().await;
}

async fn bad_batches_change_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let key = app.ingest_key().await;
    let viewer = app.token(api::auth::Role::Viewer);
    let session = start(&app, &key, "carol").await;
    let good = json!({"sessionId": session, "kind": "DB", "dbOps": 1});
    let with = |bad: Value| json!([good.clone(), bad]);
    let too_many: Vec<Value> = (0..1_001).map(|_| good.clone()).collect();
    let cases = [
        (
            "a negative count",
            with(
                json!({"sessionId": session, "kind": "CHAT", "model": "gpt-4o", "inputTokens": -5}),
            ),
        ),
        (
            "a count past its maximum",
            with(json!({"sessionId": session, "kind": "DB", "dbOps": 1_000_000_001_i64})),
        ),
        (
            "a count past i64",
            with(
                json!({"sessionId": session, "kind": "DB", "dbOps": 9_223_372_036_854_775_808_u64}),
            ),
        ),
        (
            "a fractional count",
            with(json!({"sessionId": session, "kind": "DB", "dbOps": 1.5})),
        ),
        (
            "a control character",
            with(json!({"sessionId": session, "kind": "DB", "status": "o\u{0}k"})),
        ),
        (
            "an unknown kind",
            with(json!({"sessionId": session, "kind": "SLEEP"})),
        ),
        (
            "an unknown field",
            with(json!({"sessionId": session, "kind": "DB", "dbOpz": 1})),
        ),
        (
            "a cost as a JSON number",
            with(json!({"sessionId": session, "kind": "COST_EVENT", "costUsd": 0.1})),
        ),
        (
            "a malformed time",
            with(json!({"sessionId": session, "kind": "DB", "occurredAt": "2026-13-01T00:00:00Z"})),
        ),
        ("a missing session id", with(json!({"kind": "DB"}))),
        ("1,001 interactions", Value::Array(too_many)),
    ];
    for (what, interactions) in cases {
        let (status, body) = post(&app, Some(&key), interactions).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {body}");
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{what}: {body}");
    }
    let (status, body) = post(
        &app,
        Some(&key),
        with(json!({"sessionId": "00000000-0000-0000-0000-000000000000", "kind": "DB"})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");

    let bodies = [
        (
            "not JSON",
            "application/json",
            "{\"interactions\": [".to_owned(),
        ),
        ("not a batch", "application/json", "[]".to_owned()),
        (
            "a second top-level field",
            "application/json",
            json!({"interactions": [good], "extra": 1}).to_string(),
        ),
    ];
    for (what, content_type, body) in bodies {
        let (status, body) = post_raw(&app, Some(&key), content_type, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {body}");
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{what}: {body}");
    }
    let (status, body) = post_raw(
        &app,
        Some(&key),
        "text/plain",
        json!({ "interactions": [good] }).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");

    // Over the body cap (4 MiB by default): 413 before anything is parsed.
    let padding = "x".repeat(5 * 1024 * 1024);
    let (status, body) = post(
        &app,
        Some(&key),
        json!([{"sessionId": session, "kind": "DB", "status": padding}]),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");

    assert_eq!(listed(&app, &viewer, &session).await, Vec::<Value>::new());
    app.stop().await;
}

async fn only_an_ingest_key_may_write(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let key = app.ingest_key().await;
    let session = start(&app, &key, "dave").await;
    let batch = json!([{"sessionId": session, "kind": "DB", "dbOps": 1}]);
    let admin = app.token(api::auth::Role::Admin);
    let cases = [
        (None, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED"),
        (
            Some("ct_not_a_key"),
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
        ),
        (
            Some("not.a.jwt"),
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
        ),
        (Some(admin.as_str()), StatusCode::FORBIDDEN, "FORBIDDEN"),
    ];
    for (bearer, expected, code) in cases {
        let (status, body) = post(&app, bearer, batch.clone()).await;
        assert_eq!(status, expected, "{bearer:?}: {body}");
        assert_eq!(error_code(&body), Some(code), "{bearer:?}: {body}");
        if let Some(bearer) = bearer {
            assert!(!body.to_string().contains(bearer), "{body}");
        }
    }
    let viewer = app.token(api::auth::Role::Viewer);
    assert_eq!(listed(&app, &viewer, &session).await, Vec::<Value>::new());
    app.stop().await;
}

both_backends!(
    stores_what_graphql_stores,
    a_retry_is_stored_once,
    bad_batches_change_nothing,
    only_an_ingest_key_may_write
);
