//! Budgets and alerts: a crossed threshold is delivered once, signed, to a
//! local webhook receiver; failed deliveries are retried; admin only.
use std::time::Duration;

use api::auth::Role;
use chrono::{NaiveDate, Utc};
use e2e::app::{Backend, TestApp, dec, error_code};
use e2e::both_backends;
use e2e::webhook_receiver::{Received, WebhookReceiver};
use entity::usage_bucket;
use ledger::budgets;
use ledger::notify::{self, WebhookConfig, WebhookSender};
use rust_decimal::Decimal;
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};

const CREATE_WEBHOOK: &str = "mutation($n: String!, $u: String!) { createWebhook(name: $n, url: $u) { webhook { id name url } secret } }";
const CREATE_BUDGET: &str = "mutation($i: BudgetInput!) { createBudget(input: $i) { id name scope scopeValue period amountUsd thresholds current { spendUsd percentUsed thresholdsCrossed } } }";
const EVALUATE: &str = "mutation { evaluateBudgets { date budgetsEvaluated alertsRaised alertsDelivered deliveries failedDeliveries attempts alertsPending } }";
const ALERTS: &str = "{ alerts(first: 50) { edges { node { id budgetId budgetName thresholdPct spendUsd amountUsd periodStart status attempts lastError deliveredAt deliveredWebhookIds } } } }";
const BUDGETS: &str = "query($d: Date) { budgets(first: 50, date: $d) { edges { node { id name provider thresholds enabled current { periodStart periodEnd asOf spendUsd forecastUsd amountUsd percentUsed forecastPercentUsed thresholdsCrossed unpricedBuckets } } } } }";

fn usd(micros: i64) -> Decimal {
    Decimal::new(micros, 6)
}

/// Stores one priced provider bucket: `cost_micros` on `day`.
async fn seed_cost(
    db: &DatabaseConnection,
    day: NaiveDate,
    provider: &str,
    project: &str,
    model: &str,
    cost_micros: i64,
) {
    let bucket = usage_bucket::Model {
        project_id: project.into(),
        model: model.into(),
        cost_micros: Some(cost_micros),
        ..e2e::buckets::completion(day, provider.parse().expect("provider"))
    };
    e2e::buckets::insert(db, bucket).await;
}

async fn create_webhook(app: &TestApp, admin: &str, url: &str) -> (String, String) {
    let data = app
        .ok(Some(admin), CREATE_WEBHOOK, json!({"n": "ops", "u": url}))
        .await;
    let created = &data["createWebhook"];
    (
        created["webhook"]["id"].as_str().expect("id").to_owned(),
        created["secret"].as_str().expect("secret").to_owned(),
    )
}

async fn create_budget(app: &TestApp, admin: &str, input: Value) -> Value {
    app.ok(Some(admin), CREATE_BUDGET, json!({"i": input}))
        .await["createBudget"]
        .clone()
}

/// A retry policy with millisecond waits, so the tests stay fast.
fn fast_sender(max_attempts: u32) -> WebhookSender {
    WebhookSender::new(WebhookConfig {
        timeout: Duration::from_secs(5),
        max_attempts,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
    })
    .expect("sender")
    .with_master_key(Some(e2e::providers::master()))
}

/// The receiver's view: the body is signed with the secret shown once, the
/// timestamp header matches the signed `sent_at`.
fn assert_signed(request: &Received, secret: &str) {
    let signature = request.header(notify::SIGNATURE_HEADER);
    assert!(signature.starts_with("sha256="), "{signature}");
    assert!(
        notify::verify_signature(secret, &request.body, signature),
        "bad signature {signature}"
    );
    assert!(!notify::verify_signature(
        "whsec_wrong",
        &request.body,
        signature
    ));
    let body = request.json();
    assert_eq!(
        request.header(notify::TIMESTAMP_HEADER),
        body["sent_at"].to_string()
    );
    assert_eq!(request.header("content-type"), "application/json");
    assert_eq!(
        request.header(notify::EVENT_HEADER),
        "budget.threshold_crossed"
    );
}

fn alert_nodes(data: &Value) -> Vec<Value> {
    data["alerts"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

async fn crossing_delivers_one_signed_webhook(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.token(Role::Admin);
    let viewer = app.token(Role::Viewer);
    let receiver = WebhookReceiver::spawn().await;
    let (hook_id, secret) = create_webhook(&app, &admin, &receiver.url()).await;
    assert!(secret.starts_with("whsec_"), "{secret}");

    // The secret is never shown again.
    let listed = app
        .ok(
            Some(&admin),
            "{ webhooks { edges { node { id name url createdAt } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        listed["webhooks"]["edges"][0]["node"]["url"],
        receiver.url()
    );
    assert!(!listed.to_string().contains(&secret));

    let today = Utc::now().date_naive();
    seed_cost(
        &app.state.db,
        today,
        "openai",
        "proj_a",
        "gpt-4o",
        6_000_000,
    )
    .await;
    // Another project's spend does not count.
    seed_cost(
        &app.state.db,
        today,
        "openai",
        "proj_b",
        "gpt-4o",
        50_000_000,
    )
    .await;

    let budget = create_budget(
        &app,
        &admin,
        json!({"name": "proj A daily", "scope": "PROJECT", "scopeValue": "proj_a",
               "period": "DAILY", "amountUsd": "10", "thresholds": [100, 50, 80]}),
    )
    .await;
    assert_eq!(budget["thresholds"], json!([50, 80, 100]));
    assert_eq!(dec(&budget["current"]["spendUsd"]), usd(6_000_000));
    assert_eq!(dec(&budget["current"]["percentUsed"]), Decimal::from(60));
    let budget_id = budget["id"].as_str().expect("id").to_owned();

    // The mutation and a second evaluator race: still one delivery.
    let sender = fast_sender(3);
    let (via_api, direct) = tokio::join!(
        app.ok(Some(&admin), EVALUATE, json!({})),
        budgets::evaluate(&app.state.db, today, &sender)
    );
    let direct = direct.expect("evaluate");
    // Either evaluator may have raised and delivered the alert; the other
    // skipped it (and may have counted it pending while it was claimed).
    let report = &via_api["evaluateBudgets"];
    assert_eq!(
        report["alertsRaised"].as_u64().expect("n") + direct.alerts_raised,
        1,
        "{report} {direct:?}"
    );
    assert_eq!(
        report["deliveries"].as_u64().expect("n") + direct.deliveries,
        1,
        "{report} {direct:?}"
    );

    let got = receiver.received();
    assert_eq!(got.len(), 1, "exactly one delivery: {got:?}");
    assert_signed(&got[0], &secret);
    let body = got[0].json();
    assert_eq!(body["threshold_pct"], 50);
    assert_eq!(body["spend_usd"], "6.000000");
    assert_eq!(body["budget"]["amount_usd"], "10.000000");
    assert_eq!(body["budget"]["name"], "proj A daily");
    assert_eq!(body["budget"]["scope_value"], "proj_a");
    assert_eq!(body["period_start"], today.to_string());
    assert_eq!(
        got[0].header(notify::DELIVERY_HEADER),
        body["alert_id"].to_string()
    );

    // Evaluating again sends nothing new.
    let again = app.ok(Some(&admin), EVALUATE, json!({})).await;
    assert_eq!(again["evaluateBudgets"]["alertsRaised"], 0);
    assert_eq!(again["evaluateBudgets"]["attempts"], 0);
    assert_eq!(receiver.received().len(), 1);

    // More spend crosses 80 % (not 100 %): one more delivery.
    seed_cost(
        &app.state.db,
        today,
        "openai",
        "proj_a",
        "gpt-4o-mini",
        3_000_000,
    )
    .await;
    let third = app.ok(Some(&admin), EVALUATE, json!({})).await;
    assert_eq!(third["evaluateBudgets"]["alertsRaised"], 1);
    assert_eq!(third["evaluateBudgets"]["deliveries"], 1);
    let got = receiver.received();
    assert_eq!(got.len(), 2);
    assert_signed(&got[1], &secret);
    assert_eq!(got[1].json()["threshold_pct"], 80);
    assert_eq!(got[1].json()["spend_usd"], "9.000000");
    app.ok(Some(&admin), EVALUATE, json!({})).await;
    assert_eq!(receiver.received().len(), 2);

    // The history, newest first, readable by a viewer.
    let alerts = alert_nodes(&app.ok(Some(&viewer), ALERTS, json!({})).await);
    assert_eq!(alerts.len(), 2);
    assert_eq!(alerts[0]["thresholdPct"], 80);
    assert_eq!(alerts[1]["thresholdPct"], 50);
    for alert in &alerts {
        assert_eq!(alert["status"], "DELIVERED", "{alert}");
        assert_eq!(alert["budgetId"], budget_id.as_str());
        assert_eq!(alert["attempts"], 1);
        assert_eq!(alert["deliveredWebhookIds"], json!([hook_id.as_str()]));
        assert!(alert["deliveredAt"].is_string());
    }

    let listed = app.ok(Some(&viewer), BUDGETS, json!({})).await;
    let current = &listed["budgets"]["edges"][0]["node"]["current"];
    assert_eq!(dec(&current["spendUsd"]), usd(9_000_000));
    assert_eq!(dec(&current["percentUsed"]), Decimal::from(90));
    assert_eq!(current["thresholdsCrossed"], json!([50, 80]));

    // Disabled budgets are not evaluated.
    app.ok(
        Some(&admin),
        "mutation($id: ID!) { updateBudget(id: $id, input: {enabled: false}) { enabled } }",
        json!({"id": budget_id}),
    )
    .await;
    seed_cost(&app.state.db, today, "openai", "proj_a", "o3", 5_000_000).await;
    let off = app.ok(Some(&admin), EVALUATE, json!({})).await;
    assert_eq!(off["evaluateBudgets"]["budgetsEvaluated"], 0);
    assert_eq!(receiver.received().len(), 2);

    receiver.stop();
    app.stop().await;
}

/// Spend to date and the run-rate forecast of a monthly budget, on fixed
/// past days, with a provider filter.
async fn monthly_forecast_and_filters(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.token(Role::Admin);
    let day = |d: &str| ledger::dates::parse_day(d).expect("day");
    seed_cost(
        &app.state.db,
        day("2026-11-03"),
        "openai",
        "p",
        "gpt-4o",
        4_000_000,
    )
    .await;
    seed_cost(
        &app.state.db,
        day("2026-11-05"),
        "openai",
        "p",
        "gpt-4o",
        6_000_000,
    )
    .await;
    seed_cost(
        &app.state.db,
        day("2026-11-05"),
        "anthropic",
        "p",
        "claude",
        5_000_000,
    )
    .await;
    // Outside the month or after the evaluated day: not counted.
    seed_cost(
        &app.state.db,
        day("2026-10-31"),
        "openai",
        "p",
        "gpt-4o",
        9_000_000,
    )
    .await;
    seed_cost(
        &app.state.db,
        day("2026-11-11"),
        "openai",
        "p",
        "gpt-4o",
        9_000_000,
    )
    .await;

    create_budget(
        &app,
        &admin,
        json!({"name": "openai month", "scope": "ORG", "provider": "openai",
               "period": "MONTHLY", "amountUsd": "50"}),
    )
    .await;
    create_budget(
        &app,
        &admin,
        json!({"name": "gpt-4o month", "scope": "MODEL", "scopeValue": "gpt-4o",
               "period": "MONTHLY", "amountUsd": "12.5"}),
    )
    .await;
    let listed = app
        .ok(Some(&admin), BUDGETS, json!({"d": "2026-11-10"}))
        .await;
    let nodes: Vec<&Value> = listed["budgets"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| &e["node"])
        .collect();
    let org = &nodes[0]["current"];
    assert_eq!(org["periodStart"], "2026-11-01");
    assert_eq!(org["periodEnd"], "2026-11-30");
    assert_eq!(org["asOf"], "2026-11-10");
    assert_eq!(dec(&org["spendUsd"]), usd(10_000_000));
    // $10 over 10 of 30 days runs at $30.
    assert_eq!(dec(&org["forecastUsd"]), usd(30_000_000));
    assert_eq!(dec(&org["percentUsed"]), Decimal::from(20));
    assert_eq!(dec(&org["forecastPercentUsed"]), Decimal::from(60));
    assert_eq!(org["thresholdsCrossed"], json!([]));
    let model = &nodes[1]["current"];
    assert_eq!(dec(&model["spendUsd"]), usd(10_000_000));
    assert_eq!(dec(&model["percentUsed"]), Decimal::from(80));
    assert_eq!(model["thresholdsCrossed"], json!([50, 80]));
    assert_eq!(nodes[1]["provider"], Value::Null, "every provider");

    app.stop().await;
}

/// A receiver failing twice is retried with backoff within one run.
async fn failing_receiver_is_retried(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.token(Role::Admin);
    let receiver = WebhookReceiver::failing_first(2, 503).await;
    let (_, secret) = create_webhook(&app, &admin, &receiver.url()).await;
    let today = Utc::now().date_naive();
    seed_cost(&app.state.db, today, "openai", "", "gpt-4o", 2_000_000).await;
    create_budget(
        &app,
        &admin,
        json!({"name": "org", "scope": "ORG", "period": "DAILY", "amountUsd": "1", "thresholds": [100]}),
    )
    .await;

    let report = budgets::evaluate(&app.state.db, today, &fast_sender(3))
        .await
        .expect("evaluate");
    assert_eq!(
        (
            report.alerts_raised,
            report.deliveries,
            report.attempts,
            report.alerts_pending
        ),
        (1, 1, 3, 0),
        "{report:?}"
    );
    let got = receiver.received();
    assert_eq!(
        got.iter().map(|r| r.answered).collect::<Vec<_>>(),
        vec![503, 503, 200]
    );
    // Every attempt is signed; all carry the same delivery id.
    for request in &got {
        assert_signed(request, &secret);
        assert_eq!(
            request.header(notify::DELIVERY_HEADER),
            got[0].header(notify::DELIVERY_HEADER)
        );
    }
    let alerts = alert_nodes(&app.ok(Some(&admin), ALERTS, json!({})).await);
    assert_eq!(alerts[0]["status"], "DELIVERED");
    assert_eq!(alerts[0]["attempts"], 3);
    assert!(
        alerts[0]["lastError"]
            .as_str()
            .expect("error")
            .contains("503"),
        "{}",
        alerts[0]
    );

    // Nothing more to send.
    let again = budgets::evaluate(&app.state.db, today, &fast_sender(3))
        .await
        .expect("evaluate");
    assert_eq!(again.attempts, 0);
    assert_eq!(receiver.received().len(), 3);

    receiver.stop();
    app.stop().await;
}

/// A receiver that keeps refusing gets a bounded number of attempts over
/// all runs; then the alert is marked as given up and no longer retried.
async fn delivery_gives_up_after_the_attempt_cap(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.token(Role::Admin);
    let receiver = WebhookReceiver::failing_first(usize::MAX, 500).await;
    create_webhook(&app, &admin, &receiver.url()).await;
    let today = Utc::now().date_naive();
    seed_cost(&app.state.db, today, "openai", "", "gpt-4o", 2_000_000).await;
    create_budget(
        &app,
        &admin,
        json!({"name": "org", "scope": "ORG", "period": "DAILY", "amountUsd": "1", "thresholds": [100]}),
    )
    .await;
    let per_run = u32::try_from(budgets::MAX_DELIVERY_ATTEMPTS / 3).expect("attempts");
    for run in 1..=3 {
        let report = budgets::evaluate(&app.state.db, today, &fast_sender(per_run))
            .await
            .expect("evaluate");
        assert_eq!(report.attempts, u64::from(per_run), "run {run}: {report:?}");
        let given_up = run == 3;
        assert_eq!(
            (report.alerts_pending, report.alerts_given_up),
            (u64::from(!given_up), u64::from(given_up)),
            "run {run}: {report:?}"
        );
    }
    let alerts = alert_nodes(&app.ok(Some(&admin), ALERTS, json!({})).await);
    assert_eq!(alerts[0]["status"], "GAVE_UP", "{}", alerts[0]);
    assert_eq!(alerts[0]["attempts"], budgets::MAX_DELIVERY_ATTEMPTS);
    // Given up: the next run sends nothing.
    let sent = receiver.received().len();
    let after = budgets::evaluate(&app.state.db, today, &fast_sender(per_run))
        .await
        .expect("evaluate");
    assert_eq!((after.attempts, after.alerts_given_up), (0, 1));
    assert_eq!(receiver.received().len(), sent);
    receiver.stop();
    app.stop().await;
}

/// An alert a webhook did not accept is retried by the next run, and a
/// webhook that already has it does not get it twice.
async fn next_run_retries_only_the_missing_webhook(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.token(Role::Admin);
    let healthy = WebhookReceiver::spawn().await;
    let flaky = WebhookReceiver::failing_first(2, 500).await;
    let (healthy_id, healthy_secret) = create_webhook(&app, &admin, &healthy.url()).await;
    let (flaky_id, flaky_secret) = create_webhook(&app, &admin, &flaky.url()).await;
    let today = Utc::now().date_naive();
    seed_cost(&app.state.db, today, "anthropic", "", "claude", 1_000_000).await;
    create_budget(
        &app,
        &admin,
        json!({"name": "org", "scope": "ORG", "period": "MONTHLY", "amountUsd": "1", "thresholds": [100]}),
    )
    .await;

    let sender = fast_sender(2);
    let first = budgets::evaluate(&app.state.db, today, &sender)
        .await
        .expect("evaluate");
    assert_eq!(
        (
            first.deliveries,
            first.failed_deliveries,
            first.alerts_pending
        ),
        (1, 1, 1),
        "{first:?}"
    );
    let alerts = alert_nodes(&app.ok(Some(&admin), ALERTS, json!({})).await);
    assert_eq!(alerts[0]["status"], "RETRYING");
    assert_eq!(
        alerts[0]["deliveredWebhookIds"],
        json!([healthy_id.as_str()])
    );
    assert!(alerts[0]["deliveredAt"].is_null());

    let second = budgets::evaluate(&app.state.db, today, &sender)
        .await
        .expect("evaluate");
    assert_eq!(
        (
            second.alerts_raised,
            second.deliveries,
            second.attempts,
            second.alerts_pending
        ),
        (0, 1, 1, 0),
        "{second:?}"
    );
    assert_eq!(healthy.received().len(), 1);
    assert_signed(&healthy.received()[0], &healthy_secret);
    assert_eq!(flaky.accepted().len(), 1);
    assert_signed(&flaky.accepted()[0], &flaky_secret);
    let alerts = alert_nodes(&app.ok(Some(&admin), ALERTS, json!({})).await);
    assert_eq!(alerts[0]["status"], "DELIVERED");
    assert_eq!(alerts[0]["attempts"], 4);
    assert_eq!(
        alerts[0]["deliveredWebhookIds"],
        json!([healthy_id.as_str(), flaky_id.as_str()])
    );

    healthy.stop();
    flaky.stop();
    app.stop().await;
}

/// An alert raised with no webhook is kept in the history and not replayed
/// to a webhook added later; a refusing receiver (4xx) is not hammered.
async fn no_webhook_and_refusing_receiver(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.token(Role::Admin);
    let today = Utc::now().date_naive();
    seed_cost(&app.state.db, today, "openai", "", "gpt-4o", 1_000_000).await;
    create_budget(
        &app,
        &admin,
        json!({"name": "first", "scope": "ORG", "period": "DAILY", "amountUsd": "1", "thresholds": [100]}),
    )
    .await;
    let report = app.ok(Some(&admin), EVALUATE, json!({})).await;
    assert_eq!(report["evaluateBudgets"]["alertsRaised"], 1);
    assert_eq!(report["evaluateBudgets"]["alertsPending"], 0);
    let alerts = alert_nodes(&app.ok(Some(&admin), ALERTS, json!({})).await);
    assert_eq!(alerts[0]["status"], "NO_WEBHOOK");

    let refusing = WebhookReceiver::failing_first(usize::MAX, 401).await;
    create_webhook(&app, &admin, &refusing.url()).await;
    budgets::evaluate(&app.state.db, today, &fast_sender(3))
        .await
        .expect("evaluate");
    assert_eq!(refusing.received().len(), 0, "history is not replayed");

    create_budget(
        &app,
        &admin,
        json!({"name": "second", "scope": "ORG", "period": "DAILY", "amountUsd": "1", "thresholds": [100]}),
    )
    .await;
    let refused = budgets::evaluate(&app.state.db, today, &fast_sender(3))
        .await
        .expect("evaluate");
    // 401 is not retried within the run; the alert stays pending.
    assert_eq!(
        (
            refused.attempts,
            refused.failed_deliveries,
            refused.alerts_pending
        ),
        (1, 1, 1),
        "{refused:?}"
    );
    let alerts = alert_nodes(&app.ok(Some(&admin), ALERTS, json!({})).await);
    assert_eq!(alerts[0]["status"], "RETRYING");
    assert!(
        alerts[0]["lastError"]
            .as_str()
            .expect("error")
            .contains("401")
    );

    refusing.stop();
    app.stop().await;
}

/// Usage that lands after midnight still alerts for the day just ended;
/// a new budget does not alert on periods that closed before it existed.
async fn late_usage_alerts_on_the_period_just_ended(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.token(Role::Admin);
    let today = Utc::now().date_naive();
    let yesterday = today.pred_opt().expect("day");
    let tomorrow = today.succ_opt().expect("day");
    // Spend on a day that ended before the budget existed: never alerted.
    seed_cost(&app.state.db, yesterday, "openai", "", "gpt-4o", 5_000_000).await;
    create_budget(
        &app,
        &admin,
        json!({"name": "daily", "scope": "ORG", "period": "DAILY", "amountUsd": "1", "thresholds": [100]}),
    )
    .await;
    let sender = fast_sender(1);
    let now = budgets::evaluate(&app.state.db, today, &sender)
        .await
        .expect("evaluate");
    assert_eq!(now.alerts_raised, 0, "{now:?}");

    // Today's usage is ingested after midnight, when "today" is tomorrow.
    seed_cost(&app.state.db, today, "openai", "", "gpt-4o", 2_000_000).await;
    let late = budgets::evaluate(&app.state.db, tomorrow, &sender)
        .await
        .expect("evaluate");
    assert_eq!(late.alerts_raised, 1, "{late:?}");
    let alerts = alert_nodes(&app.ok(Some(&admin), ALERTS, json!({})).await);
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0]["periodStart"], today.to_string());
    assert_eq!(dec(&alerts[0]["spendUsd"]), usd(2_000_000));

    app.stop().await;
}

async fn admin_only_and_bad_input(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.token(Role::Admin);
    let viewer = app.token(Role::Viewer);
    let key = app.ingest_key().await;
    let good = json!({"name": "b", "scope": "ORG", "period": "DAILY", "amountUsd": "1"});

    let mutations = [
        (CREATE_BUDGET, json!({"i": good})),
        (
            CREATE_WEBHOOK,
            json!({"n": "x", "u": "http://127.0.0.1:9/hook"}),
        ),
        (EVALUATE, json!({})),
        ("mutation { deleteBudget(id: \"1\") }", json!({})),
        ("mutation { deleteWebhook(id: \"1\") }", json!({})),
        (
            "mutation { updateBudget(id: \"1\", input: {enabled: false}) { id } }",
            json!({}),
        ),
        ("{ webhooks { edges { node { id } } } }", json!({})),
    ];
    for (query, vars) in &mutations {
        let none = app.gql(None, query, vars.clone()).await;
        assert_eq!(
            error_code(&none),
            Some("UNAUTHENTICATED"),
            "{query}: {none}"
        );
        for who in [&viewer, &key] {
            let body = app.gql(Some(who), query, vars.clone()).await;
            assert_eq!(error_code(&body), Some("FORBIDDEN"), "{query}: {body}");
        }
    }
    // Viewers read budgets and alerts; ingest keys do not.
    app.ok(Some(&viewer), BUDGETS, json!({})).await;
    app.ok(Some(&viewer), ALERTS, json!({})).await;
    let body = app.gql(Some(&key), ALERTS, json!({})).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");

    let with = |patch: Value| {
        let mut input = good.clone();
        for (k, v) in patch.as_object().expect("object") {
            input[k] = v.clone();
        }
        json!({"i": input})
    };
    for vars in [
        with(json!({"amountUsd": "-5"})),
        with(json!({"amountUsd": "0"})),
        with(json!({"thresholds": [0]})),
        with(json!({"thresholds": [50, 1001]})),
        with(json!({"thresholds": []})),
        with(json!({"scope": "TEAM"})),
        with(json!({"scope": "ORG", "scopeValue": "p1"})),
        with(json!({"scope": "PROJECT"})),
        with(json!({"period": "WEEKLY"})),
        with(json!({"provider": "azure"})),
        with(json!({"name": " "})),
    ] {
        let body = app.gql(Some(&admin), CREATE_BUDGET, vars.clone()).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{vars}: {body}");
    }
    for url in [
        "ftp://example.com/hook",
        "file:///etc/passwd",
        "not a url",
        "",
    ] {
        let body = app
            .gql(Some(&admin), CREATE_WEBHOOK, json!({"n": "x", "u": url}))
            .await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{url}: {body}");
    }
    let listed = app.ok(Some(&admin), BUDGETS, json!({})).await;
    assert_eq!(listed["budgets"]["edges"], json!([]), "nothing was created");
    let hooks = app
        .ok(
            Some(&admin),
            "{ webhooks { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(hooks["webhooks"]["edges"], json!([]));

    // A bad update changes nothing; unknown ids are NOT_FOUND.
    let id = create_budget(&app, &admin, good.clone()).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let body = app
        .gql(
            Some(&admin),
            "mutation($id: ID!) { updateBudget(id: $id, input: {thresholds: [2000], amountUsd: \"7\"}) { id } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let listed = app.ok(Some(&admin), BUDGETS, json!({})).await;
    let node = &listed["budgets"]["edges"][0]["node"];
    assert_eq!(node["thresholds"], json!([50, 80, 100]));
    assert_eq!(dec(&node["current"]["amountUsd"]), Decimal::ONE);
    for query in [
        "mutation { deleteBudget(id: \"999\") }",
        "mutation { deleteWebhook(id: \"999\") }",
        "mutation { updateBudget(id: \"999\", input: {enabled: false}) { id } }",
    ] {
        let body = app.gql(Some(&admin), query, json!({})).await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"), "{query}: {body}");
    }
    let body = app
        .gql(
            Some(&admin),
            "{ alerts(first: 501) { edges { cursor } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let deleted = app
        .ok(
            Some(&admin),
            "mutation($id: ID!) { deleteBudget(id: $id) }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(deleted["deleteBudget"], true);

    app.stop().await;
}

/// Signing secrets are stored sealed with the master key: the row never
/// holds the secret shown at creation; a row written before sealing is
/// sealed once at start-up; both still sign what receivers verify; without
/// the master key nothing is sent and the error does not leak the secret.
async fn webhook_secrets_are_sealed_at_rest(backend: Backend) {
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    let app = TestApp::spawn(backend).await;
    let db = &app.state.db;
    let admin = app.token(Role::Admin);
    let receiver = WebhookReceiver::spawn().await;
    let (id, secret) = create_webhook(&app, &admin, &receiver.url()).await;
    let id: i64 = id.parse().expect("numeric id");
    let stored = entity::webhook::Entity::find_by_id(id)
        .one(db)
        .await
        .expect("read")
        .expect("row");
    assert!(stored.secret.starts_with("v1:"), "{}", stored.secret);
    assert!(
        !stored
            .secret
            .contains(&secret[notify::SECRET_PREFIX.len()..])
    );

    let legacy_secret = "whsec_0123456789abcdef";
    entity::webhook::ActiveModel {
        name: Set("legacy".into()),
        url: Set(receiver.url()),
        secret: Set(legacy_secret.into()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("legacy row");
    let master = e2e::providers::master();
    assert_eq!(
        notify::seal_stored_secrets(db, &master)
            .await
            .expect("seal"),
        1
    );
    assert_eq!(
        notify::seal_stored_secrets(db, &master)
            .await
            .expect("again"),
        0
    );
    let rows = entity::webhook::Entity::find().all(db).await.expect("rows");
    assert_eq!(rows.len(), 2);
    for row in &rows {
        assert!(
            row.secret.starts_with("v1:"),
            "{}: {}",
            row.name,
            row.secret
        );
    }

    let payload = json!({"test": true});
    let sent = notify::deliver_event(db, &fast_sender(1), "test.event", "d-1", &payload)
        .await
        .expect("deliver");
    assert_eq!((sent.webhooks, sent.delivered), (2, 2), "{sent:?}");
    let received = receiver.received();
    assert_eq!(received.len(), 2);
    let secrets = [secret.as_str(), legacy_secret];
    for request in &received {
        let signature = request.header(notify::SIGNATURE_HEADER);
        let matching = secrets
            .iter()
            .filter(|s| notify::verify_signature(s, &request.body, signature))
            .count();
        assert_eq!(matching, 1, "signed with exactly one of the two secrets");
    }

    let keyless = WebhookSender::new(WebhookConfig::default()).expect("sender");
    let hook = &rows[0];
    let delivery = keyless
        .deliver_to(hook, "test.event", "d-2", &payload)
        .await;
    assert_eq!(delivery.attempts, 0);
    let error = delivery.outcome.expect_err("no master key").to_string();
    assert!(error.contains("no master key"), "{error}");
    assert!(!error.contains("whsec_"), "{error}");
    assert_eq!(receiver.received().len(), 2, "nothing more was sent");
    app.stop().await;
}

both_backends!(
    webhook_secrets_are_sealed_at_rest,
    crossing_delivers_one_signed_webhook,
    monthly_forecast_and_filters,
    failing_receiver_is_retried,
    delivery_gives_up_after_the_attempt_cap,
    next_run_retries_only_the_missing_webhook,
    no_webhook_and_refusing_receiver,
    late_usage_alerts_on_the_period_just_ended,
    admin_only_and_bad_input,
);
