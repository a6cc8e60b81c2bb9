//! Application tracking: sessions and interactions reported by apps (with an
//! ingest key) and read back by the dashboard (with a viewer token).
use async_graphql::connection::Connection;
use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{interaction, session};
use ledger::money::micros_to_usd;
use ledger::page::PageRequest;
use ledger::tracking::{self as domain, InteractionKind as Kind};
use rust_decimal::Decimal;

use super::types::{BigInt, Date, connection, connection_with, optional_range};
use super::{principal, state};
use crate::error::{ApiError, ApiResult};

/// What an interaction was; `POST /v1/interactions` takes the same names
/// as strings (`"CHAT"`).
#[derive(Enum, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InteractionKind {
    Chat,
    Db,
    Api,
    CostEvent,
}

impl From<InteractionKind> for Kind {
    fn from(kind: InteractionKind) -> Self {
        match kind {
            InteractionKind::Chat => Kind::Chat,
            InteractionKind::Db => Kind::Db,
            InteractionKind::Api => Kind::Api,
            InteractionKind::CostEvent => Kind::CostEvent,
        }
    }
}

#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Session {
    pub id: ID,
    pub user_id: String,
    pub external_id: Option<String>,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub metadata: Option<Json<serde_json::Value>>,
    pub interaction_count: i64,
    /// Sum of the priced interactions' totals.
    pub total_cost_usd: Decimal,
    /// Input plus output tokens of the interactions.
    pub total_tokens: BigInt,
}

impl From<session::Model> for Session {
    fn from(s: session::Model) -> Self {
        Self {
            id: ID(s.id),
            user_id: s.user_id,
            external_id: s.external_id,
            started_at: s.started_at,
            ended_at: s.ended_at,
            metadata: s.metadata.map(Json),
            interaction_count: s.interaction_count,
            total_cost_usd: micros_to_usd(s.total_cost_micros),
            total_tokens: BigInt(s.total_tokens),
        }
    }
}

#[ComplexObject]
impl Session {
    /// This session's interactions in the order they happened.
    async fn interactions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<String, Interaction>> {
        let page = PageRequest::new(first, after.as_deref())?;
        let filter = domain::InteractionFilter {
            session_id: Some(self.id.to_string()),
            ..Default::default()
        };
        let found = domain::list_interactions(&state(ctx)?.db, &filter, &page).await?;
        Ok(connection(found, page.after.is_some(), Interaction::from))
    }
}

/// One priced interaction with its cost breakdown.
#[derive(SimpleObject)]
pub struct Interaction {
    pub id: ID,
    pub session_id: ID,
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    pub duration_ms: Option<i64>,
    pub status: String,
    pub provider: String,
    pub model: String,
    pub project_id: String,
    pub api_key_id: String,
    pub service_tier: String,
    pub batch: bool,
    pub input_tokens: BigInt,
    pub cached_input_tokens: BigInt,
    pub cache_write_tokens: BigInt,
    pub output_tokens: BigInt,
    pub db_ops: BigInt,
    pub api_calls: BigInt,
    pub compute_ms: BigInt,
    /// False when the model has no price: then `aiTokensUsd` and `totalUsd` are null.
    pub priced: bool,
    pub ai_tokens_usd: Option<Decimal>,
    pub db_ops_usd: Decimal,
    pub api_calls_usd: Decimal,
    pub compute_usd: Decimal,
    /// The explicit cost of a COST_EVENT.
    pub explicit_usd: Decimal,
    pub total_usd: Option<Decimal>,
    pub price_version_id: Option<i64>,
    pub idempotency_key: Option<String>,
    pub metadata: Option<Json<serde_json::Value>>,
}

impl From<interaction::Model> for Interaction {
    fn from(i: interaction::Model) -> Self {
        Self {
            id: ID(i.id),
            session_id: ID(i.session_id),
            kind: i.kind,
            occurred_at: i.occurred_at,
            duration_ms: i.duration_ms,
            status: i.status,
            provider: i.provider,
            model: i.model,
            project_id: i.project_id,
            api_key_id: i.api_key_id,
            service_tier: i.service_tier,
            batch: i.batch,
            input_tokens: i.input_tokens.into(),
            cached_input_tokens: i.cached_input_tokens.into(),
            cache_write_tokens: i.cache_write_tokens.into(),
            output_tokens: i.output_tokens.into(),
            db_ops: i.db_ops.into(),
            api_calls: i.api_calls.into(),
            compute_ms: i.compute_ms.into(),
            priced: i.total_micros.is_some(),
            ai_tokens_usd: i.ai_tokens_micros.map(micros_to_usd),
            db_ops_usd: micros_to_usd(i.db_ops_micros),
            api_calls_usd: micros_to_usd(i.api_calls_micros),
            compute_usd: micros_to_usd(i.compute_micros),
            explicit_usd: micros_to_usd(i.explicit_micros),
            total_usd: i.total_micros.map(micros_to_usd),
            price_version_id: i.price_version_id,
            idempotency_key: i.idempotency_key,
            metadata: i.metadata.map(Json),
        }
    }
}

/// A session an application starts. Limits (refused with
/// `BAD_USER_INPUT`, the same on every store) are on each field.
#[derive(InputObject)]
pub struct StartSessionInput {
    /// Who the session is for: 1 to 200 bytes, trimmed, no control
    /// characters (U+0000–U+001F, U+007F–U+009F; tab and newline included).
    pub user_id: String,
    /// The application's own id for the session: at most 200 bytes, no
    /// control characters.
    pub external_id: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    /// Free-form JSON: at most 16 KiB as compact JSON, 8 levels of
    /// objects and arrays, 256 keys in all; keys follow the id rule (at most
    /// 200 bytes, no control characters), strings may hold tab, newline and
    /// carriage return but no other control character (so no NUL).
    pub metadata: Option<Json<serde_json::Value>>,
}

/// What an application reports for one interaction. Every id and label
/// here is at most 200 bytes with no control characters (U+0000–U+001F,
/// U+007F–U+009F; tab and newline included), and every count has the
/// maximum its field states; anything outside is refused with
/// `BAD_USER_INPUT` and nothing of the batch is stored.
///
/// `POST /v1/interactions` reads the same type from plain JSON (serde, by
/// the GraphQL field names; an unknown field is refused as GraphQL
/// refuses one).
#[derive(InputObject, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InteractionInput {
    /// A session of this ingest key (from `startSession`).
    pub session_id: ID,
    pub kind: InteractionKind,
    /// When it happened; now when absent.
    pub occurred_at: Option<DateTime<Utc>>,
    /// Wall time in milliseconds: 0 to 86,400,000 (one day).
    pub duration_ms: Option<i64>,
    /// A short outcome label, e.g. `ok` or `error`: at most 200 bytes.
    pub status: Option<String>,
    /// The provider as the price book names it (`openai`, `anthropic`…),
    /// lowercased: at most 200 bytes.
    pub provider: Option<String>,
    /// The model as the provider names it: at most 200 bytes; required
    /// when tokens are reported.
    pub model: Option<String>,
    /// The provider's project id: at most 200 bytes.
    pub project_id: Option<String>,
    /// The provider's API key id: at most 200 bytes.
    pub api_key_id: Option<String>,
    /// The provider's service tier (`default`, `flex`, `priority`…): at
    /// most 200 bytes.
    pub service_tier: Option<String>,
    pub batch: Option<bool>,
    /// All input tokens, cached and cache-write included: 0 to
    /// 1,000,000,000.
    pub input_tokens: Option<i64>,
    /// Input tokens read from the cache: 0 to 1,000,000,000, and with
    /// `cacheWriteTokens` at most `inputTokens`.
    pub cached_input_tokens: Option<i64>,
    /// Input tokens written to the cache: 0 to 1,000,000,000.
    pub cache_write_tokens: Option<i64>,
    /// Output tokens: 0 to 1,000,000,000.
    pub output_tokens: Option<i64>,
    /// Database operations: 0 to 1,000,000,000.
    pub db_ops: Option<i64>,
    /// External API calls: 0 to 1,000,000,000.
    pub api_calls: Option<i64>,
    /// Compute time in milliseconds: 0 to 86,400,000 (one day).
    pub compute_ms: Option<i64>,
    /// Explicit cost, for COST_EVENT only: 0 to 1,000,000,000 USD, rounded
    /// to the micro-dollar.
    pub cost_usd: Option<Decimal>,
    /// Retries with the same key and payload are stored once: 1 to 200
    /// bytes, no control characters.
    pub idempotency_key: Option<String>,
    /// Free-form JSON: at most 16 KiB as compact JSON, 8 levels of
    /// objects and arrays, 256 keys in all; keys follow the id rule,
    /// strings may hold tab, newline and carriage return but no other
    /// control character (so no NUL).
    pub metadata: Option<Json<serde_json::Value>>,
}

impl From<InteractionInput> for domain::NewInteraction {
    fn from(i: InteractionInput) -> Self {
        Self {
            session_id: i.session_id.0,
            kind: i.kind.into(),
            occurred_at: i.occurred_at,
            duration_ms: i.duration_ms,
            status: i.status,
            provider: i.provider,
            model: i.model,
            project_id: i.project_id,
            api_key_id: i.api_key_id,
            service_tier: i.service_tier,
            batch: i.batch,
            input_tokens: i.input_tokens,
            cached_input_tokens: i.cached_input_tokens,
            cache_write_tokens: i.cache_write_tokens,
            output_tokens: i.output_tokens,
            db_ops: i.db_ops,
            api_calls: i.api_calls,
            compute_ms: i.compute_ms,
            cost_usd: i.cost_usd,
            idempotency_key: i.idempotency_key,
            metadata: i.metadata.map(|j| j.0),
        }
    }
}

#[derive(InputObject, Default)]
pub struct SessionFilter {
    /// At most 200 bytes, no control characters.
    pub user_id: Option<String>,
    /// UTC days, both included; give both `from` and `to`, or neither.
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// Search archived rows too. Default (null): the archive is searched
    /// whenever it can hold rows of the range (the range starts on or before
    /// its newest row; no range: whenever it is not empty), so answers are the
    /// same before and after archival. `false`: recent (hot) rows only.
    pub include_archived: Option<bool>,
}

/// What the sessions page is ordered by.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum SessionSortField {
    /// When the session started.
    #[default]
    StartedAt,
    /// `totalCostUsd`.
    Cost,
    /// `totalTokens`.
    Tokens,
}

/// An order of sessions; ties are broken by id. A cursor belongs to the
/// order it was given in: change the order, start from the first page.
#[derive(InputObject, Clone, Copy, Default)]
pub struct SessionOrderBy {
    #[graphql(default)]
    pub field: SessionSortField,
    /// Largest (newest) first unless `false`.
    #[graphql(default = true)]
    pub descending: bool,
}

impl From<SessionOrderBy> for domain::SessionOrder {
    fn from(order: SessionOrderBy) -> Self {
        Self {
            sort: match order.field {
                SessionSortField::StartedAt => domain::SessionSort::StartedAt,
                SessionSortField::Cost => domain::SessionSort::Cost,
                SessionSortField::Tokens => domain::SessionSort::Tokens,
            },
            descending: order.descending,
        }
    }
}

/// The fields a page of sessions has besides its rows.
pub struct SessionPage {
    filter: domain::SessionFilter,
}

#[Object]
impl SessionPage {
    /// How many sessions match the filter, on every page (counted only
    /// when asked for).
    async fn total_count(&self, ctx: &Context<'_>) -> ApiResult<BigInt> {
        let n = domain::count_sessions(&state(ctx)?.db, &self.filter).await?;
        Ok(BigInt(i64::try_from(n).unwrap_or(i64::MAX)))
    }
}

/// A top-level metadata key and the text it must hold, e.g.
/// `{key: "service.name", value: "checkout"}` or
/// `{key: "otlp.dialect", value: "openinference"}`.
#[derive(InputObject)]
pub struct MetadataMatch {
    /// At most 200 bytes, no control characters, quotes or backslashes.
    pub key: String,
    /// At most 200 bytes; tab, newline and carriage return are the only
    /// control characters allowed, as in stored metadata.
    pub value: String,
}

#[derive(InputObject, Default)]
pub struct InteractionFilter {
    /// At most 200 bytes, no control characters.
    pub session_id: Option<ID>,
    /// At most 200 bytes, no control characters.
    pub user_id: Option<String>,
    pub kind: Option<InteractionKind>,
    /// UTC days, both included; give both `from` and `to`, or neither.
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// Search archived rows too. Default (null): the archive is searched
    /// whenever it can hold rows of the range (the range starts on or before
    /// its newest row; no range: whenever it is not empty), so answers are the
    /// same before and after archival. `false`: recent (hot) rows only.
    pub include_archived: Option<bool>,
    /// Only interactions whose metadata holds every one of these (at most 10).
    pub metadata: Option<Vec<MetadataMatch>>,
}

#[derive(Default)]
pub struct TrackingQuery;

#[Object]
impl TrackingQuery {
    /// Sessions, newest first unless `orderBy` says otherwise (e.g. the
    /// most expensive of a range: `orderBy: {field: COST}` with `from`
    /// and `to`).
    async fn sessions(
        &self,
        ctx: &Context<'_>,
        filter: Option<SessionFilter>,
        order_by: Option<SessionOrderBy>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<String, Session, SessionPage>> {
        principal(ctx).viewer()?;
        let filter = filter.unwrap_or_default();
        let domain_filter = domain::SessionFilter {
            user_id: filter.user_id,
            range: optional_range(filter.from, filter.to)?,
            include_archived: filter.include_archived,
        };
        let order = order_by.map_or(domain::SessionOrder::NEWEST, Into::into);
        let page = PageRequest::new(first, after.as_deref())?;
        let found = domain::list_sessions(&state(ctx)?.db, &domain_filter, order, &page).await?;
        let fields = SessionPage {
            filter: domain_filter,
        };
        Ok(connection_with(
            found,
            page.after.is_some(),
            fields,
            Session::from,
        ))
    }

    async fn session(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Session> {
        principal(ctx).viewer()?;
        domain::get_session(&state(ctx)?.db, &id)
            .await?
            .map(Session::from)
            .ok_or_else(|| ApiError::NotFound(format!("session {} not found", id.0)))
    }

    /// Interactions in the order they happened.
    async fn interactions(
        &self,
        ctx: &Context<'_>,
        filter: Option<InteractionFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<String, Interaction>> {
        principal(ctx).viewer()?;
        let filter = filter.unwrap_or_default();
        let domain_filter = domain::InteractionFilter {
            session_id: filter.session_id.map(|id| id.0),
            user_id: filter.user_id,
            kind: filter.kind.map(Into::into),
            range: optional_range(filter.from, filter.to)?,
            include_archived: filter.include_archived,
        };
        let matches: Vec<_> = filter
            .metadata
            .unwrap_or_default()
            .into_iter()
            .map(|m| domain::listing::MetadataMatch {
                key: m.key,
                value: m.value,
            })
            .collect();
        let page = PageRequest::new(first, after.as_deref())?;
        let found =
            domain::listing::list_interactions(&state(ctx)?.db, &domain_filter, &matches, &page)
                .await?;
        Ok(connection(found, page.after.is_some(), Interaction::from))
    }
}

#[derive(Default)]
pub struct TrackingMutation;

#[Object]
impl TrackingMutation {
    async fn start_session(
        &self,
        ctx: &Context<'_>,
        input: StartSessionInput,
    ) -> ApiResult<Session> {
        let key = principal(ctx).ingest_key()?;
        let new = domain::NewSession {
            user_id: input.user_id,
            external_id: input.external_id,
            started_at: input.started_at,
            metadata: input.metadata.map(|j| j.0),
        };
        Ok(domain::start_session(&state(ctx)?.db, key, new)
            .await?
            .into())
    }

    async fn record_interaction(
        &self,
        ctx: &Context<'_>,
        input: InteractionInput,
    ) -> ApiResult<Interaction> {
        let key = principal(ctx).ingest_key()?;
        let state = state(ctx)?;
        let mut stored = domain::record(&state.db, &state.book, key, vec![input.into()]).await?;
        stored
            .pop()
            .map(Interaction::from)
            .ok_or(ApiError::Internal)
    }

    /// Up to 1,000 interactions, stored all or nothing.
    async fn record_interactions(
        &self,
        ctx: &Context<'_>,
        inputs: Vec<InteractionInput>,
    ) -> ApiResult<Vec<Interaction>> {
        let key = principal(ctx).ingest_key()?;
        let state = state(ctx)?;
        let inputs = inputs.into_iter().map(Into::into).collect();
        let stored = domain::record(&state.db, &state.book, key, inputs).await?;
        Ok(stored.into_iter().map(Interaction::from).collect())
    }

    async fn end_session(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Session> {
        let key = principal(ctx).ingest_key()?;
        Ok(domain::end_session(&state(ctx)?.db, key, &id, None)
            .await?
            .into())
    }
}
