//! Archival: old rows move to the archive tables in batches and back, and
//! every answer (row counts, per-day totals, lists, pages) is identical
//! before archival, after it, after an archival killed at any batch and
//! re-run, and after restore.
use std::collections::HashSet;

use api::auth::Role;
use chrono::{DateTime, Days, NaiveDate, Utc};
use e2e::app::{Backend, TestApp, error_code};
use e2e::both_backends;
use entity::{
    interaction, interaction_archive, session, session_archive, usage_bucket, usage_bucket_archive,
};
use ledger::archive::{self, ArchiveOptions};
use ledger::tracking::{self, InteractionKind, NewInteraction, NewSession};
use ledger::usage::buckets::{BucketRow, Counts, DaySet, Dimensions, replace_day};
use sea_orm::{DatabaseConnection, EntityTrait};
use serde_json::{Value, json};

const RETENTION: i64 = 365;
/// Old days lie this far back: before the cutoff of a 365-day retention.
const OLD: [u64; 3] = [400, 399, 398];
const RECENT: [u64; 2] = [10, 9];

fn day(back: u64) -> NaiveDate {
    Utc::now().date_naive() - Days::new(back)
}

fn at(back: u64, hour: u32, minute: u32) -> DateTime<Utc> {
    day(back)
        .and_hms_opt(hour, minute, 0)
        .expect("time")
        .and_utc()
}

fn chat(session: &str, when: DateTime<Utc>, tokens: i64) -> NewInteraction {
    NewInteraction {
        session_id: session.to_owned(),
        kind: InteractionKind::Chat,
        occurred_at: Some(when),
        duration_ms: Some(120),
        status: None,
        provider: Some("openai".into()),
        model: Some("gpt-4o-mini-2024-07-18".into()),
        project_id: None,
        api_key_id: None,
        service_tier: None,
        batch: None,
        input_tokens: Some(tokens),
        cached_input_tokens: None,
        cache_write_tokens: None,
        output_tokens: Some(tokens / 10),
        db_ops: Some(3),
        api_calls: None,
        compute_ms: None,
        cost_usd: None,
        idempotency_key: Some(format!("{session}-{}", when.timestamp())),
        metadata: None,
    }
}

/// Buckets on old and recent days (a priced and an unpriced model), and
/// sessions: old ones that move, an old one with recent activity that
/// stays, an old one without interactions, and recent ones.
async fn seed(app: &TestApp) {
    let db = &app.state.db;
    let book = &app.state.book;
    let connection = ledger::providers::connections::upsert_demo(
        db,
        "archive",
        ledger::providers::ProviderKind::OpenAi,
        "http://127.0.0.1:9/v1",
    )
    .await
    .expect("connection");
    for (n, back) in OLD.iter().chain(RECENT.iter()).enumerate() {
        let n = n as i64 + 1;
        let rows = ["p1", "p2", "p3"]
            .iter()
            .enumerate()
            .map(|(i, project)| BucketRow {
                dims: Dimensions {
                    project_id: (*project).into(),
                    model: if i == 2 {
                        "mystery-model".into()
                    } else {
                        "gpt-4o-mini-2024-07-18".into()
                    },
                    ..Dimensions::default()
                },
                counts: Counts {
                    input_tokens: 1000 * n + i as i64,
                    output_tokens: 100 * n,
                    num_model_requests: n,
                    ..Counts::default()
                },
            })
            .collect();
        let set = DaySet {
            connection_id: connection.id,
            provider: entity::enums::ProviderKind::OpenAi,
            usage_type: "completions",
            day: day(*back),
        };
        replace_day(db, set, rows, None, book)
            .await
            .expect("buckets");
    }

    let key = ledger::tracking::keys::create(db, "archive test")
        .await
        .expect("key")
        .id;
    let start = async |user: &str, when: DateTime<Utc>| {
        tracking::start_session(
            db,
            key,
            NewSession {
                user_id: user.into(),
                started_at: Some(when),
                ..NewSession::default()
            },
        )
        .await
        .expect("session")
        .id
    };
    let mut inputs = Vec::new();
    // Five old sessions with four interactions each: these move.
    for (s, back) in [400u64, 400, 399, 399, 398].into_iter().enumerate() {
        let minute = s as u32 * 10;
        let id = start(
            if s % 2 == 0 { "alice" } else { "bob" },
            at(back, 9, minute),
        )
        .await;
        for i in 0..4 {
            inputs.push(chat(&id, at(back, 10, minute + i), 500 + i64::from(i)));
        }
    }
    // Old, but active after the cutoff: stays hot with all its interactions.
    let active = start("bob", at(399, 8, 0)).await;
    inputs.push(chat(&active, at(399, 8, 30), 700));
    inputs.push(chat(&active, at(10, 8, 30), 701));
    // Old without interactions: moves.
    start("carol", at(398, 7, 0)).await;
    // Recent: stays.
    for back in RECENT {
        let id = start("alice", at(back, 12, 0)).await;
        inputs.push(chat(&id, at(back, 12, 5), 900));
        inputs.push(chat(&id, at(back, 12, 6), 901));
    }
    tracking::record(db, book, key, inputs)
        .await
        .expect("interactions");
}

/// Everything a client can read about the seeded ledger, via GraphQL.
async fn snapshot(app: &TestApp, viewer: &str) -> Value {
    let (from, to) = (day(400).to_string(), day(0).to_string());
    let range = json!({"from": from, "to": to});
    let reads = app
        .ok(
            Some(viewer),
            "query($f: UsageFilter!, $all: UsageFilter!, $from: Date!, $to: Date!) {
                daily: dailyUsage(filter: $f) { date inputTokens outputTokens numModelRequests costUsd pricedCostUsd unpricedBuckets }
                grouped: dailyUsage(filter: $f, groupBy: [PROJECT, MODEL]) { date group { projectId model } inputTokens costUsd unpricedBuckets }
                explicit: dailyUsage(filter: $all) { date inputTokens costUsd unpricedBuckets }
                dailyStats(from: $from, to: $to) { date usage { interactions inputTokens dbOps totalUsd } }
                alice: userStats(userId: \"alice\") { sessions firstSeen lastSeen usage { interactions totalUsd } }
                carol: userStats(userId: \"carol\") { sessions firstSeen lastSeen }
                systemStats(from: $from, to: $to) { sessions provider { inputTokens pricedCostUsd unpricedBuckets } tracked { interactions totalUsd } pricedTokenPercent }
                filterOptions(from: $from, to: $to) { projectIds models }
            }",
            json!({"f": range, "all": {"from": from, "to": to, "includeArchived": true}, "from": from, "to": to}),
        )
        .await;
    let buckets = pages(
        app,
        viewer,
        "query($after: String, $f: UsageFilter!) { page: usageBuckets(filter: $f, first: 4, after: $after) { edges { node { id windowStart projectId model inputTokens costUsd priced } } pageInfo { hasNextPage endCursor } } }",
        json!({"f": range}),
    )
    .await;
    let sessions = pages(
        app,
        viewer,
        "query($after: String, $f: SessionFilter) { page: sessions(filter: $f, first: 3, after: $after) { edges { node { id userId startedAt interactionCount totalCostUsd interactions(first: 10) { edges { node { id occurredAt totalUsd } } } } } pageInfo { hasNextPage endCursor } } }",
        json!({"f": range}),
    )
    .await;
    let all_sessions = pages(
        app,
        viewer,
        "query($after: String) { page: sessions(first: 4, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }",
        json!({}),
    )
    .await;
    let interactions = pages(
        app,
        viewer,
        "query($after: String, $f: InteractionFilter) { page: interactions(filter: $f, first: 5, after: $after) { edges { node { id sessionId kind occurredAt inputTokens aiTokensUsd totalUsd priceVersionId } } pageInfo { hasNextPage endCursor } } }",
        json!({"f": range}),
    )
    .await;
    let bobs = pages(
        app,
        viewer,
        "query($after: String) { page: interactions(filter: {userId: \"bob\"}, first: 5, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }",
        json!({}),
    )
    .await;
    let mut one_by_one = Vec::new();
    for node in sessions.as_array().expect("sessions") {
        let id = &node["id"];
        let found = app
            .ok(
                Some(viewer),
                "query($id: ID!) { session(id: $id) { id interactionCount interactions(first: 2) { edges { node { id } } pageInfo { hasNextPage } } } }",
                json!({"id": id}),
            )
            .await;
        one_by_one.push(found["session"].clone());
    }
    json!({
        "reads": reads, "buckets": buckets, "sessions": sessions, "allSessions": all_sessions,
        "interactions": interactions, "bobs": bobs, "oneByOne": one_by_one,
    })
}

/// Every node of a paginated `page` field, following `endCursor`.
async fn pages(app: &TestApp, viewer: &str, query: &str, mut vars: Value) -> Value {
    let mut nodes = Vec::new();
    loop {
        let data = app.ok(Some(viewer), query, vars.clone()).await;
        let page = &data["page"];
        for edge in page["edges"].as_array().expect("edges") {
            nodes.push(edge["node"].clone());
        }
        if page["pageInfo"]["hasNextPage"] != json!(true) {
            return Value::Array(nodes);
        }
        vars["after"] = page["pageInfo"]["endCursor"].clone();
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Counted {
    hot: [u64; 3],
    archived: [u64; 3],
}

impl Counted {
    fn total(&self) -> [u64; 3] {
        [0, 1, 2].map(|i| self.hot[i] + self.archived[i])
    }
}

/// Rows per table (buckets, sessions, interactions), and a check that no
/// id is in both the hot table and the archive.
async fn counted(db: &DatabaseConnection) -> Counted {
    async fn ids<E: EntityTrait>(
        db: &DatabaseConnection,
        id: fn(&E::Model) -> String,
    ) -> HashSet<String> {
        E::find()
            .all(db)
            .await
            .expect("rows")
            .iter()
            .map(id)
            .collect()
    }
    let pairs = [
        (
            ids::<usage_bucket::Entity>(db, |m| m.id.to_string()).await,
            ids::<usage_bucket_archive::Entity>(db, |m| m.id.to_string()).await,
        ),
        (
            ids::<session::Entity>(db, |m| m.id.clone()).await,
            ids::<session_archive::Entity>(db, |m| m.id.clone()).await,
        ),
        (
            ids::<interaction::Entity>(db, |m| m.id.clone()).await,
            ids::<interaction_archive::Entity>(db, |m| m.id.clone()).await,
        ),
    ];
    for (hot, archived) in &pairs {
        assert_eq!(
            hot.intersection(archived).count(),
            0,
            "a row is in both tables"
        );
    }
    Counted {
        hot: [0, 1, 2].map(|i| pairs[i].0.len() as u64),
        archived: [0, 1, 2].map(|i| pairs[i].1.len() as u64),
    }
}

const RUN: &str = "mutation($days: Int, $dry: Boolean, $max: Int) { runArchival(olderThanDays: $days, dryRun: $dry, maxBatches: $max) { dryRun cutoff usageBuckets sessions interactions batches complete } }";
const RESTORE: &str = "mutation($from: Date!, $to: Date!, $dry: Boolean) { restoreArchived(from: $from, to: $to, dryRun: $dry) { dryRun from to usageBuckets sessions interactions complete } }";

fn moved(result: &Value) -> [u64; 3] {
    ["usageBuckets", "sessions", "interactions"].map(|f| result[f].as_u64().expect("count"))
}

async fn archival_changes_no_answer(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    seed(&app).await;
    let db = &app.state.db;
    let admin = app.token(Role::Admin);
    let viewer = app.token(Role::Viewer);
    let before = snapshot(&app, &viewer).await;
    assert_eq!(before["sessions"].as_array().expect("sessions").len(), 9);
    assert_eq!(before["interactions"].as_array().expect("list").len(), 26);
    let counts = counted(db).await;
    assert_eq!(counts.archived, [0, 0, 0]);
    // 3 old days x 3 buckets; 5 + 1 (no interactions) sessions; 5 x 4 interactions.
    let expected = [9, 6, 20];

    // A dry run counts what would move and moves nothing.
    let dry = app
        .ok(Some(&admin), RUN, json!({"days": RETENTION, "dry": true}))
        .await["runArchival"]
        .clone();
    assert_eq!(moved(&dry), expected, "{dry}");
    assert_eq!(dry["cutoff"], day(RETENTION as u64).to_string());
    assert_eq!(counted(db).await, counts);

    // Killed after one batch (GraphQL), then after every single batch:
    // each time every row is in exactly one table and every answer holds.
    let partial = app
        .ok(Some(&admin), RUN, json!({"days": RETENTION, "max": 1}))
        .await["runArchival"]
        .clone();
    assert_eq!(partial["complete"], false, "{partial}");
    assert_eq!(partial["batches"], 1);
    let cutoff = day(RETENTION as u64);
    let step = ArchiveOptions {
        batch_size: 3,
        max_batches: Some(1),
        ..ArchiveOptions::default()
    };
    let mut runs = 0;
    loop {
        let now = counted(db).await;
        assert_eq!(now.total(), counts.total());
        assert_eq!(
            snapshot(&app, &viewer).await,
            before,
            "after {runs} partial runs"
        );
        let report = archive::run(db, cutoff, &step, None).await.expect("run");
        runs += 1;
        if report.complete {
            break;
        }
        assert!(runs < 50, "archival does not finish");
    }
    assert!(runs > 5, "the partial runs stopped at many points: {runs}");
    let after = counted(db).await;
    assert_eq!(after.archived, expected);
    assert_eq!(after.total(), counts.total());
    assert_eq!(snapshot(&app, &viewer).await, before);

    // Nothing is left to move.
    let again = app.ok(Some(&admin), RUN, json!({"days": RETENTION})).await["runArchival"].clone();
    assert_eq!(moved(&again), [0, 0, 0]);
    assert_eq!(again["complete"], true);

    // The archive is really used: without it, the old days read as zero.
    let hot_only = app
        .ok(
            Some(&viewer),
            "query($f: UsageFilter!) { dailyUsage(filter: $f) { date inputTokens } }",
            json!({"f": {"from": day(400).to_string(), "to": day(9).to_string(), "includeArchived": false}}),
        )
        .await;
    let rows = hot_only["dailyUsage"].as_array().expect("rows");
    assert_eq!(rows[0]["inputTokens"], 0);
    assert_eq!(
        rows.last().expect("last")["inputTokens"],
        json!(5 * 3000 + 3)
    );
    let hot_sessions = app
        .ok(
            Some(&viewer),
            "{ sessions(filter: {includeArchived: false}, first: 50) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        hot_sessions["sessions"]["edges"]
            .as_array()
            .expect("edges")
            .len(),
        3
    );

    // Restore one day, then the rest: the archive empties, answers hold.
    let first_day = day(400).to_string();
    let one = app
        .ok(
            Some(&admin),
            RESTORE,
            json!({"from": first_day, "to": first_day}),
        )
        .await["restoreArchived"]
        .clone();
    assert_eq!(moved(&one), [3, 2, 8], "{one}");
    assert_eq!(snapshot(&app, &viewer).await, before);
    let dry = app
        .ok(
            Some(&admin),
            RESTORE,
            json!({"from": day(400).to_string(), "to": day(398).to_string(), "dry": true}),
        )
        .await["restoreArchived"]
        .clone();
    assert_eq!(moved(&dry), [6, 4, 12], "{dry}");
    let rest = app
        .ok(
            Some(&admin),
            RESTORE,
            json!({"from": day(400).to_string(), "to": day(398).to_string()}),
        )
        .await["restoreArchived"]
        .clone();
    assert_eq!(moved(&rest), [6, 4, 12], "{rest}");
    let restored = counted(db).await;
    assert_eq!(restored.archived, [0, 0, 0]);
    assert_eq!(restored, counts);
    assert_eq!(snapshot(&app, &viewer).await, before);
    app.stop().await;
}

async fn archival_refuses_bad_input(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.token(Role::Admin);
    let viewer = app.token(Role::Viewer);
    for vars in [json!({"days": -1}), json!({"max": 0})] {
        let body = app.gql(Some(&admin), RUN, vars).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    }
    for (from, to) in [("2026-02-02", "2026-01-01"), ("yesterday", "2026-01-01")] {
        let body = app
            .gql(Some(&admin), RESTORE, json!({"from": from, "to": to}))
            .await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    }
    let body = app.gql(Some(&viewer), RUN, json!({})).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    let body = app.gql(None, RUN, json!({})).await;
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{body}");
    let zero = ArchiveOptions {
        batch_size: 0,
        ..ArchiveOptions::default()
    };
    assert!(
        archive::run(&app.state.db, day(1), &zero, None)
            .await
            .is_err()
    );
    app.stop().await;
}

both_backends!(archival_changes_no_answer, archival_refuses_bad_input);
