//! Price feed sync: a new version only when the content changed; a bad feed
//! changes nothing.
use api::auth::Role;
use e2e::app::{Backend, TestApp, error_code};
use e2e::both_backends;
use serde_json::json;

fn feed(input_mtok: u32) -> String {
    json!([{
        "id": "acme", "name": "Acme AI", "pricing_urls": [], "api_pattern": "api\\.acme\\.test",
        "models": [{"id": "acme-1", "match": {"equals": "acme-1"}, "prices": {"input_mtok": input_mtok, "output_mtok": 8}}]
    }])
    .to_string()
}

const SYNC: &str = "mutation { syncPricing { priceVersionId created contentHash } }";
const PRICE: &str = "{ modelPrices(provider: \"acme\", model: \"acme-1\") { inputMtok outputMtok priceVersionId } }";

async fn sync_creates_one_version_per_content(backend: Backend) {
    let path = std::env::temp_dir().join(format!(
        "ct_test_feed_{}.json",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::write(&path, feed(2)).expect("write feed");
    let app = TestApp::spawn_with(backend, path.to_str().expect("utf-8 path")).await;
    let admin = app.token(Role::Admin);

    let unknown = app.gql(Some(&admin), PRICE, json!({})).await;
    assert_eq!(error_code(&unknown), Some("NOT_FOUND"), "{unknown}");

    let first = app.ok(Some(&admin), SYNC, json!({})).await["syncPricing"].clone();
    assert_eq!(first["created"], true);
    let again = app.ok(Some(&admin), SYNC, json!({})).await["syncPricing"].clone();
    assert_eq!(again["created"], false);
    assert_eq!(again["priceVersionId"], first["priceVersionId"]);
    let price = app.ok(Some(&admin), PRICE, json!({})).await;
    assert_eq!(price["modelPrices"][0]["inputMtok"], "2");
    assert_eq!(
        price["modelPrices"][0]["priceVersionId"],
        first["priceVersionId"]
    );

    // A malformed feed is reported and the book stays as it was.
    std::fs::write(&path, "{\"truncated\": [").expect("write feed");
    let bad = app.gql(Some(&admin), SYNC, json!({})).await;
    assert_eq!(error_code(&bad), Some("BAD_USER_INPUT"), "{bad}");
    let price = app.ok(Some(&admin), PRICE, json!({})).await;
    assert_eq!(
        price["modelPrices"][0]["priceVersionId"],
        first["priceVersionId"]
    );

    // Changed content is a new version.
    std::fs::write(&path, feed(3)).expect("write feed");
    let changed = app.ok(Some(&admin), SYNC, json!({})).await["syncPricing"].clone();
    assert_eq!(changed["created"], true);
    assert_ne!(changed["priceVersionId"], first["priceVersionId"]);
    let price = app.ok(Some(&admin), PRICE, json!({})).await;
    assert_eq!(price["modelPrices"][0]["inputMtok"], "3");

    let _ = std::fs::remove_file(&path);
    app.stop().await;
}

both_backends!(sync_creates_one_version_per_content);
