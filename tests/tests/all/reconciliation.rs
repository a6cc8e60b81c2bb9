//! Billed vs computed over GraphQL, after a real ingestion of usage and
//! costs from the mock provider; the daily job records the same findings.
use api::auth::Role;
use chrono::{Days, Utc};
use e2e::app::{AppOptions, Backend, TestApp, TestDb, dec, error_code};
use e2e::both_backends;
use e2e::mock_provider::MockProvider;
use ledger::providers::{ProviderKind, ProvidersConfig, RateLimit};
use rust_decimal::Decimal;
use serde_json::json;
use sim::SimConfig;

const SECRET: &str = "cron-secret-of-sufficient-length-42";
const RECONCILE: &str = "query($f: Date!, $t: Date!) { costReconciliation(from: $f, to: $t, groupBy: [PROJECT]) { provider date projectId billedUsd computedUsd varianceUsd variancePercent withinTolerance likelyCause billedLines usageBuckets } }";

async fn billed_and_computed_side_by_side(backend: Backend) {
    let app = TestApp::serve(
        TestDb::fresh(backend).await,
        AppOptions {
            cron_secret: Some(SECRET.into()),
            providers: ProvidersConfig {
                rate_limit: RateLimit::UNLIMITED,
                ..ProvidersConfig::default()
            },
            ..AppOptions::default()
        },
    )
    .await;
    let mock = MockProvider::start(SimConfig::default()).await;
    for (name, kind, base) in [
        ("oa", ProviderKind::OpenAi, mock.openai_base()),
        ("an", ProviderKind::Anthropic, mock.anthropic_base()),
    ] {
        ledger::providers::connections::upsert_demo(&app.state.db, name, kind, &base)
            .await
            .expect("connection");
    }
    let admin = app.token(Role::Admin);
    let today = Utc::now().date_naive();
    let (from, to) = (
        (today - Days::new(7)).to_string(),
        (today - Days::new(1)).to_string(),
    );
    for (provider, connection) in [("openai", "oa"), ("anthropic", "an")] {
        let run = app
            .ok(
                Some(&admin),
                "mutation($p: Provider!, $c: String!, $f: Date!, $t: Date!) { runIngestion(provider: $p, connection: $c, from: $f, to: $t) { status } }",
                json!({"p": provider, "c": connection, "f": from, "t": to}),
            )
            .await;
        assert_eq!(run["runIngestion"]["status"], "SUCCEEDED", "{run}");
    }

    let viewer = app.token(Role::Viewer);
    let rows = app
        .ok(Some(&viewer), RECONCILE, json!({"f": from, "t": to}))
        .await["costReconciliation"]
        .as_array()
        .expect("rows")
        .clone();
    assert!(!rows.is_empty());
    let mut findings = 0;
    for row in &rows {
        let (billed, computed) = (dec(&row["billedUsd"]), dec(&row["computedUsd"]));
        assert_eq!(dec(&row["varianceUsd"]), computed - billed, "{row}");
        assert_eq!(
            row["withinTolerance"],
            row["likelyCause"].is_null(),
            "{row}"
        );
        if billed > Decimal::ZERO {
            assert!(row["billedLines"].as_i64() > Some(0));
            assert!(!row["variancePercent"].is_null());
        }
        findings += usize::from(!row["likelyCause"].is_null());
    }
    // Archived usage is still computed: the answer does not change.
    let moved = ledger::archive::run(
        &app.state.db,
        today,
        &ledger::archive::ArchiveOptions::default(),
        None,
    )
    .await
    .expect("archive");
    assert!(moved.usage_buckets > 0);
    let after = app
        .ok(Some(&viewer), RECONCILE, json!({"f": from, "t": to}))
        .await["costReconciliation"]
        .clone();
    assert_eq!(after, json!(rows));
    let billed: Decimal = rows.iter().map(|r| dec(&r["billedUsd"])).sum();
    assert!(billed > Decimal::ZERO, "the provider's costs were stored");
    for provider in ["openai", "anthropic"] {
        assert!(rows.iter().any(|r| r["provider"] == provider));
    }

    // The daily job records the same findings for the 7 days to yesterday.
    let response = reqwest::Client::new()
        .post(app.url("/api/cron/reconcile"))
        .bearer_auth(SECRET)
        .send()
        .await
        .expect("trigger");
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["from"], from);
    assert_eq!(
        body["findings"].as_array().map(Vec::len),
        Some(findings),
        "{body}"
    );
    let reports = app
        .ok(
            Some(&viewer),
            "{ reconciliationReports(first: 5) { edges { node { id withinTolerance billedUsd findings { provider date projectId varianceUsd likelyCause } } } } }",
            json!({}),
        )
        .await;
    let report = &reports["reconciliationReports"]["edges"][0]["node"];
    assert_eq!(report["id"], body["report_id"].to_string());
    assert_eq!(dec(&report["billedUsd"]), billed);
    assert_eq!(report["withinTolerance"], findings == 0);
    // The stored findings are the rows outside tolerance, typed.
    assert_eq!(
        report["findings"].as_array().map(Vec::len),
        Some(findings),
        "{report}"
    );
    let typed = report["findings"].as_array().cloned().unwrap_or_default();
    let recorded = body["findings"].as_array().cloned().unwrap_or_default();
    for (typed, recorded) in typed.iter().zip(&recorded) {
        assert_eq!(typed["provider"], recorded["provider"]);
        assert_eq!(typed["date"], recorded["day"]);
        assert_eq!(typed["projectId"], recorded["projectId"]);
        assert_eq!(dec(&typed["varianceUsd"]), dec(&recorded["varianceUsd"]));
        assert_eq!(
            typed["likelyCause"].as_str().map(str::to_lowercase),
            recorded["likelyCause"].as_str().map(str::to_owned)
        );
    }

    let bad = app
        .gql(Some(&viewer), RECONCILE, json!({"f": to, "t": from}))
        .await;
    assert_eq!(error_code(&bad), Some("BAD_USER_INPUT"), "{bad}");
    let anonymous = app.gql(None, RECONCILE, json!({"f": from, "t": to})).await;
    assert_eq!(
        error_code(&anonymous),
        Some("UNAUTHENTICATED"),
        "{anonymous}"
    );
    mock.stop();
    app.stop().await;
}

both_backends!(billed_and_computed_side_by_side);
