//! Input rules, the same on SQLite and PostgreSQL: control characters in
//! ids, labels, metadata and filters, counts past their maxima and
//! metadata past its caps are `BAD_USER_INPUT` with nothing stored, and a
//! ledger filled to the maxima adds up exactly.
use api::auth::Role;
use e2e::app::{Backend, TestApp, dec, error_code};
use e2e::both_backends;
use entity::{interaction, interaction_daily, session};
use rust_decimal::Decimal;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

const DAY: &str = "2026-11-20";
const AT: &str = "2026-11-20T10:00:00Z";
const MODEL: &str = "gpt-4o-mini-2024-07-18";
const START: &str = "mutation($i: StartSessionInput!) { startSession(input: $i) { id metadata } }";
const RECORD: &str = "mutation($i: [InteractionInput!]!) { recordInteractions(inputs: $i) { id metadata aiTokensUsd totalUsd } }";

const MAX_TOKENS: i64 = 1_000_000_000;
const MAX_OPERATIONS: i64 = 1_000_000_000;
const MAX_MILLIS: i64 = 86_400_000;
const MAX_METADATA_BYTES: usize = 16 * 1024;

/// Rows in the tables a refused input must leave alone.
async fn stored(app: &TestApp) -> [u64; 3] {
    let db = &app.state.db;
    [
        session::Entity::find().count(db).await.expect("sessions"),
        interaction::Entity::find()
            .count(db)
            .await
            .expect("interactions"),
        interaction_daily::Entity::find()
            .count(db)
            .await
            .expect("rollup"),
    ]
}

/// Sends a request that must be refused as the caller's fault.
async fn refused(app: &TestApp, bearer: &str, query: &str, variables: Value) -> String {
    let body = app.gql(Some(bearer), query, variables.clone()).await;
    assert_eq!(
        error_code(&body),
        Some("BAD_USER_INPUT"),
        "{variables} gave {body}"
    );
    body["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn start(app: &TestApp, key: &str, user: &str) -> String {
    let data = app
        .ok(Some(key), START, json!({"i": {"userId": user}}))
        .await;
    data["startSession"]["id"].as_str().expect("id").to_owned()
}

fn chat(session: &str) -> Value {
    json!({"sessionId": session, "kind": "CHAT", "provider": "openai", "model": MODEL,
           "inputTokens": 10, "outputTokens": 5, "occurredAt": AT})
}

/// `base` with `field` set to `value`.
fn with(base: &Value, field: &str, value: Value) -> Value {
    let mut out = base.clone();
    out[field] = value;
    out
}

async fn control_characters_are_refused_in_every_tracking_input(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let key = app.ingest_key().await;
    let session = start(&app, &key, "alice").await;
    let before = stored(&app).await;

    for input in [
        json!({"userId": "al\u{0}ice"}),
        json!({"userId": "alice\n"}),
        json!({"userId": "\t"}),
        json!({"userId": "a", "externalId": "ext\u{0}"}),
        json!({"userId": "a", "externalId": "ext\u{1b}[0m"}),
        json!({"userId": "a", "metadata": {"k\u{0}": 1}}),
        json!({"userId": "a", "metadata": {"k": "v\u{0}"}}),
        json!({"userId": "a", "metadata": {"k": {"deeper": ["\u{7}"]}}}),
    ] {
        refused(&app, &key, START, json!({"i": input})).await;
    }

    let base = chat(&session);
    let cases = [
        ("model", json!("gpt-4o-mini\u{0}")),
        ("model", json!("gpt-4o-mini\n")),
        ("provider", json!("open\u{0}ai")),
        ("projectId", json!("proj\u{0}")),
        ("apiKeyId", json!("key\t1")),
        ("serviceTier", json!("default\r")),
        ("status", json!("ok\u{85}")),
        ("idempotencyKey", json!("retry\u{0}")),
        ("idempotencyKey", json!("retry\n")),
        ("sessionId", json!(format!("{session}\u{0}"))),
        ("metadata", json!({"k\u{0}": 1})),
        ("metadata", json!({"k": "\u{0}"})),
        ("metadata", json!({"k": ["fine", "\u{1f}"]})),
    ];
    for (field, value) in cases {
        // A valid interaction first: the batch is refused whole.
        let batch = json!([base.clone(), with(&base, field, value)]);
        let message = refused(&app, &key, RECORD, json!({"i": batch})).await;
        assert!(message.contains("control characters"), "{field}: {message}");
    }
    let single = with(&base, "model", json!("m\u{0}"));
    refused(
        &app,
        &key,
        "mutation($i: InteractionInput!) { recordInteraction(input: $i) { id } }",
        json!({"i": single}),
    )
    .await;
    refused(
        &app,
        &key,
        "mutation($id: ID!) { endSession(id: $id) { id } }",
        json!({"id": format!("{session}\u{0}")}),
    )
    .await;
    assert_eq!(stored(&app).await, before, "nothing stored");

    // Free text inside metadata keeps its tabs and newlines, on both stores.
    let note = json!({"error": "line 1\n\tline 2\r\n", "nested": {"é": "名前"}});
    let data = app
        .ok(
            Some(&key),
            RECORD,
            json!({"i": [with(&base, "metadata", note.clone())]}),
        )
        .await;
    assert_eq!(data["recordInteractions"][0]["metadata"], note);
    app.stop().await;
}

async fn control_characters_are_refused_in_every_filter(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let viewer = app.token(Role::Viewer);
    let daily = "query($f: UsageFilter!) { dailyUsage(filter: $f) { date inputTokens } }";
    let buckets = "query($f: UsageFilter!) { usageBuckets(filter: $f) { edges { node { id } } } }";
    for list in [
        "projectIds",
        "apiKeyIds",
        "userIds",
        "models",
        "serviceTiers",
    ] {
        for bad in ["a\u{0}b", "tab\there", "\u{9f}"] {
            let filter = json!({"from": DAY, "to": DAY, list: ["fine", bad]});
            let message = refused(&app, &viewer, daily, json!({"f": filter})).await;
            assert!(message.contains(list), "{message}");
            refused(&app, &viewer, buckets, json!({"f": filter})).await;
        }
    }
    let many: Vec<String> = (0..=1000).map(|i| format!("m{i}")).collect();
    let message = refused(
        &app,
        &viewer,
        daily,
        json!({"f": {"from": DAY, "to": DAY, "models": many}}),
    )
    .await;
    assert!(message.contains("at most 1000"), "{message}");

    let sessions = "query($f: SessionFilter) { sessions(filter: $f) { edges { node { id } } } }";
    refused(&app, &viewer, sessions, json!({"f": {"userId": "u\u{0}"}})).await;
    let interactions =
        "query($f: InteractionFilter) { interactions(filter: $f) { edges { node { id } } } }";
    for filter in [
        json!({"userId": "u\u{0}"}),
        json!({"sessionId": "s\u{0}"}),
        json!({"metadata": [{"key": "service.name", "value": "check\u{0}out"}]}),
        json!({"metadata": [{"key": "service\u{0}name", "value": "checkout"}]}),
    ] {
        refused(&app, &viewer, interactions, json!({"f": filter})).await;
    }
    for query in [
        "{ session(id: \"s\\u0000\") { id } }",
        "{ userStats(userId: \"u\\u0000\") { sessions } }",
        "{ dailyStats(from: \"2026-11-20\", to: \"2026-11-20\", userId: \"u\\u0000\") { date } }",
    ] {
        refused(&app, &viewer, query, json!({})).await;
    }

    // Ordinary non-ASCII values are filters like any other.
    let fine = json!({"from": DAY, "to": DAY, "userIds": ["é", "名前"], "models": [MODEL]});
    let data = app.ok(Some(&viewer), daily, json!({"f": fine})).await;
    assert_eq!(data["dailyUsage"][0]["inputTokens"], 0);
    app.stop().await;
}

async fn counts_past_their_maximum_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let key = app.ingest_key().await;
    let session = start(&app, &key, "alice").await;
    let before = stored(&app).await;
    let base = chat(&session);
    let fields = [
        ("inputTokens", MAX_TOKENS),
        ("cachedInputTokens", MAX_TOKENS),
        ("cacheWriteTokens", MAX_TOKENS),
        ("outputTokens", MAX_TOKENS),
        ("dbOps", MAX_OPERATIONS),
        ("apiCalls", MAX_OPERATIONS),
        ("computeMs", MAX_MILLIS),
        ("durationMs", MAX_MILLIS),
    ];
    for (field, max) in fields {
        for value in [max + 1, 1 << 62, i64::MAX, -1, i64::MIN] {
            let batch = json!([base.clone(), with(&base, field, json!(value))]);
            let message = refused(&app, &key, RECORD, json!({"i": batch})).await;
            assert!(
                message.contains(&format!("{field} must be between 0 and {max}")),
                "{message}"
            );
        }
    }
    // Past i64, fractions and exponents: refused by the GraphQL layer.
    for raw in ["9223372036854775808", "1e30", "1.5"] {
        let query = format!(
            "mutation {{ recordInteraction(input: {{sessionId: \"{session}\", kind: CHAT, model: \"m\", inputTokens: {raw}}}) {{ id }} }}"
        );
        refused(&app, &key, &query, json!({})).await;
    }
    let event = json!({"sessionId": session, "kind": "COST_EVENT", "occurredAt": AT});
    for usd in [
        "1000000000.000001",
        "79228162514264337593543950335",
        "-0.000001",
    ] {
        let message = refused(
            &app,
            &key,
            RECORD,
            json!({"i": [with(&event, "costUsd", json!(usd))]}),
        )
        .await;
        assert!(message.contains("costUsd"), "{message}");
    }
    assert_eq!(stored(&app).await, before, "nothing stored");
    app.stop().await;
}

/// One interaction at every maximum: 5·10^8 cached and 5·10^8 uncached
/// input tokens, 10^9 output tokens, 10^9 db ops and API calls, a day of
/// compute and duration.
fn at_the_maxima(session: &str) -> Value {
    json!({"sessionId": session, "kind": "CHAT", "provider": "openai", "model": MODEL,
        "projectId": "proj", "apiKeyId": "key", "inputTokens": MAX_TOKENS,
        "cachedInputTokens": MAX_TOKENS / 2, "outputTokens": MAX_TOKENS,
        "dbOps": MAX_OPERATIONS, "apiCalls": MAX_OPERATIONS, "computeMs": MAX_MILLIS,
        "durationMs": MAX_MILLIS, "occurredAt": AT})
}

/// The price of [`at_the_maxima`]'s tokens from genai-prices, and the
/// same from the per-million list prices ($0.15 input, $0.075 cached,
/// $0.60 output) in exact decimals: $75 + $37.50 + $600.
fn ai_usd_at_the_maxima() -> Decimal {
    use genai_prices::{PriceRequest, Usage, UsageKey};
    let usage = Usage::from([
        (UsageKey::INPUT_TOKENS, 1e9),
        (UsageKey::CACHE_READ_TOKENS, 5e8),
        (UsageKey::OUTPUT_TOKENS, 1e9),
    ]);
    let noon: chrono::DateTime<chrono::Utc> = "2026-11-20T12:00:00Z".parse().expect("time");
    let calculated = genai_prices::calculate(
        &PriceRequest::new(MODEL, &usage)
            .with_provider_id("openai")
            .with_timestamp(noon),
    )
    .expect("priced")
    .total_price;
    let listed = Decimal::new(7125, 1);
    assert_eq!(
        Decimal::from_f64_retain(calculated)
            .expect("finite")
            .round_dp(6),
        listed
    );
    listed
}

async fn a_full_batch_at_the_maxima_adds_up_exactly(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let key = app.ingest_key().await;
    let viewer = app.token(Role::Viewer);
    let session = start(&app, &key, "alice").await;
    let batch: Vec<Value> = (0..1000).map(|_| at_the_maxima(&session)).collect();
    let data = app.ok(Some(&key), RECORD, json!({"i": batch})).await;

    // Per interaction, exactly: tokens, then 10^9 db ops at 250 nano-USD,
    // 10^9 API calls at 400 micro-USD, 86,400 s of compute at 20 micro-USD.
    let ai = ai_usd_at_the_maxima();
    let one = ai + Decimal::from(250) + Decimal::from(400_000) + Decimal::new(1_728, 3);
    let rows = data["recordInteractions"].as_array().expect("rows");
    assert_eq!(rows.len(), 1000);
    for row in rows {
        assert_eq!(dec(&row["aiTokensUsd"]), ai);
        assert_eq!(dec(&row["totalUsd"]), one);
    }

    let n = 1000_i128;
    let totals = app
        .ok(
            Some(&viewer),
            "query($s: ID!, $d: Date!) {
                session(id: $s) { interactionCount totalCostUsd }
                dailyStats(from: $d, to: $d, userId: \"alice\") { usage { ...all } }
                userStats(userId: \"alice\") { usage { ...all } }
                systemStats(from: $d, to: $d) { tracked { ...all } }
                attribution(from: $d, to: $d) { totals { app { tokens costUsd } } }
            }
            fragment all on TrackedUsage { interactions inputTokens cachedInputTokens outputTokens
                dbOps apiCalls computeMs durationMs aiTokensUsd totalUsd }",
            json!({"s": session, "d": DAY}),
        )
        .await;
    assert_eq!(totals["session"]["interactionCount"], 1000);
    assert_eq!(
        dec(&totals["session"]["totalCostUsd"]),
        one * Decimal::from(n)
    );
    let expected = [
        ("interactions", n),
        ("inputTokens", n * i128::from(MAX_TOKENS)),
        ("cachedInputTokens", n * i128::from(MAX_TOKENS / 2)),
        ("outputTokens", n * i128::from(MAX_TOKENS)),
        ("dbOps", n * i128::from(MAX_OPERATIONS)),
        ("apiCalls", n * i128::from(MAX_OPERATIONS)),
        ("computeMs", n * i128::from(MAX_MILLIS)),
        ("durationMs", n * i128::from(MAX_MILLIS)),
    ];
    for usage in [
        &totals["dailyStats"][0]["usage"],
        &totals["userStats"]["usage"],
        &totals["systemStats"]["tracked"],
    ] {
        for (field, want) in expected {
            assert_eq!(usage[field].as_i64().map(i128::from), Some(want), "{field}");
        }
        assert_eq!(dec(&usage["aiTokensUsd"]), ai * Decimal::from(n));
        assert_eq!(dec(&usage["totalUsd"]), one * Decimal::from(n));
    }
    let app_side = &totals["attribution"]["totals"]["app"];
    assert_eq!(
        app_side["tokens"].as_i64().map(i128::from),
        Some(n * 2 * i128::from(MAX_TOKENS))
    );
    assert_eq!(dec(&app_side["costUsd"]), ai * Decimal::from(n));

    // One interaction past a maximum refuses its batch, and nothing moves.
    let before = stored(&app).await;
    let over = with(
        &at_the_maxima(&session),
        "outputTokens",
        json!(MAX_TOKENS + 1),
    );
    let batch = json!([at_the_maxima(&session), over]);
    refused(&app, &key, RECORD, json!({"i": batch})).await;
    assert_eq!(stored(&app).await, before);
    app.stop().await;
}

/// At the dearest API-call rate an admin may set ($1 a call), 10^9 calls
/// cost $10^9: 9,223 of them fill a session's and a day's 64-bit total;
/// the next is refused, on both stores, instead of wrapping or failing.
async fn totals_at_the_edge_of_the_range_refuse_the_batch(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.token(Role::Admin);
    let key = app.ingest_key().await;
    let viewer = app.token(Role::Viewer);
    app.ok(
        Some(&admin),
        "mutation { setUnitRates(input: {effectiveFrom: \"2026-01-01\", dbOpNanos: 250, apiCallMicros: 1000000, computeSecondMicros: 20}) { apiCallMicros } }",
        json!({}),
    )
    .await;
    let session = start(&app, &key, "alice").await;
    let call =
        json!({"sessionId": session, "kind": "API", "apiCalls": MAX_OPERATIONS, "occurredAt": AT});
    let fit = i64::MAX / 1_000_000_000_000_000;
    assert_eq!(fit, 9_223);
    let mut left = fit;
    while left > 0 {
        let n = left.min(1000);
        let batch: Vec<Value> = (0..n).map(|_| call.clone()).collect();
        app.ok(
            Some(&key),
            "mutation($i: [InteractionInput!]!) { recordInteractions(inputs: $i) { id } }",
            json!({"i": batch}),
        )
        .await;
        left -= n;
    }
    let before = stored(&app).await;
    let message = refused(&app, &key, RECORD, json!({"i": [call]})).await;
    assert!(message.contains("9223372036854775807"), "{message}");
    // Another session of the same user and day: the daily rollup is full.
    let other = start(&app, &key, "alice").await;
    let again = with(&call, "sessionId", json!(other));
    refused(&app, &key, RECORD, json!({"i": [again]})).await;
    let after = stored(&app).await;
    assert_eq!(after[1..], before[1..], "no interaction stored");

    let full = Decimal::from(fit) * Decimal::from(1_000_000_000);
    let data = app
        .ok(
            Some(&viewer),
            "query($s: ID!, $d: Date!) { session(id: $s) { interactionCount totalCostUsd }
               dailyStats(from: $d, to: $d) { usage { apiCallsUsd totalUsd } } }",
            json!({"s": session, "d": DAY}),
        )
        .await;
    assert_eq!(data["session"]["interactionCount"], fit);
    assert_eq!(dec(&data["session"]["totalCostUsd"]), full);
    assert_eq!(dec(&data["dailyStats"][0]["usage"]["totalUsd"]), full);
    app.stop().await;
}

/// `{"a": "x…"}` of exactly `bytes` bytes as compact JSON.
fn metadata_of(bytes: usize) -> Value {
    json!({ "a": "x".repeat(bytes - 8) })
}

fn nested(levels: usize) -> Value {
    (1..levels).fold(json!({"leaf": true}), |inner, _| json!({ "k": inner }))
}

async fn metadata_past_its_caps_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let key = app.ingest_key().await;
    let session = start(&app, &key, "alice").await;
    let base = chat(&session);
    let many = |n: usize| -> Value {
        Value::Object((0..n).map(|i| (format!("k{i}"), json!(i))).collect())
    };
    let before = stored(&app).await;
    for (too_much, what) in [
        (metadata_of(MAX_METADATA_BYTES + 1), "bytes"),
        (metadata_of(4 * MAX_METADATA_BYTES), "bytes"),
        (nested(9), "levels"),
        (many(257), "keys"),
    ] {
        let message = refused(
            &app,
            &key,
            START,
            json!({"i": {"userId": "a", "metadata": too_much}}),
        )
        .await;
        assert!(message.contains(what), "{message}");
        let batch = json!([base.clone(), with(&base, "metadata", too_much)]);
        let message = refused(&app, &key, RECORD, json!({"i": batch})).await;
        assert!(message.contains(what), "{message}");
    }
    assert_eq!(stored(&app).await, before, "nothing stored");

    // At the caps, stored and read back whole.
    for fits in [metadata_of(MAX_METADATA_BYTES), nested(8), many(256)] {
        let data = app
            .ok(
                Some(&key),
                START,
                json!({"i": {"userId": "a", "metadata": fits}}),
            )
            .await;
        assert_eq!(data["startSession"]["metadata"], fits);
        let data = app
            .ok(
                Some(&key),
                RECORD,
                json!({"i": [with(&base, "metadata", fits.clone())]}),
            )
            .await;
        assert_eq!(data["recordInteractions"][0]["metadata"], fits);
    }
    app.stop().await;
}

both_backends!(
    control_characters_are_refused_in_every_tracking_input,
    control_characters_are_refused_in_every_filter,
    counts_past_their_maximum_are_refused,
    a_full_batch_at_the_maxima_adds_up_exactly,
    totals_at_the_edge_of_the_range_refuse_the_batch,
    metadata_past_its_caps_is_refused,
);
