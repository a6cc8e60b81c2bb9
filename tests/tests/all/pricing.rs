//! Price feed sync: a new version only when the content changed; a bad feed
//! changes nothing. Repricing stored usage is explicit and dry-runs first.
use api::auth::Role;
use e2e::app::{Backend, TestApp, dec, error_code};
use e2e::both_backends;
use ledger::usage::buckets::{BucketRow, Counts, DaySet, Dimensions, replace_day};
use rust_decimal::Decimal;
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

const DAILY_COST: &str =
    "query($f: Date!, $t: Date!) { dailyUsage(filter: {from: $f, to: $t}) { date costUsd } }";
const REPRICE: &str = "mutation($f: Date!, $t: Date!, $dry: Boolean) { repriceUsage(from: $f, to: $t, dryRun: $dry) { dryRun bucketsExamined bucketsChanged deltaUsd days { date provider bucketsChanged oldCostUsd newCostUsd } } }";

async fn costs(app: &TestApp, token: &str) -> Vec<Decimal> {
    app.ok(
        Some(token),
        DAILY_COST,
        json!({"f": "2026-10-01", "t": "2026-10-03"}),
    )
    .await["dailyUsage"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| dec(&r["costUsd"]))
        .collect()
}

/// Stored usage keeps the price of its day; a later price applies only
/// when an admin reprices, after a dry run showed the difference.
async fn repricing_is_explicit_and_dry_runs_first(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let connection = ledger::providers::connections::upsert_demo(
        &app.state.db,
        "priced",
        ledger::providers::ProviderKind::OpenAi,
        "http://127.0.0.1:9/v1",
    )
    .await
    .expect("connection");
    for day in ["2026-10-01", "2026-10-02", "2026-10-03"] {
        let set = DaySet {
            connection_id: connection.id,
            provider: entity::enums::ProviderKind::OpenAi,
            usage_type: "completions",
            day: day.parse().expect("day"),
        };
        let row = BucketRow {
            dims: Dimensions {
                model: "gpt-4o-mini-2024-07-18".into(),
                service_tier: "default".into(),
                batch: entity::enums::Batch::Interactive,
                ..Dimensions::default()
            },
            counts: Counts {
                input_tokens: 1_000_000,
                input_uncached_tokens: 1_000_000,
                output_tokens: 1_000_000,
                num_model_requests: 100,
                ..Counts::default()
            },
        };
        replace_day(&app.state.db, set, vec![row], None, &app.state.book)
            .await
            .expect("bucket");
    }
    let admin = app.token(Role::Admin);
    let book_cost = costs(&app, &admin).await;
    assert_eq!(book_cost.len(), 3, "one row per day: {book_cost:?}");
    assert!(
        book_cost
            .iter()
            .all(|c| *c == book_cost[0] && *c > Decimal::ZERO)
    );

    app.ok(
        Some(&admin),
        "mutation { setPriceOverride(input: {provider: \"openai\", model: \"gpt-4o-mini-2024-07-18\", effectiveFrom: \"2026-10-02\", inputMtok: \"0.1\", cachedInputMtok: \"0.05\", cacheWriteMtok: \"0.1\", outputMtok: \"0.4\"}) { source } }",
        json!({}),
    )
    .await;
    assert_eq!(costs(&app, &admin).await, book_cost, "stored costs stay");

    let vars = |dry: bool| json!({"f": "2026-10-01", "t": "2026-10-03", "dry": dry});
    let dry = app.ok(Some(&admin), REPRICE, vars(true)).await["repriceUsage"].clone();
    assert_eq!(dry["dryRun"], true);
    assert_eq!(
        (
            dry["bucketsExamined"].clone(),
            dry["bucketsChanged"].clone()
        ),
        (json!(3), json!(2))
    );
    let days: Vec<&str> = dry["days"]
        .as_array()
        .expect("days")
        .iter()
        .map(|d| d["date"].as_str().expect("date"))
        .collect();
    assert_eq!(
        days,
        ["2026-10-02", "2026-10-03"],
        "the earlier day is untouched"
    );
    let new_cost = Decimal::new(5, 1); // 1M input at $0.1 + 1M output at $0.4
    for day in dry["days"].as_array().expect("days") {
        assert_eq!(dec(&day["oldCostUsd"]), book_cost[0]);
        assert_eq!(dec(&day["newCostUsd"]), new_cost);
    }
    assert_eq!(
        dec(&dry["deltaUsd"]),
        (new_cost - book_cost[0]) * Decimal::TWO
    );
    assert_eq!(
        costs(&app, &admin).await,
        book_cost,
        "a dry run changes nothing"
    );

    let viewer = app
        .gql(Some(&app.token(Role::Viewer)), REPRICE, vars(false))
        .await;
    assert_eq!(error_code(&viewer), Some("FORBIDDEN"), "{viewer}");
    let bad = app
        .gql(
            Some(&admin),
            REPRICE,
            json!({"f": "2026-10-32", "t": "2026-10-03"}),
        )
        .await;
    assert_eq!(error_code(&bad), Some("BAD_USER_INPUT"), "{bad}");

    let applied = app.ok(Some(&admin), REPRICE, vars(false)).await["repriceUsage"].clone();
    assert_eq!(applied["bucketsChanged"], 2);
    assert_eq!(
        costs(&app, &admin).await,
        vec![book_cost[0], new_cost, new_cost]
    );
    let again = app.ok(Some(&admin), REPRICE, vars(false)).await["repriceUsage"].clone();
    assert_eq!(
        again["bucketsChanged"], 0,
        "repricing twice changes nothing"
    );
    app.stop().await;
}

both_backends!(repricing_is_explicit_and_dry_runs_first);
