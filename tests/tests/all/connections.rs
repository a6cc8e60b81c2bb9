//! Provider connections over GraphQL: keys go in sealed and never come
//! back; a connection can be tested, used and removed.
use api::auth::Role;
use e2e::app::{AppOptions, Backend, TestApp, TestDb, error_code};
use e2e::both_backends;
use e2e::mock_provider::MockProvider;
use ledger::providers::keys::MasterKey;
use ledger::providers::{ProvidersConfig, RateLimit};
use serde_json::json;
use sim::SimConfig;

const KEY: &str = "sk-admin-sealed-0123456789abcdef";
const ADD: &str = "mutation($i: AddConnectionInput!) { addProviderConnection(input: $i) { id name provider keySource keyFingerprint baseUrl completeThrough } }";
const TEST: &str = "mutation($n: String!) { testProviderConnection(name: $n) { ok code message } }";
const LIST: &str = "{ providerConnections { name keySource keyFingerprint } }";

async fn connections_are_added_tested_used_and_removed(backend: Backend) {
    let app = TestApp::serve(
        TestDb::fresh(backend).await,
        AppOptions {
            providers: ProvidersConfig {
                master_key: Some(MasterKey::from_bytes([7u8; 32])),
                rate_limit: RateLimit::UNLIMITED,
                ..ProvidersConfig::default()
            },
            ..AppOptions::default()
        },
    )
    .await;
    let mock = MockProvider::start(SimConfig {
        required_key: Some(KEY.into()),
        ..SimConfig::default()
    })
    .await;
    let admin = app.token(Role::Admin);
    let input = |name: &str, key: &str, url: &str| json!({"i": {"name": name, "provider": "openai", "adminKey": key, "baseUrl": url}});

    let viewer = app
        .gql(
            Some(&app.token(Role::Viewer)),
            ADD,
            input("prod", KEY, &mock.openai_base()),
        )
        .await;
    assert_eq!(error_code(&viewer), Some("FORBIDDEN"), "{viewer}");

    let added = app
        .gql(Some(&admin), ADD, input("prod", KEY, &mock.openai_base()))
        .await;
    assert!(added.get("errors").is_none(), "{added}");
    let row = &added["data"]["addProviderConnection"];
    assert_eq!(row["keySource"], "STORED");
    assert_eq!(row["baseUrl"], mock.openai_base());
    assert!(!added.to_string().contains(KEY), "the key is never echoed");
    let listed = app.ok(Some(&admin), LIST, json!({})).await;
    assert!(!listed.to_string().contains(KEY));
    assert_eq!(
        listed["providerConnections"][0]["keyFingerprint"],
        row["keyFingerprint"]
    );

    for (vars, why) in [
        (input("prod", KEY, &mock.openai_base()), "duplicate name"),
        (input("bad name", KEY, &mock.openai_base()), "bad name"),
        (input("ftp", KEY, "ftp://127.0.0.1/v1"), "non-http URL"),
        (input("empty", " ", &mock.openai_base()), "empty key"),
    ] {
        let body = app.gql(Some(&admin), ADD, vars).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{why}: {body}");
        assert!(!body.to_string().contains(KEY));
    }

    let ok = app.ok(Some(&admin), TEST, json!({"n": "prod"})).await;
    assert_eq!(ok["testProviderConnection"]["ok"], true, "{ok}");
    app.ok(
        Some(&admin),
        ADD,
        input(
            "wrong",
            "sk-admin-wrong-key-0000000000",
            &mock.openai_base(),
        ),
    )
    .await;
    let refused = app.ok(Some(&admin), TEST, json!({"n": "wrong"})).await;
    assert_eq!(refused["testProviderConnection"]["ok"], false);
    assert_eq!(refused["testProviderConnection"]["code"], "AUTH");
    assert!(!refused.to_string().contains("wrong-key"));

    // The sealed key works for ingestion.
    let day = (chrono::Utc::now().date_naive() - chrono::Days::new(2)).to_string();
    let run = app
        .ok(
            Some(&admin),
            "mutation($d: Date!) { runIngestion(provider: openai, from: $d, to: $d, connection: \"prod\") { status rowsInserted } }",
            json!({"d": day}),
        )
        .await;
    assert_eq!(run["runIngestion"]["status"], "SUCCEEDED", "{run}");

    let removed = app
        .ok(
            Some(&admin),
            "mutation { removeProviderConnection(name: \"wrong\") }",
            json!({}),
        )
        .await;
    assert_eq!(removed["removeProviderConnection"], true);
    let again = app
        .gql(
            Some(&admin),
            "mutation { removeProviderConnection(name: \"wrong\") }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&again), Some("NOT_FOUND"), "{again}");
    let names: Vec<String> = app.ok(Some(&admin), LIST, json!({})).await["providerConnections"]
        .as_array()
        .expect("list")
        .iter()
        .map(|c| c["name"].as_str().expect("name").to_owned())
        .collect();
    assert_eq!(names, ["prod"]);

    // Removing a connection removes the names only it knew.
    let refreshed = app
        .ok(
            Some(&admin),
            "mutation { refreshInventory(connection: \"prod\") { items } }",
            json!({}),
        )
        .await;
    assert!(
        refreshed["refreshInventory"]["items"].as_i64() > Some(0),
        "{refreshed}"
    );
    let inventory = "{ inventory { externalId } }";
    app.ok(
        Some(&admin),
        "mutation { removeProviderConnection(name: \"prod\") }",
        json!({}),
    )
    .await;
    let left = app.ok(Some(&admin), inventory, json!({})).await;
    assert_eq!(left["inventory"], json!([]), "{left}");
    mock.stop();
    app.stop().await;
}

both_backends!(connections_are_added_tested_used_and_removed);
