//! Request limits, in one place. Every request meets them before any work
//! is done for it and before its credentials are checked:
//!
//! - [`enforce`] (a middleware over the whole router): the body cap of the
//!   route (413) and its time limit (503), see [`Route`]. `/v1/traces`
//!   keeps the cap its handler enforces in OTLP's own reply format;
//! - [`body`]: how the GraphQL handler reads its body under that cap
//!   (JSON, or a multipart upload with its own larger cap);
//! - [`document`]: a GraphQL document is measured before async-graphql
//!   validates it: fragment spreads expanded (memoised, so a fragment bomb
//!   costs as much as its text), depth, root fields;
//! - [`cost`]: the complexity of fields that read a range of days, so that
//!   async-graphql's complexity limit (which counts every alias) weighs a
//!   year grouped by every dimension as what it is;
//! - [`gate`]: expensive operations (by that complexity) run a few at a
//!   time; the others never wait for them;
//! - [`rate`]: per-ingest-key rate limits on tracking writes (429);
//! - [`headers`]: security headers and CORS on every response.
//!
//! The values are documented in README's configuration table and in
//! SECURITY.md.
pub mod body;
pub mod cost;
pub mod document;
pub mod gate;
pub mod headers;
pub mod rate;
mod refusal;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;
use tokio::sync::Semaphore;

pub use rate::WriteRate;
pub use refusal::Refusal;

/// Largest request body (except multipart uploads and OTLP exports).
pub const DEFAULT_MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
/// A GraphQL multipart request: the parity CSV cap plus 1 MiB for the
/// other parts. Not configurable: it follows `ledger::parity::MAX_FILE_BYTES`.
pub const MULTIPART_MAX_BODY_BYTES: usize = ledger::parity::MAX_FILE_BYTES + 1024 * 1024;
/// Deep enough for GraphiQL's introspection query.
pub const DEFAULT_MAX_DEPTH: usize = 15;
pub const DEFAULT_MAX_COMPLEXITY: usize = 10_000;
/// Field selections once every fragment spread is expanded.
pub const DEFAULT_MAX_SELECTIONS: usize = 2_000;
pub const DEFAULT_MAX_ROOT_FIELDS: usize = 20;
/// Fragment spreads inside fragment spreads (the introspection query nests 3).
pub const MAX_FRAGMENT_NESTING: usize = 20;
/// Directives on one field (async-graphql's `limit_directives`).
pub const MAX_DIRECTIVES_PER_FIELD: usize = 8;
pub const DEFAULT_REQUEST_TIMEOUT_SECS: u64 = 30;
pub const DEFAULT_MUTATION_TIMEOUT_SECS: u64 = 600;
/// From this complexity on, an operation is expensive and goes through the gate.
pub const DEFAULT_EXPENSIVE_COMPLEXITY: usize = 1_000;
pub const DEFAULT_EXPENSIVE_CONCURRENCY: usize = 4;
pub const DEFAULT_QUEUE_WAIT_SECS: u64 = 10;

/// The configurable limits (README's configuration table).
#[derive(Debug, Clone)]
pub struct LimitSettings {
    pub max_body_bytes: usize,
    pub max_depth: usize,
    pub max_complexity: usize,
    pub max_selections: usize,
    pub max_root_fields: usize,
    /// Queries, and every route but the cron trigger and GraphQL mutations.
    pub request_timeout: Duration,
    /// GraphQL mutations (ingestion backfills, repricing, archival run long).
    pub mutation_timeout: Duration,
    pub expensive_complexity: usize,
    pub expensive_concurrency: usize,
    /// How long an expensive operation may wait for its turn.
    pub queue_wait: Duration,
    /// Origins allowed by CORS; none (the default) sends no CORS headers.
    pub cors_origins: Vec<HeaderValue>,
    /// Requests per ingest key (GraphQL and OTLP); `None`: unlimited.
    pub ingest_quota: Option<governor::Quota>,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_depth: DEFAULT_MAX_DEPTH,
            max_complexity: DEFAULT_MAX_COMPLEXITY,
            max_selections: DEFAULT_MAX_SELECTIONS,
            max_root_fields: DEFAULT_MAX_ROOT_FIELDS,
            request_timeout: Duration::from_secs(DEFAULT_REQUEST_TIMEOUT_SECS),
            mutation_timeout: Duration::from_secs(DEFAULT_MUTATION_TIMEOUT_SECS),
            expensive_complexity: DEFAULT_EXPENSIVE_COMPLEXITY,
            expensive_concurrency: DEFAULT_EXPENSIVE_CONCURRENCY,
            queue_wait: Duration::from_secs(DEFAULT_QUEUE_WAIT_SECS),
            cors_origins: Vec::new(),
            ingest_quota: rate::quota(
                rate::DEFAULT_INGEST_REQUESTS_PER_SEC,
                rate::DEFAULT_INGEST_BURST,
            ),
        }
    }
}

/// The limits a server runs with: its settings and the permits of
/// expensive operations. Built once by `serve`; defaults elsewhere.
#[derive(Debug, Clone)]
pub struct Limits {
    pub settings: LimitSettings,
    expensive: Arc<Semaphore>,
    /// Per-ingest-key buckets.
    pub writes: WriteRate,
}

impl Default for Limits {
    fn default() -> Self {
        Self::new(LimitSettings::default())
    }
}

impl Limits {
    pub fn new(settings: LimitSettings) -> Self {
        let expensive = Arc::new(Semaphore::new(settings.expensive_concurrency));
        let writes = WriteRate::new(settings.ingest_quota);
        Self {
            settings,
            expensive,
            writes,
        }
    }

    /// The permits of expensive operations (a test holds one to fill the gate).
    pub fn expensive_permits(&self) -> &Arc<Semaphore> {
        &self.expensive
    }

    /// The body cap of a request, or `None` when its handler enforces one
    /// of its own.
    pub fn body_cap(&self, route: Route, multipart: bool) -> Option<usize> {
        match route {
            Route::GraphQl if multipart => Some(MULTIPART_MAX_BODY_BYTES),
            // The OTLP handler caps the body as sent and once decompressed
            // (`COGNITRACK_OTLP_MAX_BODY_BYTES`) and answers in OTLP's format.
            Route::Otlp => None,
            _ => Some(self.settings.max_body_bytes),
        }
    }

    /// The time a request may take until its response starts, or `None`.
    pub fn time_limit(&self, route: Route) -> Option<Duration> {
        match route {
            // A job runs to its end under its lease; the trigger is
            // authenticated by the cron secret and runs one job at a time.
            Route::Cron => None,
            // Queries get `request_timeout` in the handler once the
            // operation is known; this bounds mutations and slow uploads.
            Route::GraphQl | Route::Interactions => Some(self.settings.mutation_timeout),
            Route::Otlp | Route::Other => Some(self.settings.request_timeout),
        }
    }
}

/// Routes with limits of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    GraphQl,
    /// `POST /v1/interactions`: a mutation's time limit, GraphQL's error shape.
    Interactions,
    Otlp,
    Cron,
    Other,
}

impl Route {
    pub fn of(method: &Method, path: &str) -> Self {
        match path {
            "/graphql" if method == Method::POST => Self::GraphQl,
            "/v1/traces" => Self::Otlp,
            "/v1/interactions" => Self::Interactions,
            _ if path.starts_with("/api/cron/") => Self::Cron,
            _ => Self::Other,
        }
    }
}

/// The body cap and time limit of the request's route. A body declared
/// larger than the cap is refused before it is read; one that turns out
/// larger while read is cut there, and whatever the handler made of the
/// cut body, the answer is 413.
pub async fn enforce(State(limits): State<Arc<Limits>>, request: Request, next: Next) -> Response {
    let route = Route::of(request.method(), request.uri().path());
    let multipart = body::is_multipart(request.headers());
    let (request, overflow) = match limits.body_cap(route, multipart) {
        Some(cap) => match body::cap(request, cap) {
            Ok((request, overflow)) => (request, Some((overflow, cap))),
            Err(refusal) => return refusal.into_response_for(route),
        },
        None => (request, None),
    };
    let response = match limits.time_limit(route) {
        Some(limit) => match tokio::time::timeout(limit, next.run(request)).await {
            Ok(response) => response,
            Err(_) => return Refusal::Timeout(limit).into_response_for(route),
        },
        None => next.run(request).await,
    };
    match overflow {
        Some((overflow, cap)) if overflow.hit() => Refusal::TooLarge(cap).into_response_for(route),
        _ => response,
    }
}
