//! Application tracking: sessions and their priced interactions.
//!
//! A batch is validated whole before anything is written and stored in one
//! transaction together with the session counters and the daily rollup.
mod counters;
pub mod input;
pub mod keys;
pub mod listing;
pub mod sessions;
mod sql;
pub mod traced;
mod unnest;

pub use sessions::{
    SessionFilter, SessionOrder, SessionSort, count_sessions, get_session, list_sessions,
};

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{interaction, session};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityName,
    EntityTrait, IdenStatic, QueryFilter, Set, Statement, TransactionTrait,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::dates::DayRange;
use crate::error::{Error, Result, invalid};
use crate::page::{Page, PageRequest};
use crate::pricing::{Context, PriceBook, Priced, Tokens};
use counters::{OnStored, bump_rollup, bump_sessions, insert_interactions};
use input::{Checked, Counts, Labels};

pub const MAX_BATCH: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum InteractionKind {
    Chat,
    Db,
    Api,
    CostEvent,
}

impl InteractionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Chat => "CHAT",
            Self::Db => "DB",
            Self::Api => "API",
            Self::CostEvent => "COST_EVENT",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct NewSession {
    pub user_id: String,
    pub external_id: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub metadata: Option<serde_json::Value>,
}

/// What an application reports for one interaction.
#[derive(Debug, Clone, Serialize)]
pub struct NewInteraction {
    pub session_id: String,
    pub kind: InteractionKind,
    pub occurred_at: Option<DateTime<Utc>>,
    pub duration_ms: Option<i64>,
    pub status: Option<String>,
    pub provider: Option<String>,
    pub model: Option<String>,
    pub project_id: Option<String>,
    pub api_key_id: Option<String>,
    pub service_tier: Option<String>,
    pub batch: Option<bool>,
    pub input_tokens: Option<i64>,
    pub cached_input_tokens: Option<i64>,
    pub cache_write_tokens: Option<i64>,
    pub output_tokens: Option<i64>,
    pub db_ops: Option<i64>,
    pub api_calls: Option<i64>,
    pub compute_ms: Option<i64>,
    pub cost_usd: Option<Decimal>,
    #[serde(skip)]
    pub idempotency_key: Option<String>,
    pub metadata: Option<serde_json::Value>,
}

pub async fn start_session(
    db: &impl ConnectionTrait,
    ingest_key_id: i64,
    input: NewSession,
) -> Result<session::Model> {
    let user_id = input::required("userId", &input.user_id)?;
    input::label("externalId", input.external_id.as_deref())?;
    if let Some(metadata) = &input.metadata {
        input::metadata(metadata)?;
    }
    let now = Utc::now();
    Ok(session::ActiveModel {
        id: Set(new_id(now)),
        ingest_key_id: Set(ingest_key_id),
        user_id: Set(user_id),
        external_id: Set(input.external_id),
        started_at: Set(input.started_at.unwrap_or(now)),
        ended_at: Set(None),
        metadata: Set(input.metadata),
        interaction_count: Set(0),
        total_cost_micros: Set(0),
        total_tokens: Set(0),
        created_at: Set(now),
    }
    .insert(db)
    .await?)
}

pub async fn end_session(
    db: &impl ConnectionTrait,
    ingest_key_id: i64,
    id: &str,
    ended_at: Option<DateTime<Utc>>,
) -> Result<session::Model> {
    crate::text::plain("the session id", id)?;
    let found = owned_session(db, ingest_key_id, id).await?;
    if found.ended_at.is_some() {
        return Ok(found);
    }
    let mut active: session::ActiveModel = found.into();
    active.ended_at = Set(Some(ended_at.unwrap_or_else(Utc::now)));
    Ok(active.update(db).await?)
}

/// Records a batch, all or nothing. A repeated idempotency key with the same
/// payload returns the stored interaction; with another payload it fails.
pub async fn record(
    db: &DatabaseConnection,
    book: &PriceBook,
    ingest_key_id: i64,
    inputs: Vec<NewInteraction>,
) -> Result<Vec<interaction::Model>> {
    if inputs.len() > MAX_BATCH {
        return Err(invalid(format!(
            "batch of {} interactions is over the limit of {MAX_BATCH}",
            inputs.len()
        )));
    }
    let now = Utc::now();
    let prepared = inputs
        .into_iter()
        .enumerate()
        .map(|(index, input)| {
            crate::text::plain("sessionId", &input.session_id)
                .and_then(|()| prepare(book, ingest_key_id, input, now))
                .map_err(|e| invalid(format!("interaction {index}: {e}")))
        })
        .collect::<Result<Vec<_>>>()?;
    // Most batches are new: the INSERT's own unique index finds a retried
    // key, and only then is the batch read back and stored again, so new
    // keys are not probed twice. The third attempt covers a concurrent
    // writer that stores one of the keys between the lookup and the insert.
    let mut found = None;
    for lookup in [Lookup::AfterInsert, Lookup::First, Lookup::First] {
        found = store(db, ingest_key_id, &prepared, lookup).await?;
        if found.is_some() {
            break;
        }
    }
    let found = found.ok_or_else(|| {
        Error::Conflict("the batch's idempotency keys are being stored concurrently; retry".into())
    })?;
    let mut result: Vec<interaction::Model> = Vec::with_capacity(prepared.len());
    for (item, found) in prepared.into_iter().zip(found) {
        let row = match found {
            Found::Fresh => item,
            Found::Stored(row) => *row,
            Found::Repeat(first) => result[first].clone(),
        };
        result.push(row);
    }
    Ok(result)
}

/// What [`store`] made of one prepared row.
enum Found {
    /// Written now.
    Fresh,
    /// A retry of this stored row.
    Stored(Box<interaction::Model>),
    /// A retry of the row at this index of the same batch.
    Repeat(usize),
}

/// When [`store`] looks up the batch's idempotency keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lookup {
    /// Never, unless the insert skips a stored key: then nothing is
    /// written and [`store`] answers `None`.
    AfterInsert,
    /// Before inserting, so retries are answered with their stored rows.
    First,
}

/// Stores the batch in one transaction; `None`, with nothing written,
/// when a row's key turned out to be stored already.
async fn store(
    db: &DatabaseConnection,
    ingest_key_id: i64,
    prepared: &[interaction::Model],
    lookup: Lookup,
) -> Result<Option<Vec<Found>>> {
    let txn = db.begin().await?;

    let session_ids: HashSet<&str> = prepared.iter().map(|p| p.session_id.as_str()).collect();
    // By id alone, the key checked here: see [`owned_session`].
    let sessions: HashMap<String, session::Model> = session::Entity::find()
        .filter(session::Column::Id.is_in(session_ids.iter().copied()))
        .all(&txn)
        .await?
        .into_iter()
        .filter(|s| s.ingest_key_id == ingest_key_id)
        .map(|s| (s.id.clone(), s))
        .collect();
    if let Some(missing) = session_ids.iter().find(|id| !sessions.contains_key(**id)) {
        return Err(Error::NotFound(format!("session {missing}")));
    }

    let keys: Vec<&str> = prepared
        .iter()
        .filter_map(|p| p.idempotency_key.as_deref())
        .collect();
    let stored = match lookup {
        Lookup::First => stored_rows(&txn, ingest_key_id, &keys).await?,
        Lookup::AfterInsert => HashMap::new(),
    };
    let mut first_of_key: HashMap<&str, usize> = HashMap::with_capacity(keys.len());
    let mut found = Vec::with_capacity(prepared.len());
    let mut fresh: Vec<&interaction::Model> = Vec::with_capacity(prepared.len());
    for (index, item) in prepared.iter().enumerate() {
        if let Some(key) = item.idempotency_key.as_deref() {
            let earlier = match stored.get(key) {
                Some(row) => Some((row, Found::Stored(Box::new(row.clone())))),
                None => first_of_key
                    .get(key)
                    .map(|&first| (&prepared[first], Found::Repeat(first))),
            };
            if let Some((row, retry)) = earlier {
                if row.payload_hash != item.payload_hash {
                    return Err(Error::Conflict(format!(
                        "idempotency key {key:?} was already used with a different payload"
                    )));
                }
                found.push(retry);
                continue;
            }
            first_of_key.insert(key, index);
        }
        fresh.push(item);
        found.push(Found::Fresh);
    }

    if !fresh.is_empty() {
        let written = insert_interactions(&txn, &fresh, OnStored::Skip).await?;
        if written != fresh.len() as u64 {
            txn.rollback().await?;
            return Ok(None);
        }
        bump_sessions(&txn, &fresh).await?;
        bump_rollup(&txn, &sessions, &fresh).await?;
    }
    txn.commit().await?;
    Ok(Some(found))
}

/// The stored rows of this ingest key with one of `keys`, by key: on
/// PostgreSQL one probe per key ([`stored_rows_probe`]), elsewhere one
/// cached `IN` statement per chunk of keys.
async fn stored_rows(
    txn: &impl ConnectionTrait,
    ingest_key_id: i64,
    keys: &[&str],
) -> Result<HashMap<String, interaction::Model>> {
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let backend = txn.get_database_backend();
    let rows = if backend == DbBackend::Postgres {
        interaction::Entity::find()
            .from_raw_sql(stored_rows_probe(ingest_key_id, keys))
            .all(txn)
            .await?
    } else {
        let mut rows = Vec::new();
        for chunk in keys.chunks(MAX_BATCH) {
            let text = sql::cached("stored interactions", backend, chunk.len(), || {
                let mut text = format!(
                    "SELECT * FROM {} WHERE ingest_key_id = ? AND idempotency_key IN (",
                    interaction::Entity.table_name(),
                );
                sql::push_list(&mut text, backend, chunk.len(), 2);
                text.push(')');
                text
            });
            let mut values = Vec::with_capacity(chunk.len() + 1);
            values.push(ingest_key_id.into());
            values.extend(chunk.iter().map(|&key| key.into()));
            rows.extend(
                interaction::Entity::find()
                    .from_raw_sql(Statement::from_sql_and_values(backend, &*text, values))
                    .all(txn)
                    .await?,
            );
        }
        rows
    };
    Ok(rows
        .into_iter()
        .filter_map(|m| m.idempotency_key.clone().map(|k| (k, m)))
        .collect())
}

/// PostgreSQL's idempotency lookup, one probe of the unique index per
/// key ([`unnest::probe_sql`], which says why not an `IN` list).
pub fn stored_rows_probe(ingest_key_id: i64, keys: &[&str]) -> Statement {
    let text = sql::cached("stored interactions probed", DbBackend::Postgres, 0, || {
        unnest::probe_sql(
            interaction::Entity.table_name(),
            interaction::Column::IdempotencyKey.as_str(),
        )
    });
    Statement::from_sql_and_values(
        DbBackend::Postgres,
        &*text,
        unnest::probe_values(ingest_key_id, keys),
    )
}

/// Validates ([`input::check`]) and prices one input into the row that
/// would be stored.
fn prepare(
    book: &PriceBook,
    ingest_key_id: i64,
    input: NewInteraction,
    now: DateTime<Utc>,
) -> Result<interaction::Model> {
    let Checked {
        counts,
        labels,
        explicit_micros,
    } = input::check(&input)?;
    let occurred_at = input.occurred_at.unwrap_or(now);
    let batch = input.batch.unwrap_or(false);
    let ai = price_tokens(book, &labels, &counts, occurred_at, batch);
    let [db_ops_micros, api_calls_micros, compute_micros] = unit_costs(book, &counts, occurred_at)?;
    let total = ai
        .micros()
        .map(|ai| {
            // Within the input maxima every part is far below the i64
            // range (see `input`); checked all the same, so a wild price is
            // an error, not a wrapped total.
            [
                db_ops_micros,
                api_calls_micros,
                compute_micros,
                explicit_micros,
            ]
            .into_iter()
            .try_fold(ai, i64::checked_add)
            .ok_or_else(|| invalid("the interaction's cost is out of range"))
        })
        .transpose()?;
    // Hashed as it is serialized: no buffer.
    let mut hasher = Sha256::new();
    serde_json::to_writer(&mut hasher, &input).map_err(|e| Error::Internal(e.to_string()))?;
    let payload_hash = hex::encode(hasher.finalize());

    Ok(interaction::Model {
        id: new_id(now),
        session_id: input.session_id,
        ingest_key_id,
        kind: input.kind.as_str().to_owned(),
        occurred_at,
        duration_ms: input.duration_ms,
        status: labels.status,
        provider: labels.provider,
        model: labels.model,
        project_id: labels.project_id,
        api_key_id: labels.api_key_id,
        service_tier: labels.service_tier,
        batch,
        input_tokens: counts.input_tokens,
        cached_input_tokens: counts.cached,
        cache_write_tokens: counts.cache_write,
        output_tokens: counts.output_tokens,
        db_ops: counts.db_ops,
        api_calls: counts.api_calls,
        compute_ms: counts.compute_ms,
        ai_tokens_micros: ai.micros(),
        db_ops_micros,
        api_calls_micros,
        compute_micros,
        explicit_micros,
        total_micros: total,
        price_version_id: ai.version_id(),
        idempotency_key: input.idempotency_key,
        payload_hash,
        metadata: input.metadata,
        created_at: now,
    })
}

/// A new row's id: [`ordered_id`] at the write time, its random bits from
/// the thread's generator (which [`uuid::Uuid::now_v7`] would ask the
/// system for, one call per row).
fn new_id(now: DateTime<Utc>) -> String {
    ordered_id(now, &rand::random())
}

/// A version 7 UUID: `at`'s milliseconds, then 74 of the `random` bits.
/// Ids written together sort together, so a batch lands at the end of the
/// primary-key index (a few pages) instead of on a random leaf page of it
/// per row, as version 4 ids did: at 10M rows that index is far larger
/// than the page cache. Public for the benchmark's generator, which writes
/// rows as the server would, from a seeded generator.
pub fn ordered_id(at: DateTime<Utc>, random: &[u8; 10]) -> String {
    let millis = u64::try_from(at.timestamp_millis()).unwrap_or(0);
    uuid::Builder::from_unix_timestamp_millis(millis, random)
        .into_uuid()
        .to_string()
}

/// (db ops, API calls, compute) in micro-USD at the unit rates of the day.
fn unit_costs(book: &PriceBook, counts: &Counts, at: DateTime<Utc>) -> Result<[i64; 3]> {
    let (db, api, compute) = book
        .unit_rates_on(at.date_naive())
        .cost(counts.db_ops, counts.api_calls, counts.compute_ms)
        .ok_or_else(|| invalid("the interaction's unit cost is out of range"))?;
    Ok([db, api, compute])
}

/// The token cost of one request at the price in force when it happened.
/// Without tokens it costs nothing, even for a model the book cannot price.
fn price_tokens(
    book: &PriceBook,
    labels: &Labels,
    counts: &Counts,
    occurred_at: DateTime<Utc>,
    batch: bool,
) -> Priced {
    if !counts.has_tokens() {
        return Priced::Cost {
            micros: 0,
            estimated: false,
            version_id: book.version_id(),
        };
    }
    let ctx = Context {
        provider: &labels.provider,
        model: &labels.model,
        day: occurred_at.date_naive(),
        service_tier: &labels.service_tier,
        batch,
        context_window: "",
    };
    book.price(
        &ctx,
        &Tokens {
            input: counts.input_tokens,
            cache_read: counts.cached,
            cache_write: counts.cache_write,
            output: counts.output_tokens,
            requests: 1,
            ..Tokens::default()
        },
    )
}

fn is_unique_violation(error: &sea_orm::DbErr) -> bool {
    matches!(
        error.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

/// The session `id` if this ingest key owns it. Read by id alone and the
/// key compared here: with both in the `WHERE`, PostgreSQL may scan every
/// session of the key through (ingest key, external id) when its
/// statistics hold the key rare (one created since the last analyze).
async fn owned_session(
    db: &impl ConnectionTrait,
    ingest_key_id: i64,
    id: &str,
) -> Result<session::Model> {
    session::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .filter(|s| s.ingest_key_id == ingest_key_id)
        .ok_or_else(|| Error::NotFound(format!("session {id}")))
}

// ---- reads ----

#[derive(Debug, Clone, Default)]
pub struct InteractionFilter {
    pub session_id: Option<String>,
    pub user_id: Option<String>,
    pub kind: Option<InteractionKind>,
    pub range: Option<DayRange>,
    /// See [`crate::usage::UsageFilter::include_archived`].
    pub include_archived: Option<bool>,
}

impl InteractionFilter {
    /// The text rules of [`crate::text::plain`], as on every input.
    pub(crate) fn check(&self) -> Result<()> {
        input::label("sessionId", self.session_id.as_deref())?;
        input::label("userId", self.user_id.as_deref()).map(drop)
    }
}

/// Interactions in the order they happened.
pub async fn list_interactions(
    db: &impl ConnectionTrait,
    filter: &InteractionFilter,
    page: &PageRequest,
) -> Result<Page<interaction::Model>> {
    listing::list_interactions(db, filter, &[], page).await
}

fn from_micros(micros: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp_micros(micros).ok_or_else(|| invalid("malformed cursor"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_version_7_and_sort_by_their_time() {
        let at = |ms| DateTime::from_timestamp_millis(ms).expect("time");
        let earlier = ordered_id(at(1_764_000_000_000), &[0xff; 10]);
        let later = ordered_id(at(1_764_000_000_001), &[0; 10]);
        assert!(earlier < later, "{earlier} !< {later}");
        for id in [&earlier, &later, &new_id(Utc::now())] {
            let parsed = uuid::Uuid::parse_str(id).expect("a UUID");
            assert_eq!(parsed.get_version_num(), 7, "{id}");
        }
        assert_ne!(new_id(at(0)), new_id(at(0)), "random bits differ");
    }
}
