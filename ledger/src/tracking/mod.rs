//! Application tracking: sessions and their priced interactions.
//!
//! A batch is validated whole before anything is written and stored in one
//! transaction together with the session counters and the daily rollup.
pub mod input;
pub mod keys;
pub mod listing;
pub mod sessions;
pub mod traced;

pub use sessions::{
    SessionFilter, SessionOrder, SessionSort, count_sessions, get_session, list_sessions,
};

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{interaction, interaction_daily as daily, session};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, Set, TransactionTrait,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::dates::DayRange;
use crate::error::{Error, Result, invalid};
use crate::page::{Page, PageRequest};
use crate::pricing::{Context, PriceBook, Priced, Tokens};
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
        id: Set(uuid::Uuid::new_v4().to_string()),
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
    // A concurrent writer may win the race for an idempotency key between our
    // check and insert; the second attempt then finds its row.
    match store(db, ingest_key_id, &prepared).await {
        Err(Error::Db(error)) if is_unique_violation(&error) => {
            store(db, ingest_key_id, &prepared).await
        }
        other => other,
    }
}

async fn store(
    db: &DatabaseConnection,
    ingest_key_id: i64,
    prepared: &[interaction::Model],
) -> Result<Vec<interaction::Model>> {
    let txn = db.begin().await?;

    let session_ids: HashSet<&str> = prepared.iter().map(|p| p.session_id.as_str()).collect();
    let sessions: HashMap<String, session::Model> = session::Entity::find()
        .filter(session::Column::Id.is_in(session_ids.iter().copied()))
        .filter(session::Column::IngestKeyId.eq(ingest_key_id))
        .all(&txn)
        .await?
        .into_iter()
        .map(|s| (s.id.clone(), s))
        .collect();
    if let Some(missing) = session_ids.iter().find(|id| !sessions.contains_key(**id)) {
        return Err(Error::NotFound(format!("session {missing}")));
    }

    let keys: Vec<&str> = prepared
        .iter()
        .filter_map(|p| p.idempotency_key.as_deref())
        .collect();
    let mut stored: HashMap<String, interaction::Model> = if keys.is_empty() {
        HashMap::new()
    } else {
        interaction::Entity::find()
            .filter(interaction::Column::IngestKeyId.eq(ingest_key_id))
            .filter(interaction::Column::IdempotencyKey.is_in(keys))
            .all(&txn)
            .await?
            .into_iter()
            .filter_map(|m| m.idempotency_key.clone().map(|k| (k, m)))
            .collect()
    };

    let mut result = Vec::with_capacity(prepared.len());
    let mut fresh = Vec::new();
    for item in prepared {
        if let Some(key) = &item.idempotency_key
            && let Some(existing) = stored.get(key)
        {
            if existing.payload_hash != item.payload_hash {
                return Err(Error::Conflict(format!(
                    "idempotency key {key:?} was already used with a different payload"
                )));
            }
            result.push(existing.clone());
            continue;
        }
        if let Some(key) = &item.idempotency_key {
            stored.insert(key.clone(), item.clone());
        }
        fresh.push(item.clone());
        result.push(item.clone());
    }

    if !fresh.is_empty() {
        interaction::Entity::insert_many(fresh.iter().cloned().map(interaction::ActiveModel::from))
            .exec_without_returning(&txn)
            .await?;
        bump_sessions(&txn, &fresh).await?;
        bump_rollup(&txn, &sessions, &fresh).await?;
    }
    txn.commit().await?;
    Ok(result)
}

/// Adds the batch to its sessions' counters, in SQL. A counter the batch
/// would carry past the i64 range refuses the batch (the guard leaves the
/// row as it is, so the update touches nothing) instead of wrapping on one
/// store and failing on the other.
async fn bump_sessions(txn: &impl ConnectionTrait, fresh: &[interaction::Model]) -> Result<()> {
    let mut per_session: HashMap<&str, (i64, i64, i64)> = HashMap::new();
    for item in fresh {
        let entry = per_session.entry(&item.session_id).or_default();
        entry.0 += 1;
        entry.1 = entry
            .1
            .checked_add(item.total_micros.unwrap_or(0))
            .ok_or_else(out_of_range)?;
        entry.2 = item
            .input_tokens
            .checked_add(item.output_tokens)
            .and_then(|tokens| entry.2.checked_add(tokens))
            .ok_or_else(out_of_range)?;
    }
    for (id, (count, micros, tokens)) in per_session {
        use session::Column as C;
        let updated = session::Entity::update_many()
            .col_expr(
                C::InteractionCount,
                Expr::col(C::InteractionCount).add(count),
            )
            .col_expr(
                C::TotalCostMicros,
                Expr::col(C::TotalCostMicros).add(micros),
            )
            .col_expr(C::TotalTokens, Expr::col(C::TotalTokens).add(tokens))
            .filter(C::Id.eq(id))
            .filter(C::InteractionCount.lte(i64::MAX - count))
            .filter(C::TotalCostMicros.lte(i64::MAX - micros))
            .filter(C::TotalTokens.lte(i64::MAX - tokens))
            .exec(txn)
            .await?;
        if updated.rows_affected == 0 {
            return Err(out_of_range());
        }
    }
    Ok(())
}

fn out_of_range() -> Error {
    invalid(format!(
        "the batch would carry a session's or a day's totals past {}, the largest the ledger stores",
        i64::MAX
    ))
}

/// Adds the batch to the daily rollup with one upsert per row: the
/// increment happens in SQL, so concurrent batches cannot lose updates.
/// An increment that would leave the i64 range is refused like
/// [`bump_sessions`]'s: the upsert's guard makes it touch no row.
async fn bump_rollup(
    txn: &impl ConnectionTrait,
    sessions: &HashMap<String, session::Model>,
    fresh: &[interaction::Model],
) -> Result<()> {
    let on_conflict = rollup_increment();
    for item in fresh {
        let user_id = sessions
            .get(&item.session_id)
            .map(|s| s.user_id.clone())
            .unwrap_or_default();
        let touched = daily::Entity::insert(rollup_row(item, user_id))
            .on_conflict(on_conflict.clone())
            .exec_without_returning(txn)
            .await?;
        if touched == 0 {
            return Err(out_of_range());
        }
    }
    Ok(())
}

/// On an existing rollup row, every summed column adds the new row's
/// value, unless one of them would leave the i64 range (every summed value
/// is non-negative, so `MAX - new` cannot overflow either).
fn rollup_increment() -> OnConflict {
    use daily::Column as C;
    const SUMMED: [C; 16] = [
        C::Interactions,
        C::InputTokens,
        C::CachedInputTokens,
        C::CacheWriteTokens,
        C::OutputTokens,
        C::DbOps,
        C::ApiCalls,
        C::ComputeMs,
        C::DurationMs,
        C::AiTokensMicros,
        C::DbOpsMicros,
        C::ApiCallsMicros,
        C::ComputeMicros,
        C::ExplicitMicros,
        C::TotalMicros,
        C::UnpricedInteractions,
    ];
    let mut on_conflict = OnConflict::columns([C::Day, C::UserId, C::Kind, C::Provider, C::Model]);
    let mut fits = Condition::all();
    for column in SUMMED {
        let new = Expr::col((Alias::new("excluded"), column));
        on_conflict.value(column, Expr::col((daily::Entity, column)).add(new.clone()));
        fits = fits.add(Expr::col((daily::Entity, column)).lte(Expr::val(i64::MAX).sub(new)));
    }
    on_conflict.action_cond_where(fits);
    on_conflict
}

/// One interaction's contribution to the rollup of its day, user, kind,
/// provider and model.
fn rollup_row(item: &interaction::Model, user_id: String) -> daily::ActiveModel {
    daily::ActiveModel {
        day: Set(item.occurred_at.date_naive()),
        user_id: Set(user_id),
        kind: Set(item.kind.clone()),
        provider: Set(item.provider.clone()),
        model: Set(item.model.clone()),
        interactions: Set(1),
        input_tokens: Set(item.input_tokens),
        cached_input_tokens: Set(item.cached_input_tokens),
        cache_write_tokens: Set(item.cache_write_tokens),
        output_tokens: Set(item.output_tokens),
        db_ops: Set(item.db_ops),
        api_calls: Set(item.api_calls),
        compute_ms: Set(item.compute_ms),
        duration_ms: Set(item.duration_ms.unwrap_or(0)),
        ai_tokens_micros: Set(item.ai_tokens_micros.unwrap_or(0)),
        db_ops_micros: Set(item.db_ops_micros),
        api_calls_micros: Set(item.api_calls_micros),
        compute_micros: Set(item.compute_micros),
        explicit_micros: Set(item.explicit_micros),
        total_micros: Set(item.total_micros.unwrap_or(0)),
        unpriced_interactions: Set(i64::from(item.total_micros.is_none())),
        ..Default::default()
    }
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
    let payload_hash = hex::encode(Sha256::digest(
        serde_json::to_vec(&input).map_err(|e| Error::Internal(e.to_string()))?,
    ));

    Ok(interaction::Model {
        id: uuid::Uuid::new_v4().to_string(),
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

async fn owned_session(
    db: &impl ConnectionTrait,
    ingest_key_id: i64,
    id: &str,
) -> Result<session::Model> {
    session::Entity::find_by_id(id.to_owned())
        .filter(session::Column::IngestKeyId.eq(ingest_key_id))
        .one(db)
        .await?
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
