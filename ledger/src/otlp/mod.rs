//! OpenTelemetry traces to the ledger. An exported batch of spans is read
//! span by span: a model call (in any of the [`Dialect`]s) becomes one CHAT
//! interaction in the session of its conversation (or trace), priced like
//! any tracked interaction; other spans are counted and dropped; a model
//! call whose tokens or model cannot be read is counted under a
//! [`Reason`] and never stored at $0.
//!
//! The mapping ([`map_request`]) is pure; [`ingest`] maps and stores the
//! batch in one transaction (`tracking::traced`).
pub mod attributes;
pub mod dialect;
mod span;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use serde_json::{Map, Value};

pub use attributes::Attrs;
pub use dialect::{CallKind, Dialect};

use crate::pricing::PriceBook;
use crate::tracking::traced::{self, SessionRef, TracedInteraction};
use crate::tracking::{InteractionKind, NewInteraction};

/// Attributes naming the session, on the span or any span of its trace.
pub const SESSION_ATTRIBUTES: &[&str] = &[
    "gen_ai.conversation.id",
    "session.id",
    "traceloop.association.properties.session_id",
];
/// The default attributes naming the user (span, trace, then resource).
pub const DEFAULT_USER_ATTRIBUTES: &str =
    "user.id,enduser.id,traceloop.association.properties.user_id,gen_ai.user";
/// The default attributes naming the provider project (for attribution).
pub const DEFAULT_PROJECT_ATTRIBUTES: &str = "cognitrack.project_id,openai.project.id";
/// The default attributes naming the provider API key (for attribution).
pub const DEFAULT_API_KEY_ATTRIBUTES: &str = "cognitrack.api_key_id,openai.api_key.id";
/// The default resource attributes kept as metadata beside `service.name`.
pub const DEFAULT_METADATA_ATTRIBUTES: &str =
    "service.version,deployment.environment.name,deployment.environment";
/// The user of a model call that names none.
pub const ANONYMOUS_USER: &str = "anonymous";

/// Which attributes carry what; each list is tried in order.
#[derive(Debug, Clone)]
pub struct MappingConfig {
    pub user_attributes: Vec<String>,
    pub project_attributes: Vec<String>,
    pub api_key_attributes: Vec<String>,
    /// Resource attributes stored as interaction metadata (besides
    /// `service.name`, always kept).
    pub metadata_attributes: Vec<String>,
}

impl Default for MappingConfig {
    fn default() -> Self {
        Self {
            user_attributes: list(DEFAULT_USER_ATTRIBUTES),
            project_attributes: list(DEFAULT_PROJECT_ATTRIBUTES),
            api_key_attributes: list(DEFAULT_API_KEY_ATTRIBUTES),
            metadata_attributes: list(DEFAULT_METADATA_ATTRIBUTES),
        }
    }
}

/// A comma-separated list of attribute names, blanks dropped.
pub fn list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Why a model-call span was not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// No input or output token count to be read.
    MissingTokens,
    /// A token count that is not a whole, non-negative number, or counts
    /// that contradict their total.
    InvalidTokens,
    /// Neither a request nor a response model.
    MissingModel,
    /// A trace id that is not 16 bytes or a span id that is not 8.
    InvalidIds,
    /// The ledger refused the interaction (a value over a length limit…).
    Refused,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MissingTokens => "missing_token_counts",
            Self::InvalidTokens => "invalid_token_counts",
            Self::MissingModel => "missing_model",
            Self::InvalidIds => "invalid_span_id",
            Self::Refused => "refused",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Self::MissingTokens => "model-call spans without input and output token counts",
            Self::InvalidTokens => "model-call spans whose token counts are not whole numbers",
            Self::MissingModel => "model-call spans that name no model",
            Self::InvalidIds => "model-call spans without a valid trace and span id",
            Self::Refused => "model-call spans the ledger refused",
        }
    }
}

/// Token counts as the ledger stores them: `input` is all input, cache
/// reads and writes included.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tokens {
    pub input: i64,
    pub output: i64,
    pub cache_read: i64,
    pub cache_write: i64,
}

/// A model-call span, read: what the ledger stores for it.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelCall {
    pub trace_id: String,
    pub span_id: String,
    pub dialect: Dialect,
    pub started_at: Option<DateTime<Utc>>,
    pub duration_ms: Option<i64>,
    pub failed: bool,
    pub provider: String,
    pub request_model: Option<String>,
    pub response_model: Option<String>,
    pub tokens: Tokens,
    pub service_tier: Option<String>,
    /// The session's external id: the conversation id, else the trace id.
    pub session: String,
    pub user: String,
    pub project_id: Option<String>,
    pub api_key_id: Option<String>,
    pub metadata: Map<String, Value>,
}

impl ModelCall {
    /// The same span exported twice is stored once.
    pub fn idempotency_key(&self) -> String {
        format!("otlp:{}:{}", self.trace_id, self.span_id)
    }

    /// The priced model is the response's, when the span names it.
    pub fn model(&self) -> Option<&str> {
        self.response_model
            .as_deref()
            .or(self.request_model.as_deref())
    }

    pub fn into_traced(self) -> TracedInteraction {
        let interaction = NewInteraction {
            session_id: String::new(),
            kind: InteractionKind::Chat,
            occurred_at: self.started_at,
            duration_ms: self.duration_ms,
            status: Some(if self.failed { "failed" } else { "ok" }.to_owned()),
            provider: Some(self.provider.clone()).filter(|p| !p.is_empty()),
            model: self.model().map(str::to_owned),
            project_id: self.project_id.clone(),
            api_key_id: self.api_key_id.clone(),
            service_tier: self.service_tier.clone(),
            batch: None,
            input_tokens: Some(self.tokens.input),
            cached_input_tokens: Some(self.tokens.cache_read),
            cache_write_tokens: Some(self.tokens.cache_write),
            output_tokens: Some(self.tokens.output),
            db_ops: None,
            api_calls: None,
            compute_ms: None,
            cost_usd: None,
            idempotency_key: Some(self.idempotency_key()),
            metadata: Some(Value::Object(self.metadata)),
        };
        TracedInteraction {
            session: SessionRef {
                external_id: self.session,
                user_id: self.user,
                started_at: self.started_at,
            },
            interaction,
        }
    }
}

/// A batch, read.
#[derive(Debug, Default)]
pub struct Mapped {
    pub spans: u64,
    pub calls: Vec<ModelCall>,
    /// Spans that are not model calls.
    pub ignored: u64,
    pub rejected: BTreeMap<Reason, u64>,
}

/// Session and user named anywhere in a trace (of this batch).
#[derive(Debug, Default)]
struct TraceFacts {
    session: Option<String>,
    user: Option<String>,
}

/// What reading a span needs from around it: its resource, its trace, the
/// configuration.
pub struct SpanContext<'a> {
    config: &'a MappingConfig,
    resource: Attrs<'a>,
    resource_metadata: Map<String, Value>,
    traces: &'a HashMap<&'a [u8], TraceFacts>,
}

impl<'a> SpanContext<'a> {
    fn new(
        config: &'a MappingConfig,
        resource: Attrs<'a>,
        traces: &'a HashMap<&'a [u8], TraceFacts>,
    ) -> Self {
        let mut resource_metadata = Map::new();
        let kept = std::iter::once("service.name")
            .chain(config.metadata_attributes.iter().map(String::as_str));
        for key in kept {
            if let Some(value) = resource.text(key) {
                resource_metadata.insert(key.to_owned(), Value::String(clip(value)));
            }
        }
        Self {
            config,
            resource,
            resource_metadata,
            traces,
        }
    }

    fn trace(&self, trace_id: &[u8]) -> Option<&TraceFacts> {
        self.traces.get(trace_id)
    }

    /// The first of `keys` on the span, else on the resource.
    fn first(&self, attrs: &Attrs<'_>, keys: &[String]) -> Option<String> {
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        attrs
            .first_text(&keys)
            .or_else(|| self.resource.first_text(&keys))
    }

    fn session(&self, attrs: &Attrs<'_>, trace: Option<&TraceFacts>, trace_id: &str) -> String {
        attrs
            .first_text(SESSION_ATTRIBUTES)
            .or_else(|| trace.and_then(|t| t.session.clone()))
            .or_else(|| self.resource.first_text(SESSION_ATTRIBUTES))
            .unwrap_or_else(|| trace_id.to_owned())
    }

    fn user(&self, attrs: &Attrs<'_>, trace: Option<&TraceFacts>) -> String {
        let keys: Vec<&str> = self
            .config
            .user_attributes
            .iter()
            .map(String::as_str)
            .collect();
        attrs
            .first_text(&keys)
            .or_else(|| trace.and_then(|t| t.user.clone()))
            .or_else(|| self.resource.first_text(&keys))
            .unwrap_or_else(|| ANONYMOUS_USER.to_owned())
    }
}

/// Reads every span of an export request.
pub fn map_request(request: &ExportTraceServiceRequest, config: &MappingConfig) -> Mapped {
    let traces = trace_facts(request, config);
    let mut mapped = Mapped::default();
    for resource_spans in &request.resource_spans {
        let resource = resource_spans
            .resource
            .as_ref()
            .map_or(&[][..], |r| &r.attributes[..]);
        let ctx = SpanContext::new(config, Attrs(resource), &traces);
        for span in resource_spans.scope_spans.iter().flat_map(|s| &s.spans) {
            mapped.spans += 1;
            match span::read(span, &ctx) {
                span::Read::Call(call) => mapped.calls.push(*call),
                span::Read::NotACall => mapped.ignored += 1,
                span::Read::Rejected(reason) => *mapped.rejected.entry(reason).or_default() += 1,
            }
        }
    }
    mapped
}

/// The first session and user named by any span of each trace: a model
/// call inherits them from the agent or workflow span around it.
fn trace_facts<'a>(
    request: &'a ExportTraceServiceRequest,
    config: &MappingConfig,
) -> HashMap<&'a [u8], TraceFacts> {
    let users: Vec<&str> = config.user_attributes.iter().map(String::as_str).collect();
    let mut traces: HashMap<&[u8], TraceFacts> = HashMap::new();
    let spans = request
        .resource_spans
        .iter()
        .flat_map(|r| &r.scope_spans)
        .flat_map(|s| &s.spans);
    for span in spans {
        let attrs = Attrs(&span.attributes);
        let facts = traces.entry(&span.trace_id[..]).or_default();
        if facts.session.is_none() {
            facts.session = attrs.first_text(SESSION_ATTRIBUTES);
        }
        if facts.user.is_none() {
            facts.user = attrs.first_text(&users);
        }
    }
    traces
}

/// Metadata text is kept to the ledger's text limit, without the control
/// characters metadata refuses (all but tab, newline and carriage return).
fn clip(text: String) -> String {
    let mut text: String = text
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let limit = crate::text::MAX_TEXT_BYTES;
    if text.len() > limit {
        let mut end = limit;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// What became of an export request.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct IngestReport {
    pub spans: u64,
    /// Model calls stored now.
    pub stored: u64,
    /// Model calls stored before (a retried export).
    pub duplicates: u64,
    /// Spans that are not model calls.
    pub ignored: u64,
    pub rejected: BTreeMap<Reason, u64>,
    /// The ledger's first refusal, when it refused any.
    pub refusal: Option<String>,
}

impl IngestReport {
    pub fn rejected_spans(&self) -> u64 {
        self.rejected.values().sum()
    }

    /// For OTLP's `partial_success.error_message`: empty when nothing was
    /// rejected.
    pub fn message(&self) -> String {
        if self.rejected.is_empty() {
            return String::new();
        }
        let reasons: Vec<String> = self
            .rejected
            .iter()
            .map(|(reason, n)| {
                let detail = match (reason, &self.refusal) {
                    (Reason::Refused, Some(why)) => format!(" (first: {why})"),
                    _ => String::new(),
                };
                format!("{n} {} [{}]{detail}", reason.describe(), reason.as_str())
            })
            .collect();
        format!(
            "{} of {} spans rejected: {}; {} spans that are not model calls ignored; nothing is stored for rejected spans",
            self.rejected_spans(),
            self.spans,
            reasons.join("; "),
            self.ignored
        )
    }
}

/// Maps an export request and stores its model calls in one transaction.
pub async fn ingest(
    db: &sea_orm::DatabaseConnection,
    book: &PriceBook,
    ingest_key_id: i64,
    request: &ExportTraceServiceRequest,
    config: &MappingConfig,
) -> crate::Result<IngestReport> {
    let mapped = map_request(request, config);
    let mut report = IngestReport {
        spans: mapped.spans,
        ignored: mapped.ignored,
        rejected: mapped.rejected,
        ..IngestReport::default()
    };
    let items = mapped
        .calls
        .into_iter()
        .map(ModelCall::into_traced)
        .collect();
    let outcome = traced::record(db, book, ingest_key_id, items).await?;
    report.stored = outcome.stored;
    report.duplicates = outcome.duplicates;
    if !outcome.refused.is_empty() {
        *report.rejected.entry(Reason::Refused).or_default() += outcome.refused.len() as u64;
        report.refusal = outcome.refused.into_iter().next();
    }
    Ok(report)
}

#[cfg(test)]
mod tests;
