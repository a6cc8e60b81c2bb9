//! Application tracking through the real HTTP API.
use std::collections::{BTreeMap, HashMap, HashSet};

use e2e::app::{Backend, TestApp, dec, error_code};
use e2e::both_backends;
use genai_prices::{PriceRequest, Usage, UsageKey};
use rust_decimal::Decimal;
use serde_json::{Value, json};

const RECORD: &str = "mutation($inputs: [InteractionInput!]!) { recordInteractions(inputs: $inputs) { id kind priced aiTokensUsd dbOpsUsd apiCallsUsd computeUsd explicitUsd totalUsd priceVersionId } }";

async fn start(app: &TestApp, key: &str, user: &str) -> String {
    let data = app
        .ok(Some(key), "mutation($u: String!) { startSession(input: {userId: $u, metadata: {app: \"t\"}}) { id } }", json!({"u": user}))
        .await;
    data["startSession"]["id"].as_str().expect("id").to_owned()
}

async fn interaction_count(app: &TestApp, viewer: &str, session: &str) -> i64 {
    let data = app
        .ok(
            Some(viewer),
            "query($id: ID!) { session(id: $id) { interactionCount } }",
            json!({"id": session}),
        )
        .await;
    data["session"]["interactionCount"].as_i64().expect("count")
}

async fn records_priced_interactions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let key = app.ingest_key().await;
    let viewer = app.token(api::auth::Role::Viewer);
    let session = start(&app, &key, "alice").await;
    let inputs = json!([
        {"sessionId": session, "kind": "CHAT", "provider": "openai", "model": "gpt-4o-mini-2024-07-18",
         "inputTokens": 12000, "cachedInputTokens": 2000, "outputTokens": 900, "durationMs": 850,
         "occurredAt": "2026-11-20T10:00:00Z", "idempotencyKey": "c1"},
        {"sessionId": session, "kind": "DB", "dbOps": 4000, "computeMs": 1500, "occurredAt": "2026-11-20T10:00:01Z"},
        {"sessionId": session, "kind": "API", "apiCalls": 3, "occurredAt": "2026-11-20T10:00:02Z"},
        {"sessionId": session, "kind": "COST_EVENT", "costUsd": "0.125", "occurredAt": "2026-11-20T10:00:03Z"},
    ]);
    let stored =
        app.ok(Some(&key), RECORD, json!({"inputs": inputs})).await["recordInteractions"].clone();
    let rows = stored.as_array().expect("array");
    assert_eq!(rows.len(), 4);

    // The chat cost is what genai-prices says for that request.
    let usage = Usage::from([
        (UsageKey::INPUT_TOKENS, 12000.0),
        (UsageKey::CACHE_READ_TOKENS, 2000.0),
        (UsageKey::OUTPUT_TOKENS, 900.0),
    ]);
    let noon: chrono::DateTime<chrono::Utc> = "2026-11-20T12:00:00Z".parse().expect("time");
    let expected = genai_prices::calculate(
        &PriceRequest::new("gpt-4o-mini-2024-07-18", &usage)
            .with_provider_id("openai")
            .with_timestamp(noon),
    )
    .expect("priced")
    .total_price;
    let chat_usd = dec(&rows[0]["aiTokensUsd"]);
    let expected_usd = Decimal::from_f64_retain(expected)
        .expect("finite")
        .round_dp(6);
    assert_eq!(chat_usd, expected_usd);
    assert!(rows[0]["priced"].as_bool().expect("bool"));

    // Unit rates: 4000 db ops at 250 nano-USD, 1.5 s compute at 20 µUSD/s, 3 calls at 400 µUSD.
    assert_eq!(dec(&rows[1]["dbOpsUsd"]), Decimal::new(1000, 6));
    assert_eq!(dec(&rows[1]["computeUsd"]), Decimal::new(30, 6));
    assert_eq!(dec(&rows[2]["apiCallsUsd"]), Decimal::new(1200, 6));
    assert_eq!(dec(&rows[3]["explicitUsd"]), Decimal::new(125, 3));

    // Session totals and the daily rollup agree with the stored rows.
    let total: Decimal = rows.iter().map(|r| dec(&r["totalUsd"])).sum();
    let detail = app
        .ok(
            Some(&viewer),
            "query($id: ID!) { session(id: $id) { userId interactionCount totalCostUsd metadata interactions(first: 2) { edges { node { kind } } pageInfo { hasNextPage endCursor } } } }",
            json!({"id": session}),
        )
        .await;
    assert_eq!(detail["session"]["interactionCount"], 4);
    assert_eq!(dec(&detail["session"]["totalCostUsd"]), total);
    assert_eq!(detail["session"]["metadata"]["app"], "t");
    assert_eq!(
        detail["session"]["interactions"]["pageInfo"]["hasNextPage"],
        true
    );
    let cursor = detail["session"]["interactions"]["pageInfo"]["endCursor"].clone();
    let rest = app
        .ok(
            Some(&viewer),
            "query($id: ID!, $after: String) { session(id: $id) { interactions(first: 10, after: $after) { edges { node { kind } } pageInfo { hasNextPage } } } }",
            json!({"id": session, "after": cursor}),
        )
        .await;
    let kinds: Vec<&str> = rest["session"]["interactions"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(kinds, ["API", "COST_EVENT"]);

    let stats = app
        .ok(
            Some(&viewer),
            "{ dailyStats(from: \"2026-11-19\", to: \"2026-11-21\", userId: \"alice\") { date usage { interactions inputTokens dbOps totalUsd } } userStats(userId: \"alice\") { sessions usage { interactions totalUsd } } }",
            json!({}),
        )
        .await;
    let days = stats["dailyStats"].as_array().expect("days");
    assert_eq!(days.len(), 3, "zero-filled");
    assert_eq!(days[0]["usage"]["interactions"], 0);
    assert_eq!(days[1]["usage"]["interactions"], 4);
    assert_eq!(days[1]["usage"]["inputTokens"], 12000);
    assert_eq!(days[1]["usage"]["dbOps"], 4000);
    assert_eq!(dec(&days[1]["usage"]["totalUsd"]), total);
    assert_eq!(stats["userStats"]["sessions"], 1);
    assert_eq!(dec(&stats["userStats"]["usage"]["totalUsd"]), total);

    let ended = app
        .ok(
            Some(&key),
            "mutation($id: ID!) { endSession(id: $id) { endedAt } }",
            json!({"id": session}),
        )
        .await;
    assert!(ended["endSession"]["endedAt"].is_string());
    app.stop().await;
}

async fn idempotency_and_all_or_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let key = app.ingest_key().await;
    let viewer = app.token(api::auth::Role::Viewer);
    let session = start(&app, &key, "bob").await;
    let item = json!({"sessionId": session, "kind": "DB", "dbOps": 10, "idempotencyKey": "k-1", "occurredAt": "2026-11-20T10:00:00Z"});

    let first = app
        .ok(Some(&key), RECORD, json!({"inputs": [item.clone()]}))
        .await;
    let again = app
        .ok(
            Some(&key),
            RECORD,
            json!({"inputs": [item.clone(), item.clone()]}),
        )
        .await;
    let first_id = &first["recordInteractions"][0]["id"];
    assert_eq!(&again["recordInteractions"][0]["id"], first_id);
    assert_eq!(&again["recordInteractions"][1]["id"], first_id);
    assert_eq!(interaction_count(&app, &viewer, &session).await, 1);

    // Same key, different payload: refused, and the new item in the batch is not stored either.
    let mut changed = item.clone();
    changed["dbOps"] = json!(11);
    let fresh = json!({"sessionId": session, "kind": "API", "apiCalls": 1});
    let body = app
        .gql(
            Some(&key),
            RECORD,
            json!({"inputs": [fresh.clone(), changed]}),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(interaction_count(&app, &viewer, &session).await, 1);

    // One invalid item rejects the batch.
    let negative =
        json!({"sessionId": session, "kind": "CHAT", "model": "gpt-4o", "inputTokens": -5});
    let body = app
        .gql(
            Some(&key),
            RECORD,
            json!({"inputs": [fresh.clone(), negative]}),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let cached_over = json!({"sessionId": session, "kind": "CHAT", "model": "gpt-4o", "inputTokens": 5, "cachedInputTokens": 6});
    let body = app
        .gql(Some(&key), RECORD, json!({"inputs": [cached_over]}))
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let cost_on_chat = json!({"sessionId": session, "kind": "DB", "costUsd": "1"});
    let body = app
        .gql(Some(&key), RECORD, json!({"inputs": [cost_on_chat]}))
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let unknown_session =
        json!({"sessionId": "00000000-0000-0000-0000-000000000000", "kind": "DB", "dbOps": 1});
    let body = app
        .gql(
            Some(&key),
            RECORD,
            json!({"inputs": [fresh.clone(), unknown_session]}),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    let unknown_kind = app
        .gql(Some(&key), &format!("mutation {{ recordInteraction(input: {{sessionId: \"{session}\", kind: SOMETHING}}) {{ id }} }}"), json!({}))
        .await;
    assert_eq!(
        error_code(&unknown_kind),
        Some("BAD_USER_INPUT"),
        "{unknown_kind}"
    );
    let oversized: Vec<Value> = (0..1001).map(|_| fresh.clone()).collect();
    let body = app
        .gql(Some(&key), RECORD, json!({"inputs": oversized}))
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(interaction_count(&app, &viewer, &session).await, 1);

    // A full batch of 1,000 is accepted whole.
    let full: Vec<Value> = (0..1000).map(|_| fresh.clone()).collect();
    let stored = app.ok(Some(&key), RECORD, json!({"inputs": full})).await;
    assert_eq!(
        stored["recordInteractions"].as_array().map(Vec::len),
        Some(1000)
    );
    assert_eq!(interaction_count(&app, &viewer, &session).await, 1001);

    // Another application's key cannot see or write this session.
    let other = app.ingest_key().await;
    let body = app
        .gql(Some(&other), RECORD, json!({"inputs": [fresh]}))
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    let body = app
        .gql(
            Some(&other),
            "mutation($id: ID!) { endSession(id: $id) { id } }",
            json!({"id": session}),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    app.stop().await;
}

async fn unknown_model_is_unpriced_not_free(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let key = app.ingest_key().await;
    let viewer = app.token(api::auth::Role::Viewer);
    let session = start(&app, &key, "carol").await;
    let item = json!({"sessionId": session, "kind": "CHAT", "provider": "openai", "model": "no-such-model-9000",
        "inputTokens": 100, "outputTokens": 10, "dbOps": 1000, "occurredAt": "2026-11-20T09:00:00Z"});
    let stored = app.ok(Some(&key), RECORD, json!({"inputs": [item]})).await;
    let row = &stored["recordInteractions"][0];
    assert_eq!(row["priced"], false);
    assert!(row["aiTokensUsd"].is_null());
    assert!(row["totalUsd"].is_null());
    assert_eq!(dec(&row["dbOpsUsd"]), Decimal::new(250, 6));
    let stats = app
        .ok(Some(&viewer), "{ dailyStats(from: \"2026-11-20\", to: \"2026-11-20\") { usage { unpricedInteractions totalUsd } } }", json!({}))
        .await;
    assert_eq!(stats["dailyStats"][0]["usage"]["unpricedInteractions"], 1);
    assert_eq!(
        dec(&stats["dailyStats"][0]["usage"]["totalUsd"]),
        Decimal::ZERO
    );
    app.stop().await;
}

/// Unit rates are versioned by day: an interaction is priced with the
/// rates in force on its day, and stored ones keep their cost.
async fn unit_rates_apply_from_their_day(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let key = app.ingest_key().await;
    let admin = app.token(api::auth::Role::Admin);
    let session = start(&app, &key, "dana").await;
    let db_op = |day: &str, n: u32| {
        json!({"sessionId": session, "kind": "DB", "dbOps": 1000, "apiCalls": 1,
            "occurredAt": format!("{day}T09:00:00Z"), "idempotencyKey": format!("{day}-{n}")})
    };
    let record = |item: Value| {
        let app = &app;
        let key = key.clone();
        async move {
            app.ok(Some(&key), RECORD, json!({"inputs": [item]})).await["recordInteractions"][0]
                .clone()
        }
    };
    let early = record(db_op("2026-11-01", 1)).await;
    assert_eq!(
        dec(&early["dbOpsUsd"]),
        Decimal::new(250, 6),
        "configured rate"
    );

    let set = "mutation($i: UnitRatesInput!) { setUnitRates(input: $i) { effectiveFrom source dbOpNanos } }";
    let input = json!({"i": {"effectiveFrom": "2026-11-10", "dbOpNanos": 1000, "apiCallMicros": 100, "computeSecondMicros": 20}});
    let viewer = app
        .gql(
            Some(&app.token(api::auth::Role::Viewer)),
            set,
            input.clone(),
        )
        .await;
    assert_eq!(error_code(&viewer), Some("FORBIDDEN"), "{viewer}");
    let negative = json!({"i": {"effectiveFrom": "2026-11-10", "dbOpNanos": -1, "apiCallMicros": 100, "computeSecondMicros": 20}});
    let bad = app.gql(Some(&admin), set, negative).await;
    assert_eq!(error_code(&bad), Some("BAD_USER_INPUT"), "{bad}");
    app.ok(Some(&admin), set, input).await;

    let before = record(db_op("2026-11-09", 2)).await;
    assert_eq!(dec(&before["dbOpsUsd"]), Decimal::new(250, 6));
    assert_eq!(dec(&before["apiCallsUsd"]), Decimal::new(400, 6));
    let after = record(db_op("2026-11-10", 3)).await;
    assert_eq!(dec(&after["dbOpsUsd"]), Decimal::new(1000, 6));
    assert_eq!(dec(&after["apiCallsUsd"]), Decimal::new(100, 6));

    let versions = app
        .ok(
            Some(&admin),
            "{ unitRates { effectiveFrom source dbOpNanos } }",
            json!({}),
        )
        .await;
    assert_eq!(
        versions["unitRates"],
        json!([
            {"effectiveFrom": "2026-11-10", "source": "admin", "dbOpNanos": 1000},
            {"effectiveFrom": null, "source": "config", "dbOpNanos": 250}
        ])
    );
    // The stored interaction kept what it was priced with.
    let stored = app
        .ok(
            Some(&admin),
            "query($s: ID!) { session(id: $s) { interactions(first: 10) { edges { node { occurredAt dbOpsUsd } } } } }",
            json!({"s": session}),
        )
        .await;
    let first = &stored["session"]["interactions"]["edges"][0]["node"];
    assert_eq!(dec(&first["dbOpsUsd"]), Decimal::new(250, 6), "{stored}");
    app.stop().await;
}

const SESSIONS: &str = "query($order: SessionOrderBy, $after: String, $user: String) { sessions(filter: {userId: $user}, orderBy: $order, first: 3, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id totalCostUsd totalTokens } } } }";

/// Every page of `sessions` in `order`, walked with its cursors: the ids
/// in order, and the total count each page reported.
async fn walk_sessions(
    app: &TestApp,
    viewer: &str,
    order: Value,
    user: Option<&str>,
) -> (Vec<String>, Vec<i64>) {
    let (mut ids, mut totals, mut after) = (Vec::new(), Vec::new(), Value::Null);
    loop {
        let vars = json!({"order": order, "after": after, "user": user});
        let page = app.ok(Some(viewer), SESSIONS, vars).await["sessions"].clone();
        totals.push(page["totalCount"].as_i64().expect("totalCount"));
        let edges = page["edges"].as_array().expect("edges").clone();
        assert!(edges.len() <= 3);
        ids.extend(
            edges
                .iter()
                .map(|e| e["node"]["id"].as_str().expect("id").to_owned()),
        );
        if !page["pageInfo"]["hasNextPage"]
            .as_bool()
            .expect("hasNextPage")
        {
            return (ids, totals);
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

/// A session the test made, as it made it.
struct Made {
    id: String,
    started: i64,
    micros: i64,
    tokens: i64,
}

/// The sessions page is ordered, paged and counted by the server: by
/// start, by cost (the most expensive sessions) and by tokens, either
/// way, ties broken by id, with a total that follows the filter.
async fn sessions_sort_page_and_count_on_the_server(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let key = app.ingest_key().await;
    let viewer = app.token(api::auth::Role::Viewer);
    // (user, cost in cents, tokens): two sessions share a cost, two share
    // a token count, so ties need the id.
    let plan = [
        ("a", 500, 10),
        ("b", 120, 9000),
        ("a", 999, 400),
        ("c", 120, 50),
        ("d", 3, 400),
        ("e", 777, 1),
        ("f", 0, 123_456),
    ];
    let mut made = Vec::new();
    for (i, (user, cents, tokens)) in plan.iter().enumerate() {
        let at = format!("2026-11-{:02}T08:00:00Z", 10 + i);
        let id = app
            .ok(Some(&key), "mutation($u: String!, $at: DateTime) { startSession(input: {userId: $u, startedAt: $at}) { id } }", json!({"u": user, "at": at}))
            .await["startSession"]["id"].as_str().expect("id").to_owned();
        let inputs = json!([
            {"sessionId": id, "kind": "COST_EVENT", "costUsd": format!("{}.{:02}", cents / 100, cents % 100), "occurredAt": at},
            {"sessionId": id, "kind": "CHAT", "provider": "openai", "model": "no-such-model", "inputTokens": tokens - tokens / 3, "outputTokens": tokens / 3, "occurredAt": at},
        ]);
        app.ok(Some(&key), RECORD, json!({"inputs": inputs})).await;
        made.push(Made {
            id,
            started: at
                .parse::<chrono::DateTime<chrono::Utc>>()
                .expect("time")
                .timestamp(),
            micros: i64::from(*cents) * 10_000,
            tokens: i64::from(*tokens),
        });
    }
    let expect = |key: fn(&Made) -> i64, descending: bool| {
        let mut rows: Vec<(i64, String)> = made.iter().map(|m| (key(m), m.id.clone())).collect();
        rows.sort();
        if descending {
            rows.reverse();
        }
        rows.into_iter().map(|(_, id)| id).collect::<Vec<_>>()
    };
    let by_start: fn(&Made) -> i64 = |m| m.started;
    let by_cost: fn(&Made) -> i64 = |m| m.micros;
    let by_tokens: fn(&Made) -> i64 = |m| m.tokens;
    let cases: [(Value, Vec<String>); 5] = [
        (Value::Null, expect(by_start, true)),
        (
            json!({"field": "STARTED_AT", "descending": false}),
            expect(by_start, false),
        ),
        (json!({"field": "COST"}), expect(by_cost, true)),
        (
            json!({"field": "COST", "descending": false}),
            expect(by_cost, false),
        ),
        (json!({"field": "TOKENS"}), expect(by_tokens, true)),
    ];
    for (order, want) in cases {
        let (ids, totals) = walk_sessions(&app, &viewer, order.clone(), None).await;
        assert_eq!(ids, want, "order {order}");
        assert_eq!(totals, vec![7, 7, 7], "order {order}");
    }
    // The most expensive session's numbers are the ones recorded.
    let top = app
        .ok(Some(&viewer), SESSIONS, json!({"order": {"field": "COST"}}))
        .await;
    let node = &top["sessions"]["edges"][0]["node"];
    let top = made
        .iter()
        .max_by_key(|m| (m.micros, m.id.clone()))
        .expect("sessions");
    assert_eq!(dec(&node["totalCostUsd"]), Decimal::new(top.micros, 6));
    assert_eq!(node["totalTokens"].as_i64(), Some(top.tokens));
    // The count follows the filter.
    let (ids, totals) = walk_sessions(&app, &viewer, json!({"field": "TOKENS"}), Some("a")).await;
    assert_eq!(ids.len(), 2);
    assert_eq!(totals, vec![2]);
    // A cursor that is not one is refused.
    let body = app
        .gql(Some(&viewer), SESSIONS, json!({"after": "not-a-cursor"}))
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    app.stop().await;
}

/// The rollup key and summed values of one interaction, as
/// `interaction_daily` holds them.
type RollupKey = (chrono::NaiveDate, String, String, String, String);

/// An interaction of batch `batch`, number `n`: spread over days, sessions
/// (users), kinds, providers and models, priced and unpriced.
fn spread(sessions: &[String], batch: usize, n: usize) -> Value {
    const MODELS: [(&str, &str); 4] = [
        ("openai", "gpt-4o-mini-2024-07-18"),
        ("openai", "gpt-4o"),
        ("anthropic", "claude-3-5-haiku-20241022"),
        ("nobody", "no-such-model"),
    ];
    let i = batch * 1000 + n;
    let session = &sessions[i % sessions.len()];
    let at = format!("2026-11-{:02}T{:02}:00:00Z", 1 + i % 7, i % 24);
    let (provider, model) = MODELS[(i / 3) % MODELS.len()];
    let tokens = i64::try_from(i % 5000).expect("small");
    let mut item = match i % 4 {
        0 => json!({"kind": "CHAT", "provider": provider, "model": model,
            "inputTokens": tokens * 3, "cachedInputTokens": tokens, "outputTokens": tokens + 7}),
        1 => json!({"kind": "DB", "dbOps": tokens * 11 + 1, "computeMs": tokens}),
        2 => json!({"kind": "API", "apiCalls": tokens % 9 + 1, "provider": provider}),
        _ => json!({"kind": "COST_EVENT", "costUsd": format!("0.{:06}", i % 999_999)}),
    };
    item["sessionId"] = json!(session);
    item["occurredAt"] = json!(at);
    if !i.is_multiple_of(5) {
        item["durationMs"] = json!(tokens);
    }
    item
}

/// The rollup recomputed from the stored interactions.
async fn rollup_of_interactions(app: &TestApp) -> BTreeMap<RollupKey, [i128; 16]> {
    use entity::{interaction, session};
    use sea_orm::EntityTrait;
    let db = &app.state.db;
    let users: HashMap<String, String> = session::Entity::find()
        .all(db)
        .await
        .expect("sessions")
        .into_iter()
        .map(|s| (s.id, s.user_id))
        .collect();
    let mut sums: BTreeMap<RollupKey, [i128; 16]> = BTreeMap::new();
    for i in interaction::Entity::find().all(db).await.expect("rows") {
        let key = (
            i.occurred_at.date_naive(),
            users[&i.session_id].clone(),
            i.kind.clone(),
            i.provider.clone(),
            i.model.clone(),
        );
        let values = [
            1,
            i.input_tokens,
            i.cached_input_tokens,
            i.cache_write_tokens,
            i.output_tokens,
            i.db_ops,
            i.api_calls,
            i.compute_ms,
            i.duration_ms.unwrap_or(0),
            i.ai_tokens_micros.unwrap_or(0),
            i.db_ops_micros,
            i.api_calls_micros,
            i.compute_micros,
            i.explicit_micros,
            i.total_micros.unwrap_or(0),
            i64::from(i.total_micros.is_none()),
        ];
        let entry = sums.entry(key).or_insert([0; 16]);
        for (sum, value) in entry.iter_mut().zip(values) {
            *sum += i128::from(value);
        }
    }
    sums
}

/// The rollup as stored.
async fn stored_rollup(app: &TestApp) -> BTreeMap<RollupKey, [i128; 16]> {
    use entity::interaction_daily;
    use sea_orm::EntityTrait;
    interaction_daily::Entity::find()
        .all(&app.state.db)
        .await
        .expect("rollup")
        .into_iter()
        .map(|d| {
            let values = [
                d.interactions,
                d.input_tokens,
                d.cached_input_tokens,
                d.cache_write_tokens,
                d.output_tokens,
                d.db_ops,
                d.api_calls,
                d.compute_ms,
                d.duration_ms,
                d.ai_tokens_micros,
                d.db_ops_micros,
                d.api_calls_micros,
                d.compute_micros,
                d.explicit_micros,
                d.total_micros,
                d.unpriced_interactions,
            ];
            (
                (d.day, d.user_id, d.kind, d.provider, d.model),
                values.map(i128::from),
            )
        })
        .collect()
}

/// Full batches touching many rollup keys each, sent at the same time:
/// the daily rollup equals the sums of the stored interactions, to the
/// token and the micro-dollar, and each session counts its own.
async fn rollup_of_concurrent_batches_adds_up(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let key = app.ingest_key().await;
    let viewer = app.token(api::auth::Role::Viewer);
    let mut sessions = Vec::new();
    for user in ["ann", "ben", "cat"] {
        sessions.push(start(&app, &key, user).await);
    }
    let send = |batch: usize| {
        let inputs: Vec<Value> = (0..1000).map(|n| spread(&sessions, batch, n)).collect();
        let (app, key) = (&app, &key);
        async move { app.ok(Some(key), RECORD, json!({"inputs": inputs})).await }
    };
    tokio::join!(send(0), send(1), send(2), send(3));
    send(4).await;

    let want = rollup_of_interactions(&app).await;
    assert!(want.len() > 50, "{} keys", want.len());
    assert_eq!(want.values().map(|v| v[0]).sum::<i128>(), 5000);
    assert_eq!(stored_rollup(&app).await, want);
    let mut counted = 0;
    for session in &sessions {
        counted += interaction_count(&app, &viewer, session).await;
    }
    assert_eq!(counted, 5000);
    app.stop().await;
}

/// The ingest key is checked on the read connections (`serve` opens them
/// the same way): a request is authenticated while another request's write
/// transaction holds SQLite's one writer, and a key revoked a moment ago
/// is refused at once.
async fn a_key_is_checked_while_a_write_is_open_and_revocation_is_seen(backend: Backend) {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let app = TestApp::spawn(backend).await;
    let key = ledger::tracking::keys::create(&app.state.db, "reads")
        .await
        .expect("key");
    let viewer_only = "{ sessions(first: 1) { totalCount } }";

    let open = app.state.db.begin().await.expect("begin");
    open.execute_unprepared("UPDATE ingest_key SET name = name")
        .await
        .expect("write");
    // Bounded so a check queued behind the open write fails the test
    // instead of hanging it; the check itself takes milliseconds.
    let answer = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        app.gql(Some(&key.secret), viewer_only, json!({})),
    )
    .await
    .expect("the key check waited for the open write");
    // FORBIDDEN, not UNAUTHENTICATED: the key was found and is live.
    assert_eq!(error_code(&answer), Some("FORBIDDEN"), "{answer}");
    open.commit().await.expect("commit");

    ledger::tracking::keys::revoke(&app.state.db, key.id)
        .await
        .expect("revoke");
    let answer = app.gql(Some(&key.secret), viewer_only, json!({})).await;
    assert_eq!(error_code(&answer), Some("UNAUTHENTICATED"), "{answer}");
    app.stop().await;
}

/// A retried batch with new rows beside the stored ones, and the same
/// batch sent four times at once: each idempotency key is stored once,
/// every answer carries the stored row's id, and the session counter and
/// the rollup count each row once. (A batch is inserted first and its keys
/// looked up only when the insert skipped one, so both paths are here.)
async fn retried_and_concurrent_batches_store_each_key_once(backend: Backend) {
    use ledger::tracking::{NewSession, record, start_session};
    let app = TestApp::spawn(backend).await;
    let (db, book) = (&app.state.db, &app.state.book);
    let key = ledger::tracking::keys::create(db, "retries")
        .await
        .expect("key")
        .id;
    let viewer = app.token(api::auth::Role::Viewer);
    let session = start_session(
        db,
        key,
        NewSession {
            user_id: "ann".into(),
            ..Default::default()
        },
    )
    .await
    .expect("session")
    .id;
    let ids = |rows: &[entity::interaction::Model]| -> Vec<String> {
        rows.iter().map(|r| r.id.clone()).collect()
    };

    let first = ids(&record(db, book, key, keyed_batch(&session, "r", 300))
        .await
        .expect("first batch"));
    assert_eq!(first.len(), 300);
    let mut mixed: Vec<_> = keyed_batch(&session, "r", 300).drain(100..200).collect();
    mixed.extend(keyed_batch(&session, "n", 50));
    mixed.push(keyed_batch(&session, "n", 1).remove(0));
    let answered = ids(&record(db, book, key, mixed).await.expect("mixed batch"));
    assert_eq!(answered.len(), 151);
    assert_eq!(answered[..100], first[100..200]);
    let new: HashSet<&String> = answered[100..150].iter().collect();
    assert_eq!(new.len(), 50);
    assert!(first.iter().all(|id| !new.contains(id)));
    assert_eq!(answered[150], answered[100], "a repeat within the batch");
    assert_eq!(interaction_count(&app, &viewer, &session).await, 350);

    let send = || record(db, book, key, keyed_batch(&session, "c", 500));
    let (a, b, c, d) = tokio::join!(send(), send(), send(), send());
    let answers: Vec<Vec<String>> = [a, b, c, d]
        .into_iter()
        .map(|r| ids(&r.expect("a concurrent copy of the batch")))
        .collect();
    assert_eq!(answers[0].len(), 500);
    for other in &answers[1..] {
        assert_eq!(other, &answers[0]);
    }
    assert_eq!(interaction_count(&app, &viewer, &session).await, 850);
    let want = rollup_of_interactions(&app).await;
    assert_eq!(want.values().map(|v| v[0]).sum::<i128>(), 850);
    assert_eq!(stored_rollup(&app).await, want);
    app.stop().await;
}

both_backends!(
    retried_and_concurrent_batches_store_each_key_once,
    a_key_is_checked_while_a_write_is_open_and_revocation_is_seen,
    rollup_of_concurrent_batches_adds_up,
    sessions_sort_page_and_count_on_the_server,
    records_priced_interactions,
    idempotency_and_all_or_nothing,
    unknown_model_is_unpriced_not_free,
    unit_rates_apply_from_their_day
);

/// A batch of `n` DB interactions in `session`, idempotency keys
/// `{prefix}-0` ….
fn keyed_batch(session: &str, prefix: &str, n: usize) -> Vec<ledger::tracking::NewInteraction> {
    (0..n)
        .map(|i| ledger::tracking::NewInteraction {
            session_id: session.to_owned(),
            kind: ledger::tracking::InteractionKind::Db,
            occurred_at: None,
            duration_ms: Some(1),
            status: None,
            provider: None,
            model: None,
            project_id: None,
            api_key_id: None,
            service_tier: None,
            batch: None,
            input_tokens: None,
            cached_input_tokens: None,
            cache_write_tokens: None,
            output_tokens: None,
            db_ops: Some(1),
            api_calls: None,
            compute_ms: None,
            cost_usd: None,
            idempotency_key: Some(format!("{prefix}-{i}")),
            metadata: None,
        })
        .collect()
}

/// Rows the plan's scans of `interaction` read and then threw away, from
/// `EXPLAIN (ANALYZE, FORMAT JSON)`.
fn rows_removed_by_filter(plan: &Value) -> u64 {
    let own = plan["Rows Removed by Filter"].as_u64().unwrap_or(0)
        * plan["Actual Loops"].as_u64().unwrap_or(1);
    let below: u64 = plan["Plans"]
        .as_array()
        .map(|plans| plans.iter().map(rows_removed_by_filter).sum())
        .unwrap_or(0);
    own + below
}

/// A key created after the table was last analyzed looks rare to the
/// planner. Its idempotency lookup must still probe the unique index per
/// key instead of reading every row of the key and filtering them by the
/// batch's keys, which made each batch of a new, busy key read all of its
/// rows. The `IN` list this replaced is checked beside it, to show that
/// the setup does make the planner choose that scan.
#[tokio::test]
async fn a_new_busy_key_is_probed_not_scanned() {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let app = TestApp::spawn(Backend::Postgres).await;
    let db = &app.state.db;
    db.execute_unprepared(
        "ALTER TABLE interaction SET (autovacuum_enabled = off); \
         ALTER TABLE session SET (autovacuum_enabled = off)",
    )
    .await
    .expect("autovacuum off");
    let old = ledger::tracking::keys::create(db, "old")
        .await
        .expect("key");
    write_keyed(&app, old.id, "old", 4).await;
    db.execute_unprepared("ANALYZE interaction; ANALYZE session")
        .await
        .expect("analyze");
    let new = ledger::tracking::keys::create(db, "new")
        .await
        .expect("key");
    write_keyed(&app, new.id, "new", 3).await;

    let keys: Vec<String> = (0..500).map(|i| format!("next-{i}")).collect();
    let mut keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    keys.push("new0-7");
    let probed = explain(db, ledger::tracking::stored_rows_probe(new.id, &keys)).await;
    assert_eq!(probed["Actual Rows"], 1, "the one stored key: {probed}");
    assert_eq!(rows_removed_by_filter(&probed), 0, "{probed}");

    let in_list = format!(
        "SELECT * FROM interaction WHERE ingest_key_id = $1 AND idempotency_key IN ({})",
        (2..keys.len() + 2)
            .map(|n| format!("${n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut values = vec![sea_orm::Value::from(new.id)];
    values.extend(keys.iter().map(|&k| sea_orm::Value::from(k)));
    let listed = explain(
        db,
        Statement::from_sql_and_values(DbBackend::Postgres, in_list, values),
    )
    .await;
    assert_eq!(listed["Actual Rows"], 1, "{listed}");
    assert!(
        rows_removed_by_filter(&listed) >= 2_999,
        "the setup no longer makes the planner scan the key: {listed}"
    );
    app.stop().await;
}

/// One session of `key` and `batches` batches of 1,000 keyed interactions.
async fn write_keyed(app: &TestApp, key: i64, prefix: &str, batches: usize) {
    let session = ledger::tracking::start_session(
        &app.state.db,
        key,
        ledger::tracking::NewSession {
            user_id: prefix.into(),
            ..Default::default()
        },
    )
    .await
    .expect("session");
    for b in 0..batches {
        let batch = keyed_batch(&session.id, &format!("{prefix}{b}"), 1_000);
        ledger::tracking::record(&app.state.db, &app.state.book, key, batch)
            .await
            .expect("batch");
    }
}

/// The root node of `EXPLAIN (ANALYZE, FORMAT JSON)` of `statement`.
async fn explain(db: &sea_orm::DatabaseConnection, statement: sea_orm::Statement) -> Value {
    use sea_orm::ConnectionTrait;
    let explained = sea_orm::Statement::from_sql_and_values(
        sea_orm::DbBackend::Postgres,
        format!("EXPLAIN (ANALYZE, FORMAT JSON) {}", statement.sql),
        statement.values.map(|v| v.0).unwrap_or_default(),
    );
    let row = db
        .query_one_raw(explained)
        .await
        .expect("explain")
        .expect("a plan");
    let plan: Value = row.try_get("", "QUERY PLAN").expect("json plan");
    plan[0]["Plan"].clone()
}
