//! `perf generate`: writes N provider buckets over D days (plus an older
//! span straight into the archive table), M tracked interactions in
//! sessions of about 20, their daily rollup and the session counters, with
//! bulk SQL rather than the API. Seeded, so a scale is the same data on
//! every run and on both stores.
use anyhow::{Context, Result, bail};
use chrono::{DateTime, Days, NaiveDate, Utc};
use entity::enums::ProviderKind;
use entity::provider_connection;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, DbBackend, Set, TransactionTrait, Value,
};

use super::bulk;
use super::shape::{self, Combo};

/// Rows buffered before a transaction writes them.
const FLUSH_ROWS: usize = 50_000;
/// Interactions per session, on average.
pub const PER_SESSION: u64 = 20;

#[derive(Debug, Clone)]
pub struct Plan {
    pub buckets: u64,
    pub interactions: u64,
    pub days: u64,
    /// Days before the hot range written to `usage_bucket_archive`, at the
    /// same density.
    pub archive_days: u64,
    /// The last day of data (the hot range ends here).
    pub last_day: NaiveDate,
}

impl Plan {
    pub fn first_hot_day(&self) -> NaiveDate {
        self.last_day - Days::new(self.days - 1)
    }
    pub fn first_archived_day(&self) -> NaiveDate {
        self.first_hot_day() - Days::new(self.archive_days)
    }
    fn per_day(&self) -> u64 {
        self.buckets / self.days.max(1)
    }
}

/// What the generator wrote, for the run that follows.
#[derive(Debug, Clone)]
pub struct Written {
    pub buckets: u64,
    pub archived_buckets: u64,
    pub sessions: u64,
    pub interactions: u64,
    pub seconds: f64,
}

pub async fn generate(db: &DatabaseConnection, plan: &Plan) -> Result<Written> {
    let started = std::time::Instant::now();
    if plan.days == 0 {
        bail!("--days must be at least 1");
    }
    let (openai, anthropic) = connections(db).await?;
    let key = ledger::tracking::keys::create(db, "perf generator").await?;
    let mut rng = StdRng::seed_from_u64(shape::SEED);
    let conns = [openai, anthropic];
    // The archived days go in first, as the oldest rows did, then move to
    // the archive table with their ids (it has no id sequence of its own).
    let archived = write_buckets(
        db,
        plan,
        plan.first_archived_day(),
        plan.archive_days,
        conns,
        &mut rng,
    )
    .await?;
    archive_before(db, plan.first_hot_day()).await?;
    let hot = write_buckets(db, plan, plan.first_hot_day(), plan.days, conns, &mut rng).await?;
    eprintln!(
        "buckets written: {hot} hot, {archived} archived ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
    rebuild_rollups(db, plan).await?;
    eprintln!(
        "usage_rollup rebuilt ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
    let (sessions, interactions) = write_interactions(db, plan, key.id, &mut rng).await?;
    interaction_daily(db).await?;
    settle(db).await?;
    eprintln!(
        "{interactions} interactions in {sessions} sessions ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
    Ok(Written {
        buckets: hot,
        archived_buckets: archived,
        sessions,
        interactions,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Leaves the store as one that has run a while would be: fresh planner
/// statistics (autovacuum on PostgreSQL, `PRAGMA optimize` on SQLite) and,
/// on PostgreSQL, the bulk-written rows vacuumed and checkpointed. Otherwise
/// autovacuum's first pass over millions of new rows, and the checkpoint
/// that writes them, would land inside the timed run as a stall no store
/// in service has.
async fn settle(db: &DatabaseConnection) -> Result<()> {
    if db.get_database_backend() != DbBackend::Postgres {
        db.execute_unprepared("ANALYZE").await.context("ANALYZE")?;
        return Ok(());
    }
    db.execute_unprepared("VACUUM (ANALYZE)")
        .await
        .context("VACUUM (ANALYZE)")?;
    // Needs superuser or pg_checkpoint; without it the run still works,
    // with the checkpoint left to the server's schedule.
    if let Err(error) = db.execute_unprepared("CHECKPOINT").await {
        eprintln!("CHECKPOINT refused ({error}); the server checkpoints on its own schedule");
    }
    Ok(())
}

/// One provider connection per provider, named as an operator would.
async fn connections(db: &DatabaseConnection) -> Result<(i64, i64)> {
    let mut ids = Vec::new();
    for (name, provider) in [
        ("perf-openai", ProviderKind::OpenAi),
        ("perf-anthropic", ProviderKind::Anthropic),
    ] {
        let row = connection(name, provider)
            .insert(db)
            .await
            .context("insert provider connection")?;
        ids.push(row.id);
    }
    Ok((ids[0], ids[1]))
}

pub fn connection(name: &str, provider: ProviderKind) -> provider_connection::ActiveModel {
    provider_connection::ActiveModel {
        name: Set(name.to_owned()),
        provider: Set(provider),
        is_demo: Set(false),
        key_ciphertext: Set(None),
        key_fingerprint: Set("perf".to_owned()),
        base_url: Set(None),
        complete_through: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
}

/// `days` days of buckets from `first`, `plan.per_day()` a day.
async fn write_buckets(
    db: &DatabaseConnection,
    plan: &Plan,
    first: NaiveDate,
    days: u64,
    connections: [i64; 2],
    rng: &mut StdRng,
) -> Result<u64> {
    let per_day = plan.per_day() as usize;
    let mut buffer = Vec::new();
    let mut written = 0u64;
    for d in 0..days {
        let day = first + Days::new(d);
        let extra = usize::from(d < plan.buckets % plan.days.max(1));
        day_buckets(&mut buffer, day, per_day + extra, connections, rng)?;
        if buffer.len() >= FLUSH_ROWS * BUCKET_COLUMNS.len() {
            written += flush(db, "usage_bucket", &BUCKET_COLUMNS, &mut buffer).await?;
        }
    }
    written += flush(db, "usage_bucket", &BUCKET_COLUMNS, &mut buffer).await?;
    Ok(written)
}

/// Moves the buckets before `cutoff` to `usage_bucket_archive`, column for
/// column, as the archival job does.
async fn archive_before(db: &DatabaseConnection, cutoff: NaiveDate) -> Result<()> {
    let columns = format!("id, {}", BUCKET_COLUMNS.join(", "));
    let backend = db.get_database_backend();
    let at: Value = ledger::dates::midnight(cutoff).into();
    let mark = if backend == sea_orm::DbBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    let txn = db.begin().await?;
    txn.execute_raw(sea_orm::Statement::from_sql_and_values(
        backend,
        format!("INSERT INTO usage_bucket_archive ({columns}) SELECT {columns} FROM usage_bucket WHERE window_start < {mark}"),
        [at.clone()],
    ))
    .await
    .context("copy to usage_bucket_archive")?;
    txn.execute_raw(sea_orm::Statement::from_sql_and_values(
        backend,
        format!("DELETE FROM usage_bucket WHERE window_start < {mark}"),
        [at],
    ))
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Writes and empties `buffer` in one transaction; returns the rows written.
pub async fn flush(
    db: &DatabaseConnection,
    table: &str,
    columns: &[&str],
    buffer: &mut Vec<Value>,
) -> Result<u64> {
    if buffer.is_empty() {
        return Ok(0);
    }
    let rows = (buffer.len() / columns.len()) as u64;
    let txn = db.begin().await?;
    bulk::insert(&txn, table, columns, std::mem::take(buffer), "")
        .await
        .with_context(|| format!("insert into {table}"))?;
    txn.commit().await?;
    Ok(rows)
}

/// One day's buckets: 70 % OpenAI completions, 30 % Anthropic messages,
/// each a distinct combination of dimensions (the unique index).
pub fn day_buckets(
    out: &mut Vec<Value>,
    day: NaiveDate,
    count: usize,
    connections: [i64; 2],
    rng: &mut StdRng,
) -> Result<()> {
    let openai = count * 7 / 10;
    for (provider, n, connection) in [
        ("openai", openai, connections[0]),
        ("anthropic", count - openai, connections[1]),
    ] {
        let space = shape::space(provider);
        if n > space {
            bail!(
                "{n} {provider} buckets a day exceed the {space} distinct combinations; use more days"
            );
        }
        let start = rng.random_range(0..space);
        for index in shape::distinct_indexes(space, n, start) {
            let combo = shape::combo(provider, index);
            let tokens = bucket_tokens(rng);
            bucket_values(out, connection, provider, &combo, day, &tokens);
        }
    }
    Ok(())
}

pub const BUCKET_COLUMNS: [&str; 46] = [
    "connection_id",
    "provider",
    "usage_type",
    "window_start",
    "window_end",
    "project_id",
    "api_key_id",
    "user_id",
    "model",
    "batch",
    "service_tier",
    "context_window",
    "inference_geo",
    "image_size",
    "image_source",
    "context_level",
    "vector_store_id",
    "input_tokens",
    "input_cached_tokens",
    "input_cache_write_tokens",
    "input_cache_write_5m_tokens",
    "input_cache_write_1h_tokens",
    "input_uncached_tokens",
    "input_text_tokens",
    "input_cached_text_tokens",
    "input_audio_tokens",
    "input_cached_audio_tokens",
    "input_image_tokens",
    "input_cached_image_tokens",
    "output_tokens",
    "output_text_tokens",
    "output_audio_tokens",
    "output_image_tokens",
    "num_model_requests",
    "num_requests",
    "web_search_requests",
    "images",
    "characters",
    "seconds",
    "usage_bytes",
    "num_sessions",
    "cost_micros",
    "cost_estimated",
    "price_version_id",
    "ingested_at",
    "run_id",
];

/// Token counts of one bucket: a skewed request count (most combinations
/// are quiet, a few are busy) times a per-request size.
pub struct Tokens {
    pub requests: i64,
    pub input: i64,
    pub cached: i64,
    pub cache_write: i64,
    pub output: i64,
}

pub fn bucket_tokens(rng: &mut StdRng) -> Tokens {
    let u: f64 = rng.random();
    let requests = 1 + (u * u * u * 2_000.0) as i64;
    let input = requests * rng.random_range(200..4_000);
    let cached = input * rng.random_range(0..60) / 100;
    let cache_write = input * rng.random_range(0..10) / 100;
    let output = requests * rng.random_range(50..800);
    Tokens {
        requests,
        input,
        cached,
        cache_write,
        output,
    }
}

/// One bucket's row, in [`BUCKET_COLUMNS`] order.
pub fn bucket_values(
    out: &mut Vec<Value>,
    connection: i64,
    provider: &str,
    combo: &Combo,
    day: NaiveDate,
    t: &Tokens,
) {
    let start = ledger::dates::midnight(day);
    let batch = combo.batch.unwrap_or(combo.tier == "batch");
    let cost = shape::cost_micros(&combo.model, t.input, t.cached, t.output, batch);
    let usage_type = if provider == "openai" {
        "completions"
    } else {
        "messages"
    };
    out.push(connection.into());
    out.push(provider.into());
    out.push(usage_type.into());
    out.push(start.into());
    out.push((start + chrono::Duration::days(1)).into());
    out.extend(bucket_texts(combo).into_iter().map(Value::from));
    out.extend(bucket_numbers(provider, t).into_iter().map(Value::from));
    out.push(Some(cost).into());
    out.push(false.into());
    out.push(Option::<i64>::None.into());
    out.push(Utc::now().into());
    out.push(Option::<i64>::None.into());
}

/// project_id .. vector_store_id.
fn bucket_texts(combo: &Combo) -> [String; 12] {
    let batch = match combo.batch {
        None => "",
        Some(true) => "true",
        Some(false) => "false",
    };
    [
        shape::key_project(combo.key),
        shape::api_key(combo.key),
        combo.user.map(shape::user).unwrap_or_default(),
        combo.model.name.to_owned(),
        batch.to_owned(),
        combo.tier.to_owned(),
        combo.context_window.to_owned(),
        combo.geo.to_owned(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    ]
}

/// input_tokens .. num_sessions: text tokens only; Anthropic reports cache
/// writes, OpenAI does not.
#[rustfmt::skip]
fn bucket_numbers(provider: &str, t: &Tokens) -> [i64; 24] {
    let (write, uncached) = if provider == "openai" {
        (0, t.input - t.cached)
    } else {
        (t.cache_write, t.input - t.cached - t.cache_write)
    };
    [
        t.input, t.cached, write, write, 0, uncached, t.input, t.cached, 0, 0, 0, 0,
        t.output, t.output, 0, 0, t.requests, 0, 0, 0, 0, 0, 0, 0,
    ]
}

/// Rebuilds `usage_rollup` for every generated day, 30 days a
/// transaction so one statement never sums the whole store at once.
pub async fn rebuild_rollups(db: &DatabaseConnection, plan: &Plan) -> Result<()> {
    let mut day = plan.first_archived_day();
    let end = plan.last_day + Days::new(1);
    while day < end {
        let stop = (day + Days::new(30)).min(end);
        let txn = db.begin().await?;
        ledger::usage::rollup::rebuild(
            &txn,
            ledger::dates::midnight(day),
            ledger::dates::midnight(stop),
        )
        .await
        .context("rebuild usage_rollup")?;
        txn.commit().await?;
        day = stop;
    }
    Ok(())
}

pub const SESSION_COLUMNS: [&str; 9] = [
    "id",
    "ingest_key_id",
    "user_id",
    "started_at",
    "ended_at",
    "interaction_count",
    "total_cost_micros",
    "created_at",
    "total_tokens",
];

pub const INTERACTION_COLUMNS: [&str; 28] = [
    "id",
    "session_id",
    "ingest_key_id",
    "kind",
    "occurred_at",
    "duration_ms",
    "status",
    "provider",
    "model",
    "project_id",
    "api_key_id",
    "service_tier",
    "batch",
    "input_tokens",
    "cached_input_tokens",
    "cache_write_tokens",
    "output_tokens",
    "db_ops",
    "api_calls",
    "compute_ms",
    "ai_tokens_micros",
    "db_ops_micros",
    "api_calls_micros",
    "compute_micros",
    "explicit_micros",
    "total_micros",
    "payload_hash",
    "created_at",
];

/// One tracked call as the tracking API would store it.
#[derive(Debug, Clone)]
pub struct Call {
    pub id: String,
    pub session_id: String,
    pub user: String,
    pub kind: &'static str,
    pub at: DateTime<Utc>,
    pub duration_ms: i64,
    pub model: shape::Model,
    pub key: usize,
    pub tier: &'static str,
    pub batch: bool,
    pub input: i64,
    pub cached: i64,
    pub output: i64,
    pub db_ops: i64,
    pub api_calls: i64,
    pub ai_micros: i64,
    pub unit_micros: i64,
}

impl Call {
    /// A random call of `session` at `at`: mostly model calls, some
    /// database work and external API calls.
    pub fn random(rng: &mut StdRng, session_id: &str, user: &str, at: DateTime<Utc>) -> Self {
        let roll = rng.random_range(0..100);
        let kind = match roll {
            0..90 => "CHAT",
            90..95 => "DB",
            _ => "API",
        };
        let model = shape::pick_model(&shape::MODELS, rng.random());
        let tiers = if model.provider == "openai" {
            shape::OPENAI_TIERS
        } else {
            shape::ANTHROPIC_TIERS
        };
        let batch = rng.random_range(0..10) == 0;
        let (input, output) = if kind == "CHAT" {
            (rng.random_range(100..8_000), rng.random_range(20..1_500))
        } else {
            (0, 0)
        };
        let cached = input * rng.random_range(0..50) / 100;
        let (db_ops, api_calls) = match kind {
            "DB" => (rng.random_range(1..200), 0),
            "API" => (0, rng.random_range(1..5)),
            _ => (0, 0),
        };
        Self {
            id: uuid::Uuid::from_u128(rng.random()).to_string(),
            session_id: session_id.to_owned(),
            user: user.to_owned(),
            kind,
            at,
            duration_ms: rng.random_range(50..20_000),
            model,
            key: rng.random_range(0..shape::KEYS),
            tier: tiers[rng.random_range(0..3)],
            batch,
            input,
            cached,
            output,
            db_ops,
            api_calls,
            ai_micros: shape::cost_micros(&model, input, cached, output, batch),
            unit_micros: db_ops + api_calls * 100,
        }
    }

    pub fn total_micros(&self) -> i64 {
        self.ai_micros + self.unit_micros
    }

    pub fn push_values(&self, out: &mut Vec<Value>, ingest_key: i64) {
        let (provider, model) = if self.kind == "CHAT" {
            (self.model.provider, self.model.name)
        } else {
            ("", "")
        };
        out.push(self.id.clone().into());
        out.push(self.session_id.clone().into());
        out.push(ingest_key.into());
        out.push(self.kind.into());
        out.push(self.at.into());
        out.push(Some(self.duration_ms).into());
        out.push("ok".into());
        out.push(provider.into());
        out.push(model.into());
        out.push(shape::key_project(self.key).into());
        out.push(shape::api_key(self.key).into());
        out.push(self.tier.into());
        out.push(self.batch.into());
        for n in [
            self.input,
            self.cached,
            0,
            self.output,
            self.db_ops,
            self.api_calls,
            0,
        ] {
            out.push(n.into());
        }
        out.push(Some(self.ai_micros).into());
        for n in [self.db_ops, self.api_calls * 100, 0, 0] {
            out.push(n.into());
        }
        out.push(Some(self.total_micros()).into());
        out.push(
            format!(
                "{:064x}",
                uuid::Uuid::parse_str(&self.id).map_or(0, |u| u.as_u128())
            )
            .into(),
        );
        out.push(self.at.into());
    }
}

/// Sessions of about [`PER_SESSION`] calls, started uniformly over the hot
/// range, their calls a few seconds to minutes apart; each session's
/// counters are summed as its calls are drawn.
async fn write_interactions(
    db: &DatabaseConnection,
    plan: &Plan,
    ingest_key: i64,
    rng: &mut StdRng,
) -> Result<(u64, u64)> {
    let (start, _) = ledger::dates::DayRange::new(plan.first_hot_day(), plan.last_day)?.bounds();
    let span = (plan.days * 86_400) as i64;
    let (mut sessions, mut calls) = (Vec::new(), Vec::new());
    let (mut written_sessions, mut written) = (0u64, 0u64);
    let pending = |calls: &Vec<Value>| (calls.len() / INTERACTION_COLUMNS.len()) as u64;
    let expected = (plan.interactions / PER_SESSION).max(1);
    let mut seq = 0u64;
    while written + pending(&calls) < plan.interactions {
        let left = plan.interactions - written - pending(&calls);
        let n = rng
            .random_range(PER_SESSION / 2..=PER_SESSION * 3 / 2)
            .min(left);
        // Sessions in time order, evenly over the range with some jitter:
        // every index on the tables then grows at its end, as a live
        // store's do, instead of the generator paying random inserts.
        let at = (seq * span as u64 / expected).min(span as u64 - 3_600) as i64;
        let begun = start + chrono::Duration::seconds(at + rng.random_range(0..600));
        seq += 1;
        push_session(&mut sessions, &mut calls, rng, ingest_key, begun, n);
        if calls.len() >= FLUSH_ROWS * INTERACTION_COLUMNS.len() {
            let (s, c) = flush_sessions(db, &mut sessions, &mut calls).await?;
            written_sessions += s;
            written += c;
        }
    }
    let (s, c) = flush_sessions(db, &mut sessions, &mut calls).await?;
    Ok((written_sessions + s, written + c))
}

fn push_session(
    sessions: &mut Vec<Value>,
    calls: &mut Vec<Value>,
    rng: &mut StdRng,
    ingest_key: i64,
    begun: DateTime<Utc>,
    n: u64,
) {
    let id = ledger::tracking::ordered_id(begun, &rng.random());
    let user = shape::user(rng.random_range(0..shape::USERS));
    let mut at = begun;
    let (mut cost, mut tokens) = (0i64, 0i64);
    for _ in 0..n {
        at += chrono::Duration::milliseconds(rng.random_range(2_000..120_000));
        let mut call = Call::random(rng, &id, &user, at);
        call.id = ledger::tracking::ordered_id(at, &rng.random());
        cost += call.total_micros();
        tokens += call.input + call.output;
        call.push_values(calls, ingest_key);
    }
    sessions.push(id.into());
    sessions.push(ingest_key.into());
    sessions.push(user.into());
    sessions.push(begun.into());
    sessions.push(Some(at).into());
    for v in [n as i64, cost] {
        sessions.push(v.into());
    }
    sessions.push(begun.into());
    sessions.push(tokens.into());
}

async fn flush_sessions(
    db: &DatabaseConnection,
    sessions: &mut Vec<Value>,
    calls: &mut Vec<Value>,
) -> Result<(u64, u64)> {
    let s = flush(db, "session", &SESSION_COLUMNS, sessions).await?;
    let c = flush(db, "interaction", &INTERACTION_COLUMNS, calls).await?;
    Ok((s, c))
}

/// The UTC day of a timestamp column, as each store keeps dates.
pub fn day_sql(backend: sea_orm::DbBackend, column: &str) -> String {
    match backend {
        sea_orm::DbBackend::Postgres => format!("CAST(({column} AT TIME ZONE 'UTC') AS DATE)"),
        _ => format!("substr({column}, 1, 10)"),
    }
}

/// `interaction_daily` from the interactions written, one GROUP BY: what
/// the tracking path's per-write upserts add up to (`rollup_row`).
async fn interaction_daily(db: &DatabaseConnection) -> Result<()> {
    let backend = db.get_database_backend();
    let sum = ledger::db::sum_i64_sql;
    let sums = [
        "1",
        "i.input_tokens",
        "i.cached_input_tokens",
        "i.cache_write_tokens",
        "i.output_tokens",
        "i.db_ops",
        "i.api_calls",
        "i.compute_ms",
        "COALESCE(i.duration_ms, 0)",
        "COALESCE(i.ai_tokens_micros, 0)",
        "i.db_ops_micros",
        "i.api_calls_micros",
        "i.compute_micros",
        "i.explicit_micros",
        "COALESCE(i.total_micros, 0)",
        "CASE WHEN i.total_micros IS NULL THEN 1 ELSE 0 END",
    ]
    .map(sum)
    .join(", ");
    let day = day_sql(backend, "i.occurred_at");
    let sql = format!(
        "INSERT INTO interaction_daily (day, user_id, kind, provider, model, interactions, \
         input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, db_ops, api_calls, \
         compute_ms, duration_ms, ai_tokens_micros, db_ops_micros, api_calls_micros, \
         compute_micros, explicit_micros, total_micros, unpriced_interactions) \
         SELECT {day}, s.user_id, i.kind, i.provider, i.model, {sums} \
         FROM interaction i JOIN session s ON s.id = i.session_id \
         GROUP BY {day}, s.user_id, i.kind, i.provider, i.model"
    );
    db.execute_unprepared(&sql)
        .await
        .context("fill interaction_daily")?;
    Ok(())
}
