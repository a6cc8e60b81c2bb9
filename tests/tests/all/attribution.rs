//! The attribution ledger: provider buckets and app-reported interactions
//! at the same grain, every token in exactly one category.
use api::auth::Role;
use e2e::app::{Backend, TestApp, dec, error_code};
use e2e::both_backends;
use ledger::usage::buckets::{BucketRow, Counts, DaySet, Dimensions, replace_day};
use serde_json::{Value, json};

const DAY: &str = "2026-10-05";
const MODEL: &str = "gpt-4o-mini-2024-07-18";
const QUERY: &str = "query($f: Date!, $t: Date!, $g: [AttributionDimension!]) { attribution(from: $f, to: $t, groupBy: $g) {
    rows { date group { projectId } provider { tokens costUsd } app { tokens costUsd } matched { tokens costUsd } providerOnly { tokens costUsd } appOnly { tokens costUsd } mismatchedKeys coveragePercent }
    totals { date provider { tokens } app { tokens } matched { tokens } providerOnly { tokens } appOnly { tokens } mismatchedKeys coveragePercent } } }";

async fn seed_provider(app: &TestApp, buckets: &[(&str, i64, i64)]) {
    let connection = ledger::providers::connections::upsert_demo(
        &app.state.db,
        "attributed",
        ledger::providers::ProviderKind::OpenAi,
        "http://127.0.0.1:9/v1",
    )
    .await
    .expect("connection");
    let rows = buckets
        .iter()
        .map(|(project, input, output)| BucketRow {
            dims: Dimensions {
                project_id: (*project).into(),
                api_key_id: "key_1".into(),
                model: MODEL.into(),
                service_tier: "default".into(),
                batch: entity::enums::Batch::Interactive,
                ..Dimensions::default()
            },
            counts: Counts {
                input_tokens: *input,
                input_uncached_tokens: *input,
                output_tokens: *output,
                num_model_requests: 1,
                ..Counts::default()
            },
        })
        .collect();
    let set = DaySet {
        connection_id: connection.id,
        provider: entity::enums::ProviderKind::OpenAi,
        usage_type: "completions",
        day: DAY.parse().expect("day"),
    };
    replace_day(&app.state.db, set, rows, None, &app.state.book)
        .await
        .expect("buckets");
}

async fn seed_app(app: &TestApp, interactions: &[(&str, i64, i64)]) {
    let key = app.ingest_key().await;
    let session = app
        .ok(
            Some(&key),
            "mutation($at: DateTime) { startSession(input: {userId: \"u\", startedAt: $at}) { id } }",
            json!({"at": format!("{DAY}T09:00:00Z")}),
        )
        .await["startSession"]["id"]
        .clone();
    let inputs: Vec<Value> = interactions
        .iter()
        .map(|(project, input, output)| {
            // No tier reported: matches the provider's default tier.
            json!({"sessionId": session, "kind": "CHAT", "provider": "openai", "model": MODEL,
                "projectId": project, "apiKeyId": "key_1", "inputTokens": input, "outputTokens": output,
                "occurredAt": format!("{DAY}T10:00:00Z")})
        })
        .collect();
    app.ok(
        Some(&key),
        "mutation($i: [InteractionInput!]!) { recordInteractions(inputs: $i) { id } }",
        json!({"i": inputs}),
    )
    .await;
}

fn tokens(line: &Value, category: &str) -> i64 {
    line[category]["tokens"].as_i64().expect("tokens")
}

async fn every_token_is_matched_provider_only_or_app_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // proj_a: both report 1,500; proj_b: provider only; proj_d: both, but
    // the app reported 400 of 1,000.
    seed_provider(
        &app,
        &[
            ("proj_a", 1000, 500),
            ("proj_b", 1500, 500),
            ("proj_d", 800, 200),
        ],
    )
    .await;
    // proj_c: the app only.
    seed_app(
        &app,
        &[
            ("proj_a", 1000, 500),
            ("proj_c", 250, 50),
            ("proj_d", 300, 100),
        ],
    )
    .await;
    let viewer = app.token(Role::Viewer);

    let data = app
        .ok(
            Some(&viewer),
            QUERY,
            json!({"f": DAY, "t": DAY, "g": ["PROJECT"]}),
        )
        .await;
    let rows = data["attribution"]["rows"].as_array().expect("rows");
    let by_project = |p: &str| {
        rows.iter()
            .find(|r| r["group"]["projectId"] == p)
            .unwrap_or_else(|| panic!("row for {p}: {rows:?}"))
    };
    let expect = [
        // (project, provider, app, matched, provider-only, app-only, mismatched keys)
        ("proj_a", 1500, 1500, 1500, 0, 0, 0),
        ("proj_b", 2000, 0, 0, 2000, 0, 0),
        ("proj_c", 0, 300, 0, 0, 300, 0),
        ("proj_d", 1000, 400, 400, 600, 0, 1),
    ];
    for (project, provider, app_total, matched, provider_only, app_only, mismatched) in expect {
        let row = by_project(project);
        assert_eq!(
            (
                tokens(row, "provider"),
                tokens(row, "app"),
                tokens(row, "matched"),
                tokens(row, "providerOnly"),
                tokens(row, "appOnly"),
                row["mismatchedKeys"].as_i64().expect("n"),
            ),
            (
                provider,
                app_total,
                matched,
                provider_only,
                app_only,
                mismatched
            ),
            "{project}: {row}"
        );
        // The identities hold for money too.
        let usd = |c: &str| dec(&row[c]["costUsd"]);
        assert_eq!(
            usd("matched") + usd("providerOnly"),
            usd("provider"),
            "{row}"
        );
        assert_eq!(usd("matched") + usd("appOnly"), usd("app"), "{row}");
    }

    // Ungrouped: one row for the day, equal to the totals line.
    let day = app
        .ok(Some(&viewer), QUERY, json!({"f": DAY, "t": DAY}))
        .await;
    let totals = &day["attribution"]["totals"];
    let row = &day["attribution"]["rows"][0];
    for category in ["provider", "app", "matched", "providerOnly", "appOnly"] {
        assert_eq!(
            tokens(row, category),
            tokens(totals, category),
            "{category}"
        );
    }
    assert_eq!(tokens(totals, "provider"), 4500);
    assert_eq!(tokens(totals, "matched"), 1900);
    assert_eq!(
        tokens(totals, "matched") + tokens(totals, "providerOnly"),
        tokens(totals, "provider")
    );
    assert_eq!(
        tokens(totals, "matched") + tokens(totals, "appOnly"),
        tokens(totals, "app")
    );
    assert_eq!(totals["coveragePercent"], 42.22);
    assert!(totals["date"].is_null());

    // Past the retention window both sides are in the archive; the ledger
    // reads them there and answers the same.
    let cutoff =
        chrono::NaiveDate::parse_from_str(DAY, "%Y-%m-%d").expect("day") + chrono::Days::new(1);
    let moved = ledger::archive::run(
        &app.state.db,
        cutoff,
        &ledger::archive::ArchiveOptions::default(),
        None,
    )
    .await
    .expect("archive");
    assert!(
        moved.usage_buckets == 3 && moved.interactions == 3,
        "{moved:?}"
    );
    let archived = app
        .ok(Some(&viewer), QUERY, json!({"f": DAY, "t": DAY}))
        .await;
    assert_eq!(archived, day);

    let bad = app
        .gql(Some(&viewer), QUERY, json!({"f": DAY, "t": "2026-10-01"}))
        .await;
    assert_eq!(error_code(&bad), Some("BAD_USER_INPUT"), "{bad}");
    let anonymous = app.gql(None, QUERY, json!({"f": DAY, "t": DAY})).await;
    assert_eq!(
        error_code(&anonymous),
        Some("UNAUTHENTICATED"),
        "{anonymous}"
    );
    app.stop().await;
}

both_backends!(every_token_is_matched_provider_only_or_app_only);
