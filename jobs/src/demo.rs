//! Demo data: 30 days of provider buckets and tracked sessions, written
//! through the same functions real ingestion and tracking use, under
//! connections visibly named `demo-…`.
use chrono::{Datelike, Days, Duration, NaiveDate, Utc};
use entity::provider_connection;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
    TransactionTrait,
};

use crate::Result;
use crate::buckets::{BucketRow, Counts, DaySet, Dimensions, replace_day};
use crate::dates::midnight;
use crate::keys;
use crate::pricing::PriceBook;
use crate::tracking::{self, InteractionKind, NewInteraction, NewSession};

pub const DEMO_DAYS: u64 = 30;

#[derive(Debug, Clone, Default)]
pub struct DemoSummary {
    pub buckets: u64,
    pub sessions: u64,
    pub interactions: u64,
}

/// Seeds the demo ledger ending today (UTC). Deterministic for a given day.
pub async fn seed(db: &DatabaseConnection, book: &PriceBook) -> Result<DemoSummary> {
    let today = Utc::now().date_naive();
    let first = today - Days::new(DEMO_DAYS - 1);
    let mut rng = StdRng::seed_from_u64(42);
    let mut summary = DemoSummary::default();

    let openai = demo_connection(db, "demo-openai", "openai").await?;
    let anthropic = demo_connection(db, "demo-anthropic", "anthropic").await?;
    for offset in 0..DEMO_DAYS {
        let day = first + Days::new(offset);
        let weekday_factor = if day.weekday().number_from_monday() >= 6 {
            0.4
        } else {
            1.0
        };
        let txn = db.begin().await?;
        for (connection, provider, usage_type, rows) in [
            (
                openai,
                "openai",
                "completions",
                openai_rows(&mut rng, weekday_factor),
            ),
            (
                anthropic,
                "anthropic",
                "messages",
                anthropic_rows(&mut rng, weekday_factor),
            ),
        ] {
            summary.buckets += rows.len() as u64;
            let set = DaySet {
                connection_id: connection,
                provider,
                usage_type,
                day,
            };
            replace_day(&txn, set, rows, None, book).await?;
        }
        txn.commit().await?;
    }

    let key = keys::create(db, "demo app").await?;
    for offset in 0..DEMO_DAYS {
        let day = first + Days::new(offset);
        for n in 0..rng.random_range(4..10) {
            let (sessions, interactions) = demo_session(db, book, key.id, day, n, &mut rng).await?;
            summary.sessions += sessions;
            summary.interactions += interactions;
        }
    }
    Ok(summary)
}

async fn demo_connection(db: &DatabaseConnection, name: &str, provider: &str) -> Result<i64> {
    if let Some(found) = provider_connection::Entity::find()
        .filter(provider_connection::Column::Name.eq(name))
        .one(db)
        .await?
    {
        return Ok(found.id);
    }
    let row = provider_connection::ActiveModel {
        name: Set(name.to_owned()),
        provider: Set(provider.to_owned()),
        is_demo: Set(true),
        key_ciphertext: Set(None),
        key_fingerprint: Set("demo".to_owned()),
        base_url: Set(None),
        complete_through: Set(Some(Utc::now().date_naive() - Days::new(1))),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

fn scaled(rng: &mut StdRng, base: f64, factor: f64) -> i64 {
    (base * factor * rng.random_range(0.7..1.3)) as i64
}

fn openai_rows(rng: &mut StdRng, factor: f64) -> Vec<BucketRow> {
    // (project, key, user, model, batch, tier, daily input tokens)
    let plan = [
        (
            "proj_demoSupportBot",
            "key_demoAlice1",
            "user-demo-alice",
            "gpt-4o-2024-08-06",
            "false",
            "default",
            1_900_000.0,
        ),
        (
            "proj_demoSupportBot",
            "key_demoAlice1",
            "user-demo-alice",
            "gpt-4o-mini-2024-07-18",
            "false",
            "default",
            6_500_000.0,
        ),
        (
            "proj_demoDataPipeline",
            "key_demoBobBatch",
            "user-demo-bob",
            "gpt-4.1-mini-2025-04-14",
            "true",
            "default",
            9_000_000.0,
        ),
        (
            "proj_demoDataPipeline",
            "key_demoAlice2",
            "user-demo-alice",
            "gpt-4o-2024-08-06",
            "false",
            "priority",
            400_000.0,
        ),
    ];
    plan.iter()
        .map(|&(project, key, user, model, batch, tier, base)| {
            let input = scaled(rng, base, factor);
            let cached = input / 3;
            let output = input / 6;
            BucketRow {
                dims: Dimensions {
                    project_id: project.into(),
                    api_key_id: key.into(),
                    user_id: user.into(),
                    model: model.into(),
                    batch: batch.into(),
                    service_tier: tier.into(),
                    ..Dimensions::default()
                },
                counts: Counts {
                    input_tokens: input,
                    input_cached_tokens: cached,
                    input_uncached_tokens: input - cached,
                    input_text_tokens: input - cached,
                    input_cached_text_tokens: cached,
                    output_tokens: output,
                    output_text_tokens: output,
                    num_model_requests: (input / 4_000).max(1),
                    ..Counts::default()
                },
            }
        })
        .collect()
}

fn anthropic_rows(rng: &mut StdRng, factor: f64) -> Vec<BucketRow> {
    let plan = [
        (
            "wrkspc_demoSupport",
            "apikey_demoSupport",
            "claude-sonnet-4-5-20250929",
            "standard",
            8_000_000.0,
        ),
        (
            "wrkspc_demoSupport",
            "apikey_demoSupport",
            "claude-haiku-4-5-20251001",
            "standard",
            3_000_000.0,
        ),
        (
            "",
            "apikey_demoBatch",
            "claude-haiku-4-5-20251001",
            "batch",
            5_000_000.0,
        ),
    ];
    plan.iter()
        .map(|&(workspace, key, model, tier, base)| {
            let uncached = scaled(rng, base * 0.3, factor);
            let cache_read = scaled(rng, base * 0.6, factor);
            let write_5m = scaled(rng, base * 0.08, factor);
            let write_1h = scaled(rng, base * 0.02, factor);
            let output = scaled(rng, base * 0.08, factor);
            BucketRow {
                dims: Dimensions {
                    project_id: workspace.into(),
                    api_key_id: key.into(),
                    model: model.into(),
                    batch: if tier == "batch" { "true" } else { "false" }.into(),
                    service_tier: tier.into(),
                    context_window: "0-200k".into(),
                    ..Dimensions::default()
                },
                counts: Counts {
                    input_tokens: uncached + cache_read + write_5m + write_1h,
                    input_cached_tokens: cache_read,
                    input_cache_write_tokens: write_5m + write_1h,
                    input_cache_write_5m_tokens: write_5m,
                    input_cache_write_1h_tokens: write_1h,
                    input_uncached_tokens: uncached,
                    output_tokens: output,
                    ..Counts::default()
                },
            }
        })
        .collect()
}

const USERS: [&str; 4] = [
    "alice@example.com",
    "bob@example.com",
    "carol@example.com",
    "dan@example.com",
];

async fn demo_session(
    db: &DatabaseConnection,
    book: &PriceBook,
    key_id: i64,
    day: NaiveDate,
    n: u32,
    rng: &mut StdRng,
) -> Result<(u64, u64)> {
    let started = midnight(day) + Duration::minutes(rng.random_range(8 * 60..20 * 60));
    let user = USERS[rng.random_range(0..USERS.len())];
    let session = tracking::start_session(
        db,
        key_id,
        NewSession {
            user_id: user.into(),
            external_id: Some(format!("demo-{day}-{n}")),
            started_at: Some(started),
            metadata: Some(serde_json::json!({"app": "support-console", "demo": true})),
        },
    )
    .await?;
    let mut inputs = Vec::new();
    let mut at = started;
    for i in 0..rng.random_range(3..9) {
        at += Duration::seconds(rng.random_range(5..90));
        let kind = match i % 4 {
            0 | 2 => InteractionKind::Chat,
            1 => InteractionKind::Db,
            _ => InteractionKind::Api,
        };
        let chat = kind == InteractionKind::Chat;
        let (provider, model) = if rng.random_bool(0.5) {
            ("openai", "gpt-4o-mini-2024-07-18")
        } else {
            ("anthropic", "claude-haiku-4-5-20251001")
        };
        let input_tokens = rng.random_range(300..6_000);
        inputs.push(NewInteraction {
            session_id: session.id.clone(),
            kind,
            occurred_at: Some(at),
            duration_ms: Some(rng.random_range(40..4_000)),
            status: Some("ok".into()),
            provider: chat.then(|| provider.into()),
            model: chat.then(|| model.into()),
            project_id: None,
            api_key_id: None,
            service_tier: None,
            batch: None,
            input_tokens: chat.then_some(input_tokens),
            cached_input_tokens: chat.then_some(input_tokens / 4),
            cache_write_tokens: None,
            output_tokens: chat.then(|| rng.random_range(50..1_200)),
            db_ops: (kind == InteractionKind::Db).then(|| rng.random_range(1..400)),
            api_calls: (kind == InteractionKind::Api).then(|| rng.random_range(1..5)),
            compute_ms: Some(rng.random_range(5..800)),
            cost_usd: None,
            idempotency_key: Some(format!("demo-{day}-{n}-{i}")),
            metadata: None,
        });
    }
    let stored = tracking::record(db, book, key_id, inputs).await?;
    tracking::end_session(db, key_id, &session.id, Some(at + Duration::seconds(30))).await?;
    Ok((1, stored.len() as u64))
}
