//! Interactions reported as traced spans (OTLP): each names its session by
//! the application's own id (a conversation or trace id) instead of a
//! session started beforehand. A batch is stored in one transaction:
//! sessions are found or created by external id per ingest key, race-free,
//! and an interaction whose idempotency key is already stored is a retry,
//! counted and skipped. An interaction the ledger refuses is reported, and
//! the rest of the batch is stored.
//!
//! [`filter`] lists interactions by their metadata (`service.name`, the
//! dialect…), which traced interactions carry.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{interaction, session};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityName, EntityTrait,
    IdenStatic, QueryFilter, QueryOrder, Set, Statement, TransactionTrait,
};
use sha2::{Digest, Sha256};

use super::NewInteraction;
use crate::error::{Error, Result};
use crate::pricing::PriceBook;

/// Rows per statement, well inside both stores' bound-parameter limits.
const CHUNK: usize = 500;

/// The session an interaction belongs to, as the application names it.
#[derive(Debug, Clone)]
pub struct SessionRef {
    pub external_id: String,
    /// The user of a session created for this interaction.
    pub user_id: String,
    pub started_at: Option<DateTime<Utc>>,
}

/// One interaction and its session; `interaction.session_id` is ignored
/// and `interaction.idempotency_key` is required.
#[derive(Debug, Clone)]
pub struct TracedInteraction {
    pub session: SessionRef,
    pub interaction: NewInteraction,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TracedOutcome {
    pub stored: u64,
    /// Already stored (a retry), or repeated within the batch.
    pub duplicates: u64,
    /// Why each refused interaction was refused, in batch order.
    pub refused: Vec<String>,
}

/// A prepared row and the external id of its session.
struct Prepared {
    row: interaction::Model,
    session: SessionRef,
}

/// Stores a batch of traced interactions (see the module docs).
pub async fn record(
    db: &DatabaseConnection,
    book: &PriceBook,
    ingest_key_id: i64,
    items: Vec<TracedInteraction>,
) -> Result<TracedOutcome> {
    let mut outcome = TracedOutcome::default();
    let now = Utc::now();
    let mut seen = HashSet::new();
    let mut prepared = Vec::with_capacity(items.len());
    for item in items {
        match prepare(book, ingest_key_id, item, now) {
            Ok(p) if seen.insert(p.row.idempotency_key.clone()) => prepared.push(p),
            Ok(_) => outcome.duplicates += 1,
            Err(error) => outcome.refused.push(error.to_string()),
        }
    }
    if prepared.is_empty() {
        return Ok(outcome);
    }
    // Two exports of the same span racing: the loser's insert violates the
    // idempotency index; run again, it then finds the winner's row.
    let (stored, duplicates) = match store(db, ingest_key_id, &prepared).await {
        Err(Error::Db(error)) if super::is_unique_violation(&error) => {
            store(db, ingest_key_id, &prepared).await?
        }
        other => other?,
    };
    outcome.stored = stored;
    outcome.duplicates += duplicates;
    Ok(outcome)
}

/// Validates and prices one item as [`super::record`] would. The session
/// is not known yet: the payload is hashed with its external id.
fn prepare(
    book: &PriceBook,
    ingest_key_id: i64,
    item: TracedInteraction,
    now: DateTime<Utc>,
) -> Result<Prepared> {
    let session = item.session;
    let external = super::input::required("session id", &session.external_id)?;
    super::input::required("userId", &session.user_id)?;
    if item.interaction.idempotency_key.is_none() {
        return Err(Error::Internal(
            "a traced interaction needs an idempotency key".into(),
        ));
    }
    let mut interaction = item.interaction;
    interaction.session_id = format!("external:{external}");
    let row = super::prepare(book, ingest_key_id, interaction, now)?;
    Ok(Prepared { row, session })
}

/// One transaction: sessions, the new rows, session counters and the
/// daily rollup. Returns (stored, already stored).
async fn store(
    db: &DatabaseConnection,
    ingest_key_id: i64,
    prepared: &[Prepared],
) -> Result<(u64, u64)> {
    let txn = db.begin().await?;
    let sessions = find_or_create_sessions(&txn, ingest_key_id, prepared).await?;
    let keys: Vec<&str> = prepared
        .iter()
        .filter_map(|p| p.row.idempotency_key.as_deref())
        .collect();
    let stored = stored_keys(&txn, ingest_key_id, &keys).await?;
    let mut fresh = Vec::new();
    for item in prepared {
        if item
            .row
            .idempotency_key
            .as_ref()
            .is_some_and(|k| stored.contains(k))
        {
            continue;
        }
        let session = sessions
            .get(item.session.external_id.trim())
            .ok_or_else(|| Error::Internal("a traced session was not created".into()))?;
        let mut row = item.row.clone();
        row.session_id.clone_from(&session.id);
        fresh.push(row);
    }
    if !fresh.is_empty() {
        super::insert_interactions(&txn, &fresh, super::OnStored::Fail).await?;
        let by_id: HashMap<String, session::Model> =
            sessions.into_values().map(|s| (s.id.clone(), s)).collect();
        super::bump_sessions(&txn, &fresh).await?;
        super::bump_rollup(&txn, &by_id, &fresh).await?;
    }
    txn.commit().await?;
    Ok((fresh.len() as u64, (prepared.len() - fresh.len()) as u64))
}

/// The idempotency keys among `keys` already stored for this ingest key
/// (the lookup `recordInteractions` makes).
async fn stored_keys(
    db: &impl ConnectionTrait,
    ingest_key_id: i64,
    keys: &[&str],
) -> Result<HashSet<String>> {
    Ok(super::stored_rows(db, ingest_key_id, keys)
        .await?
        .into_keys()
        .collect())
}

/// The session of each external id, by external id. An existing session
/// with that external id (a session this function created first, else the
/// oldest) is reused; a missing one is created under an id derived from
/// the ingest key and external id, so two batches racing to create it
/// create one row (the second insert does nothing and reads the first).
async fn find_or_create_sessions(
    db: &impl ConnectionTrait,
    ingest_key_id: i64,
    prepared: &[Prepared],
) -> Result<HashMap<String, session::Model>> {
    let mut wanted: HashMap<String, &SessionRef> = HashMap::new();
    for item in prepared {
        let external = item.session.external_id.trim().to_owned();
        let entry = wanted.entry(external).or_insert(&item.session);
        if earlier(item.session.started_at, entry.started_at) {
            *entry = &item.session;
        }
    }
    let externals: Vec<&str> = wanted.keys().map(String::as_str).collect();
    let mut found = existing_sessions(db, ingest_key_id, &externals).await?;
    let missing: Vec<session::ActiveModel> = wanted
        .iter()
        .filter(|(external, _)| !found.contains_key(*external))
        .map(|(external, reference)| new_session(ingest_key_id, external, reference))
        .collect();
    for chunk in missing.chunks(CHUNK) {
        session::Entity::insert_many(chunk.iter().cloned())
            .on_conflict_do_nothing_on([session::Column::Id])
            .exec_without_returning(db)
            .await?;
    }
    if !missing.is_empty() {
        found.extend(existing_sessions(db, ingest_key_id, &externals).await?);
    }
    Ok(found)
}

fn earlier(candidate: Option<DateTime<Utc>>, current: Option<DateTime<Utc>>) -> bool {
    match (candidate, current) {
        (Some(c), Some(e)) => c < e,
        (Some(_), None) => true,
        _ => false,
    }
}

async fn existing_sessions(
    db: &impl ConnectionTrait,
    ingest_key_id: i64,
    externals: &[&str],
) -> Result<HashMap<String, session::Model>> {
    let mut out: HashMap<String, session::Model> = HashMap::new();
    let backend = db.get_database_backend();
    for chunk in externals.chunks(CHUNK) {
        let rows = if backend == DbBackend::Postgres {
            // One index probe per external id (see `unnest::probe_sql`).
            let text = super::sql::cached("sessions by external id probed", backend, 0, || {
                let mut text = super::unnest::probe_sql(
                    session::Entity.table_name(),
                    session::Column::ExternalId.as_str(),
                );
                text.push_str(" ORDER BY p.created_at, p.id");
                text
            });
            let values = super::unnest::probe_values(ingest_key_id, chunk);
            session::Entity::find()
                .from_raw_sql(Statement::from_sql_and_values(backend, &*text, values))
                .all(db)
                .await?
        } else {
            session::Entity::find()
                .filter(session::Column::IngestKeyId.eq(ingest_key_id))
                .filter(session::Column::ExternalId.is_in(chunk.iter().copied()))
                .order_by_asc(session::Column::CreatedAt)
                .order_by_asc(session::Column::Id)
                .all(db)
                .await?
        };
        for row in rows {
            let Some(external) = row.external_id.clone() else {
                continue;
            };
            // Rows come oldest first; this module's own session wins.
            let own = row.id == session_id(ingest_key_id, &external);
            if own || !out.contains_key(&external) {
                out.insert(external, row);
            }
        }
    }
    Ok(out)
}

fn new_session(ingest_key_id: i64, external: &str, reference: &SessionRef) -> session::ActiveModel {
    let now = Utc::now();
    session::ActiveModel {
        id: Set(session_id(ingest_key_id, external)),
        ingest_key_id: Set(ingest_key_id),
        user_id: Set(reference.user_id.trim().to_owned()),
        external_id: Set(Some(external.to_owned())),
        started_at: Set(reference.started_at.unwrap_or(now)),
        ended_at: Set(None),
        metadata: Set(Some(serde_json::json!({"source": "otlp"}))),
        interaction_count: Set(0),
        total_cost_micros: Set(0),
        total_tokens: Set(0),
        created_at: Set(now),
    }
}

/// The id of the session this module creates for an external id: a UUID
/// (version 8) of SHA-256 over the ingest key and the external id.
pub fn session_id(ingest_key_id: i64, external: &str) -> String {
    let digest = Sha256::digest(format!("otlp-session\n{ingest_key_id}\n{external}"));
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes)
        .into_uuid()
        .to_string()
}
