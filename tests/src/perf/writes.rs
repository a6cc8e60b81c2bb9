//! Tracking writes: `recordInteractions` in batches of 1,000 and single
//! `recordInteraction` calls on an open-loop schedule, each beside the same
//! rows written straight to the database (the interaction INSERT, the
//! session counters and the `interaction_daily` upserts in one transaction).
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::Utc;
use ledger::pricing::{PriceBook, UnitRates};
use ledger::tracking::{self, InteractionKind, NewInteraction};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, TransactionTrait, Value};
use serde_json::{Value as Json, json};

use super::bulk;
use super::generate::{Call, INTERACTION_COLUMNS};
use super::measure::{Latencies, Rate};
use super::server::Server;
use super::shape;

pub const BATCH: usize = 1_000;
const RECORD_MANY: &str =
    "mutation($i: [InteractionInput!]!) { recordInteractions(inputs: $i) { id } }";
const RECORD_ONE: &str = "mutation($i: InteractionInput!) { recordInteraction(input: $i) { id } }";

/// An ingest key of the server's and sessions to write into.
pub struct Writer {
    pub key: String,
    pub key_id: i64,
    /// (session id, user id)
    pub sessions: Vec<(String, String)>,
    /// Tells this run's idempotency keys from an earlier run's.
    pub nonce: String,
}

pub async fn writer(server: &Server, sessions: usize) -> Result<Writer> {
    let created = server
        .gql(
            &server.admin,
            "mutation { createIngestKey(name: \"perf\") { id key } }",
            json!({}),
        )
        .await?;
    let key = created["createIngestKey"]["key"]
        .as_str()
        .context("ingest key")?
        .to_owned();
    let key_id = created["createIngestKey"]["id"]
        .as_str()
        .context("ingest key id")?
        .parse()?;
    let mut out = Vec::with_capacity(sessions);
    for n in 0..sessions {
        let user = shape::user(n % shape::USERS);
        let started = server
            .gql(
                &key,
                "mutation($i: StartSessionInput!) { startSession(input: $i) { id } }",
                json!({"i": {"userId": user}}),
            )
            .await?;
        out.push((
            started["startSession"]["id"]
                .as_str()
                .context("session id")?
                .to_owned(),
            user,
        ));
    }
    Ok(Writer {
        key,
        key_id,
        sessions: out,
        nonce: uuid::Uuid::new_v4().simple().to_string(),
    })
}

/// `n` calls spread over the writer's sessions, occurring now.
pub fn calls(writer: &Writer, rng: &mut StdRng, n: usize, offset: usize) -> Vec<Call> {
    (0..n)
        .map(|i| {
            let (session, user) = &writer.sessions[(offset + i) % writer.sessions.len()];
            let now = Utc::now();
            let mut call = Call::random(rng, session, user, now);
            // Fresh ids, so a second run over the same store writes new
            // rows; time-ordered as the server's are, so the raw figure
            // writes the same index pages the server does.
            call.id = ledger::tracking::ordered_id(now, &rng.random());
            call
        })
        .collect()
}

pub fn input(call: &Call, idempotency: &str) -> Json {
    let mut input = json!({
        "sessionId": call.session_id, "kind": call.kind, "occurredAt": call.at.to_rfc3339(),
        "durationMs": call.duration_ms, "status": "ok", "projectId": shape::key_project(call.key),
        "apiKeyId": shape::api_key(call.key), "serviceTier": call.tier, "batch": call.batch,
        "idempotencyKey": idempotency,
    });
    match call.kind {
        "CHAT" => {
            input["provider"] = json!(call.model.provider);
            input["model"] = json!(call.model.name);
            input["inputTokens"] = json!(call.input);
            input["cachedInputTokens"] = json!(call.cached);
            input["outputTokens"] = json!(call.output);
        }
        "DB" => input["dbOps"] = json!(call.db_ops),
        _ => input["apiCalls"] = json!(call.api_calls),
    }
    input
}

/// The route a batch load sends its batches to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// GraphQL's `recordInteractions`.
    GraphQl,
    /// `POST /v1/interactions`, the same inputs as plain JSON.
    Json,
}

/// `batches` batches of [`BATCH`] over HTTP from `clients` concurrent
/// clients, each sending its next batch when the last one is answered.
/// `run` tells this call's idempotency keys from another's, so every
/// call stores fresh rows.
pub async fn server_batches(
    server: &Arc<Server>,
    writer: &Arc<Writer>,
    (route, batches, clients): (Route, usize, usize),
    run: usize,
) -> Result<Rate> {
    let mut rng = StdRng::seed_from_u64(shape::SEED ^ 1);
    let bodies: Vec<Vec<u8>> = (0..batches)
        .map(|b| {
            let inputs: Vec<Json> = calls(writer, &mut rng, BATCH, b * 7)
                .iter()
                .enumerate()
                .map(|(i, c)| input(c, &format!("perf-b{b}-{i}-r{run}-{}", writer.nonce)))
                .collect();
            serde_json::to_vec(&match route {
                Route::GraphQl => json!({ "query": RECORD_MANY, "variables": { "i": inputs } }),
                Route::Json => json!({ "interactions": inputs }),
            })
        })
        .collect::<Result<_, _>>()?;
    let bodies = Arc::new(tokio::sync::Mutex::new(bodies));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (server, writer, bodies) = (server.clone(), writer.clone(), bodies.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let Some(body) = bodies.lock().await.pop() else {
                    return Ok::<_, anyhow::Error>(());
                };
                match route {
                    Route::GraphQl => server.post_json(&writer.key, body).await?,
                    Route::Json => server.post_interactions(&writer.key, body).await?,
                };
            }
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(Rate {
        items: (batches * BATCH) as u64,
        took: started.elapsed(),
    })
}

/// The same work straight on the database, one transaction a batch.
pub async fn raw_batches(db: &DatabaseConnection, writer: &Writer, batches: usize) -> Result<Rate> {
    let mut rng = StdRng::seed_from_u64(shape::SEED ^ 2);
    let prepared: Vec<Vec<Call>> = (0..batches)
        .map(|b| calls(writer, &mut rng, BATCH, b * 7))
        .collect();
    let started = Instant::now();
    for batch in &prepared {
        write_raw(db, writer.key_id, batch).await?;
    }
    Ok(Rate {
        items: (batches * BATCH) as u64,
        took: started.elapsed(),
    })
}

/// One transaction: the rows, each session's counters, each day-group's
/// rollup upsert (summed per group first, as a batched write path would).
pub async fn write_raw(db: &DatabaseConnection, key_id: i64, batch: &[Call]) -> Result<()> {
    let txn = db.begin().await?;
    let mut values = Vec::with_capacity(batch.len() * INTERACTION_COLUMNS.len());
    for call in batch {
        call.push_values(&mut values, key_id);
    }
    bulk::insert(&txn, "interaction", &INTERACTION_COLUMNS, values, "")
        .await
        .context("raw insert")?;
    bump_sessions(&txn, batch).await?;
    upsert_daily(&txn, batch).await?;
    txn.commit().await?;
    Ok(())
}

async fn bump_sessions(txn: &impl ConnectionTrait, batch: &[Call]) -> Result<()> {
    let backend = txn.get_database_backend();
    let mut per: BTreeMap<&str, [i64; 3]> = BTreeMap::new();
    for call in batch {
        let e = per.entry(call.session_id.as_str()).or_default();
        e[0] += 1;
        e[1] += call.total_micros();
        e[2] += call.input + call.output;
    }
    let sql = match backend {
        DbBackend::Postgres => {
            "UPDATE session SET interaction_count = interaction_count + $1, total_cost_micros = total_cost_micros + $2, total_tokens = total_tokens + $3 WHERE id = $4"
        }
        _ => {
            "UPDATE session SET interaction_count = interaction_count + ?, total_cost_micros = total_cost_micros + ?, total_tokens = total_tokens + ? WHERE id = ?"
        }
    };
    for (id, [n, cost, tokens]) in per {
        let values: Vec<Value> = vec![n.into(), cost.into(), tokens.into(), id.into()];
        txn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
    }
    Ok(())
}

const DAILY_COLUMNS: [&str; 21] = [
    "day",
    "user_id",
    "kind",
    "provider",
    "model",
    "interactions",
    "input_tokens",
    "cached_input_tokens",
    "cache_write_tokens",
    "output_tokens",
    "db_ops",
    "api_calls",
    "compute_ms",
    "duration_ms",
    "ai_tokens_micros",
    "db_ops_micros",
    "api_calls_micros",
    "compute_micros",
    "explicit_micros",
    "total_micros",
    "unpriced_interactions",
];

async fn upsert_daily(txn: &impl ConnectionTrait, batch: &[Call]) -> Result<()> {
    type Key<'a> = (chrono::NaiveDate, &'a str, &'a str, &'a str, &'a str);
    let mut groups: BTreeMap<Key, [i64; 16]> = BTreeMap::new();
    for c in batch {
        let (provider, model) = if c.kind == "CHAT" {
            (c.model.provider, c.model.name)
        } else {
            ("", "")
        };
        let g = groups
            .entry((c.at.date_naive(), c.user.as_str(), c.kind, provider, model))
            .or_default();
        let add = [
            1,
            c.input,
            c.cached,
            0,
            c.output,
            c.db_ops,
            c.api_calls,
            0,
            c.duration_ms,
            c.ai_micros,
            c.db_ops,
            c.api_calls * 100,
            0,
            0,
            c.total_micros(),
            0,
        ];
        for (slot, v) in g.iter_mut().zip(add) {
            *slot += v;
        }
    }
    let mut values = Vec::with_capacity(groups.len() * DAILY_COLUMNS.len());
    for ((day, user, kind, provider, model), sums) in groups {
        values.extend([
            Value::from(day),
            user.into(),
            kind.into(),
            provider.into(),
            model.into(),
        ]);
        values.extend(sums.into_iter().map(Value::from));
    }
    let updates: Vec<String> = DAILY_COLUMNS[5..]
        .iter()
        .map(|c| format!("{c} = interaction_daily.{c} + excluded.{c}"))
        .collect();
    let suffix = format!(
        " ON CONFLICT (day, user_id, kind, provider, model) DO UPDATE SET {}",
        updates.join(", ")
    );
    bulk::insert(txn, "interaction_daily", &DAILY_COLUMNS, values, &suffix)
        .await
        .context("raw rollup upsert")?;
    Ok(())
}

/// `n` single `recordInteraction` calls sent on a fixed schedule of `rate`
/// a second whatever the answers do (open loop: each on its own task, none
/// waits for another's answer, so a server stall shows in every request
/// sent during it). Each latency counts from the request's send; the
/// second figure is how late the generator sent it (tokio's timer has
/// millisecond ticks), the benchmark's own delay, reported beside.
pub async fn server_single(
    server: &Arc<Server>,
    writer: &Arc<Writer>,
    n: usize,
    rate: u32,
) -> Result<(Latencies, Latencies)> {
    let mut rng = StdRng::seed_from_u64(shape::SEED ^ 3);
    let bodies: Vec<Json> = calls(writer, &mut rng, n, 3)
        .iter()
        .enumerate()
        .map(|(i, c)| json!({ "i": input(c, &format!("perf-s{i}-{}", writer.nonce)) }))
        .collect();
    let period = Duration::from_secs_f64(1.0 / f64::from(rate.max(1)));
    let start = tokio::time::Instant::now() + Duration::from_millis(20);
    let mut tasks = Vec::with_capacity(n);
    for (i, body) in bodies.into_iter().enumerate() {
        let due = start + period * i as u32;
        let (server, writer) = (server.clone(), writer.clone());
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep_until(due).await;
            let sent = tokio::time::Instant::now();
            server.gql(&writer.key, RECORD_ONE, body).await?;
            Ok::<_, anyhow::Error>((sent.elapsed(), sent - due))
        }));
    }
    let mut latencies = Latencies::default();
    let mut late = Latencies::default();
    for task in tasks {
        let (latency, lateness) = task.await??;
        latencies.push(latency);
        late.push(lateness);
    }
    Ok((latencies, late))
}

/// The same single writes through the ledger's `tracking::record` in this
/// process, one after another: the server's write path without HTTP and
/// GraphQL, which splits the server's latency from the store's.
pub async fn ledger_single(
    db: &DatabaseConnection,
    writer: &Writer,
    n: usize,
) -> Result<Latencies> {
    let book = PriceBook::load(db, UnitRates::default()).await?;
    let mut rng = StdRng::seed_from_u64(shape::SEED ^ 5);
    let mut latencies = Latencies::default();
    for (i, call) in calls(writer, &mut rng, n, 5).iter().enumerate() {
        let one = new_interaction(call, format!("perf-l{i}-{}", writer.nonce));
        let started = Instant::now();
        tracking::record(db, &book, writer.key_id, vec![one]).await?;
        latencies.push(started.elapsed());
    }
    Ok(latencies)
}

/// [`input`]'s interaction as the ledger takes it.
fn new_interaction(call: &Call, idempotency: String) -> NewInteraction {
    let chat = call.kind == "CHAT";
    NewInteraction {
        session_id: call.session_id.clone(),
        kind: match call.kind {
            "CHAT" => InteractionKind::Chat,
            "DB" => InteractionKind::Db,
            _ => InteractionKind::Api,
        },
        occurred_at: Some(call.at),
        duration_ms: Some(call.duration_ms),
        status: Some("ok".into()),
        provider: chat.then(|| call.model.provider.to_owned()),
        model: chat.then(|| call.model.name.to_owned()),
        project_id: Some(shape::key_project(call.key)),
        api_key_id: Some(shape::api_key(call.key)),
        service_tier: Some(call.tier.to_owned()),
        batch: Some(call.batch),
        input_tokens: chat.then_some(call.input),
        cached_input_tokens: chat.then_some(call.cached),
        cache_write_tokens: None,
        output_tokens: chat.then_some(call.output),
        db_ops: (call.kind == "DB").then_some(call.db_ops),
        api_calls: (call.kind == "API").then_some(call.api_calls),
        compute_ms: None,
        cost_usd: None,
        idempotency_key: Some(idempotency),
        metadata: None,
    }
}

/// The same single-row transaction straight on the database, one after
/// another.
pub async fn raw_single(db: &DatabaseConnection, writer: &Writer, n: usize) -> Result<Latencies> {
    let mut rng = StdRng::seed_from_u64(shape::SEED ^ 4);
    let prepared = calls(writer, &mut rng, n, 3);
    let mut latencies = Latencies::default();
    for call in prepared {
        let started = Instant::now();
        write_raw(db, writer.key_id, std::slice::from_ref(&call)).await?;
        latencies.push(started.elapsed());
    }
    Ok(latencies)
}
