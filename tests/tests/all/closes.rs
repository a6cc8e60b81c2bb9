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
use entity::enums::ProviderKind;
use entity::period_close;
use ledger::dates::DayRange;
use ledger::usage::closes;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
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

/// The open closes of `period` for `provider` (None: every provider).
async fn open_closes(
    db: &sea_orm::DatabaseConnection,
    period: &str,
    provider: Option<ProviderKind>,
) -> Vec<period_close::Model> {
    let mut query = period_close::Entity::find()
        .filter(period_close::Column::Period.eq(period))
        .filter(period_close::Column::ReopenedAt.is_null());
    query = match provider {
        Some(provider) => query.filter(period_close::Column::Provider.eq(provider)),
        None => query.filter(period_close::Column::Provider.is_null()),
    };
    query.all(db).await.expect("closes")
}

/// Two admins close the same month for the same scope at the same moment,
/// each through a connection pool of its own: one close is written, the
/// other is refused as a conflict. Several months, for every provider and
/// for one, so a missing guard shows. A reopened close frees the scope.
async fn concurrent_closes_write_one(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (a, b) = (
        &app.state.db,
        &ledger::db::connect(&app.db.url).await.expect("second pool"),
    );
    let (first, _) = last_month();
    let mut periods = Vec::new();
    for back in 0..6 {
        let month = first.checked_sub_months(Months::new(back)).expect("month");
        let scope = (back % 2 == 1).then_some(ProviderKind::OpenAi);
        let period = month.format("%Y-%m").to_string();
        let (left, right) = tokio::join!(
            closes::close(a, &period, scope, "left"),
            closes::close(b, &period, scope, "right"),
        );
        let (won, lost) = match (left, right) {
            (Ok(won), Err(lost)) | (Err(lost), Ok(won)) => (won, lost),
            (left, right) => panic!("{period} {scope:?}: {left:?} / {right:?}"),
        };
        assert!(matches!(lost, ledger::Error::Conflict(_)), "{lost:?}");
        let open = open_closes(a, &period, scope).await;
        assert_eq!(open.len(), 1, "{period} {scope:?}: {open:#?}");
        assert_eq!(open[0].id, won.close.id);
        periods.push((period, scope, won.close.id));
    }

    // Through the API the loser is BAD_USER_INPUT.
    let admin = app.token(Role::Admin);
    let month = first.checked_sub_months(Months::new(6)).expect("month");
    let closing = json!({"p": month.format("%Y-%m").to_string()});
    let (left, right) = tokio::join!(
        app.gql(Some(&admin), CLOSE, closing.clone()),
        app.gql(Some(&admin), CLOSE, closing.clone()),
    );
    let codes = [error_code(&left), error_code(&right)];
    assert!(
        codes == [None, Some("BAD_USER_INPUT")] || codes == [Some("BAD_USER_INPUT"), None],
        "{left} / {right}"
    );
    let (period, _, id) = &periods[0];

    // Reopened, the scope takes one new close again; the reopened one
    // stays on record.
    app.ok(
        Some(&admin),
        "mutation($id: Int!) { reopenPeriod(id: $id) { id } }",
        json!({"id": id}),
    )
    .await;
    let (left, right) = tokio::join!(
        closes::close(a, period, None, "left"),
        closes::close(b, period, None, "right"),
    );
    assert_eq!(
        u8::from(left.is_ok()) + u8::from(right.is_ok()),
        1,
        "{left:?} / {right:?}"
    );
    assert_eq!(open_closes(a, period, None).await.len(), 1);
    let all = period_close::Entity::find()
        .filter(period_close::Column::Period.eq(period.as_str()))
        .count(a)
        .await
        .expect("count");
    assert_eq!(all, 2, "the reopened close and the new one");
    b.close_by_ref().await.expect("close the second pool");
    app.stop().await;
}

both_backends!(concurrent_closes_write_one);
