//! `POST /api/cron/{job}`: the secret guards it, the body is the run's
//! telemetry, and a job never overlaps itself.
use std::time::Duration;

use api::auth::Role;
use e2e::app::{AppOptions, Backend, TestApp, TestDb};
use e2e::both_backends;
use e2e::mock_provider::{Fault, MockProvider, Rule};
use ledger::providers::{ProviderKind, ProvidersConfig, RateLimit, RetryPolicy};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sim::SimConfig;

const SECRET: &str = "cron-secret-of-sufficient-length-42";

async fn post(app: &TestApp, job: &str, bearer: Option<&str>) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new().post(app.url(&format!("/api/cron/{job}")));
    if let Some(bearer) = bearer {
        request = request.header("authorization", format!("Bearer {bearer}"));
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    (status, response.json().await.expect("json body"))
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

async fn cron_trigger_is_guarded_and_returns_telemetry(backend: Backend) {
    // No secret configured: the trigger is off.
    let off = TestApp::spawn(backend).await;
    let (status, body) = post(&off, "ingest", Some(SECRET)).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    off.stop().await;

    let app = TestApp::serve(
        TestDb::fresh(backend).await,
        AppOptions {
            cron_secret: Some(SECRET.into()),
            providers: providers(),
            ..AppOptions::default()
        },
    )
    .await;
    let mock = MockProvider::start(SimConfig::default()).await;
    ledger::providers::connections::upsert_demo(
        &app.state.db,
        "sim",
        ProviderKind::OpenAi,
        &mock.openai_base(),
    )
    .await
    .expect("connection");

    for bearer in [
        None,
        Some(""),
        Some("undefined"),
        Some("null"),
        Some("short"),
        Some("cron-secret-of-sufficient-length-43"),
    ] {
        let (status, body) = post(&app, "ingest", bearer).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{bearer:?}: {body}");
        assert!(!body.to_string().contains(SECRET));
    }
    assert!(mock.requests().is_empty(), "nothing ran without the secret");

    let (status, body) = post(&app, "reindex", Some(SECRET)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

    let (status, body) = post(&app, "ingest", Some(SECRET)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["job"], "ingest");
    assert_eq!(body["ok"], true);
    let run = &body["runs"][0];
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(run["label"], "schedule");
    assert!(run["rows_inserted"].as_u64() > Some(0), "{run}");
    // Last N complete days plus today.
    let days = (run["to"]
        .as_str()
        .expect("to")
        .parse::<chrono::NaiveDate>()
        .expect("day")
        - run["from"]
            .as_str()
            .expect("from")
            .parse::<chrono::NaiveDate>()
            .expect("day"))
    .num_days();
    assert_eq!(days, i64::from(jobs::ingest::DEFAULT_LOOKBACK_DAYS));

    // The same run is in ingestionRuns.
    let runs = app
        .ok(
            Some(&app.token(Role::Viewer)),
            "{ ingestionRuns(first: 5) { edges { node { id label status } } } }",
            json!({}),
        )
        .await;
    let node = &runs["ingestionRuns"]["edges"][0]["node"];
    assert_eq!(node["id"], run["run_id"].to_string());
    assert_eq!(node["label"], "schedule");

    // A job does not overlap itself: while one run hangs at the provider,
    // a second trigger is refused.
    mock.inject(Rule::new("/usage/", Fault::Hang(Duration::from_secs(600))).times(1));
    let first = {
        let url = app.url("/api/cron/ingest");
        tokio::spawn(async move {
            reqwest::Client::new()
                .post(url)
                .bearer_auth(SECRET)
                .send()
                .await
        })
    };
    tokio::time::timeout(Duration::from_secs(60), mock.hung())
        .await
        .expect("the first run reached the provider");
    let (status, body) = post(&app, "ingest", Some(SECRET)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    first.abort();
    mock.stop();
    app.stop().await;
}

both_backends!(cron_trigger_is_guarded_and_returns_telemetry);
