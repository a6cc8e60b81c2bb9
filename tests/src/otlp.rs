//! OTLP trace export requests as exporters build them, for the tests and
//! the bench: spans with attributes, encoded as protobuf (prost) or as
//! OTLP/JSON (written here, independently of the server's decoder: hex
//! ids, enums as integers, 64-bit integers as strings), sent plain or
//! gzip-compressed to `POST /v1/traces`.
use std::io::Write;

use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value::Value as V};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, Status};
use prost::Message;
use serde_json::{Value, json};

pub const PROTOBUF: &str = "application/x-protobuf";
pub const JSON: &str = "application/json";

/// An attribute value.
#[derive(Debug, Clone)]
pub enum Attr {
    S(&'static str),
    Owned(String),
    I(i64),
    D(f64),
    B(bool),
}

pub fn kv(key: &str, value: Attr) -> KeyValue {
    let value = match value {
        Attr::S(s) => V::StringValue(s.to_owned()),
        Attr::Owned(s) => V::StringValue(s),
        Attr::I(n) => V::IntValue(n),
        Attr::D(d) => V::DoubleValue(d),
        Attr::B(b) => V::BoolValue(b),
    };
    KeyValue {
        key: key.to_owned(),
        value: Some(AnyValue { value: Some(value) }),
        ..KeyValue::default()
    }
}

/// Attributes from `(key, value)` pairs.
pub fn attrs(pairs: &[(&str, Attr)]) -> Vec<KeyValue> {
    pairs.iter().map(|(k, v)| kv(k, v.clone())).collect()
}

/// A span of trace `trace` with id `id`, starting at `start_ns` and
/// lasting 1.5 s.
pub fn span(trace: u8, id: u64, start_ns: u64, attributes: Vec<KeyValue>) -> Span {
    Span {
        trace_id: vec![trace; 16],
        span_id: (id + 1).to_be_bytes().to_vec(),
        name: format!("chat {id}"),
        kind: 3, // CLIENT
        start_time_unix_nano: start_ns,
        end_time_unix_nano: start_ns + 1_500_000_000,
        attributes,
        ..Span::default()
    }
}

/// Marks a span failed, as instrumentations do on an API error.
pub fn failed(mut span: Span, message: &str) -> Span {
    span.status = Some(Status {
        code: 2,
        message: message.to_owned(),
    });
    span
}

/// One resource (with `service.name` and `extra`) holding `spans`.
pub fn request(service: &str, extra: Vec<KeyValue>, spans: Vec<Span>) -> ExportTraceServiceRequest {
    let mut attributes = vec![kv("service.name", Attr::Owned(service.to_owned()))];
    attributes.extend(extra);
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: Some(Resource {
                attributes,
                ..Resource::default()
            }),
            scope_spans: vec![ScopeSpans {
                spans,
                ..ScopeSpans::default()
            }],
            ..ResourceSpans::default()
        }],
    }
}

/// Nanoseconds since the epoch of an RFC 3339 time.
pub fn nanos(rfc3339: &str) -> u64 {
    let at: chrono::DateTime<chrono::Utc> = rfc3339.parse().expect("time");
    u64::try_from(at.timestamp_nanos_opt().expect("in range")).expect("after 1970")
}

pub fn protobuf(request: &ExportTraceServiceRequest) -> Vec<u8> {
    request.encode_to_vec()
}

/// OTLP/JSON, as the specification writes it.
pub fn json(request: &ExportTraceServiceRequest) -> Vec<u8> {
    let resource_spans: Vec<Value> = request
        .resource_spans
        .iter()
        .map(|rs| {
            json!({
                "resource": {"attributes": rs.resource.as_ref().map(|r| json_attrs(&r.attributes)).unwrap_or_default()},
                "scopeSpans": rs.scope_spans.iter().map(|ss| json!({
                    "scope": {"name": "e2e", "version": "1.0.0"},
                    "spans": ss.spans.iter().map(json_span).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({ "resourceSpans": resource_spans })
        .to_string()
        .into_bytes()
}

fn json_span(span: &Span) -> Value {
    let mut out = json!({
        // Upper case: hex ids are case-insensitive.
        "traceId": hex::encode_upper(&span.trace_id),
        "spanId": hex::encode(&span.span_id),
        "name": span.name,
        "kind": span.kind,
        "startTimeUnixNano": span.start_time_unix_nano.to_string(),
        "endTimeUnixNano": span.end_time_unix_nano.to_string(),
        "attributes": json_attrs(&span.attributes),
    });
    if let Some(status) = &span.status {
        out["status"] = json!({"code": status.code, "message": status.message});
    }
    out
}

fn json_attrs(list: &[KeyValue]) -> Value {
    list.iter()
        .map(|kv| {
            let value = match kv.value.as_ref().and_then(|v| v.value.as_ref()) {
                Some(V::StringValue(s)) => json!({"stringValue": s}),
                Some(V::IntValue(n)) => json!({"intValue": n.to_string()}),
                Some(V::DoubleValue(d)) => json!({"doubleValue": d}),
                Some(V::BoolValue(b)) => json!({"boolValue": b}),
                other => panic!("no JSON for {other:?} in these tests"),
            };
            json!({"key": kv.key, "value": value})
        })
        .collect()
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).expect("gzip");
    encoder.finish().expect("gzip")
}

/// One export: `content_type`, optionally gzip, with `bearer` if given.
pub async fn post(
    client: &reqwest::Client,
    url: &str,
    bearer: Option<&str>,
    content_type: &str,
    body: Vec<u8>,
    gzipped: bool,
) -> reqwest::Response {
    let mut request = client
        .post(url)
        .header("content-type", content_type)
        .body(body);
    if gzipped {
        request = request.header("content-encoding", "gzip");
    }
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("export request")
}

/// A protobuf success body.
pub fn decode_response(bytes: &[u8]) -> ExportTraceServiceResponse {
    ExportTraceServiceResponse::decode(bytes).expect("ExportTraceServiceResponse")
}

/// An `x-cognitrack-spans-*` count.
pub fn count(response: &reqwest::Response, what: &str) -> u64 {
    response
        .headers()
        .get(format!("x-cognitrack-spans-{what}"))
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no x-cognitrack-spans-{what} header"))
}
