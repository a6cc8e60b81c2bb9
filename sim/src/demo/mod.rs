//! Demo data: 90 days of provider usage, a closed month with an
//! adjustment, and tracked sessions, written
//! through the same code real ingestion and tracking use, under
//! connections visibly named `demo-…`.
use chrono::{DateTime, Days, Duration, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::DatabaseConnection;

use ledger::dates::midnight;
use ledger::ingest::RunStatus;

pub mod close;
pub mod ingest;
use crate::data;
pub use ingest::{DEMO_ANTHROPIC, DEMO_OPENAI, seed_demo, seed_demo_with};
use ledger::pricing::PriceBook;
use ledger::tracking::keys;
use ledger::tracking::{self, InteractionKind, NewInteraction, NewSession};
use ledger::{Error, Result};

/// Long enough for period-over-period comparisons (a month against the
/// one before) and a trailing baseline before both; always covers the
/// whole previous calendar month (at most 62 days back), which the demo
/// closes.
pub const DEMO_DAYS: u64 = 90;

#[derive(Debug, Clone, Default)]
pub struct DemoSummary {
    pub buckets: u64,
    pub sessions: u64,
    pub interactions: u64,
}

/// Seeds the demo ledger ending today (UTC): provider usage ingested from
/// the built-in simulator through the real engine (connections
/// `demo-openai` / `demo-anthropic`), the previous month closed with one
/// of its days restated after the close ([`close`]), then tracked sessions.
pub async fn seed(db: &DatabaseConnection, book: &PriceBook) -> Result<DemoSummary> {
    let reports = seed_demo(db, book, DEMO_DAYS as u32).await?;
    if let Some(failed) = reports.iter().find(|r| r.status != RunStatus::Succeeded) {
        return Err(Error::Internal(format!(
            "demo ingestion run {} ended {:?}",
            failed.run_id, failed.status
        )));
    }
    let mut summary = DemoSummary {
        buckets: reports
            .iter()
            .map(|r| r.rows_inserted + r.rows_updated)
            .sum(),
        ..DemoSummary::default()
    };
    let today = Utc::now().date_naive();
    // The previous month closed, then one of its days restated: an
    // adjustment to show.
    close::close_and_restate(db, book, today).await?;
    let first = today - Days::new(DEMO_DAYS - 1);
    let mut rng = StdRng::seed_from_u64(42);
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
    let started = session_start(day, rng);
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
        let idempotency_key = format!("demo-{day}-{n}-{i}");
        inputs.push(demo_interaction(&session.id, i, at, idempotency_key, rng));
    }
    let stored = tracking::record(db, book, key_id, inputs).await?;
    tracking::end_session(db, key_id, &session.id, Some(at + Duration::seconds(30))).await?;
    Ok((1, stored.len() as u64))
}

/// Office hours, but never in the future on the current day.
fn session_start(day: NaiveDate, rng: &mut StdRng) -> DateTime<Utc> {
    let now = Utc::now();
    let latest = if day == now.date_naive() {
        ((now - midnight(day)).num_minutes() - 30).clamp(1, 20 * 60)
    } else {
        20 * 60
    };
    let earliest = (8 * 60).min(latest - 1).max(0);
    midnight(day) + Duration::minutes(rng.random_range(earliest..latest))
}

/// The `i`th interaction of a session: chats, database work and API calls
/// in turn. The draws from `rng` keep their order, so a seed always gives
/// the same demo.
fn demo_interaction(
    session_id: &str,
    i: i32,
    at: DateTime<Utc>,
    idempotency_key: String,
    rng: &mut StdRng,
) -> NewInteraction {
    let kind = match i % 4 {
        0 | 2 => InteractionKind::Chat,
        1 => InteractionKind::Db,
        _ => InteractionKind::Api,
    };
    let chat = kind == InteractionKind::Chat;
    let (provider, model, project, api_key) = chat_target(rng);
    let input_tokens = rng.random_range(300..6_000);
    NewInteraction {
        session_id: session_id.to_owned(),
        kind,
        occurred_at: Some(at),
        duration_ms: Some(rng.random_range(40..4_000)),
        status: Some("ok".into()),
        provider: chat.then(|| provider.into()),
        model: chat.then(|| model.into()),
        project_id: chat.then(|| project.into()),
        api_key_id: chat.then(|| api_key.into()),
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
        idempotency_key: Some(idempotency_key),
        metadata: None,
    }
}

/// (provider, model, project, API key) of a chat: the simulator's own
/// projects and keys, so app-reported usage lines up with the provider's
/// buckets.
fn chat_target(rng: &mut StdRng) -> (&'static str, &'static str, &'static str, &'static str) {
    if rng.random_bool(0.5) {
        (
            "openai",
            "gpt-4o-mini-2024-07-18",
            data::PROJECT_SUPPORT,
            data::KEY_ALICE_SUPPORT,
        )
    } else {
        (
            "anthropic",
            "claude-haiku-4-5-20251001",
            data::WORKSPACE_SUPPORT,
            data::ANTHROPIC_KEY_SUPPORT,
        )
    }
}
