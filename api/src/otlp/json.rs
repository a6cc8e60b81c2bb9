//! OTLP/JSON, decoded into the protobuf types. The protobuf JSON mapping
//! as OTLP pins it: lowerCamelCase keys, trace and span ids as hex,
//! enums as integers, 64-bit integers as numbers or decimal strings,
//! doubles as numbers or `"NaN"`/`"Infinity"`, bytes as base64; a missing
//! or `null` field is its default and unknown fields are ignored.
//!
//! The `with-serde` feature of `opentelemetry-proto` is not used: it
//! refuses valid OTLP/JSON (`{"arrayValue": {}}`, `null` fields, `"NaN"`
//! doubles). Events and links are not read by the ledger and not decoded.
use base64::Engine;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{
    AnyValue, ArrayValue, InstrumentationScope, KeyValue, KeyValueList, any_value,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, Status};
use serde_json::{Map, Value};

/// Where in the document a value was refused, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {problem}")]
pub struct JsonError {
    pub path: String,
    pub problem: String,
}

type Result<T> = std::result::Result<T, JsonError>;

fn problem(path: &str, problem: impl Into<String>) -> JsonError {
    JsonError {
        path: path.into(),
        problem: problem.into(),
    }
}

pub fn decode(bytes: &[u8]) -> Result<ExportTraceServiceRequest> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| problem("$", e.to_string()))?;
    let root = object(&value, "$")?.ok_or_else(|| problem("$", "expected an object"))?;
    Ok(ExportTraceServiceRequest {
        resource_spans: list(root, "resourceSpans", "$", resource_spans)?,
    })
}

fn resource_spans(value: &Value, path: &str) -> Result<ResourceSpans> {
    let Some(o) = object(value, path)? else {
        return Ok(ResourceSpans::default());
    };
    let resource = match object_field(o, "resource", path)? {
        Some((r, at)) => Some(Resource {
            attributes: list(r, "attributes", &at, key_value)?,
            dropped_attributes_count: uint32(r, "droppedAttributesCount", &at)?,
            ..Resource::default()
        }),
        None => None,
    };
    Ok(ResourceSpans {
        resource,
        scope_spans: list(o, "scopeSpans", path, scope_spans)?,
        schema_url: string(o, "schemaUrl", path)?,
    })
}

fn scope_spans(value: &Value, path: &str) -> Result<ScopeSpans> {
    let Some(o) = object(value, path)? else {
        return Ok(ScopeSpans::default());
    };
    let scope = match object_field(o, "scope", path)? {
        Some((s, at)) => Some(InstrumentationScope {
            name: string(s, "name", &at)?,
            version: string(s, "version", &at)?,
            attributes: list(s, "attributes", &at, key_value)?,
            dropped_attributes_count: uint32(s, "droppedAttributesCount", &at)?,
        }),
        None => None,
    };
    Ok(ScopeSpans {
        scope,
        spans: list(o, "spans", path, span)?,
        schema_url: string(o, "schemaUrl", path)?,
    })
}

fn span(value: &Value, path: &str) -> Result<Span> {
    let Some(o) = object(value, path)? else {
        return Ok(Span::default());
    };
    let status = match object_field(o, "status", path)? {
        Some((s, at)) => Some(Status {
            message: string(s, "message", &at)?,
            code: int32(s, "code", &at)?,
        }),
        None => None,
    };
    Ok(Span {
        trace_id: hex_id(o, "traceId", path)?,
        span_id: hex_id(o, "spanId", path)?,
        trace_state: string(o, "traceState", path)?,
        parent_span_id: hex_id(o, "parentSpanId", path)?,
        flags: uint32(o, "flags", path)?,
        name: string(o, "name", path)?,
        kind: int32(o, "kind", path)?,
        start_time_unix_nano: uint64(o, "startTimeUnixNano", path)?,
        end_time_unix_nano: uint64(o, "endTimeUnixNano", path)?,
        attributes: list(o, "attributes", path, key_value)?,
        dropped_attributes_count: uint32(o, "droppedAttributesCount", path)?,
        status,
        ..Span::default()
    })
}

fn key_value(value: &Value, path: &str) -> Result<KeyValue> {
    let Some(o) = object(value, path)? else {
        return Ok(KeyValue::default());
    };
    let value = match field(o, "value") {
        Some(v) => Some(any_value(v, &format!("{path}.value"))?),
        None => None,
    };
    Ok(KeyValue {
        key: string(o, "key", path)?,
        value,
        ..KeyValue::default()
    })
}

fn any_value(value: &Value, path: &str) -> Result<AnyValue> {
    use any_value::Value as V;
    let Some(o) = object(value, path)? else {
        return Ok(AnyValue { value: None });
    };
    let at = |key: &str| format!("{path}.{key}");
    let value = if let Some(v) = field(o, "stringValue") {
        Some(V::StringValue(as_str(v, &at("stringValue"))?.to_owned()))
    } else if let Some(v) = field(o, "boolValue") {
        let b = v
            .as_bool()
            .ok_or_else(|| problem(&at("boolValue"), "expected true or false"))?;
        Some(V::BoolValue(b))
    } else if let Some(v) = field(o, "intValue") {
        Some(V::IntValue(integer(v, &at("intValue"))?))
    } else if let Some(v) = field(o, "doubleValue") {
        Some(V::DoubleValue(double(v, &at("doubleValue"))?))
    } else if let Some((a, p)) = object_field(o, "arrayValue", path)? {
        Some(V::ArrayValue(ArrayValue {
            values: list(a, "values", &p, any_value)?,
        }))
    } else if let Some((l, p)) = object_field(o, "kvlistValue", path)? {
        Some(V::KvlistValue(KeyValueList {
            values: list(l, "values", &p, key_value)?,
        }))
    } else if let Some(v) = field(o, "bytesValue") {
        Some(V::BytesValue(base64(v, &at("bytesValue"))?))
    } else {
        None
    };
    Ok(AnyValue { value })
}

// ---- field readers: a missing or null field is the type's default ----

fn field<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    o.get(key).filter(|v| !v.is_null())
}

fn object<'a>(value: &'a Value, path: &str) -> Result<Option<&'a Map<String, Value>>> {
    match value {
        Value::Null => Ok(None),
        Value::Object(o) => Ok(Some(o)),
        _ => Err(problem(path, "expected an object")),
    }
}

/// A nested message and its path.
fn object_field<'a>(
    o: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<(&'a Map<String, Value>, String)>> {
    let at = format!("{path}.{key}");
    match field(o, key) {
        None => Ok(None),
        Some(v) => Ok(object(v, &at)?.map(|inner| (inner, at))),
    }
}

fn list<T>(
    o: &Map<String, Value>,
    key: &str,
    path: &str,
    each: fn(&Value, &str) -> Result<T>,
) -> Result<Vec<T>> {
    let at = format!("{path}.{key}");
    match field(o, key) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| each(item, &format!("{at}[{i}]")))
            .collect(),
        Some(_) => Err(problem(&at, "expected an array")),
    }
}

fn as_str<'a>(value: &'a Value, path: &str) -> Result<&'a str> {
    value
        .as_str()
        .ok_or_else(|| problem(path, "expected a string"))
}

fn string(o: &Map<String, Value>, key: &str, path: &str) -> Result<String> {
    field(o, key).map_or(Ok(String::new()), |v| {
        as_str(v, &format!("{path}.{key}")).map(str::to_owned)
    })
}

/// Trace and span ids: hex (either case), empty for none.
fn hex_id(o: &Map<String, Value>, key: &str, path: &str) -> Result<Vec<u8>> {
    let at = format!("{path}.{key}");
    match field(o, key) {
        None => Ok(Vec::new()),
        Some(v) => hex::decode(as_str(v, &at)?).map_err(|_| {
            problem(
                &at,
                "expected a hex-encoded id (OTLP/JSON ids are hex, not base64)",
            )
        }),
    }
}

/// A 64-bit integer: a JSON number or a decimal string.
fn integer(value: &Value, path: &str) -> Result<i64> {
    let parsed = match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    parsed.ok_or_else(|| {
        problem(
            path,
            "expected a 64-bit integer (a number or a decimal string)",
        )
    })
}

fn uint64(o: &Map<String, Value>, key: &str, path: &str) -> Result<u64> {
    let at = format!("{path}.{key}");
    let Some(value) = field(o, key) else {
        return Ok(0);
    };
    let parsed = match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    parsed.ok_or_else(|| problem(&at, "expected an unsigned 64-bit integer"))
}

fn uint32(o: &Map<String, Value>, key: &str, path: &str) -> Result<u32> {
    let at = format!("{path}.{key}");
    let Some(value) = field(o, key) else {
        return Ok(0);
    };
    u32::try_from(integer(value, &at)?)
        .map_err(|_| problem(&at, "expected an unsigned 32-bit integer"))
}

/// 32-bit integers and enums: OTLP/JSON sends enums as their numbers.
fn int32(o: &Map<String, Value>, key: &str, path: &str) -> Result<i32> {
    let at = format!("{path}.{key}");
    let Some(value) = field(o, key) else {
        return Ok(0);
    };
    if value.as_str().is_some_and(|s| s.parse::<i64>().is_err()) {
        return Err(problem(
            &at,
            "enum values are integers in OTLP/JSON, not names",
        ));
    }
    i32::try_from(integer(value, &at)?).map_err(|_| problem(&at, "expected a 32-bit integer"))
}

fn double(value: &Value, path: &str) -> Result<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => match s.as_str() {
            "NaN" => Some(f64::NAN),
            "Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            other => other.trim().parse().ok(),
        },
        _ => None,
    }
    .ok_or_else(|| problem(path, "expected a number"))
}

/// Standard or URL-safe base64, padded or not.
fn base64(value: &Value, path: &str) -> Result<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let text = as_str(value, path)?;
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(text).ok())
        .ok_or_else(|| problem(path, "expected base64"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use any_value::Value as V;

    fn attribute(span: &Span, key: &str) -> Option<V> {
        span.attributes
            .iter()
            .find(|kv| kv.key == key)
            .and_then(|kv| kv.value.clone())
            .and_then(|v| v.value)
    }

    #[test]
    fn decodes_the_specification_example() {
        let body = br#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"my.service"}}]},
          "scopeSpans":[{"scope":{"name":"my.library","version":"1.0.0"},
          "spans":[{"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174","parentSpanId":"EEE19B7EC3C1B173",
            "name":"I'm a server span","startTimeUnixNano":"1544712660000000000","endTimeUnixNano":1544712661000000000,"kind":2,
            "attributes":[{"key":"my.span.attr","value":{"stringValue":"some value"}},
              {"key":"n","value":{"intValue":"42"}},{"key":"m","value":{"intValue":7}},
              {"key":"d","value":{"doubleValue":"NaN"}},{"key":"b","value":{"boolValue":true}},
              {"key":"a","value":{"arrayValue":{}}},{"key":"k","value":{"kvlistValue":{"values":[{"key":"x","value":{"stringValue":"y"}}]}}},
              {"key":"raw","value":{"bytesValue":"aGk="}},{"key":"empty","value":{}},{"key":"nothing","value":null}],
            "status":{"code":2,"message":"boom"},"unknownField":{"ignored":true}}]}]}]}"#;
        let request = decode(body).expect("valid OTLP/JSON");
        let resource = &request.resource_spans[0];
        assert_eq!(
            resource.resource.as_ref().expect("resource").attributes[0].key,
            "service.name"
        );
        let span = &resource.scope_spans[0].spans[0];
        assert_eq!(
            hex::encode(&span.trace_id),
            "5b8efff798038103d269b633813fc60c"
        );
        assert_eq!(span.span_id.len(), 8);
        assert_eq!(span.kind, 2);
        assert_eq!(span.start_time_unix_nano, 1_544_712_660_000_000_000);
        assert_eq!(span.end_time_unix_nano, 1_544_712_661_000_000_000);
        assert_eq!(attribute(span, "n"), Some(V::IntValue(42)));
        assert_eq!(attribute(span, "m"), Some(V::IntValue(7)));
        assert!(matches!(attribute(span, "d"), Some(V::DoubleValue(d)) if d.is_nan()));
        assert_eq!(attribute(span, "b"), Some(V::BoolValue(true)));
        assert_eq!(
            attribute(span, "a"),
            Some(V::ArrayValue(ArrayValue::default()))
        );
        assert!(matches!(attribute(span, "k"), Some(V::KvlistValue(l)) if l.values.len() == 1));
        assert_eq!(attribute(span, "raw"), Some(V::BytesValue(b"hi".to_vec())));
        assert_eq!(attribute(span, "empty"), None);
        assert_eq!(span.status.as_ref().map(|s| s.code), Some(2));
    }

    #[test]
    fn refusals_name_the_place() {
        for (body, path) in [
            (
                r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"AAECAwQFBgcICQoLDA0ODw=="}]}]}]}"#,
                "$.resourceSpans[0].scopeSpans[0].spans[0].traceId",
            ),
            (
                r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"kind":"SPAN_KIND_SERVER"}]}]}]}"#,
                "$.resourceSpans[0].scopeSpans[0].spans[0].kind",
            ),
            (
                r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"n","value":{"intValue":"x"}}]}]}]}]}"#,
                "$.resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.intValue",
            ),
            (r#"{"resourceSpans":{}}"#, "$.resourceSpans"),
        ] {
            let error = decode(body.as_bytes()).expect_err(body);
            assert_eq!(error.path, path, "{error}");
        }
        assert!(decode(b"not json").is_err());
        assert!(decode(b"[]").is_err());
        assert_eq!(decode(b"{}").expect("empty").resource_spans.len(), 0);
    }
}
