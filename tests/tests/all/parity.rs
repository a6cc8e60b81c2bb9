//! CSV parity end to end: usage and costs ingested from the mock provider,
//! exported again in the dashboard's CSV format, and compared back through
//! the library, the CLI command, the multipart `importUsageCsv` mutation
//! and the watched folder, on SQLite and PostgreSQL.
use std::path::PathBuf;
use std::time::Duration;

use api::auth::Role;
use api::commands::parity::{ParityArgs, ParityExit, ParityFormat};
use api::config::{DbArgs, MasterKeyArgs};
use chrono::{Days, NaiveDate, Utc};
use e2e::app::{AppOptions, Backend, TestApp, TestDb, dec, error_code};
use e2e::both_backends;
use e2e::mock_provider::MockProvider;
use e2e::webhook_receiver::WebhookReceiver;
use entity::{billed_cost, parity_report, provider_connection, usage_bucket};
use ledger::dates::{DayRange, midnight};
use ledger::notify::{WebhookConfig, WebhookSender};
use ledger::parity::{ParityRequest, ScanOptions, Tolerance, VARIANCE_EVENT};
use ledger::providers::{ProviderKind, ProvidersConfig, RateLimit};
use ledger::usage::revisions::AsOf;
use rust_decimal::Decimal;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use serde_json::{Value, json};
use sim::SimConfig;

/// The completions export header of a real Oct-2025 export (PROVIDERS.md §3).
const USAGE_HEADER: &str = "start_time,end_time,start_time_iso,end_time_iso,project_id,num_model_requests,user_id,api_key_id,model,batch,service_tier,input_tokens,output_tokens,input_cached_tokens,input_uncached_tokens,input_text_tokens,output_text_tokens,input_cached_text_tokens,input_audio_tokens,input_cached_audio_tokens,output_audio_tokens,input_image_tokens,input_cached_image_tokens,output_image_tokens";
/// The Oct-2025 cost export header.
const COST_HEADER: &str = "start_time,end_time,start_time_iso,end_time_iso,amount_value,amount_currency,line_item,project_id,organization_id,organization_name";
const TIME_ONLY_HEADER: &str = "start_time,end_time,start_time_iso,end_time_iso";
const DAYS: u64 = 35;

struct Fixture {
    app: TestApp,
    mock: MockProvider,
    conn: provider_connection::Model,
    range: DayRange,
}

/// An app with 35 days of OpenAI completions usage and costs ingested
/// from the mock provider into the connection `oa`.
async fn fixture(backend: Backend) -> Fixture {
    let app = TestApp::serve(
        TestDb::fresh(backend).await,
        AppOptions {
            providers: ProvidersConfig {
                rate_limit: RateLimit::UNLIMITED,
                master_key: Some(e2e::providers::master()),
                ..ProvidersConfig::default()
            },
            ..AppOptions::default()
        },
    )
    .await;
    let mock = MockProvider::start(SimConfig::default()).await;
    let conn = ledger::providers::connections::upsert_demo(
        &app.state.db,
        "oa",
        ProviderKind::OpenAi,
        &mock.openai_base(),
    )
    .await
    .expect("connection");
    let today = Utc::now().date_naive();
    let range = DayRange::new(today - Days::new(DAYS + 1), today - Days::new(2)).expect("range");
    assert_eq!(range.len() as u64, DAYS);
    let mut request = ledger::ingest::IngestRequest::new(&conn, range).expect("request");
    request.chunk_days = 31;
    request.steps = Some(vec![
        ledger::ingest::Step::Usage("completions"),
        ledger::ingest::Step::Costs,
    ]);
    let report = ledger::ingest::run(
        &app.state.db,
        &app.state.book,
        &app.state.clients,
        request,
        None,
    )
    .await
    .expect("ingest");
    assert_eq!(
        report.status,
        ledger::ingest::RunStatus::Succeeded,
        "{report:?}"
    );
    Fixture {
        app,
        mock,
        conn,
        range,
    }
}

fn count(n: i64) -> String {
    // Real exports write counts as floats.
    format!("{n}.0")
}

fn batch(stored: entity::enums::Batch) -> &'static str {
    match stored {
        entity::enums::Batch::Batch => "TRUE",
        entity::enums::Batch::Interactive => "FALSE",
        entity::enums::Batch::NotReported => "",
    }
}

fn time_cells(day: NaiveDate) -> String {
    let start = midnight(day);
    let end = start + chrono::Duration::days(1);
    format!(
        "{},{},{},{}",
        start.timestamp(),
        end.timestamp(),
        start.format("%Y-%m-%dT%H:%M:%S+00:00"),
        end.format("%Y-%m-%dT%H:%M:%S+00:00")
    )
}

/// The stored completions buckets written back as a dashboard export:
/// one line per bucket, in the header order of a real export.
async fn usage_lines(db: &DatabaseConnection, connection_id: i64, range: DayRange) -> Vec<String> {
    let (start, end) = range.bounds();
    let buckets = usage_bucket::Entity::find()
        .filter(usage_bucket::Column::ConnectionId.eq(connection_id))
        .filter(usage_bucket::Column::UsageType.eq("completions"))
        .filter(usage_bucket::Column::WindowStart.gte(start))
        .filter(usage_bucket::Column::WindowStart.lt(end))
        .order_by_asc(usage_bucket::Column::Id)
        .all(db)
        .await
        .expect("buckets");
    assert!(buckets.len() > DAYS as usize, "the simulator reports usage");
    buckets
        .iter()
        .map(|b| {
            format!(
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                time_cells(b.window_start.date_naive()),
                b.project_id,
                count(b.num_model_requests),
                b.user_id,
                b.api_key_id,
                b.model,
                batch(b.batch),
                b.service_tier,
                count(b.input_tokens),
                count(b.output_tokens),
                count(b.input_cached_tokens),
                count(b.input_uncached_tokens),
                count(b.input_text_tokens),
                count(b.output_text_tokens),
                count(b.input_cached_text_tokens),
                count(b.input_audio_tokens),
                count(b.input_cached_audio_tokens),
                count(b.output_audio_tokens),
                count(b.input_image_tokens),
                count(b.input_cached_image_tokens),
                count(b.output_image_tokens),
            )
        })
        .collect()
}

fn csv_of(header: &str, lines: &[String]) -> String {
    let mut out = String::from(header);
    out.push('\n');
    for line in lines {
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn request(range: DayRange) -> ParityRequest {
    ParityRequest {
        provider: "openai".into(),
        connection: Some("oa".into()),
        range,
        tolerance: Tolerance::default(),
        kind: None,
        source: "test".into(),
        file_name: "completions_usage.csv".into(),
        as_of: None,
    }
}

async fn reports(db: &DatabaseConnection) -> u64 {
    parity_report::Entity::find()
        .count(db)
        .await
        .expect("count")
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("ct_parity_{tag}_{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn cli_args(url: &str, csv: PathBuf, range: DayRange) -> ParityArgs {
    ParityArgs {
        provider: "openai".into(),
        csv,
        start: range.from.to_string(),
        end: range.to.to_string(),
        tolerance: Decimal::ZERO,
        tolerance_pct: Decimal::ZERO,
        format: ParityFormat::Json,
        connection: Some("oa".into()),
        kind: None,
        as_of: None,
        no_alert: true,
        master: MasterKeyArgs {
            master_key: Some(hex::encode([42u8; 32])),
            master_key_file: PathBuf::from("unused.key"),
        },
        db: DbArgs {
            database_url: url.to_owned(),
        },
    }
}

fn fast_sender() -> WebhookSender {
    WebhookSender::new(WebhookConfig {
        timeout: Duration::from_secs(2),
        max_attempts: 2,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(20),
    })
    .expect("sender")
    .with_master_key(Some(e2e::providers::master()))
}

/// The acceptance case: a matching 35-day export is exit 0 with zero
/// findings; one changed cell, one deleted row and one added row are
/// exactly one mismatched, one extra and one missing window.
async fn usage_export_round_trip(backend: Backend) {
    let Fixture {
        app,
        mock,
        conn,
        range,
    } = fixture(backend).await;
    let db = &app.state.db;
    let mut lines = usage_lines(db, conn.id, range).await;
    let stored = lines.len() as u64;
    // An empty bucket (time columns only) is accepted and changes nothing.
    lines.push(format!("{},,,,,,,,,,,,,,,,,,,,", time_cells(range.to)));
    let dir = temp_dir("usage");
    let name = format!("completions_usage_{}_{}.csv", range.from, range.to);
    let good = dir.join(&name);
    std::fs::write(&good, csv_of(USAGE_HEADER, &lines)).expect("write csv");

    // The CLI command (exit status and stored report).
    let exit = api::commands::parity::run(cli_args(&app.db.url, good.clone(), range))
        .await
        .expect("parity run");
    assert_eq!(exit, ParityExit::Within);
    let outcome = ledger::parity::run(db, &std::fs::read(&good).expect("read"), &request(range))
        .await
        .expect("matching export");
    let c = &outcome.summary.comparison;
    assert!(outcome.within_tolerance(), "{c:?}");
    assert_eq!(
        (c.missing_windows, c.extra_windows, c.mismatched_windows),
        (0, 0, 0)
    );
    assert_eq!(
        (c.csv_windows, c.stored_windows, c.matched_windows),
        (stored, stored, stored)
    );
    assert_eq!(c.days.len(), DAYS as usize);
    assert!(
        c.days
            .iter()
            .all(|d| d.within_tolerance && d.csv_windows == d.stored_windows)
    );
    assert_eq!(outcome.summary.csv_empty_rows, 1);

    // One changed cell (input_tokens, column 12), one deleted row, one added row.
    let mut changed = lines.clone();
    let mut cells: Vec<String> = changed[3].split(',').map(str::to_owned).collect();
    let old: i64 = cells[11].trim_end_matches(".0").parse().expect("count");
    cells[11] = count(old + 7);
    changed[3] = cells.join(",");
    let deleted = changed.remove(10);
    let deleted_model = deleted.split(',').nth(8).expect("model").to_owned();
    changed.push(format!(
        "{},proj_added,3.0,,key_added,gpt-added,FALSE,default,100.0,10.0,0.0,100.0,100.0,10.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0",
        time_cells(range.from)
    ));
    let bad = dir.join(format!(
        "completions_usage_{}_{}_v2.csv",
        range.from, range.to
    ));
    std::fs::write(&bad, csv_of(USAGE_HEADER, &changed)).expect("write csv");
    let exit = api::commands::parity::run(cli_args(&app.db.url, bad.clone(), range))
        .await
        .expect("parity run");
    assert_eq!(exit, ParityExit::Outside);
    let outcome = ledger::parity::run(db, &std::fs::read(&bad).expect("read"), &request(range))
        .await
        .expect("changed export");
    let c = &outcome.summary.comparison;
    assert!(!outcome.within_tolerance());
    assert_eq!(
        (c.missing_windows, c.extra_windows, c.mismatched_windows),
        (1, 1, 1),
        "{c:?}"
    );
    assert_eq!(c.missing[0].key.model, "gpt-added");
    assert_eq!(c.missing[0].key.batch, "false");
    assert_eq!(c.extra[0].key.model, deleted_model);
    let diff = &c.mismatched[0].fields;
    assert_eq!(diff.len(), 1, "{diff:?}");
    assert_eq!(diff[0].field, "input_tokens");
    assert_eq!(diff[0].csv - diff[0].stored, Decimal::from(7));
    // Within a loose enough tolerance the mismatch is a match, but the
    // missing and extra windows stay findings.
    let mut loose = request(range);
    loose.tolerance = Tolerance::new(Decimal::from(7), Decimal::ZERO).expect("tolerance");
    let outcome = ledger::parity::run(db, &std::fs::read(&bad).expect("read"), &loose)
        .await
        .expect("loose");
    let c = &outcome.summary.comparison;
    assert_eq!(
        (c.missing_windows, c.extra_windows, c.mismatched_windows),
        (1, 1, 0)
    );

    // A malformed cell: an error naming its line, and nothing written.
    let before = reports(db).await;
    let mut malformed = lines.clone();
    let mut cells: Vec<String> = malformed[4].split(',').map(str::to_owned).collect();
    cells[5] = "12.5".into();
    malformed[4] = cells.join(",");
    let text = csv_of(USAGE_HEADER, &malformed);
    let error = ledger::parity::run(db, text.as_bytes(), &request(range))
        .await
        .expect_err("malformed");
    // Line 1 is the header, so the fifth data row is line 6.
    assert!(error.to_string().contains("line 6"), "{error}");
    assert!(error.to_string().contains("num_model_requests"), "{error}");
    let path = dir.join("malformed.csv");
    std::fs::write(&path, &text).expect("write");
    let cli = api::commands::parity::run(cli_args(&app.db.url, path.clone(), range)).await;
    assert!(cli.expect_err("bad input").to_string().contains("line 6"));
    let mut bad_dates = cli_args(&app.db.url, path.clone(), range);
    bad_dates.start = "2026-13-01".into();
    assert!(api::commands::parity::run(bad_dates).await.is_err());
    let mut unreadable = cli_args(&app.db.url, dir.join("absent.csv"), range);
    unreadable.format = ParityFormat::Table;
    assert!(api::commands::parity::run(unreadable).await.is_err());
    let mut anthropic = cli_args(&app.db.url, path, range);
    anthropic.provider = "anthropic".into();
    assert!(api::commands::parity::run(anthropic).await.is_err());
    assert_eq!(reports(db).await, before, "nothing written on bad input");

    // A header-only export: nothing reported. Over days without stored
    // usage that is parity; over the ingested days, every stored window
    // is extra.
    let header_only = format!("{TIME_ONLY_HEADER}\n");
    let quiet =
        DayRange::new(range.from - Days::new(60), range.from - Days::new(50)).expect("range");
    let outcome = ledger::parity::run(db, header_only.as_bytes(), &request(quiet))
        .await
        .expect("header only");
    assert!(outcome.within_tolerance());
    assert_eq!(outcome.summary.comparison.stored_windows, 0);
    let outcome = ledger::parity::run(db, header_only.as_bytes(), &request(range))
        .await
        .expect("header only");
    assert!(!outcome.within_tolerance());
    assert_eq!(outcome.summary.comparison.extra_windows, stored);

    // The watched folder: each file once, alerts for the one outside
    // tolerance, a malformed file remembered with its error.
    let receiver = WebhookReceiver::spawn().await;
    let hook =
        ledger::notify::create_webhook(db, &e2e::providers::master(), "parity", &receiver.url())
            .await
            .expect("webhook");
    let watch = temp_dir("watch");
    std::fs::copy(&good, watch.join(&name)).expect("copy");
    std::fs::copy(
        &bad,
        watch.join(format!(
            "completions_usage_{}_{}_v2.csv",
            range.from, range.to
        )),
    )
    .expect("copy");
    std::fs::write(watch.join("broken.csv"), &text).expect("write");
    std::fs::write(watch.join("notes.txt"), "not a csv").expect("write");
    let options = ScanOptions {
        connection: Some("oa".into()),
        min_age: Duration::ZERO,
        ..ScanOptions::default()
    };
    let sender = fast_sender();
    let before = reports(db).await;
    let scan = ledger::parity::scan_dir(db, &watch, &options, Some(&sender))
        .await
        .expect("scan");
    assert_eq!(
        (scan.files, scan.known, scan.processed.len()),
        (3, 0, 3),
        "{scan:?}"
    );
    assert_eq!(reports(db).await, before + 2);
    let by_name = |n: &str| {
        scan.processed
            .iter()
            .find(|f| f.file_name.ends_with(n))
            .expect("file")
            .clone()
    };
    assert_eq!(by_name(&name).within_tolerance, Some(true));
    assert_eq!(by_name(&name).alert, None);
    assert_eq!(by_name("_v2.csv").within_tolerance, Some(false));
    let broken = by_name("broken.csv");
    assert!(
        broken
            .error
            .as_deref()
            .is_some_and(|e| e.contains("line 6")),
        "{broken:?}"
    );
    let delivery = by_name("_v2.csv").alert.expect("alerted");
    assert_eq!((delivery.webhooks, delivery.delivered), (1, 1));
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    let alert = &received[0];
    assert_eq!(alert.header("X-CogniTrack-Event"), VARIANCE_EVENT);
    assert!(ledger::notify::verify_signature(
        &hook.secret,
        &alert.body,
        alert.header("X-CogniTrack-Signature")
    ));
    let body = alert.json();
    assert_eq!(body["report_id"], json!(by_name("_v2.csv").report_id));
    assert_eq!(
        (
            body["missing_windows"].as_u64(),
            body["extra_windows"].as_u64(),
            body["mismatched_windows"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );

    // Scanned again: nothing new. A changed file is a new version.
    let again = ledger::parity::scan_dir(db, &watch, &options, Some(&sender))
        .await
        .expect("scan");
    assert_eq!((again.known, again.processed.len()), (3, 0));
    std::fs::write(watch.join(&name), csv_of(USAGE_HEADER, &lines[1..])).expect("rewrite");
    let third = ledger::parity::scan_dir(db, &watch, &options, Some(&sender))
        .await
        .expect("scan");
    assert_eq!((third.known, third.processed.len()), (2, 1));
    assert_eq!(third.processed[0].within_tolerance, Some(false));
    // A file still being written is left for later.
    let young = ScanOptions {
        min_age: Duration::from_secs(3600),
        ..options.clone()
    };
    std::fs::write(watch.join("cost_new.csv"), format!("{TIME_ONLY_HEADER}\n")).expect("write");
    let fourth = ledger::parity::scan_dir(db, &watch, &young, None)
        .await
        .expect("scan");
    assert_eq!((fourth.recent, fourth.processed.len()), (4, 0));

    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&watch);
    receiver.stop();
    mock.stop();
    app.stop().await;
}

const IMPORT: &str = "mutation($file: Upload!, $start: Date!, $end: Date!, $tol: Decimal, $kind: ParityExportKind) { importUsageCsv(provider: openai, file: $file, start: $start, end: $end, tolerance: $tol, connection: \"oa\", kind: $kind) { id kind withinTolerance fileName source csvRows csvWindows storedWindows matchedWindows missingWindows extraWindows mismatchedWindows fields mismatched { date projectId lineItem fields { field csv stored difference withinTolerance } } days { date csvWindows storedWindows withinTolerance totals { field csv stored } } } }";

/// POSTs a GraphQL multipart request (operations, map, one file part).
async fn upload(app: &TestApp, token: &str, csv: &str, file_name: &str, variables: Value) -> Value {
    upload_with(app, token, IMPORT, csv, file_name, variables).await
}

/// [`upload`] with a query of the caller's.
async fn upload_with(
    app: &TestApp,
    token: &str,
    query: &str,
    csv: &str,
    file_name: &str,
    variables: Value,
) -> Value {
    let mut vars = variables;
    vars["file"] = Value::Null;
    let operations = json!({ "query": query, "variables": vars });
    let form = reqwest::multipart::Form::new()
        .text("operations", operations.to_string())
        .text("map", json!({ "0": ["variables.file"] }).to_string())
        .part(
            "0",
            reqwest::multipart::Part::bytes(csv.as_bytes().to_vec())
                .file_name(file_name.to_owned())
                .mime_str("text/csv")
                .expect("mime"),
        );
    reqwest::Client::new()
        .post(app.url("/graphql"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("upload")
        .json()
        .await
        .expect("json")
}

/// The cost export against `billed_cost`, uploaded through the multipart
/// mutation, and the stored reports read back.
async fn cost_export_through_graphql(backend: Backend) {
    let Fixture {
        app,
        mock,
        conn,
        range,
    } = fixture(backend).await;
    let db = &app.state.db;
    let lines: Vec<String> = billed_cost::Entity::find()
        .filter(billed_cost::Column::ConnectionId.eq(conn.id))
        .order_by_asc(billed_cost::Column::Id)
        .all(db)
        .await
        .expect("billed")
        .iter()
        .map(|b| {
            // 16 decimals, like real exports.
            let amount: Decimal = b.amount_usd.parse().expect("amount");
            format!(
                "{},{:.16},usd,\"{}\",{},org-test,Test org",
                time_cells(b.day),
                amount,
                b.line_item,
                b.project_id
            )
        })
        .collect();
    assert!(!lines.is_empty(), "the simulator bills");
    let admin = app.token(Role::Admin);
    let vars = json!({ "start": range.from.to_string(), "end": range.to.to_string() });

    let matching = csv_of(COST_HEADER, &lines);
    let body = upload(&app, &admin, &matching, "cost_export.csv", vars.clone()).await;
    assert!(body.get("errors").is_none(), "{body}");
    let report = &body["data"]["importUsageCsv"];
    assert_eq!(report["kind"], "COST");
    assert_eq!(report["withinTolerance"], true, "{report}");
    assert_eq!(report["fileName"], "cost_export.csv");
    assert_eq!(report["source"], "api:tester");
    assert_eq!(report["fields"], json!(["amount_usd"]));
    assert_eq!(
        (
            report["missingWindows"].as_i64(),
            report["extraWindows"].as_i64(),
            report["mismatchedWindows"].as_i64()
        ),
        (Some(0), Some(0), Some(0))
    );
    assert_eq!(report["csvWindows"], report["storedWindows"]);
    assert_eq!(report["days"].as_array().map(Vec::len), Some(DAYS as usize));

    // One cent more on one line: mismatched exactly, within a $0.01 tolerance.
    let mut changed = lines.clone();
    let mut cells: Vec<String> = changed[0].split(',').map(str::to_owned).collect();
    let amount: Decimal = cells[4].parse().expect("amount");
    cells[4] = format!("{:.16}", amount + Decimal::new(1, 2));
    changed[0] = cells.join(",");
    let changed = csv_of(COST_HEADER, &changed);
    let body = upload(&app, &admin, &changed, "cost_export.csv", vars.clone()).await;
    let report = &body["data"]["importUsageCsv"];
    assert_eq!(report["withinTolerance"], false, "{body}");
    assert_eq!(report["mismatchedWindows"], 1);
    let diff = &report["mismatched"][0]["fields"][0];
    assert_eq!(dec(&diff["csv"]) - dec(&diff["stored"]), Decimal::new(1, 2));
    assert_eq!(dec(&diff["difference"]), Decimal::new(-1, 2));
    let mut loose = vars.clone();
    loose["tol"] = json!("0.01");
    let body = upload(&app, &admin, &changed, "cost_export.csv", loose).await;
    assert_eq!(
        body["data"]["importUsageCsv"]["withinTolerance"], true,
        "{body}"
    );

    // Malformed: BAD_USER_INPUT with the line, nothing stored.
    let before = reports(db).await;
    let broken = format!(
        "{}\n{},abc,usd,x,p,o,O\n",
        matching.trim_end(),
        time_cells(range.to)
    );
    let body = upload(&app, &admin, &broken, "cost_export.csv", vars.clone()).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(&format!("line {}", lines.len() + 2)),
        "{message}"
    );
    assert_eq!(reports(db).await, before);
    // Viewers may read reports, not import them.
    let viewer = app.token(Role::Viewer);
    let body = upload(&app, &viewer, &matching, "cost_export.csv", vars.clone()).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    // A usage export sent as a cost export is refused.
    let usage = csv_of(USAGE_HEADER, &usage_lines(db, conn.id, range).await);
    let mut as_cost = vars.clone();
    as_cost["kind"] = json!("COST");
    let body = upload(&app, &admin, &usage, "x.csv", as_cost).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");

    // The variance alert of an upload goes out in the background.
    let receiver = WebhookReceiver::spawn().await;
    ledger::notify::create_webhook(db, &e2e::providers::master(), "parity", &receiver.url())
        .await
        .expect("webhook");
    let body = upload(&app, &admin, &changed, "cost_export.csv", vars.clone()).await;
    let alerted_id = body["data"]["importUsageCsv"]["id"].clone();
    let mut waited = 0;
    while receiver.received().is_empty() && waited < 100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        waited += 1;
    }
    let received = receiver.received();
    assert_eq!(
        received.len(),
        1,
        "one alert for the upload outside tolerance"
    );
    assert_eq!(received[0].header("X-CogniTrack-Event"), VARIANCE_EVENT);
    assert_eq!(
        received[0].json()["report_id"].to_string(),
        alerted_id.as_str().unwrap_or_default()
    );

    // Read back: the list (newest first) and one report by id.
    let list = app
        .ok(
            Some(&viewer),
            "{ parityReports(first: 10) { edges { node { id kind withinTolerance mismatchedWindows } } } }",
            json!({}),
        )
        .await;
    let edges = list["parityReports"]["edges"]
        .as_array()
        .expect("edges")
        .clone();
    assert_eq!(edges.len(), 4);
    assert_eq!(edges[0]["node"]["id"], alerted_id);
    assert_eq!(edges[0]["node"]["mismatchedWindows"], 1);
    let one = app
        .ok(
            Some(&viewer),
            "query($id: ID!) { parityReport(id: $id) { id rangeStart rangeEnd tolerance mismatched { date lineItem projectId } } }",
            json!({ "id": alerted_id }),
        )
        .await;
    assert_eq!(one["parityReport"]["rangeStart"], range.from.to_string());
    assert_eq!(one["parityReport"]["tolerance"], "0");
    assert!(
        !one["parityReport"]["mismatched"][0]["lineItem"]
            .as_str()
            .unwrap_or_default()
            .is_empty()
    );
    let missing = app
        .gql(
            Some(&viewer),
            "{ parityReport(id: \"999999\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&missing), Some("NOT_FOUND"), "{missing}");

    receiver.stop();
    mock.stop();
    app.stop().await;
}

both_backends!(
    usage_export_round_trip,
    cost_export_through_graphql,
    a_restated_day_matches_as_of_before
);

/// The real binary: exit statuses and output formats.
#[tokio::test]
async fn cli_binary_exit_statuses() {
    use e2e::cli;

    let Fixture {
        app,
        mock,
        conn,
        range,
    } = fixture(Backend::Sqlite).await;
    let lines = usage_lines(&app.state.db, conn.id, range).await;
    let dir = temp_dir("cli");
    let good = dir.join("good.csv");
    std::fs::write(&good, csv_of(USAGE_HEADER, &lines)).expect("write");
    let changed = dir.join("changed.csv");
    std::fs::write(&changed, csv_of(USAGE_HEADER, &lines[1..])).expect("write");
    let broken = dir.join("broken.csv");
    std::fs::write(
        &broken,
        format!("{USAGE_HEADER}\n1,2,3\n{}\n", "x,".repeat(40)),
    )
    .expect("write");
    let env = [("DATABASE_URL", app.db.url.as_str())];
    let (from, to) = (range.from.to_string(), range.to.to_string());
    let args = |file: &PathBuf, format: &str| -> Vec<String> {
        [
            "parity",
            "--provider",
            "openai",
            "--csv",
            &file.display().to_string(),
            "--start",
            &from,
            "--end",
            &to,
            "--tolerance",
            "0",
            "--format",
            format,
            "--connection",
            "oa",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect()
    };
    let run = |a: Vec<String>| async move {
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        cli::run(&refs, &env).await
    };
    let out = run(args(&good, "json")).await;
    assert_eq!(out.status.code(), Some(0), "{}", cli::stderr(&out));
    let json: Value = serde_json::from_str(&cli::stdout(&out)).expect("one JSON object");
    assert_eq!(json["missing_windows"], 0);
    assert_eq!(json["within_tolerance"], true);
    let out = run(args(&changed, "table")).await;
    assert_eq!(out.status.code(), Some(1), "{}", cli::stderr(&out));
    assert!(cli::stdout(&out).contains("extra (stored, not in the CSV): 1"));
    let out = run(args(&broken, "json")).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        cli::stderr(&out).contains("line 3"),
        "{}",
        cli::stderr(&out)
    );
    let mut bad = args(&good, "json");
    bad[6] = "2026-02-30".into();
    assert_eq!(run(bad).await.status.code(), Some(2));
    let mut unknown = args(&good, "json");
    unknown[2] = "acme".into();
    assert_eq!(run(unknown).await.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
    mock.stop();
    app.stop().await;
}

const IMPORT_AS_OF: &str = "mutation($file: Upload!, $start: Date!, $end: Date!, $asOf: DateTime) {
    importUsageCsv(provider: openai, file: $file, start: $start, end: $end, connection: \"oa\",
                   asOf: $asOf) { id withinTolerance asOf mismatchedWindows missingWindows } }";

/// An export of the numbers as they were, compared after the provider
/// restated one of its days: it matches the ledger as of a moment before
/// the restatement and differs from the ledger of now, through the ledger,
/// the CLI and GraphQL; the report keeps the moment.
async fn a_restated_day_matches_as_of_before(backend: Backend) {
    let Fixture {
        app,
        mock,
        conn,
        range,
    } = fixture(backend).await;
    let db = &app.state.db;
    let old = csv_of(USAGE_HEADER, &usage_lines(db, conn.id, range).await);
    let stored = old.lines().count() as u64 - 1;
    let reported = Utc::now();
    let restated = range.from + Days::new(10);
    mock.inject(e2e::mock_provider::Rule::new(
        "/organization/usage/completions",
        e2e::mock_provider::Fault::RestateDay(restated),
    ));
    let day = DayRange::new(restated, restated).expect("day");
    let mut request_day = ledger::ingest::IngestRequest::new(&conn, day).expect("request");
    request_day.steps = Some(vec![ledger::ingest::Step::Usage("completions")]);
    let report = ledger::ingest::run(db, &app.state.book, &app.state.clients, request_day, None)
        .await
        .expect("re-ingest");
    assert_eq!(
        report.status,
        ledger::ingest::RunStatus::Succeeded,
        "{report:?}"
    );
    mock.clear_faults();
    let as_of = AsOf::new(reported, Utc::now()).expect("a past moment");

    // The ledger: as of then, every window matches; now, the restated day
    // differs (one row dropped, the others' output tokens raised).
    let mut then = request(range);
    then.as_of = Some(as_of);
    let matched = ledger::parity::run(db, old.as_bytes(), &then)
        .await
        .expect("as of then");
    let c = &matched.summary.comparison;
    assert!(matched.within_tolerance(), "{c:?}");
    assert_eq!(
        (
            c.matched_windows,
            c.missing_windows,
            c.extra_windows,
            c.mismatched_windows
        ),
        (stored, 0, 0, 0)
    );
    let stored_as_of = parity_report::Entity::find_by_id(matched.report.id)
        .one(db)
        .await
        .expect("report")
        .expect("stored")
        .as_of;
    assert_eq!(
        stored_as_of.map(|t| t.timestamp_micros()),
        Some(reported.timestamp_micros())
    );
    let now = ledger::parity::run(db, old.as_bytes(), &request(range))
        .await
        .expect("now");
    let c = &now.summary.comparison;
    assert!(!now.within_tolerance());
    assert_eq!(c.missing_windows, 1, "the dropped row: {c:?}");
    assert!(c.mismatched_windows > 0, "{c:?}");
    assert!(c.mismatched.iter().all(|w| w.date == restated), "{c:?}");
    assert_eq!(now.report.as_of, None);

    // The CLI: --as-of decides the exit status.
    let dir = temp_dir("as_of");
    let path = dir.join(format!("completions_usage_{}_{}.csv", range.from, range.to));
    std::fs::write(&path, &old).expect("write csv");
    let mut args = cli_args(&app.db.url, path.clone(), range);
    args.as_of = Some(reported.to_rfc3339());
    assert_eq!(
        api::commands::parity::run(args).await.expect("cli as of"),
        ParityExit::Within
    );
    assert_eq!(
        api::commands::parity::run(cli_args(&app.db.url, path.clone(), range))
            .await
            .expect("cli now"),
        ParityExit::Outside
    );
    let mut future = cli_args(&app.db.url, path, range);
    future.as_of = Some((Utc::now() + chrono::Duration::hours(1)).to_rfc3339());
    assert!(api::commands::parity::run(future).await.is_err());

    // GraphQL: the report says what moment it read.
    let admin = app.token(Role::Admin);
    let vars = |at: Option<String>| json!({"start": range.from.to_string(), "end": range.to.to_string(), "asOf": at});
    let then = upload_with(
        &app,
        &admin,
        IMPORT_AS_OF,
        &old,
        "old.csv",
        vars(Some(reported.to_rfc3339())),
    )
    .await;
    let report = &then["data"]["importUsageCsv"];
    assert_eq!(report["withinTolerance"], true, "{then}");
    let echoed: chrono::DateTime<Utc> =
        serde_json::from_value(report["asOf"].clone()).expect("asOf");
    assert_eq!(echoed.timestamp_micros(), reported.timestamp_micros());
    let now = upload_with(&app, &admin, IMPORT_AS_OF, &old, "old.csv", vars(None)).await;
    assert_eq!(
        now["data"]["importUsageCsv"]["withinTolerance"], false,
        "{now}"
    );
    assert_eq!(now["data"]["importUsageCsv"]["asOf"], Value::Null);
    let before = reports(db).await;
    let future = (Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let refused = upload_with(
        &app,
        &admin,
        IMPORT_AS_OF,
        &old,
        "old.csv",
        vars(Some(future)),
    )
    .await;
    assert_eq!(error_code(&refused), Some("BAD_USER_INPUT"), "{refused}");

    // Billed costs keep no versions: asOf with a cost export is refused.
    let mut cost = request(range);
    cost.as_of = Some(as_of);
    let error = ledger::parity::run(db, csv_of(COST_HEADER, &[]).as_bytes(), &cost)
        .await
        .expect_err("asOf on a cost export");
    assert!(matches!(error, ledger::Error::InvalidInput(_)), "{error:?}");
    assert!(error.to_string().contains("asOf"), "{error}");
    assert_eq!(reports(db).await, before, "nothing written when refused");
    mock.stop();
    app.stop().await;
}
