//! One span read into a model call, or the reason it cannot be one.
use chrono::{DateTime, Utc};
use opentelemetry_proto::tonic::trace::v1::{Span, status::StatusCode};
use serde_json::{Map, Value};

use super::attributes::{Attrs, Count};
use super::dialect::{CallKind, Dialect, Keys, canonical_provider};
use super::{ModelCall, Reason, SpanContext, Tokens};

/// What became of one span.
#[derive(Debug)]
pub enum Read {
    Call(Box<ModelCall>),
    /// Not a model call: counted and dropped.
    NotACall,
    /// A model call that cannot be stored as it is.
    Rejected(Reason),
}

pub fn read(span: &Span, ctx: &SpanContext<'_>) -> Read {
    let attrs = Attrs(&span.attributes);
    let Some(dialect) = Dialect::detect(&attrs) else {
        return Read::NotACall;
    };
    let Some(kind) = dialect.call_kind(&attrs) else {
        return Read::NotACall;
    };
    match read_call(span, &attrs, dialect, kind, ctx) {
        Ok(call) => Read::Call(Box::new(call)),
        Err(reason) => Read::Rejected(reason),
    }
}

fn read_call(
    span: &Span,
    attrs: &Attrs<'_>,
    dialect: Dialect,
    kind: CallKind,
    ctx: &SpanContext<'_>,
) -> Result<ModelCall, Reason> {
    let (trace_id, span_id) = ids(span)?;
    let keys = dialect.keys();
    let tokens = tokens(keys, attrs, kind)?;
    let request_model = attrs
        .first_text(keys.request_model)
        .or_else(|| invocation_model(attrs));
    let response_model = attrs.first_text(keys.response_model);
    if request_model.is_none() && response_model.is_none() {
        return Err(Reason::MissingModel);
    }
    let (started_at, duration_ms) = timing(span);
    let failed = span
        .status
        .as_ref()
        .is_some_and(|s| s.code == StatusCode::Error as i32);
    let trace = ctx.trace(&span.trace_id);
    let call = ModelCall {
        session: ctx.session(attrs, trace, &trace_id),
        user: ctx.user(attrs, trace),
        project_id: ctx.first(attrs, &ctx.config.project_attributes),
        api_key_id: ctx.first(attrs, &ctx.config.api_key_attributes),
        provider: attrs
            .first_text(keys.provider)
            .map(|p| canonical_provider(&p))
            .unwrap_or_default(),
        service_tier: attrs
            .first_text(keys.service_tier)
            .filter(|tier| tier != "auto"),
        metadata: metadata(span, attrs, dialect, ctx, failed),
        trace_id,
        span_id,
        dialect,
        started_at,
        duration_ms,
        failed,
        request_model,
        response_model,
        tokens,
    };
    Ok(call)
}

/// Trace and span ids as hex; both are needed to store a span once.
fn ids(span: &Span) -> Result<(String, String), Reason> {
    let valid = |id: &[u8], len: usize| id.len() == len && id.iter().any(|b| *b != 0);
    if valid(&span.trace_id, 16) && valid(&span.span_id, 8) {
        Ok((hex::encode(&span.trace_id), hex::encode(&span.span_id)))
    } else {
        Err(Reason::InvalidIds)
    }
}

/// Input, output and cache tokens. Input and output are both needed (an
/// embedding needs input only); a total stands in for one missing side.
/// The conventions count cache reads and writes inside the input; an
/// instrumentation that reports them beside it (Anthropic's shape) has
/// them added.
fn tokens(keys: &Keys, attrs: &Attrs<'_>, kind: CallKind) -> Result<Tokens, Reason> {
    let input = attrs.first_count(keys.input);
    let output = attrs.first_count(keys.output);
    let total = attrs.first_count(keys.total);
    let cache_read = attrs.first_count(keys.cache_read);
    let cache_write = attrs.first_count(keys.cache_write);
    if [input, output, total, cache_read, cache_write].contains(&Count::Invalid) {
        return Err(Reason::InvalidTokens);
    }
    let embedding = kind == CallKind::Embedding;
    let (input, output) = match (input.value(), output.value(), total.value()) {
        (Some(i), Some(o), _) => (i, o),
        (Some(i), None, Some(t)) if t >= i => (i, t - i),
        (None, Some(o), Some(t)) if t >= o => (t - o, o),
        (Some(i), None, None) if embedding => (i, 0),
        (None, None, Some(t)) if embedding => (t, 0),
        (Some(_), None, Some(_)) | (None, Some(_), Some(_)) => {
            return Err(Reason::InvalidTokens);
        }
        _ => return Err(Reason::MissingTokens),
    };
    let cache_read = cache_read.value().unwrap_or(0);
    let cache_write = cache_write.value().unwrap_or(0);
    let cached = cache_read.saturating_add(cache_write);
    let input = if cached > input {
        input.saturating_add(cached)
    } else {
        input
    };
    Ok(Tokens {
        input,
        output,
        cache_read,
        cache_write,
    })
}

/// OpenInference keeps the request's parameters as one JSON string.
fn invocation_model(attrs: &Attrs<'_>) -> Option<String> {
    let params = attrs.text("llm.invocation_parameters")?;
    let parsed: Value = serde_json::from_str(&params).ok()?;
    let model = parsed.get("model")?.as_str()?.trim();
    (!model.is_empty()).then(|| model.to_owned())
}

/// Start time (to the microsecond, as both stores keep it and cursors
/// count) and duration; a span without a start time has neither.
fn timing(span: &Span) -> (Option<DateTime<Utc>>, Option<i64>) {
    let start = i64::try_from(span.start_time_unix_nano).unwrap_or(0);
    if start <= 0 {
        return (None, None);
    }
    let end = i64::try_from(span.end_time_unix_nano).unwrap_or(0);
    let duration = (end >= start).then(|| (end - start) / 1_000_000);
    (DateTime::from_timestamp_micros(start / 1_000), duration)
}

/// What is kept beside the priced columns: the dialect, the resource's
/// service and configured attributes, both models, the operation, the
/// span's ids and name, and why it failed.
fn metadata(
    span: &Span,
    attrs: &Attrs<'_>,
    dialect: Dialect,
    ctx: &SpanContext<'_>,
    failed: bool,
) -> Map<String, Value> {
    let mut out = ctx.resource_metadata.clone();
    out.insert("otlp.dialect".into(), dialect.as_str().into());
    let keys = dialect.keys();
    let mut put = |key: &str, value: Option<String>| {
        if let Some(value) = value {
            out.insert(key.to_owned(), Value::String(super::clip(value)));
        }
    };
    put("gen_ai.operation.name", attrs.first_text(keys.operation));
    put(
        "gen_ai.request.model",
        attrs
            .first_text(keys.request_model)
            .or_else(|| invocation_model(attrs)),
    );
    put(
        "gen_ai.response.model",
        attrs.first_text(keys.response_model),
    );
    put("otlp.trace_id", Some(hex::encode(&span.trace_id)));
    put("otlp.span_id", Some(hex::encode(&span.span_id)));
    put(
        "otlp.span_name",
        Some(span.name.clone()).filter(|n| !n.is_empty()),
    );
    if failed {
        let message = span.status.as_ref().map(|s| s.message.clone());
        put(
            "error.type",
            attrs
                .text("error.type")
                .or(message.filter(|m| !m.is_empty())),
        );
    }
    out
}
