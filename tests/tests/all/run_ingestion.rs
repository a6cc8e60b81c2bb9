//! `runIngestion` drives the real engine against a local simulated provider.
use api::auth::Role;
use chrono::{Days, Utc};
use e2e::app::{Backend, TestApp, error_code};
use e2e::both_backends;
use ledger::providers::ProviderKind;
use serde_json::json;
use sim::{self as simulator, SimConfig};

const RUN: &str = "mutation($from: Date!, $to: Date!, $dry: Boolean) { runIngestion(provider: openai, from: $from, to: $to, connection: \"sim\", dryRun: $dry) { status windows rowsInserted rowsUpdated rowsDeleted dryRun issues { code day usageType message } } }";

async fn run_ingestion_is_idempotent(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (addr, _server) = simulator::spawn(SimConfig::default())
        .await
        .expect("simulator");
    ledger::providers::connections::upsert_demo(
        &app.state.db,
        "sim",
        ProviderKind::OpenAi,
        &format!("http://{addr}/v1"),
    )
    .await
    .expect("connection");
    let admin = app.token(Role::Admin);
    let to = Utc::now().date_naive() - Days::new(1);
    let from = to - Days::new(4);
    let vars = |dry: bool| json!({"from": from.to_string(), "to": to.to_string(), "dry": dry});

    let viewer = app
        .gql(Some(&app.token(Role::Viewer)), RUN, vars(false))
        .await;
    assert_eq!(error_code(&viewer), Some("FORBIDDEN"), "{viewer}");

    let dry = app.ok(Some(&admin), RUN, vars(true)).await["runIngestion"].clone();
    assert_eq!(dry["dryRun"], true);
    let usage = "query($from: Date!, $to: Date!) { dailyUsage(filter: {from: $from, to: $to, providers: [openai]}) { inputTokens } }";
    let empty = app.ok(Some(&admin), usage, vars(true)).await;
    let empty = empty["dailyUsage"].as_array().expect("rows");
    assert_eq!(empty.len(), 5, "one zero-filled row per day: {empty:?}");
    assert!(empty.iter().all(|r| r["inputTokens"] == 0), "{empty:?}");

    let first = app.ok(Some(&admin), RUN, vars(false)).await["runIngestion"].clone();
    assert_eq!(first["status"], "SUCCEEDED", "{first}");
    assert!(first["rowsInserted"].as_i64().expect("i64") > 0);
    let filled = app.ok(Some(&admin), usage, vars(false)).await;
    let filled = filled["dailyUsage"].as_array().expect("rows");
    assert_eq!(filled.len(), 5, "one row per day: {filled:?}");
    assert!(
        filled.iter().all(|r| r["inputTokens"].as_i64() > Some(0)),
        "{filled:?}"
    );

    let again = app.ok(Some(&admin), RUN, vars(false)).await["runIngestion"].clone();
    assert_eq!(again["status"], "SUCCEEDED");
    assert_eq!(
        (
            again["rowsInserted"].clone(),
            again["rowsUpdated"].clone(),
            again["rowsDeleted"].clone()
        ),
        (json!(0), json!(0), json!(0))
    );

    let bad = app
        .gql(Some(&admin), "mutation { runIngestion(provider: openai, from: \"2026-02-30\", to: \"2026-03-01\", connection: \"sim\") { status } }", json!({}))
        .await;
    assert_eq!(error_code(&bad), Some("BAD_USER_INPUT"), "{bad}");
    let unknown = app
        .gql(Some(&admin), "mutation { runIngestion(provider: \"mistral\", from: \"2026-03-01\", to: \"2026-03-01\") { status } }", json!({}))
        .await;
    assert_eq!(error_code(&unknown), Some("BAD_USER_INPUT"), "{unknown}");
    app.stop().await;
}

both_backends!(run_ingestion_is_idempotent);
