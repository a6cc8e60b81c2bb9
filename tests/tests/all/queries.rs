//! Reads over a seeded ledger: every root query, grouping, zero-fill,
//! pagination and bad input.
use std::collections::HashSet;

use api::auth::Role;
use chrono::{Days, Utc};
use e2e::app::{Backend, TestApp, dec, error_code};
use e2e::both_backends;
use entity::usage_bucket;
use rust_decimal::Decimal;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

const DAILY: &str = "query($f: UsageFilter!, $g: [UsageDimension!]) { dailyUsage(filter: $f, groupBy: $g) { date group { provider projectId model serviceTier batch } inputTokens outputTokens inputCachedTokens numModelRequests costUsd unpricedBuckets } }";

async fn seeded(backend: Backend) -> (TestApp, String, String, String) {
    let app = TestApp::spawn(backend).await;
    sim::demo::seed(&app.state.db, &app.state.book)
        .await
        .expect("seed");
    let today = Utc::now().date_naive();
    let from = (today - Days::new(29)).to_string();
    let viewer = app.token(Role::Viewer);
    (app, viewer, from, today.to_string())
}

async fn daily_usage_groups_and_zero_fills(backend: Backend) {
    let (app, viewer, from, to) = seeded(backend).await;
    let all = app
        .ok(Some(&viewer), DAILY, json!({"f": {"from": from, "to": to}}))
        .await;
    let days = all["dailyUsage"].as_array().expect("rows");
    assert_eq!(days.len(), 30);
    for day in days {
        assert!(day["inputTokens"].as_i64().expect("i64") > 0, "{day}");
        assert!(dec(&day["costUsd"]) > Decimal::ZERO, "{day}");
        assert!(day["group"]["provider"].is_null());
    }

    let by_provider = app
        .ok(
            Some(&viewer),
            DAILY,
            json!({"f": {"from": from, "to": to}, "g": ["PROVIDER"]}),
        )
        .await;
    let rows = by_provider["dailyUsage"].as_array().expect("rows");
    assert_eq!(rows.len(), 60);
    for day in days {
        let date = &day["date"];
        let parts: Vec<&Value> = rows.iter().filter(|r| &r["date"] == date).collect();
        let input: i64 = parts
            .iter()
            .map(|r| r["inputTokens"].as_i64().expect("i64"))
            .sum();
        let cost: Decimal = parts.iter().map(|r| dec(&r["costUsd"])).sum();
        assert_eq!(input, day["inputTokens"].as_i64().expect("i64"));
        assert_eq!(cost, dec(&day["costUsd"]));
    }

    // A filter gives exactly the matching group's numbers.
    let openai_only = app
        .ok(
            Some(&viewer),
            DAILY,
            json!({"f": {"from": from, "to": to, "providers": ["openai"]}}),
        )
        .await;
    let openai_rows = openai_only["dailyUsage"].as_array().expect("rows");
    assert_eq!(openai_rows.len(), 30, "one row per day");
    for row in openai_rows {
        let grouped = rows
            .iter()
            .find(|r| r["date"] == row["date"] && r["group"]["provider"] == "openai")
            .expect("group row");
        assert_eq!(row["inputTokens"], grouped["inputTokens"]);
        assert_eq!(row["costUsd"], grouped["costUsd"]);
    }

    // Several dimensions at once, with batch and tier filters.
    let multi = app
        .ok(
            Some(&viewer),
            DAILY,
            json!({"f": {"from": to, "to": to, "batch": true}, "g": ["PROJECT", "MODEL", "SERVICE_TIER", "BATCH"]}),
        )
        .await;
    let multi_rows = multi["dailyUsage"].as_array().expect("rows");
    assert!(!multi_rows.is_empty());
    assert!(
        multi_rows
            .iter()
            .all(|r| r["group"]["batch"] == "BATCH" && r["group"]["provider"].is_null())
    );

    // Days before the data are zero-filled, not missing.
    let before = app
        .ok(
            Some(&viewer),
            DAILY,
            json!({"f": {"from": "2020-01-01", "to": "2020-01-03"}}),
        )
        .await;
    let empty = before["dailyUsage"].as_array().expect("rows");
    assert_eq!(empty.len(), 3);
    assert!(
        empty
            .iter()
            .all(|r| r["inputTokens"] == 0 && dec(&r["costUsd"]) == Decimal::ZERO)
    );
    app.stop().await;
}

async fn buckets_paginate_without_gaps(backend: Backend) {
    let (app, viewer, _, to) = seeded(backend).await;
    // The whole demo, so every stored bucket is in range.
    let from = (Utc::now().date_naive() - Days::new(sim::demo::DEMO_DAYS - 1)).to_string();
    let stored = usage_bucket::Entity::find()
        .count(&app.state.db)
        .await
        .expect("count");
    let mut seen = HashSet::new();
    let mut after: Option<String> = None;
    loop {
        let page = app
            .ok(
                Some(&viewer),
                "query($f: UsageFilter!, $after: String) { usageBuckets(filter: $f, first: 37, after: $after) { edges { cursor node { id usageType model costUsd priced } } pageInfo { hasNextPage endCursor } } }",
                json!({"f": {"from": from, "to": to}, "after": after}),
            )
            .await;
        for edge in page["usageBuckets"]["edges"].as_array().expect("edges") {
            assert!(
                seen.insert(edge["node"]["id"].as_i64().expect("id")),
                "duplicate {edge}"
            );
            // Token usage of known models is priced; images, audio, storage
            // and tool calls have no token price and say so.
            let node = &edge["node"];
            let usage_type = node["usageType"].as_str().expect("usage type");
            let token_priced = ledger::usage::buckets::TOKEN_PRICED_TYPES.contains(&usage_type);
            assert_eq!(node["priced"], token_priced, "{node}");
            assert_eq!(node["costUsd"].is_null(), !token_priced, "{node}");
        }
        if page["usageBuckets"]["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["usageBuckets"]["pageInfo"]["endCursor"]
            .as_str()
            .map(str::to_owned);
    }
    assert_eq!(seen.len() as u64, stored);
    app.stop().await;
}

async fn every_read_root_field_answers(backend: Backend) {
    let (app, viewer, from, to) = seeded(backend).await;
    let data = app
        .ok(
            Some(&viewer),
            "query($from: Date!, $to: Date!) {
                filterOptions { providers projectIds apiKeyIds userIds models serviceTiers }
                sessions(first: 5, filter: {userId: \"alice@example.com\"}) { edges { node { id userId interactionCount totalCostUsd interactions(first: 1) { edges { node { id } } } } } pageInfo { hasNextPage } }
                interactions(first: 3, filter: {kind: CHAT}) { edges { node { id kind priced totalUsd } } }
                dailyStats(from: $from, to: $to) { date usage { interactions totalUsd } }
                userStats(userId: \"bob@example.com\") { sessions usage { interactions } }
                systemStats(from: $from, to: $to) { pricedTokenPercent sessions connections provider { pricedCostUsd } tracked { totalUsd } }
                modelPrices(provider: \"openai\", model: \"gpt-4o-mini-2024-07-18\") { source inputMtok outputMtok cachedInputMtok }
                unpricedModels { model }
                ingestionRuns(first: 5) { edges { node { id status } } }
                parityReports(first: 5) { edges { node { id } } }
                providerConnections { name provider isDemo keyFingerprint completeThrough }
            }",
            json!({"from": from, "to": to}),
        )
        .await;
    assert_eq!(
        data["filterOptions"]["providers"],
        json!(["anthropic", "openai"])
    );
    let sessions = data["sessions"]["edges"].as_array().expect("edges");
    assert_eq!(sessions.len(), 5);
    assert!(
        sessions
            .iter()
            .all(|s| s["node"]["userId"] == "alice@example.com")
    );
    assert_eq!(data["interactions"]["edges"][0]["node"]["kind"], "CHAT");
    assert_eq!(data["dailyStats"].as_array().map(Vec::len), Some(30));
    assert!(data["userStats"]["sessions"].as_i64().expect("i64") > 0);
    assert_eq!(data["systemStats"]["pricedTokenPercent"], 100.0);
    assert_eq!(data["modelPrices"][0]["source"], "book");
    assert_eq!(
        dec(&data["modelPrices"][0]["inputMtok"]),
        Decimal::new(15, 2)
    );
    assert_eq!(data["unpricedModels"], json!([]));
    let connections = data["providerConnections"].as_array().expect("connections");
    assert!(
        connections
            .iter()
            .any(|c| c["name"] == "demo-openai" && c["isDemo"] == true)
    );
    app.stop().await;
}

async fn price_override_applies_forward_only(backend: Backend) {
    let (app, _viewer, _from, _to) = seeded(backend).await;
    let admin = app.token(Role::Admin);
    let key = app.ingest_key().await;
    let session = app
        .ok(
            Some(&key),
            "mutation { startSession(input: {userId: \"u\"}) { id } }",
            json!({}),
        )
        .await["startSession"]["id"]
        .clone();
    let chat = |day: &str| {
        json!({"sessionId": session, "kind": "CHAT", "provider": "openai", "model": "gpt-4o-mini-2024-07-18",
        "inputTokens": 1_000_000, "outputTokens": 1_000_000, "occurredAt": format!("{day}T12:00:00Z")})
    };
    let record =
        "mutation($i: InteractionInput!) { recordInteraction(input: $i) { id aiTokensUsd } }";
    let before = app
        .ok(Some(&key), record, json!({"i": chat("2026-10-01")}))
        .await;
    let before_cost = dec(&before["recordInteraction"]["aiTokensUsd"]);
    app.ok(
        Some(&admin),
        "mutation { setPriceOverride(input: {provider: \"openai\", model: \"gpt-4o-mini-2024-07-18\", effectiveFrom: \"2026-11-01\", inputMtok: \"0.1\", cachedInputMtok: \"0.05\", cacheWriteMtok: \"0.1\", outputMtok: \"0.4\"}) { source } }",
        json!({}),
    )
    .await;
    let after = app
        .ok(Some(&key), record, json!({"i": chat("2026-11-02")}))
        .await;
    assert_eq!(
        dec(&after["recordInteraction"]["aiTokensUsd"]),
        Decimal::new(5, 1)
    );
    // Usage dated before the override keeps the book price, and the stored row is unchanged.
    let early = app
        .ok(Some(&key), record, json!({"i": chat("2026-10-02")}))
        .await;
    assert_eq!(dec(&early["recordInteraction"]["aiTokensUsd"]), before_cost);
    let prices = app
        .ok(Some(&admin), "{ modelPrices(model: \"gpt-4o-mini-2024-07-18\", provider: \"openai\", date: \"2026-11-05\") { source outputMtok } }", json!({}))
        .await;
    assert_eq!(prices["modelPrices"][0]["source"], "override");
    app.stop().await;
}

async fn bad_input_is_refused_with_codes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let viewer = app.token(Role::Viewer);
    for (what, variables) in [
        (
            "malformed date",
            json!({"f": {"from": "2026-13-01", "to": "2026-12-01"}}),
        ),
        (
            "not a date",
            json!({"f": {"from": "yesterday", "to": "2026-12-01"}}),
        ),
        (
            "from after to",
            json!({"f": {"from": "2026-11-02", "to": "2026-11-01"}}),
        ),
        (
            "over 1000 days",
            json!({"f": {"from": "2020-01-01", "to": "2026-11-01"}}),
        ),
        (
            "unknown dimension",
            json!({"f": {"from": "2026-11-01", "to": "2026-11-02"}, "g": ["COLOUR"]}),
        ),
    ] {
        let body = app.gql(Some(&viewer), DAILY, variables).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{what}: {body}");
    }
    let too_many = app
        .gql(
            Some(&viewer),
            "{ sessions(first: 501) { edges { cursor } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&too_many), Some("BAD_USER_INPUT"), "{too_many}");
    let bad_cursor = app
        .gql(
            Some(&viewer),
            "{ sessions(first: 5, after: \"%%%\") { edges { cursor } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        error_code(&bad_cursor),
        Some("BAD_USER_INPUT"),
        "{bad_cursor}"
    );
    let missing = app
        .gql(Some(&viewer), "{ session(id: \"nope\") { id } }", json!({}))
        .await;
    assert_eq!(error_code(&missing), Some("NOT_FOUND"), "{missing}");
    let unknown_price = app
        .gql(
            Some(&viewer),
            "{ modelPrices(model: \"no-such-model-9000\") { source } }",
            json!({}),
        )
        .await;
    assert_eq!(
        error_code(&unknown_price),
        Some("NOT_FOUND"),
        "{unknown_price}"
    );
    // Nesting past the depth limit is refused before it runs.
    let deep = format!(
        "{{ __schema {{ types {{ fields {{ type {{ {} name {} }} }} }} }} }}",
        "ofType { ".repeat(14),
        "} ".repeat(14)
    );
    let body = app.gql(Some(&viewer), &deep, json!({})).await;
    assert!(body["errors"].is_array(), "{body}");
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    app.stop().await;
}

/// The demo's runaway days (the simulator triples usage every 45 days)
/// are the days the anomaly rule flags for several models at once (three
/// or more), once a day has its full 28-day history in the demo; other
/// days may flag one model (the jittered data has its own outliers).
async fn the_demos_runaway_days_are_its_anomalies(backend: Backend) {
    let (app, viewer, _, _) = seeded(backend).await;
    let today = Utc::now().date_naive();
    let first = today - Days::new(sim::demo::DEMO_DAYS - 1);
    let judged_from = first + Days::new(ledger::usage::anomalies::BASELINE_DAYS);
    let yesterday = today - Days::new(1);
    let vars = json!({"from": judged_from.to_string(), "to": today.to_string()});
    let found = app
        .ok(
            Some(&viewer),
            "query($from: Date!, $to: Date!) { usageAnomalies(from: $from, to: $to, dimension: MODEL) { date value spike } }",
            vars,
        )
        .await;
    let mut per_day: std::collections::BTreeMap<String, (usize, bool)> = Default::default();
    for anomaly in found["usageAnomalies"].as_array().expect("list") {
        let entry = per_day
            .entry(anomaly["date"].as_str().expect("date").to_owned())
            .or_default();
        entry.0 += 1;
        entry.1 |= anomaly["spike"].as_bool().expect("spike");
    }
    let org_wide: std::collections::BTreeSet<String> = per_day
        .iter()
        .filter(|(_, (n, spike))| *spike && *n >= 3)
        .map(|(day, _)| day.clone())
        .collect();
    let runaway: std::collections::BTreeSet<String> = judged_from
        .iter_days()
        .take_while(|d| *d <= yesterday)
        .filter(|d| sim::data::is_runaway(*d))
        .map(|d| d.to_string())
        .collect();
    assert!(!runaway.is_empty(), "61 judged days hold a runaway day");
    assert_eq!(org_wide, runaway, "{found}");
    app.stop().await;
}

both_backends!(
    the_demos_runaway_days_are_its_anomalies,
    daily_usage_groups_and_zero_fills,
    buckets_paginate_without_gaps,
    every_read_root_field_answers,
    price_override_applies_forward_only,
    bad_input_is_refused_with_codes,
);
