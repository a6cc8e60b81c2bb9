//! Money sums are exact on both stores: a million priced buckets add up to
//! the same micro-dollar as the integers computed here.
use api::auth::Role;
use e2e::app::{Backend, TestApp, dec};
use e2e::both_backends;
use entity::usage_bucket;
use ledger::usage::buckets::{BucketRow, Counts, DaySet, Dimensions, replace_day};
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, Iterable, PaginatorTrait};
use serde_json::json;

const ROWS: i64 = 1_000_000;
const DAY: &str = "2026-09-15";

/// Large, uneven costs, so a float or a narrow integer anywhere would show.
fn cost_sql(n: &str) -> String {
    format!("((CAST({n} AS BIGINT) * 7919) % 1000003) + 123456789")
}

fn cost(n: i64) -> i64 {
    ((n * 7919) % 1_000_003) + 123_456_789
}

async fn a_million_priced_rows_sum_exactly(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let connection = ledger::providers::connections::upsert_demo(
        &app.state.db,
        "sums",
        ledger::providers::ProviderKind::OpenAi,
        "http://127.0.0.1:9/v1",
    )
    .await
    .expect("connection");
    let set = DaySet {
        connection_id: connection.id,
        provider: entity::enums::ProviderKind::OpenAi,
        usage_type: "completions",
        day: DAY.parse().expect("day"),
    };
    let seed = BucketRow {
        dims: Dimensions {
            project_id: "p0".into(),
            model: "gpt-4o-mini-2024-07-18".into(),
            ..Dimensions::default()
        },
        counts: Counts {
            input_tokens: 1,
            ..Counts::default()
        },
    };
    replace_day(&app.state.db, set, vec![seed], None, &app.state.book)
        .await
        .expect("seed bucket");
    let db = &app.state.db;
    // Pin the seed's cost to the formula's value for 0.
    db.execute_unprepared(&format!(
        "UPDATE usage_bucket SET cost_micros = {}",
        cost(0)
    ))
    .await
    .expect("pin seed cost");

    // Copy the seed row ROWS - 1 times in SQL, varying the project (the
    // dedupe key), the tokens and the cost.
    let series = match db.get_database_backend() {
        DbBackend::Postgres => format!("generate_series(1, {}) AS g(n)", ROWS - 1),
        _ => format!(
            "(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {}) SELECT n FROM s) AS g",
            ROWS - 1
        ),
    };
    let names: Vec<String> = usage_bucket::Column::iter()
        .map(|c| sea_orm::IdenStatic::as_str(&c).to_owned())
        .filter(|name| name != "id")
        .collect();
    let values: Vec<String> = names
        .iter()
        .map(|name| match name.as_str() {
            "project_id" => "'p' || CAST(g.n AS TEXT)".to_owned(),
            "input_tokens" => "CAST(g.n AS BIGINT)".to_owned(),
            "cost_micros" => cost_sql("g.n"),
            other => format!("b.{other}"),
        })
        .collect();
    let insert = format!(
        "INSERT INTO usage_bucket ({}) SELECT {} FROM usage_bucket b, {series}",
        names.join(", "),
        values.join(", ")
    );
    db.execute_unprepared(&insert).await.expect("copy rows");
    // Written behind the ledger's back, so the rollup is rebuilt here; the
    // answer below then comes from rollup sums of a million rows.
    ledger::usage::rollup::rebuild_all(db)
        .await
        .expect("rebuild rollups");
    assert_eq!(
        usage_bucket::Entity::find().count(db).await.expect("count"),
        ROWS as u64
    );

    let want_micros: i64 = (0..ROWS).map(cost).sum();
    let want_tokens: i64 = 1 + (1..ROWS).sum::<i64>();
    let data = app
        .ok(
            Some(&app.token(Role::Viewer)),
            "query($d: Date!) { dailyUsage(filter: {from: $d, to: $d}) { inputTokens costUsd } }",
            json!({"d": DAY}),
        )
        .await;
    let row = &data["dailyUsage"][0];
    assert_eq!(row["inputTokens"], want_tokens);
    assert_eq!(dec(&row["costUsd"]), Decimal::new(want_micros, 6));
    app.stop().await;
}

both_backends!(a_million_priced_rows_sum_exactly);
