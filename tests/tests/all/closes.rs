//! Month-end close: an admin closes last month, a provider then restates
//! one of its days; the restatement is an adjustment listed against the
//! close and sent as a signed `usage.revised` webhook, and the close's
//! frozen lines do not change. Both stores.
use api::auth::Role;
use chrono::{Datelike, Months, NaiveDate, Utc};
use e2e::app::{Backend, TestApp, dec, error_code};
use e2e::both_backends;
use e2e::mock_provider::{Fault, MockProvider, Rule};
use e2e::providers::{ingest_succeeded, mock_connections};
use e2e::webhook_receiver::WebhookReceiver;
use ledger::dates::DayRange;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use sim::SimConfig;

const CLOSES: &str = "{ periodCloses { id period provider firstDay lastDay closedBy reopenedAt
    reopenedBy costUsd inputTokens outputTokens adjustmentsCostUsd
    lines { provider projectId apiKeyId model inputTokens inputCachedTokens outputTokens
            numModelRequests costUsd }
    adjustments { connectionId usageType date outputTokensDelta costUsdDelta } } }";
const CLOSE: &str = "mutation($p: String!) { closePeriod(period: $p) { id period closedBy costUsd
    lines { costUsd } } }";

/// The first and last day of the month before today's.
fn last_month() -> (NaiveDate, NaiveDate) {
    let today = Utc::now().date_naive();
    let first_this = today.with_day(1).expect("first");
    let first = first_this
        .checked_sub_months(Months::new(1))
        .expect("month");
    (first, first_this.pred_opt().expect("last"))
}

async fn ingest(
    app: &TestApp,
    connections: &[entity::provider_connection::Model],
    range: DayRange,
) {
    ingest_succeeded(&app.state.db, &app.state.book, connections, range, "closes").await;
}

async fn a_closed_month_keeps_its_lines_and_lists_adjustments(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (admin, viewer) = (app.token(Role::Admin), app.token(Role::Viewer));
    let mock = MockProvider::start(SimConfig::default()).await;
    let connections = mock_connections(&app.state.db, &mock).await;
    let (first, last) = last_month();
    let month = DayRange::new(first, last).expect("month");
    let period = first.format("%Y-%m").to_string();
    ingest(&app, &connections, month).await;

    // Refused: a viewer, a month not over, malformed periods.
    let body = app.gql(Some(&viewer), CLOSE, json!({"p": period})).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    let this_month = Utc::now().date_naive().format("%Y-%m").to_string();
    for bad in [
        this_month.as_str(),
        "2026-13",
        "2026-1",
        "2026-10-01",
        "abcd-ef",
    ] {
        let body = app.gql(Some(&admin), CLOSE, json!({"p": bad})).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{bad}: {body}");
    }

    let closed = app.ok(Some(&admin), CLOSE, json!({"p": period})).await["closePeriod"].clone();
    assert_eq!(closed["closedBy"], "tester");
    let lines = closed["lines"].as_array().expect("lines");
    assert!(!lines.is_empty());
    // The frozen total is the month's cost as dailyUsage reports it.
    let total = app
        .ok(
            Some(&viewer),
            "query($f: Date!, $t: Date!) { dailyUsage(filter: {from: $f, to: $t}) { pricedCostUsd } }",
            json!({"f": first.to_string(), "t": last.to_string()}),
        )
        .await["dailyUsage"]
        .as_array()
        .expect("days")
        .iter()
        .map(|d| dec(&d["pricedCostUsd"]))
        .sum::<Decimal>();
    assert!(total > Decimal::ZERO);
    assert_eq!(dec(&closed["costUsd"]), total);
    let again = app.gql(Some(&admin), CLOSE, json!({"p": period})).await;
    assert_eq!(error_code(&again), Some("BAD_USER_INPUT"), "{again}");
    let before = app.ok(Some(&viewer), CLOSES, json!({})).await;
    assert_eq!(before["periodCloses"][0]["adjustments"], json!([]));

    // The provider restates a day of the closed month.
    let restated = first + chrono::Days::new(9);
    for path in ["/organization/usage/completions", "/messages"] {
        mock.inject(Rule::new(path, Fault::RestateDay(restated)));
    }
    ingest(&app, &connections, month).await;
    let after = app.ok(Some(&viewer), CLOSES, json!({})).await;
    let close = &after["periodCloses"][0];
    for field in [
        "lines",
        "costUsd",
        "inputTokens",
        "outputTokens",
        "closedBy",
    ] {
        assert_eq!(
            close[field], before["periodCloses"][0][field],
            "{field} changed"
        );
    }
    let adjustments = close["adjustments"].as_array().expect("adjustments");
    assert_eq!(adjustments.len(), 2, "one per connection: {adjustments:#?}");
    let mut adjusted = Decimal::ZERO;
    for adjustment in adjustments {
        assert_eq!(adjustment["date"], restated.to_string());
        assert_ne!(adjustment["outputTokensDelta"], 0);
        adjusted += dec(&adjustment["costUsdDelta"]);
    }
    assert_eq!(dec(&close["adjustmentsCostUsd"]), adjusted);

    // Each adjustment goes out once as a signed `usage.revised` event,
    // whatever its size.
    let receiver = WebhookReceiver::spawn().await;
    let secret = app.webhook_secret("finance", &receiver.url()).await;
    for _ in 0..2 {
        let outcome = app
            .state
            .jobs
            .run(jobs::JobName::Budgets)
            .await
            .expect("job");
        assert!(outcome.ok, "{outcome:?}");
    }
    let revised: Vec<Value> = receiver
        .received()
        .into_iter()
        .filter(|e| e.header(ledger::notify::EVENT_HEADER) == "usage.revised")
        .map(|e| {
            assert!(ledger::notify::verify_signature(
                &secret,
                &e.body,
                e.header(ledger::notify::SIGNATURE_HEADER)
            ));
            e.json()
        })
        .collect();
    assert_eq!(revised.len(), 2, "{revised:#?}");
    for event in &revised {
        assert_eq!(event["day"], restated.to_string());
        assert_eq!(event["adjusts_close"]["id"], close["id"]);
        assert_eq!(event["adjusts_close"]["period"], period);
    }

    // Reopening is recorded; the lines still stand as closed.
    let reopened = app
        .ok(
            Some(&admin),
            "mutation($id: Int!) { reopenPeriod(id: $id) { reopenedBy reopenedAt lines { costUsd } } }",
            json!({"id": close["id"]}),
        )
        .await["reopenPeriod"]
        .clone();
    assert_eq!(reopened["reopenedBy"], "tester");
    assert!(reopened["reopenedAt"].is_string());
    assert_eq!(reopened["lines"], closed["lines"]);
    let twice = app
        .gql(
            Some(&admin),
            "mutation($id: Int!) { reopenPeriod(id: $id) { id } }",
            json!({"id": close["id"]}),
        )
        .await;
    assert_eq!(error_code(&twice), Some("BAD_USER_INPUT"), "{twice}");
    mock.stop();
    receiver.stop();
    app.stop().await;
}

both_backends!(a_closed_month_keeps_its_lines_and_lists_adjustments);
