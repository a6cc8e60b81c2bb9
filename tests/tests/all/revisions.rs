//! Restatements are kept, not silently replaced: a provider restates one
//! day, the re-ingestion records one revision per connection with exact
//! deltas, the replaced rows stay answerable `asOf` a moment before, and
//! an identical re-ingestion writes nothing. Both stores.
use api::auth::Role;
use chrono::{DateTime, Days, NaiveDate, Utc};
use e2e::app::{Backend, TestApp, dec, error_code};
use e2e::both_backends;
use e2e::mock_provider::{Fault, MockProvider, Rule};
use e2e::providers::{ingest_succeeded, mock_connections};
use entity::{
    provider_connection, usage_bucket, usage_bucket_superseded, usage_bucket_superseded_archive,
    usage_revision,
};
use ledger::archive::{self, ArchiveOptions};
use ledger::dates::{DayRange, midnight};
use ledger::ingest::RunReport;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use sim::SimConfig;

const DAILY: &str = "query($f: UsageFilter!) { dailyUsage(filter: $f, groupBy: [PROVIDER, MODEL]) {
    date group { provider model } inputTokens inputCachedTokens outputTokens numModelRequests
    costUsd pricedCostUsd unpricedBuckets } }";
const DAILY_TOTAL: &str =
    "query($f: UsageFilter!) { dailyUsage(filter: $f) { date outputTokens numModelRequests } }";
const BUCKETS: &str = "query($f: UsageFilter!) { usageBuckets(filter: $f, first: 500) {
    edges { node { id connectionId usageType projectId model outputTokens costUsd ingestedAt } }
    pageInfo { hasNextPage } } }";
const REVISIONS: &str = "query($from: Date!, $to: Date!) { usageRevisions(from: $from, to: $to) {
    connectionId provider usageType date runId bucketsAdded bucketsChanged bucketsRemoved
    inputTokensDelta inputCachedTokensDelta outputTokensDelta numModelRequestsDelta
    costUsdDelta } }";

fn days_ago(n: u64) -> NaiveDate {
    Utc::now()
        .date_naive()
        .checked_sub_days(Days::new(n))
        .expect("date")
}

struct Ledger {
    app: TestApp,
    mock: MockProvider,
    connections: Vec<provider_connection::Model>,
    range: DayRange,
}

impl Ledger {
    async fn start(backend: Backend) -> Self {
        let app = TestApp::spawn(backend).await;
        let mock = MockProvider::start(SimConfig::default()).await;
        let connections = mock_connections(&app.state.db, &mock).await;
        Self {
            app,
            mock,
            connections,
            range: DayRange::new(days_ago(6), days_ago(1)).expect("range"),
        }
    }

    fn db(&self) -> &DatabaseConnection {
        &self.app.state.db
    }

    async fn ingest(&self) -> Vec<RunReport> {
        ingest_succeeded(
            self.db(),
            &self.app.state.book,
            &self.connections,
            self.range,
            "revisions",
        )
        .await
    }

    /// `query` over the ingested range, optionally as of `as_of`.
    async fn ask(&self, query: &str, as_of: Option<DateTime<Utc>>) -> Value {
        self.ask_over(query, self.range, as_of).await
    }

    async fn ask_over(&self, query: &str, range: DayRange, as_of: Option<DateTime<Utc>>) -> Value {
        let mut filter = json!({"from": range.from.to_string(), "to": range.to.to_string()});
        if let Some(at) = as_of {
            filter["asOf"] = json!(at.to_rfc3339());
        }
        self.app
            .ok(
                Some(&self.app.token(Role::Viewer)),
                query,
                json!({ "f": filter }),
            )
            .await
    }

    async fn rows(&self) -> [u64; 3] {
        let db = self.db();
        [
            usage_bucket::Entity::find().count(db).await.expect("count"),
            usage_bucket_superseded::Entity::find()
                .count(db)
                .await
                .expect("count"),
            usage_revision::Entity::find()
                .count(db)
                .await
                .expect("count"),
        ]
    }

    /// The stored buckets of one connection, usage type and day.
    async fn day_set(
        &self,
        connection_id: i64,
        usage_type: &str,
        day: NaiveDate,
    ) -> Vec<usage_bucket::Model> {
        usage_bucket::Entity::find()
            .filter(usage_bucket::Column::ConnectionId.eq(connection_id))
            .filter(usage_bucket::Column::UsageType.eq(usage_type))
            .filter(usage_bucket::Column::WindowStart.eq(midnight(day)))
            .all(self.db())
            .await
            .expect("buckets")
    }
}

/// (input, cached, output, requests, cost micros) summed over `rows`.
fn sums(rows: &[usage_bucket::Model]) -> [i64; 5] {
    rows.iter().fold([0; 5], |acc, b| {
        [
            acc[0] + b.input_tokens,
            acc[1] + b.input_cached_tokens,
            acc[2] + b.output_tokens,
            acc[3] + b.num_model_requests,
            acc[4] + b.cost_micros.unwrap_or(0),
        ]
    })
}

async fn a_restated_day_is_a_revision_and_asof_answers_stay_fixed(backend: Backend) {
    let ledger = Ledger::start(backend).await;
    let before_anything = Utc::now();
    ledger.ingest().await;
    let first = ledger.ask(DAILY, None).await;
    let restated = days_ago(3);
    let restated_day = DayRange::new(restated, restated).expect("day");
    let first_buckets = ledger.ask_over(BUCKETS, restated_day, None).await;
    assert_eq!(
        first_buckets["usageBuckets"]["pageInfo"]["hasNextPage"],
        false
    );
    let reported = Utc::now();

    // An identical re-ingestion writes no row and records no revision.
    let rows = ledger.rows().await;
    assert_eq!(rows[1..], [0, 0]);
    for report in ledger.ingest().await {
        assert_eq!(
            (
                report.rows_inserted,
                report.rows_updated,
                report.rows_deleted
            ),
            (0, 0, 0),
            "{report:#?}"
        );
    }
    assert_eq!(ledger.rows().await, rows);

    // The provider restates one day; the sets it changes, read before.
    let sets = [
        (ledger.connections[0].id, "completions"),
        (ledger.connections[1].id, "messages"),
    ];
    let mut old = Vec::new();
    for (connection, usage_type) in sets {
        old.push(ledger.day_set(connection, usage_type, restated).await);
    }
    for path in ["/organization/usage/completions", "/messages"] {
        ledger
            .mock
            .inject(Rule::new(path, Fault::RestateDay(restated)));
    }
    let runs = ledger.ingest().await;

    let revisions = ledger
        .app
        .ok(
            Some(&ledger.app.token(Role::Viewer)),
            REVISIONS,
            json!({"from": ledger.range.from.to_string(), "to": ledger.range.to.to_string()}),
        )
        .await["usageRevisions"]
        .as_array()
        .expect("list")
        .clone();
    assert_eq!(revisions.len(), 2, "one per connection: {revisions:#?}");
    for (((revision, (connection, usage_type)), old), run) in
        revisions.iter().zip(sets).zip(&old).zip(&runs)
    {
        let new = ledger.day_set(connection, usage_type, restated).await;
        let (was, now) = (sums(old), sums(&new));
        assert_eq!(revision["connectionId"], connection);
        assert_eq!(revision["usageType"], usage_type);
        assert_eq!(revision["date"], restated.to_string());
        assert_eq!(revision["runId"], run.run_id);
        assert_eq!(
            revision["bucketsRemoved"], 1,
            "the restatement dropped one row"
        );
        assert_eq!(revision["bucketsAdded"], 0);
        assert_eq!(revision["bucketsChanged"], new.len() as i64);
        assert_eq!(revision["inputTokensDelta"], now[0] - was[0]);
        assert_eq!(revision["inputCachedTokensDelta"], now[1] - was[1]);
        assert_eq!(revision["outputTokensDelta"], now[2] - was[2]);
        assert_eq!(revision["numModelRequestsDelta"], now[3] - was[3]);
        assert_eq!(
            dec(&revision["costUsdDelta"]),
            Decimal::new(now[4] - was[4], 6)
        );
        assert_ne!(now[2], was[2], "the restatement changed the output tokens");
    }

    // As of the moment of the first report, the ledger answers as it did
    // then, to the token; now it answers with the restated day.
    let current = ledger.ask(DAILY, None).await;
    assert_ne!(current, first, "the restated day changed the answer");
    assert_eq!(ledger.ask(DAILY, Some(reported)).await, first);
    assert_ne!(
        ledger.ask_over(BUCKETS, restated_day, None).await,
        first_buckets
    );
    assert_eq!(
        ledger.ask_over(BUCKETS, restated_day, Some(reported)).await,
        first_buckets
    );
    assert_eq!(ledger.ask(DAILY, Some(Utc::now())).await, current);
    // Before anything was ingested: every day of the range, all zeros.
    let empty = ledger.ask(DAILY_TOTAL, Some(before_anything)).await;
    let empty_rows = empty["dailyUsage"].as_array().expect("rows");
    assert_eq!(empty_rows.len(), ledger.range.len());
    for row in empty_rows {
        assert_eq!(
            (&row["outputTokens"], &row["numModelRequests"]),
            (&json!(0), &json!(0)),
            "{row}"
        );
    }
    let now_total = ledger.ask(DAILY_TOTAL, None).await;
    assert!(now_total["dailyUsage"][0]["outputTokens"].as_i64() > Some(0));

    // Another restatement later does not move the earlier answer.
    ledger.mock.clear_faults();
    ledger.ingest().await;
    assert_eq!(ledger.ask(DAILY, Some(reported)).await, first);

    // A moment in the future has no fixed answer yet.
    let future = (Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let body = ledger
        .app
        .gql(
            Some(&ledger.app.token(Role::Viewer)),
            DAILY,
            json!({"f": {"from": ledger.range.from.to_string(), "to": ledger.range.to.to_string(), "asOf": future}}),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    ledger.mock.stop();
    ledger.app.stop().await;
}

both_backends!(a_restated_day_is_a_revision_and_asof_answers_stay_fixed);

const RUN_ARCHIVAL: &str =
    "mutation { runArchival(olderThanDays: 0) { usageBuckets supersededBuckets complete } }";
const RESTORE: &str = "mutation($from: Date!, $to: Date!) { restoreArchived(from: $from, to: $to) {
    usageBuckets supersededBuckets complete } }";

/// Version ids of the superseded rows in the hot table and in the archive.
async fn superseded_ids(db: &DatabaseConnection) -> (Vec<i64>, Vec<i64>) {
    let mut hot: Vec<i64> = usage_bucket_superseded::Entity::find()
        .all(db)
        .await
        .expect("superseded")
        .into_iter()
        .map(|v| v.version_id)
        .collect();
    let mut archived: Vec<i64> = usage_bucket_superseded_archive::Entity::find()
        .all(db)
        .await
        .expect("archived superseded")
        .into_iter()
        .map(|v| v.version_id)
        .collect();
    hot.sort_unstable();
    archived.sort_unstable();
    (hot, archived)
}

/// Archival moves a restated day's superseded versions with its buckets,
/// restore moves them back, and an as-of answer from before the
/// restatement is the same at every step.
async fn archival_moves_superseded_versions_and_keeps_asof_answers(backend: Backend) {
    let ledger = Ledger::start(backend).await;
    ledger.ingest().await;
    let first = ledger.ask(DAILY, None).await;
    let restated = days_ago(3);
    let restated_day = DayRange::new(restated, restated).expect("day");
    let reported = Utc::now();
    for path in ["/organization/usage/completions", "/messages"] {
        ledger
            .mock
            .inject(Rule::new(path, Fault::RestateDay(restated)));
    }
    ledger.ingest().await;
    ledger.mock.clear_faults();

    let (versions, none) = superseded_ids(ledger.db()).await;
    assert!(!versions.is_empty(), "the restatement kept old versions");
    assert!(none.is_empty());
    let answers = async || {
        [
            ledger.ask(DAILY, Some(reported)).await,
            ledger.ask_over(BUCKETS, restated_day, Some(reported)).await,
            ledger.ask(DAILY, None).await,
        ]
    };
    let before = answers().await;
    assert_eq!(before[0], first, "as of then: the numbers of then");
    assert_ne!(before[2], first, "now: the restated numbers");

    let admin = ledger.app.token(Role::Admin);
    let archived =
        ledger.app.ok(Some(&admin), RUN_ARCHIVAL, json!({})).await["runArchival"].clone();
    assert_eq!(archived["complete"], true, "{archived}");
    assert_eq!(archived["supersededBuckets"], versions.len(), "{archived}");
    assert!(archived["usageBuckets"].as_u64() > Some(0), "{archived}");
    assert_eq!(
        usage_bucket::Entity::find()
            .count(ledger.db())
            .await
            .expect("count"),
        0,
        "every ingested day is before today"
    );
    assert_eq!(
        superseded_ids(ledger.db()).await,
        (Vec::new(), versions.clone()),
        "the superseded versions sit in the archive, ids kept"
    );
    for version in usage_bucket_superseded_archive::Entity::find()
        .all(ledger.db())
        .await
        .expect("archived")
    {
        assert_eq!(version.window_start, midnight(restated));
    }
    assert_eq!(answers().await, before, "after archival");
    // The answers come from the archive: without it the days read empty.
    let hot_only = ledger
        .app
        .ok(
            Some(&ledger.app.token(Role::Viewer)),
            DAILY_TOTAL,
            json!({"f": {"from": ledger.range.from.to_string(), "to": ledger.range.to.to_string(),
                         "includeArchived": false}}),
        )
        .await;
    assert_eq!(hot_only["dailyUsage"][0]["outputTokens"], 0, "{hot_only}");
    let all = ledger.ask(DAILY_TOTAL, None).await;
    assert!(
        all["dailyUsage"][0]["outputTokens"].as_i64() > Some(0),
        "{all}"
    );

    // Restored two rows at a time, stopping after every batch: at each
    // point the answers hold, also while a day's versions are split
    // between the two tables.
    let step = ArchiveOptions {
        batch_size: 2,
        max_batches: Some(1),
        ..ArchiveOptions::default()
    };
    assert!(versions.len() > 2, "{versions:?}");
    let (mut moved, mut split_seen) = (0, false);
    loop {
        let report = archive::restore(ledger.db(), ledger.range, &step, None)
            .await
            .expect("restore");
        moved += report.superseded_buckets;
        let (hot, archived) = superseded_ids(ledger.db()).await;
        split_seen |= !hot.is_empty() && !archived.is_empty();
        assert_eq!(answers().await, before, "part-way: {report:?}");
        if report.complete {
            break;
        }
    }
    assert!(split_seen, "a restore stopped between a day's versions");
    assert_eq!(moved, versions.len() as u64);
    assert_eq!(
        superseded_ids(ledger.db()).await,
        (versions.clone(), Vec::new())
    );

    // Archived again, then restored through the API in one go.
    let archived =
        ledger.app.ok(Some(&admin), RUN_ARCHIVAL, json!({})).await["runArchival"].clone();
    assert_eq!(archived["supersededBuckets"], versions.len(), "{archived}");
    let restored = ledger
        .app
        .ok(
            Some(&admin),
            RESTORE,
            json!({"from": ledger.range.from.to_string(), "to": ledger.range.to.to_string()}),
        )
        .await["restoreArchived"]
        .clone();
    assert_eq!(restored["supersededBuckets"], versions.len(), "{restored}");
    assert_eq!(superseded_ids(ledger.db()).await, (versions, Vec::new()));
    assert_eq!(answers().await, before, "after restore");
    ledger.mock.stop();
    ledger.app.stop().await;
}

both_backends!(archival_moves_superseded_versions_and_keeps_asof_answers);
