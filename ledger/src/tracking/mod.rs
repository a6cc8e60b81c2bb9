//! Application tracking: sessions and their priced interactions.
//!
//! A batch is validated whole before anything is written and stored in one
//! transaction together with the session counters and the daily rollup.
pub mod keys;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{
    interaction, interaction_archive, interaction_daily as daily, session, session_archive,
};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set, TransactionTrait,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::archive;
use crate::dates::DayRange;
use crate::error::{Error, Result, invalid};
use crate::money::usd_to_micros;
use crate::page::{Cursor, Page, PageRequest};
use crate::pricing::{Context, PriceBook, Priced, Tokens};

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
    let user_id = required_text("userId", &input.user_id)?;
    if let Some(external) = &input.external_id {
        optional_text("externalId", external)?;
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
            prepare(book, ingest_key_id, input, now)
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

async fn bump_sessions(txn: &impl ConnectionTrait, fresh: &[interaction::Model]) -> Result<()> {
    let mut per_session: HashMap<&str, (i64, i64)> = HashMap::new();
    for item in fresh {
        let entry = per_session.entry(&item.session_id).or_default();
        entry.0 += 1;
        entry.1 += item.total_micros.unwrap_or(0);
    }
    for (id, (count, micros)) in per_session {
        session::Entity::update_many()
            .col_expr(
                session::Column::InteractionCount,
                Expr::col(session::Column::InteractionCount).add(count),
            )
            .col_expr(
                session::Column::TotalCostMicros,
                Expr::col(session::Column::TotalCostMicros).add(micros),
            )
            .filter(session::Column::Id.eq(id))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// Adds the batch to the daily rollup with one upsert per row: the
/// increment happens in SQL, so concurrent batches cannot lose updates.
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
        daily::Entity::insert(rollup_row(item, user_id))
            .on_conflict(on_conflict.clone())
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// On an existing rollup row, every summed column adds the new row's value.
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
    for column in SUMMED {
        on_conflict.value(
            column,
            Expr::col((daily::Entity, column)).add(Expr::col((Alias::new("excluded"), column))),
        );
    }
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

/// Validates and prices one input into the row that would be stored.
/// Checks run in a fixed order, so an input with several faults always
/// reports the same one.
fn prepare(
    book: &PriceBook,
    ingest_key_id: i64,
    input: NewInteraction,
    now: DateTime<Utc>,
) -> Result<interaction::Model> {
    let counts = Counts::of(&input)?;
    let labels = Labels::of(&input)?;
    if let Some(key) = &input.idempotency_key {
        required_text("idempotencyKey", key)?;
    }
    if counts.has_tokens() && labels.model.is_empty() {
        return Err(invalid("model is required when tokens are reported"));
    }
    let explicit_micros = explicit_micros(input.kind, input.cost_usd)?;
    let occurred_at = input.occurred_at.unwrap_or(now);
    let batch = input.batch.unwrap_or(false);
    let ai = price_tokens(book, &labels, &counts, occurred_at, batch);
    let (db_ops_micros, api_calls_micros, compute_micros) = book
        .unit_rates_on(occurred_at.date_naive())
        .cost(counts.db_ops, counts.api_calls, counts.compute_ms);
    let total = ai
        .micros()
        .map(|ai| ai + db_ops_micros + api_calls_micros + compute_micros + explicit_micros);
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
        project_id: text("projectId", &input.project_id)?,
        api_key_id: text("apiKeyId", &input.api_key_id)?,
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

/// An input's counters, absent ones as 0.
struct Counts {
    input_tokens: i64,
    cached: i64,
    cache_write: i64,
    output_tokens: i64,
    db_ops: i64,
    api_calls: i64,
    compute_ms: i64,
}

impl Counts {
    /// Refuses negative counters and more cache tokens than input tokens.
    fn of(input: &NewInteraction) -> Result<Self> {
        let counts = Self {
            input_tokens: count("inputTokens", input.input_tokens)?,
            cached: count("cachedInputTokens", input.cached_input_tokens)?,
            cache_write: count("cacheWriteTokens", input.cache_write_tokens)?,
            output_tokens: count("outputTokens", input.output_tokens)?,
            db_ops: count("dbOps", input.db_ops)?,
            api_calls: count("apiCalls", input.api_calls)?,
            compute_ms: count("computeMs", input.compute_ms)?,
        };
        if let Some(duration) = input.duration_ms
            && duration < 0
        {
            return Err(invalid("durationMs must not be negative"));
        }
        if counts.cached.saturating_add(counts.cache_write) > counts.input_tokens {
            return Err(invalid(
                "cachedInputTokens + cacheWriteTokens cannot exceed inputTokens (inputTokens is all input)",
            ));
        }
        Ok(counts)
    }

    fn has_tokens(&self) -> bool {
        self.input_tokens + self.output_tokens > 0
    }
}

fn count(name: &str, value: Option<i64>) -> Result<i64> {
    match value {
        Some(v) if v < 0 => Err(invalid(format!("{name} must not be negative"))),
        other => Ok(other.unwrap_or(0)),
    }
}

/// An input's pricing and status labels, trimmed; absent ones empty.
struct Labels {
    /// Lowercase, as the price book names providers.
    provider: String,
    model: String,
    service_tier: String,
    status: String,
}

impl Labels {
    fn of(input: &NewInteraction) -> Result<Self> {
        Ok(Self {
            provider: text("provider", &input.provider)?.to_ascii_lowercase(),
            model: text("model", &input.model)?,
            service_tier: text("serviceTier", &input.service_tier)?,
            status: text("status", &input.status)?,
        })
    }
}

fn text(name: &str, value: &Option<String>) -> Result<String> {
    match value {
        Some(v) => optional_text(name, v).map(|_| v.trim().to_owned()),
        None => Ok(String::new()),
    }
}

/// The cost a COST_EVENT states; every other kind must state none.
fn explicit_micros(kind: InteractionKind, cost_usd: Option<Decimal>) -> Result<i64> {
    Ok(match (kind, cost_usd) {
        (InteractionKind::CostEvent, Some(usd)) if usd >= Decimal::ZERO => {
            usd_to_micros(usd).ok_or_else(|| invalid("costUsd is out of range"))?
        }
        (InteractionKind::CostEvent, Some(_)) => {
            return Err(invalid("costUsd must not be negative"));
        }
        (InteractionKind::CostEvent, None) => return Err(invalid("COST_EVENT requires costUsd")),
        (_, Some(_)) => return Err(invalid("costUsd is only accepted on COST_EVENT")),
        (_, None) => 0,
    })
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

fn required_text(name: &str, value: &str) -> Result<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(invalid(format!("{name} must not be empty")));
    }
    optional_text(name, trimmed)?;
    Ok(trimmed.to_owned())
}

fn optional_text(name: &str, value: &str) -> Result<()> {
    crate::text::bounded(name, value)
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
pub struct SessionFilter {
    pub user_id: Option<String>,
    pub range: Option<DayRange>,
    /// See [`crate::usage::UsageFilter::include_archived`].
    pub include_archived: Option<bool>,
}

/// A session, hot or archived.
pub async fn get_session(db: &impl ConnectionTrait, id: &str) -> Result<Option<session::Model>> {
    let query = session::Entity::find_by_id(id.to_owned());
    Ok(
        archive::models::<session::Entity, session_archive::Entity>(db, query, true)
            .await?
            .pop(),
    )
}

/// Sessions, newest first.
pub async fn list_sessions(
    db: &impl ConnectionTrait,
    filter: &SessionFilter,
    page: &PageRequest,
) -> Result<Page<session::Model>> {
    use session::Column as C;
    let mut query = session::Entity::find();
    if let Some(user) = &filter.user_id {
        query = query.filter(C::UserId.eq(user.as_str()));
    }
    if let Some(range) = &filter.range {
        let (start, end) = range.bounds();
        query = query
            .filter(C::StartedAt.gte(start))
            .filter(C::StartedAt.lt(end));
    }
    if let Some(after) = &page.after {
        let at = from_micros(after.at)?;
        query = query.filter(
            Condition::any()
                .add(C::StartedAt.lt(at))
                .add(C::StartedAt.eq(at).and(C::Id.lt(after.id.as_str()))),
        );
    }
    let query = query
        .order_by_desc(C::StartedAt)
        .order_by_desc(C::Id)
        .limit(page.first + 1);
    let archived = archive::includes::<session_archive::Entity>(
        db,
        session_archive::Column::StartedAt,
        filter.include_archived,
        filter.range.map(|r| r.from),
    )
    .await?;
    // Each table gives its first+1 rows; the first+1 of the merge are the page.
    let mut rows =
        archive::models::<session::Entity, session_archive::Entity>(db, query, archived).await?;
    rows.sort_by(|a, b| (b.started_at, &b.id).cmp(&(a.started_at, &a.id)));
    Ok(Page::from_rows(rows, page.first, |s| Cursor {
        at: s.started_at.timestamp_micros(),
        id: s.id.clone(),
    }))
}

#[derive(Debug, Clone, Default)]
pub struct InteractionFilter {
    pub session_id: Option<String>,
    pub user_id: Option<String>,
    pub kind: Option<InteractionKind>,
    pub range: Option<DayRange>,
    /// See [`crate::usage::UsageFilter::include_archived`].
    pub include_archived: Option<bool>,
}

/// Interactions in the order they happened.
pub async fn list_interactions(
    db: &impl ConnectionTrait,
    filter: &InteractionFilter,
    page: &PageRequest,
) -> Result<Page<interaction::Model>> {
    use interaction::Column as C;
    let archived = archive::includes::<interaction_archive::Entity>(
        db,
        interaction_archive::Column::OccurredAt,
        filter.include_archived,
        filter.range.map(|r| r.from),
    )
    .await?;
    let mut query = interaction::Entity::find();
    if let Some(session_id) = &filter.session_id {
        query = query.filter(C::SessionId.eq(session_id.as_str()));
    }
    if let Some(user) = &filter.user_id {
        // An interaction lives where its session does, except while a
        // killed archival is half done: take the user's sessions from both.
        let sessions = session::Entity::find()
            .select_only()
            .column(session::Column::Id)
            .filter(session::Column::UserId.eq(user.as_str()))
            .into_query();
        let mut ids = Vec::new();
        for query in
            archive::statements::<session::Entity, session_archive::Entity>(sessions, archived)
        {
            for row in db.query_all(&query).await? {
                ids.push(row.try_get_by_index::<String>(0)?);
            }
        }
        query = query.filter(C::SessionId.is_in(ids));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(C::Kind.eq(kind.as_str()));
    }
    if let Some(range) = &filter.range {
        let (start, end) = range.bounds();
        query = query
            .filter(C::OccurredAt.gte(start))
            .filter(C::OccurredAt.lt(end));
    }
    if let Some(after) = &page.after {
        let at = from_micros(after.at)?;
        query = query.filter(
            Condition::any()
                .add(C::OccurredAt.gt(at))
                .add(C::OccurredAt.eq(at).and(C::Id.gt(after.id.as_str()))),
        );
    }
    let query = query
        .order_by_asc(C::OccurredAt)
        .order_by_asc(C::Id)
        .limit(page.first + 1);
    let mut rows =
        archive::models::<interaction::Entity, interaction_archive::Entity>(db, query, archived)
            .await?;
    rows.sort_by(|a, b| (a.occurred_at, &a.id).cmp(&(b.occurred_at, &b.id)));
    Ok(Page::from_rows(rows, page.first, |i| Cursor {
        at: i.occurred_at.timestamp_micros(),
        id: i.id.clone(),
    }))
}

fn from_micros(micros: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp_micros(micros).ok_or_else(|| invalid("malformed cursor"))
}
