//! The daily rollups (`usage_rollup`) equal the buckets they sum, at every
//! grain, to the token and the micro-dollar: after an ingestion, an
//! identical re-ingestion, a restatement, a reprice, archival and restore,
//! on both stores. The expected sums are computed here from the bucket rows
//! themselves, not by the SQL that builds the rollups.
use chrono::{DateTime, Days, NaiveDate, Utc};
use e2e::app::{Backend, TestDb};
use e2e::both_backends;
use e2e::mock_provider::{Fault, MockProvider, Rule};
use e2e::providers::{ingest_succeeded, mock_connections};
use entity::{usage_bucket, usage_rollup};
use ledger::archive::{self, ArchiveOptions};
use ledger::dates::DayRange;
use ledger::pricing::{PriceBook, UnitRates};
use ledger::usage::Dimension;
use ledger::usage::buckets::TOKEN_PRICED_TYPES;
use ledger::usage::rollup::{GRAINS, Grain};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult, PaginatorTrait, Statement,
};
use sim::SimConfig;
use std::collections::BTreeMap;

/// A rollup row's key: grain, day, and the seven dimensions ('' when the
/// grain does not keep one).
type Key = (i32, DateTime<Utc>, [String; 7]);
/// The twelve sums, in `usage_rollup` column order.
type Sums = [i64; 12];

fn days_ago(n: u64) -> NaiveDate {
    Utc::now()
        .date_naive()
        .checked_sub_days(Days::new(n))
        .expect("date")
}

fn key_of(grain: Grain, b: &usage_bucket::Model) -> Key {
    let value = |dim: Dimension, text: String| {
        if grain.dims.contains(&dim) {
            text
        } else {
            String::new()
        }
    };
    (
        grain.id,
        b.window_start,
        [
            value(Dimension::Provider, b.provider.as_str().to_owned()),
            value(Dimension::Project, b.project_id.clone()),
            value(Dimension::ApiKey, b.api_key_id.clone()),
            value(Dimension::User, b.user_id.clone()),
            value(Dimension::Model, b.model.clone()),
            value(Dimension::Batch, b.batch.as_str().to_owned()),
            value(Dimension::ServiceTier, b.service_tier.clone()),
        ],
    )
}

fn sums_of(b: &usage_bucket::Model) -> Sums {
    let unpriced = b.cost_micros.is_none() && TOKEN_PRICED_TYPES.contains(&b.usage_type.as_str());
    [
        b.input_tokens,
        b.input_cached_tokens,
        b.input_cache_write_tokens,
        b.output_tokens,
        b.input_audio_tokens + b.input_cached_audio_tokens,
        b.output_audio_tokens,
        b.num_model_requests,
        b.cost_micros.unwrap_or(0),
        i64::from(unpriced),
        i64::from(b.cost_estimated),
        if unpriced {
            b.input_tokens + b.output_tokens
        } else {
            0
        },
        1,
    ]
}

/// Every bucket, hot and archived.
async fn all_buckets(db: &DatabaseConnection) -> Vec<usage_bucket::Model> {
    let mut rows = Vec::new();
    for table in ["usage_bucket", "usage_bucket_archive"] {
        let statement =
            Statement::from_string(db.get_database_backend(), format!("SELECT * FROM {table}"));
        for row in db.query_all_raw(statement).await.expect("read buckets") {
            rows.push(usage_bucket::Model::from_query_result(&row, "").expect("bucket"));
        }
    }
    rows
}

/// Checks every grain against the buckets; returns the buckets' number.
async fn assert_exact(db: &DatabaseConnection, when: &str) -> usize {
    let buckets = all_buckets(db).await;
    assert!(!buckets.is_empty(), "{when}: no buckets to compare");
    let mut want: BTreeMap<Key, Sums> = BTreeMap::new();
    for grain in GRAINS {
        for b in &buckets {
            let sums = want.entry(key_of(grain, b)).or_insert([0; 12]);
            for (total, value) in sums.iter_mut().zip(sums_of(b)) {
                *total += value;
            }
        }
    }
    let mut got: BTreeMap<Key, Sums> = BTreeMap::new();
    for r in usage_rollup::Entity::find().all(db).await.expect("rollups") {
        let key = (
            r.grain,
            r.window_start,
            [
                r.provider.as_str().to_owned(),
                r.project_id,
                r.api_key_id,
                r.user_id,
                r.model,
                r.batch.as_str().to_owned(),
                r.service_tier,
            ],
        );
        let sums = [
            r.input_tokens,
            r.input_cached_tokens,
            r.input_cache_write_tokens,
            r.output_tokens,
            r.input_audio_tokens,
            r.output_audio_tokens,
            r.num_model_requests,
            r.cost_micros,
            r.unpriced_buckets,
            r.estimated_buckets,
            r.unpriced_tokens,
            r.buckets,
        ];
        assert!(
            got.insert(key.clone(), sums).is_none(),
            "{when}: rollup row {key:?} is there twice"
        );
    }
    assert_eq!(want.len(), got.len(), "{when}: rollup rows");
    for (key, sums) in &want {
        assert_eq!(got.get(key), Some(sums), "{when}: {key:?}");
    }
    buckets.len()
}

async fn rollups_equal_the_buckets_through_every_change(backend: Backend) {
    let db = TestDb::fresh(backend).await;
    let conn = &db.conn;
    let book = PriceBook::load(conn, UnitRates::default())
        .await
        .expect("book");
    let mock = MockProvider::start(SimConfig::default()).await;
    let connections = mock_connections(conn, &mock).await;
    let range = DayRange::new(days_ago(8), days_ago(1)).expect("range");
    let ingest_all = async || {
        ingest_succeeded(conn, &book, &connections, range, "rollups").await;
    };

    ingest_all().await;
    let stored = assert_exact(conn, "after ingestion").await;
    let before = usage_rollup::Entity::find().all(conn).await.expect("rows");

    ingest_all().await;
    assert_eq!(assert_exact(conn, "after re-ingestion").await, stored);
    assert_eq!(
        usage_rollup::Entity::find().all(conn).await.expect("rows"),
        before,
        "an identical re-ingestion leaves the rollup rows as they were"
    );

    let restated = days_ago(4);
    for path in ["/organization/usage/completions", "/messages"] {
        mock.inject(Rule::new(path, Fault::RestateDay(restated)));
    }
    ingest_all().await;
    let after_restatement = assert_exact(conn, "after a restatement").await;
    assert!(after_restatement < stored, "the restatement dropped rows");

    // A price change applied to stored usage.
    let repriced = ledger::pricing::reprice::reprice(conn, &book, range, false)
        .await
        .expect("reprice");
    assert!(!repriced.dry_run);
    assert_exact(conn, "after a reprice").await;

    let cutoff = days_ago(3);
    let moved = archive::run(conn, cutoff, &ArchiveOptions::default(), None)
        .await
        .expect("archive");
    assert!(moved.usage_buckets > 0, "{moved:?}");
    assert!(
        entity::usage_bucket_archive::Entity::find()
            .count(conn)
            .await
            .expect("count")
            > 0
    );
    assert_eq!(
        assert_exact(conn, "after archival").await,
        after_restatement
    );

    // A day restated after it was archived is replaced in the hot table.
    mock.clear_faults();
    ingest_all().await;
    assert_exact(conn, "after re-ingesting archived days").await;

    archive::run(conn, cutoff, &ArchiveOptions::default(), None)
        .await
        .expect("archive again");
    let restored = archive::restore(conn, range, &ArchiveOptions::default(), None)
        .await
        .expect("restore");
    assert!(restored.usage_buckets > 0, "{restored:?}");
    assert_exact(conn, "after restore").await;
    mock.stop();
    db.cleanup().await;
}

both_backends!(rollups_equal_the_buckets_through_every_change);
