//! Local-time days from hourly buckets: connections that ingest hours
//! store them only when each day's 24 hours sum exactly to its daily
//! buckets (a drift is an issue on the run), `dailyUsage(timezone:)` sums
//! hours into local days across daylight-saving changes (23- and 25-hour
//! days), and a zone asked without hourly data is refused, never answered
//! with shifted UTC days. Both stores.
use std::collections::BTreeMap;

use api::auth::Role;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use e2e::app::{Backend, TestApp, dec, error_code};
use e2e::both_backends;
use e2e::mock_provider::{Fault, MockProvider, Rule};
use e2e::providers::{fast_clients, ingest_succeeded, mock_connections};
use entity::{provider_connection, usage_bucket, usage_hour};
use ledger::dates::{DayRange, midnight, next_day};
use ledger::ingest::{IngestRequest, IssueCode, RunStatus};
use ledger::providers::RateLimit;
use rust_decimal::Decimal;
use sea_orm::{DatabaseConnection, EntityTrait, QueryOrder};
use serde_json::{Value, json};
use sim::SimConfig;

const LOCAL: &str = "query($f: UsageFilter!, $tz: String) {
    dailyUsage(filter: $f, timezone: $tz) { date inputTokens outputTokens numModelRequests costUsd } }";
const HOURLY: &str = "mutation($name: String!, $on: Boolean!) {
    setConnectionHourlyBuckets(name: $name, enabled: $on) { name hourlyBuckets } }";

fn day(text: &str) -> NaiveDate {
    ledger::dates::parse_day(text).expect("day")
}

fn utc(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0)
        .single()
        .expect("instant")
}

/// (zone, local day, its first instant, its end, its hours).
type LocalDay = (&'static str, NaiveDate, DateTime<Utc>, DateTime<Utc>, i64);

/// Local days whose UTC bounds are written out by hand (not computed by the
/// time-zone library under test).
fn dst_days() -> Vec<LocalDay> {
    vec![
        // Berlin falls back: CEST (UTC+2) to CET (UTC+1), a 25-hour day.
        (
            "Europe/Berlin",
            day("2026-10-25"),
            utc(2026, 10, 24, 22),
            utc(2026, 10, 25, 23),
            25,
        ),
        // Berlin springs forward: CET to CEST, 23 hours.
        (
            "Europe/Berlin",
            day("2026-03-29"),
            utc(2026, 3, 28, 23),
            utc(2026, 3, 29, 22),
            23,
        ),
        // New York falls back: EDT (UTC-4) to EST (UTC-5), 25 hours.
        (
            "America/New_York",
            day("2026-11-01"),
            utc(2026, 11, 1, 4),
            utc(2026, 11, 2, 5),
            25,
        ),
        // New York springs forward: EST to EDT, 23 hours.
        (
            "America/New_York",
            day("2026-03-08"),
            utc(2026, 3, 8, 5),
            utc(2026, 3, 9, 4),
            23,
        ),
    ]
}

/// The UTC days ingested: every day the local days above touch.
fn ranges() -> Vec<DayRange> {
    [
        ("2026-03-07", "2026-03-09"),
        ("2026-03-28", "2026-03-30"),
        ("2026-10-24", "2026-11-02"),
    ]
    .into_iter()
    .map(|(from, to)| DayRange::new(day(from), day(to)).expect("range"))
    .collect()
}

/// (input, output, requests, cost micros) of rows, as the test sums them.
type Sums = [i64; 4];

fn add(sums: &mut Sums, input: i64, output: i64, requests: i64, cost: Option<i64>) {
    sums[0] += input;
    sums[1] += output;
    sums[2] += requests;
    sums[3] += cost.unwrap_or(0);
}

/// Per connection, usage type and UTC day, every count of every row summed
/// per dimensions: the daily buckets and the hours, compared field by field.
type DayKey = (i64, String, NaiveDate, String);

fn bucket_key(connection: i64, usage_type: &str, start: DateTime<Utc>, dims: String) -> DayKey {
    (connection, usage_type.to_owned(), start.date_naive(), dims)
}

macro_rules! dims_and_counts {
    ($row:expr) => {
        (
            format!(
                "{}|{}|{}|{}|{:?}|{}|{}|{}|{}|{}|{}|{}",
                $row.project_id,
                $row.api_key_id,
                $row.user_id,
                $row.model,
                $row.batch,
                $row.service_tier,
                $row.context_window,
                $row.inference_geo,
                $row.image_size,
                $row.image_source,
                $row.context_level,
                $row.vector_store_id
            ),
            [
                $row.input_tokens,
                $row.input_cached_tokens,
                $row.input_cache_write_tokens,
                $row.input_uncached_tokens,
                $row.input_text_tokens,
                $row.input_audio_tokens,
                $row.input_image_tokens,
                $row.output_tokens,
                $row.num_model_requests,
                $row.num_requests,
                $row.images,
                $row.characters,
                $row.seconds,
                $row.usage_bytes,
                $row.num_sessions,
                $row.web_search_requests,
            ],
        )
    };
}

async fn hours(db: &DatabaseConnection) -> Vec<usage_hour::Model> {
    usage_hour::Entity::find()
        .order_by_asc(usage_hour::Column::Id)
        .all(db)
        .await
        .expect("hours")
}

/// The stored days `keep` names, their hours against their daily buckets:
/// the number of (connection, usage type, day, dimensions) sets compared,
/// all equal.
async fn assert_hours_sum_to_days(
    db: &DatabaseConnection,
    keep: impl Fn(&DayKey) -> bool,
) -> usize {
    let mut daily: BTreeMap<DayKey, [i64; 16]> = BTreeMap::new();
    for b in usage_bucket::Entity::find().all(db).await.expect("buckets") {
        let (dims, counts) = dims_and_counts!(b);
        let key = bucket_key(b.connection_id, &b.usage_type, b.window_start, dims);
        assert!(daily.insert(key, counts).is_none(), "one bucket per key");
    }
    let mut hourly: BTreeMap<DayKey, [i64; 16]> = BTreeMap::new();
    for h in hours(db).await {
        assert_eq!(h.window_end - h.window_start, Duration::hours(1), "{h:?}");
        let (dims, counts) = dims_and_counts!(h);
        let key = bucket_key(h.connection_id, &h.usage_type, h.window_start, dims);
        let sum = hourly.entry(key).or_insert([0; 16]);
        for (total, count) in sum.iter_mut().zip(counts) {
            *total += count;
        }
    }
    // Daily rows of zero usage have no hour rows; every other one matches.
    daily.retain(|key, counts| keep(key) && counts.iter().any(|c| *c != 0));
    hourly.retain(|key, _| keep(key));
    assert_eq!(
        daily, hourly,
        "hours summed per UTC day equal the daily buckets"
    );
    daily.len()
}

async fn ask(app: &TestApp, range: DayRange, tz: Option<&str>) -> Value {
    app.gql(
        Some(&app.token(Role::Viewer)),
        LOCAL,
        json!({"f": {"from": range.from.to_string(), "to": range.to.to_string()}, "tz": tz}),
    )
    .await
}

async fn local_days_sum_the_hours_of_their_zone(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mock = MockProvider::start(SimConfig::default()).await;
    let db = &app.state.db;
    let connections = mock_connections(db, &mock).await;
    let admin = app.token(Role::Admin);
    for connection in &connections {
        let set = app
            .ok(
                Some(&admin),
                HOURLY,
                json!({"name": connection.name, "on": true}),
            )
            .await;
        assert_eq!(set["setConnectionHourlyBuckets"]["hourlyBuckets"], true);
    }
    for range in ranges() {
        ingest_succeeded(db, &app.state.book, &connections, range, "hourly").await;
    }
    let compared = assert_hours_sum_to_days(db, |_| true).await;
    assert!(compared > 100, "hours compared for {compared} sets");

    // Each DST day: the dashboard number is the hours of the local day,
    // summed here from the stored rows between bounds written by hand.
    let stored = hours(db).await;
    for (zone, local_day, start, end, hour_count) in dst_days() {
        assert_eq!((end - start).num_hours(), hour_count);
        let mut expected: Sums = [0; 4];
        let mut seen_hours = std::collections::BTreeSet::new();
        for h in stored
            .iter()
            .filter(|h| h.window_start >= start && h.window_start < end)
        {
            seen_hours.insert(h.window_start);
            add(
                &mut expected,
                h.input_tokens,
                h.output_tokens,
                h.num_model_requests,
                h.cost_micros,
            );
        }
        assert_eq!(seen_hours.len() as i64, hour_count, "{zone} {local_day}");
        let range = DayRange::new(local_day, local_day).expect("range");
        let body = ask(&app, range, Some(zone)).await;
        let row = &body["data"]["dailyUsage"][0];
        assert_eq!(row["date"], local_day.to_string(), "{body}");
        let answered = [
            row["inputTokens"].as_i64().expect("input"),
            row["outputTokens"].as_i64().expect("output"),
            row["numModelRequests"].as_i64().expect("requests"),
        ];
        assert_eq!(answered, expected[..3], "{zone} {local_day}: {body}");
        assert_eq!(dec(&row["costUsd"]), Decimal::new(expected[3], 6));
        // Not the UTC day moved: the UTC answer for the same date differs.
        let utc_day = ask(&app, range, None).await;
        assert_ne!(
            utc_day["data"]["dailyUsage"][0]["outputTokens"],
            row["outputTokens"]
        );
    }

    // A whole local range: each local day once, in order, none lost.
    let range = DayRange::new(day("2026-10-25"), day("2026-11-01")).expect("range");
    let body = ask(&app, range, Some("Europe/Berlin")).await;
    let rows = body["data"]["dailyUsage"].as_array().expect("rows");
    assert_eq!(rows.len(), range.len(), "{body}");
    let total: i64 = rows
        .iter()
        .map(|r| r["outputTokens"].as_i64().expect("n"))
        .sum();
    let (start, end) = (utc(2026, 10, 24, 22), utc(2026, 11, 1, 23));
    let expected: i64 = stored
        .iter()
        .filter(|h| h.window_start >= start && h.window_start < end)
        .map(|h| h.output_tokens)
        .sum();
    assert_eq!(total, expected);

    // A restated day re-ingested: its new hours replace the old ones and
    // still sum to it, and the local day moves with it.
    let before = ask(&app, range, Some("Europe/Berlin")).await;
    for path in ["/organization/usage/completions", "/messages"] {
        mock.inject(Rule::new(path, Fault::RestateDay(day("2026-10-27"))));
    }
    let restated = DayRange::new(day("2026-10-26"), day("2026-10-28")).expect("range");
    ingest_succeeded(db, &app.state.book, &connections, restated, "restated").await;
    mock.clear_faults();
    assert_hours_sum_to_days(db, |_| true).await;
    let after = ask(&app, range, Some("Europe/Berlin")).await;
    assert!(after.get("errors").is_none(), "{after}");
    assert_ne!(after, before, "the restatement shows in local days");

    let options = app
        .ok(
            Some(&app.token(Role::Viewer)),
            "{ filterOptions { hourlyData } }",
            json!({}),
        )
        .await;
    assert_eq!(options["filterOptions"]["hourlyData"], true);
    mock.stop();
    app.stop().await;
}

async fn zones_without_agreeing_hours_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mock = MockProvider::start(SimConfig::default()).await;
    let db = &app.state.db;
    let connections = mock_connections(db, &mock).await;
    let september = DayRange::new(day("2026-09-10"), day("2026-09-12")).expect("range");
    ingest_succeeded(db, &app.state.book, &connections, september, "daily only").await;
    assert!(hours(db).await.is_empty(), "no hourly ingestion asked");

    // Daily data only: a local zone is a clear error, UTC still answers.
    let middle = DayRange::new(day("2026-09-11"), day("2026-09-11")).expect("range");
    let body = ask(&app, middle, Some("Europe/Berlin")).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let message = body["errors"][0]["message"].as_str().expect("message");
    assert!(
        message.contains("hourly") && message.contains("2026-09-1"),
        "{message}"
    );
    assert!(
        body["data"].is_null() || body["data"]["dailyUsage"].is_null(),
        "{body}"
    );
    let utc_day = ask(&app, middle, None).await;
    assert!(
        utc_day["data"]["dailyUsage"][0]["outputTokens"].as_i64() > Some(0),
        "{utc_day}"
    );
    assert_eq!(ask(&app, middle, Some("UTC")).await, utc_day);
    for bad in ["Mars/Olympus_Mons", "Europe/Berlin\u{0}", ""] {
        let body = ask(&app, middle, Some(bad)).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{bad:?}: {body}");
    }

    // Hours that drift from the daily bucket: an issue on the run, the
    // day's hours not stored, the zone still refused for that day.
    let openai: &provider_connection::Model = &connections[0];
    let admin = app.token(Role::Admin);
    app.ok(
        Some(&admin),
        HOURLY,
        json!({"name": openai.name, "on": true}),
    )
    .await;
    let drifting = day("2026-09-11");
    mock.inject(Rule::new(
        "/organization/usage/completions",
        Fault::HourlyDrift(drifting),
    ));
    let clients = fast_clients(
        std::time::Duration::from_millis(400),
        3,
        RateLimit::UNLIMITED,
    );
    let mut req = IngestRequest::new(openai, september).expect("request");
    req.label = "drift".into();
    let report = ledger::ingest::run(db, &app.state.book, &clients, req, None)
        .await
        .expect("run");
    assert_eq!(report.status, RunStatus::Partial, "{report:#?}");
    let drift: Vec<_> = report
        .issues
        .iter()
        .filter(|i| i.code == IssueCode::HourlyMismatch)
        .collect();
    assert_eq!(drift.len(), 1, "{report:#?}");
    assert_eq!(drift[0].day, drifting);
    assert_eq!(drift[0].usage_type.as_deref(), Some("completions"));
    let stored = hours(db).await;
    let drifted_day = |h: &&usage_hour::Model| {
        h.window_start >= midnight(drifting)
            && h.window_start < midnight(next_day(drifting))
            && h.usage_type == "completions"
    };
    assert_eq!(stored.iter().filter(drifted_day).count(), 0);
    assert!(
        stored.iter().any(|h| h.usage_type == "completions"),
        "other days stored"
    );
    // The drifting day is a bad day of the run: none of its hours are kept.
    let compared = assert_hours_sum_to_days(db, |(connection, _, day, _)| {
        *connection == openai.id && *day != drifting
    })
    .await;
    assert!(compared > 10, "{compared} sets compared");
    let body = ask(&app, middle, Some("Europe/Berlin")).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");

    // The drift gone, the next run stores the day; an identical run after
    // it writes nothing (the day's content hash matches).
    mock.clear_faults();
    let report = ingest_succeeded(
        db,
        &app.state.book,
        std::slice::from_ref(openai),
        september,
        "fixed",
    )
    .await;
    assert!(report[0].issues.is_empty(), "{report:#?}");
    let fixed = hours(db).await;
    assert!(fixed.iter().filter(drifted_day).count() > 0);
    let buckets_before = usage_bucket::Entity::find().all(db).await.expect("buckets");
    let again = ingest_succeeded(
        db,
        &app.state.book,
        std::slice::from_ref(openai),
        september,
        "again",
    )
    .await;
    assert_eq!(
        (
            again[0].rows_inserted,
            again[0].rows_updated,
            again[0].rows_deleted
        ),
        (0, 0, 0)
    );
    assert_eq!(hours(db).await, fixed, "identical hours are not rewritten");
    assert_eq!(
        usage_bucket::Entity::find().all(db).await.expect("buckets"),
        buckets_before
    );

    // Anthropic still has no hours: asking for it alone is refused, for
    // OpenAI alone it answers.
    let openai_only = json!({"from": "2026-09-11", "to": "2026-09-11", "providers": ["openai"]});
    let body = app
        .gql(
            Some(&app.token(Role::Viewer)),
            LOCAL,
            json!({"f": openai_only, "tz": "Europe/Berlin"}),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let anthropic_only =
        json!({"from": "2026-09-11", "to": "2026-09-11", "providers": ["anthropic"]});
    let body = app
        .gql(
            Some(&app.token(Role::Viewer)),
            LOCAL,
            json!({"f": anthropic_only, "tz": "Europe/Berlin"}),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    mock.stop();
    app.stop().await;
}

both_backends!(
    local_days_sum_the_hours_of_their_zone,
    zones_without_agreeing_hours_are_refused
);
