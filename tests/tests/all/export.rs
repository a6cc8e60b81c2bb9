//! `GET /api/export/buckets`: the raw buckets of a range, streamed as CSV or
//! NDJSON across many pages, with the same auth as the API.
use api::auth::Role;
use e2e::app::{Backend, TestApp};
use e2e::both_backends;
use ledger::usage::buckets::{BucketRow, Counts, DaySet, Dimensions, replace_day};
use reqwest::StatusCode;
use serde_json::{Value, json};

const DAYS: [&str; 3] = ["2026-10-01", "2026-10-02", "2026-10-03"];
const PER_DAY: i64 = 400;

async fn seed(app: &TestApp) {
    let connection = ledger::providers::connections::upsert_demo(
        &app.state.db,
        "exported",
        ledger::providers::ProviderKind::OpenAi,
        "http://127.0.0.1:9/v1",
    )
    .await
    .expect("connection");
    for day in DAYS {
        let rows = (0..PER_DAY)
            .map(|n| BucketRow {
                dims: Dimensions {
                    project_id: format!("proj_{n}"),
                    model: "gpt-4o-mini-2024-07-18".into(),
                    ..Dimensions::default()
                },
                counts: Counts {
                    input_tokens: n + 1,
                    output_tokens: 1,
                    ..Counts::default()
                },
            })
            .collect();
        let set = DaySet {
            connection_id: connection.id,
            provider: entity::enums::ProviderKind::OpenAi,
            usage_type: "completions",
            day: day.parse().expect("day"),
        };
        replace_day(&app.state.db, set, rows, None, &app.state.book)
            .await
            .expect("buckets");
    }
}

async fn get(app: &TestApp, token: Option<&str>, query: &str) -> (StatusCode, String) {
    let mut request = reqwest::Client::new().get(app.url(&format!("/api/export/buckets?{query}")));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    (status, response.text().await.expect("body"))
}

async fn buckets_export_streams_every_row(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    seed(&app).await;
    let viewer = app.token(Role::Viewer);
    let range = format!("from={}&to={}", DAYS[0], DAYS[2]);

    let (status, csv) = get(&app, Some(&viewer), &range).await;
    assert_eq!(status, StatusCode::OK, "{csv}");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().expect("header").clone();
    let input = header
        .iter()
        .position(|h| h == "input_tokens")
        .expect("column");
    let cost = header.iter().position(|h| h == "cost_usd").expect("column");
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    assert_eq!(
        records.len() as i64,
        PER_DAY * 3,
        "every bucket, across pages"
    );
    let tokens: i64 = records
        .iter()
        .map(|r| r[input].parse::<i64>().expect("tokens"))
        .sum();

    let daily = app
        .ok(
            Some(&viewer),
            "query($f: Date!, $t: Date!) { dailyUsage(filter: {from: $f, to: $t}) { inputTokens } }",
            json!({"f": DAYS[0], "t": DAYS[2]}),
        )
        .await;
    let want: i64 = daily["dailyUsage"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["inputTokens"].as_i64().expect("i64"))
        .sum();
    assert_eq!(tokens, want);
    assert!(
        records.iter().all(|r| !r[cost].is_empty()),
        "priced rows carry a cost"
    );

    let (status, ndjson) = get(
        &app,
        Some(&viewer),
        &format!("{range}&format=ndjson&projectIds=proj_1,proj_2"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let lines: Vec<Value> = ndjson
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 6, "two projects on three days");
    let mut projects: Vec<&str> = lines
        .iter()
        .map(|l| l["project_id"].as_str().expect("project_id"))
        .collect();
    projects.sort_unstable();
    assert_eq!(
        projects,
        ["proj_1", "proj_1", "proj_1", "proj_2", "proj_2", "proj_2"]
    );

    for (token, query, want) in [
        (None, range.clone(), StatusCode::UNAUTHORIZED),
        (Some("not-a-token"), range.clone(), StatusCode::UNAUTHORIZED),
        (
            Some(viewer.as_str()),
            "from=2026-10-03&to=2026-10-01".to_owned(),
            StatusCode::BAD_REQUEST,
        ),
        (
            Some(viewer.as_str()),
            "from=2026-02-30&to=2026-03-01".to_owned(),
            StatusCode::BAD_REQUEST,
        ),
        (
            Some(viewer.as_str()),
            format!("{range}&format=xml"),
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let (status, body) = get(&app, token, &query).await;
        assert_eq!(status, want, "{query}: {body}");
    }
    let key = app.ingest_key().await;
    let (status, _) = get(&app, Some(&key), &range).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "an ingest key cannot read"
    );
    app.stop().await;
}

both_backends!(buckets_export_streams_every_row);

/// Failure 7: provider-controlled strings reached the CSV as formulas. A
/// bucket stored with formulas in its model, project, key and user ids
/// exports with each neutralised (a leading `'`); numbers stay numbers,
/// and NDJSON keeps the values as stored.
async fn csv_export_neutralises_formulas(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let connection = ledger::providers::connections::upsert_demo(
        &app.state.db,
        "planted",
        ledger::providers::ProviderKind::OpenAi,
        "http://127.0.0.1:9/v1",
    )
    .await
    .expect("connection");
    let day = "2026-10-01".parse().expect("day");
    let planted = [
        "=cmd|' /C calc'!A0",
        "+HYPERLINK(\"http://x\")",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
    ];
    let bucket = entity::usage_bucket::Model {
        connection_id: connection.id,
        project_id: planted[1].into(),
        api_key_id: planted[2].into(),
        user_id: planted[3].into(),
        model: planted[0].into(),
        service_tier: planted[4].into(),
        context_window: planted[5].into(),
        // A negative amount (a credit) stays a number.
        cost_micros: Some(-500_000),
        ..e2e::buckets::completion(day, entity::enums::ProviderKind::OpenAi)
    };
    e2e::buckets::insert(&app.state.db, bucket).await;
    let viewer = app.token(Role::Viewer);
    let range = "from=2026-10-01&to=2026-10-01";

    let (status, csv) = get(&app, Some(&viewer), range).await;
    assert_eq!(status, StatusCode::OK, "{csv}");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().expect("header").clone();
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    assert_eq!(records.len(), 1, "{csv}");
    let cell = |name: &str| {
        let at = header.iter().position(|h| h == name).expect("column");
        records[0][at].to_owned()
    };
    for (column, value) in [
        ("model", planted[0]),
        ("project_id", planted[1]),
        ("api_key_id", planted[2]),
        ("user_id", planted[3]),
        ("service_tier", planted[4]),
        ("context_window", planted[5]),
    ] {
        assert_eq!(cell(column), format!("'{value}"), "{column}");
    }
    assert_eq!(cell("cost_usd"), "-0.500000");
    assert_eq!(cell("input_tokens"), "1000");
    for line in csv.lines() {
        for field in line.split(',') {
            let field = field.trim_start_matches('"');
            assert!(
                !field.starts_with(['=', '+', '@']),
                "a cell starts a formula: {line}"
            );
        }
    }

    let (status, ndjson) = get(&app, Some(&viewer), &format!("{range}&format=ndjson")).await;
    assert_eq!(status, StatusCode::OK);
    let line: Value = serde_json::from_str(ndjson.trim()).expect("json line");
    assert_eq!(line["model"], planted[0], "NDJSON keeps the stored value");
    app.stop().await;
}

both_backends!(csv_export_neutralises_formulas);
