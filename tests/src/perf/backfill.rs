//! The backfill figure: 35 days of 100,000 OpenAI completions buckets from
//! the local mock, ingested the way a user would (`runIngestion` on the
//! running server), beside a bulk INSERT of the same buckets plus the
//! rollup rebuild of those days straight on the database.
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::{Days, NaiveDate};
use entity::enums::ProviderKind;
use rand::SeedableRng;
use rand::rngs::StdRng;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, Statement, TransactionTrait};
use serde_json::json;

use super::generate::{self, BUCKET_COLUMNS, bucket_tokens};
use super::mock::{MockData, MockRow};
use super::server::Server;
use super::shape;

pub const DAYS: u64 = 35;

/// `buckets` distinct OpenAI completions buckets over the [`DAYS`] days
/// ending `last_day`.
pub fn data(buckets: u64, last_day: NaiveDate) -> MockData {
    let mut rng = StdRng::seed_from_u64(shape::SEED ^ 5);
    let first_day = last_day - Days::new(DAYS - 1);
    let space = shape::space("openai");
    let days = (0..DAYS)
        .map(|d| {
            let n = (buckets / DAYS + u64::from(d < buckets % DAYS)) as usize;
            let start = rand::Rng::random_range(&mut rng, 0..space);
            shape::distinct_indexes(space, n, start)
                .map(|i| MockRow {
                    combo: shape::combo("openai", i),
                    tokens: bucket_tokens(&mut rng),
                })
                .collect()
        })
        .collect();
    MockData { first_day, days }
}

fn span(data: &MockData) -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
    let first = ledger::dates::midnight(data.first_day);
    (
        first,
        first + chrono::Duration::days(data.days.len() as i64),
    )
}

/// The raw figure: the same rows as multi-row INSERTs and the rollup
/// rebuild of their days, under a connection of their own; removed again
/// (untimed) so the server's backfill starts from the same store.
pub async fn raw(db: &DatabaseConnection, data: &MockData) -> Result<Duration> {
    let connection = generate::connection(
        &format!("perf-raw-backfill-{}", uuid::Uuid::new_v4().simple()),
        ProviderKind::OpenAi,
    )
    .insert(db)
    .await?
    .id;
    let mut values = Vec::new();
    for (d, rows) in data.days.iter().enumerate() {
        let day = data.first_day + Days::new(d as u64);
        for row in rows {
            generate::bucket_values(
                &mut values,
                connection,
                "openai",
                &row.combo,
                day,
                &row.tokens,
            );
        }
    }
    let (start, end) = span(data);
    let started = Instant::now();
    let txn = db.begin().await?;
    super::bulk::insert(&txn, "usage_bucket", &BUCKET_COLUMNS, values, "").await?;
    ledger::usage::rollup::rebuild(&txn, start, end).await?;
    txn.commit().await?;
    let took = started.elapsed();
    let backend = db.get_database_backend();
    let txn = db.begin().await?;
    txn.execute_raw(Statement::from_string(
        backend,
        format!("DELETE FROM usage_bucket WHERE connection_id = {connection}"),
    ))
    .await?;
    ledger::usage::rollup::rebuild(&txn, start, end).await?;
    txn.commit().await?;
    Ok(took)
}

/// Adds a connection pointed at the mock and runs `runIngestion` over the
/// days; returns the wall time and the rows the run reports inserted.
pub async fn server(server: &Server, data: &MockData, mock_base: &str) -> Result<(Duration, i64)> {
    let add = "mutation($i: AddConnectionInput!) { addProviderConnection(input: $i) { name } }";
    // A name of its own per run: a second run over the same store ingests afresh.
    let name = format!("perf-backfill-{}", uuid::Uuid::new_v4().simple());
    server
        .gql(&server.admin, add, json!({"i": {"name": name, "provider": "openai", "adminKey": "sk-admin-perf-backfill", "baseUrl": mock_base}}))
        .await?;
    let run = "mutation($from: Date!, $to: Date!, $c: String!) { runIngestion(provider: openai, from: $from, to: $to, connection: $c, chunkDays: 7) { status rowsInserted pages issues { code message } } }";
    let to = data.first_day + Days::new(data.days.len() as u64 - 1);
    let started = Instant::now();
    let answer = server
        .gql(
            &server.admin,
            run,
            json!({"from": data.first_day.to_string(), "to": to.to_string(), "c": name}),
        )
        .await?;
    let took = started.elapsed();
    let report = &answer["runIngestion"];
    let inserted = report["rowsInserted"].as_i64().context("rowsInserted")?;
    let expected: usize = data.days.iter().map(Vec::len).sum();
    if report["status"] != "SUCCEEDED" || inserted != expected as i64 {
        bail!("the backfill stored {inserted} of {expected} buckets: {report}");
    }
    Ok((took, inserted))
}
