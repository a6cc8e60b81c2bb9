//! Anomalies on seeded data with a known spike: the spike is found with
//! the baseline the planted days give, ordinary days and small models are
//! not, weekends are judged against weekends, and bad rules are refused.
use chrono::{Datelike, Days, NaiveDate, Utc, Weekday};
use e2e::app::{Backend, TestApp, dec, error_code};
use e2e::both_backends;
use entity::enums::ProviderKind;
use rust_decimal::Decimal;
use serde_json::json;

const QUERY: &str = "query($from: Date!, $to: Date!, $t: Float) { usageAnomalies(from: $from, to: $to, dimension: MODEL, threshold: $t) { date value costUsd baselineUsd baselineDeviationUsd zScore spike baselineDays } }";

fn weekend(day: NaiveDate) -> bool {
    matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

/// What the test plants for a model on a day, in micro-USD: weekdays
/// $9–$11, weekends $2; "mini" spends cents.
fn planted(model: &str, day: NaiveDate) -> i64 {
    let cents = match (model, weekend(day)) {
        ("big", false) => 900 + i64::from(day.ordinal() % 3) * 100,
        ("big", true) => 200,
        _ => 3 + i64::from(day.ordinal() % 5),
    };
    cents * 10_000
}

fn median(mut values: Vec<i64>) -> i64 {
    values.sort_unstable();
    values[(values.len() - 1) / 2]
}

/// Plants 46 days of "big" and "mini" ending today, "big" spending
/// `spike` on `spike_day`.
async fn plant(app: &TestApp, spike_day: NaiveDate, spike: i64) -> NaiveDate {
    let today = Utc::now().date_naive();
    let first = today - Days::new(45);
    for offset in 0..=45 {
        let day = first + Days::new(offset);
        for model in ["big", "mini"] {
            let cost = if model == "big" && day == spike_day {
                spike
            } else {
                planted(model, day)
            };
            let bucket = entity::usage_bucket::Model {
                model: model.into(),
                project_id: format!("project-{model}"),
                api_key_id: format!("key-{model}"),
                cost_micros: Some(cost),
                ..e2e::buckets::completion(day, ProviderKind::OpenAi)
            };
            e2e::buckets::insert(&app.state.db, bucket).await;
        }
    }
    first
}

async fn a_seeded_spike_is_found_and_nothing_else(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let viewer = app.token(api::auth::Role::Viewer);
    let today = Utc::now().date_naive();
    // A weekday: a weekend's baseline is planted flat (no deviation, so no
    // score), and a spike three days back fell on one every Tuesday and
    // Wednesday.
    let spike_day = (3..)
        .map(|back| today - Days::new(back))
        .find(|day| !weekend(*day))
        .expect("a weekday within a week");
    let spike = 80_000_000;
    let first = plant(&app, spike_day, spike).await;
    let vars = json!({"from": (today - Days::new(10)).to_string(), "to": today.to_string()});
    let found = app.ok(Some(&viewer), QUERY, vars.clone()).await["usageAnomalies"].clone();
    let rows = found.as_array().expect("list");
    assert_eq!(rows.len(), 1, "only the spike: {found}");
    let row = &rows[0];
    assert_eq!(row["date"], spike_day.to_string());
    assert_eq!(row["value"], "big");
    assert_eq!(row["spike"], true);
    assert_eq!(dec(&row["costUsd"]), Decimal::new(spike, 6));
    let baseline: Vec<i64> = (1..=28)
        .map(|back| spike_day - Days::new(back))
        .filter(|d| weekend(*d) == weekend(spike_day))
        .map(|d| planted("big", d))
        .collect();
    assert_eq!(row["baselineDays"].as_u64(), Some(baseline.len() as u64));
    let middle = median(baseline.clone());
    let mad = median(baseline.iter().map(|v| (v - middle).abs()).collect());
    assert_eq!(dec(&row["baselineUsd"]), Decimal::new(middle, 6));
    assert_eq!(dec(&row["baselineDeviationUsd"]), Decimal::new(mad, 6));
    let z = row["zScore"].as_f64().expect("z");
    let want = 0.6745 * (spike - middle) as f64 / mad as f64;
    assert!((z - want).abs() < 1e-9, "{z} vs {want}");

    // A threshold above the spike's score finds nothing.
    let mut strict = vars.clone();
    strict["t"] = json!(z + 1.0);
    let none = app.ok(Some(&viewer), QUERY, strict).await;
    assert_eq!(none["usageAnomalies"], json!([]));
    // Bad rules and ranges are the caller's.
    let mut bad = vars.clone();
    bad["t"] = json!(0);
    let body = app.gql(Some(&viewer), QUERY, bad).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let backwards = json!({"from": today.to_string(), "to": first.to_string()});
    let body = app.gql(Some(&viewer), QUERY, backwards).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    app.stop().await;
}

/// The budgets job raises yesterday's anomaly as signed `usage.anomaly`
/// events, one per dimension it shows in (the model, its project, its
/// key); running it again sends nothing more.
async fn yesterdays_anomaly_is_sent_once_as_a_signed_webhook(backend: Backend) {
    use sea_orm::EntityTrait;
    let app = TestApp::spawn(backend).await;
    let yesterday = Utc::now().date_naive() - Days::new(1);
    plant(&app, yesterday, 80_000_000).await;
    let receiver = e2e::webhook_receiver::WebhookReceiver::spawn().await;
    let secret = app.webhook_secret("ops", &receiver.url()).await;
    for _ in 0..2 {
        let outcome = app
            .state
            .jobs
            .run(jobs::JobName::Budgets)
            .await
            .expect("job");
        assert!(outcome.ok, "{outcome:?}");
    }
    let received = receiver.received();
    let mut seen = std::collections::BTreeSet::new();
    for event in &received {
        assert_eq!(event.header(ledger::notify::EVENT_HEADER), "usage.anomaly");
        assert!(ledger::notify::verify_signature(
            &secret,
            &event.body,
            event.header(ledger::notify::SIGNATURE_HEADER)
        ));
        let body = event.json();
        assert_eq!(body["day"], yesterday.to_string());
        assert_eq!(body["spike"], true);
        assert_eq!(dec(&body["cost_usd"]), Decimal::new(80_000_000, 6));
        let delivery = event.header(ledger::notify::DELIVERY_HEADER);
        assert_eq!(delivery, format!("anomaly-{}", body["alert_id"]));
        let key = (
            body["dimension"].as_str().expect("dimension").to_owned(),
            body["value"].as_str().expect("value").to_owned(),
        );
        assert!(seen.insert(key), "sent twice: {body}");
    }
    let want: std::collections::BTreeSet<(String, String)> = [
        ("api_key", "key-big"),
        ("model", "big"),
        ("project", "project-big"),
    ]
    .map(|(d, v)| (d.to_owned(), v.to_owned()))
    .into();
    assert_eq!(seen, want);
    let rows = entity::anomaly_alert::Entity::find()
        .all(&app.state.db)
        .await
        .expect("rows");
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r.delivered_at.is_some()), "{rows:?}");
    app.stop().await;
}

both_backends!(
    a_seeded_spike_is_found_and_nothing_else,
    yesterdays_anomaly_is_sent_once_as_a_signed_webhook,
);
