//! The mapping, dialect by dialect.
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::common::v1::any_value::Value as V;
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, Status};

use super::attributes::tests::{i, kv, s};
use super::*;

const TRACE: [u8; 16] = [7; 16];
const START: u64 = 1_764_000_000_000_000_000;

fn span(id: u8, attributes: Vec<KeyValue>) -> Span {
    Span {
        trace_id: TRACE.to_vec(),
        span_id: vec![id; 8],
        name: format!("span {id}"),
        start_time_unix_nano: START,
        end_time_unix_nano: START + 1_500_000_000,
        attributes,
        ..Span::default()
    }
}

fn request(resource: Vec<KeyValue>, spans: Vec<Span>) -> ExportTraceServiceRequest {
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: Some(Resource {
                attributes: resource,
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

fn map(spans: Vec<Span>) -> Mapped {
    map_request(
        &request(vec![s("service.name", "checkout")], spans),
        &MappingConfig::default(),
    )
}

fn one(attributes: Vec<KeyValue>) -> ModelCall {
    let mut mapped = map(vec![span(1, attributes)]);
    assert_eq!(mapped.calls.len(), 1, "{mapped:?}");
    mapped.calls.remove(0)
}

fn rejected(attributes: Vec<KeyValue>) -> Reason {
    let mapped = map(vec![span(1, attributes)]);
    assert!(mapped.calls.is_empty(), "{mapped:?}");
    let reasons: Vec<Reason> = mapped.rejected.keys().copied().collect();
    assert_eq!(reasons.len(), 1, "{mapped:?}");
    reasons[0]
}

#[test]
fn genai_v1_36() {
    let call = one(vec![
        s("gen_ai.system", "openai"),
        s("gen_ai.operation.name", "chat"),
        s("gen_ai.request.model", "gpt-4o-mini"),
        s("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
        i("gen_ai.usage.prompt_tokens", 1200),
        i("gen_ai.usage.completion_tokens", 300),
        s("gen_ai.openai.response.service_tier", "default"),
        s("user.id", "alice"),
    ]);
    assert_eq!(call.dialect, Dialect::GenAi136);
    assert_eq!(call.provider, "openai");
    assert_eq!(call.model(), Some("gpt-4o-mini-2024-07-18"));
    assert_eq!(call.request_model.as_deref(), Some("gpt-4o-mini"));
    assert_eq!(
        call.tokens,
        Tokens {
            input: 1200,
            output: 300,
            ..Tokens::default()
        }
    );
    assert_eq!(call.service_tier.as_deref(), Some("default"));
    assert_eq!(call.user, "alice");
    assert_eq!(
        call.session,
        hex::encode(TRACE),
        "no conversation: the trace"
    );
    assert_eq!(call.duration_ms, Some(1500));
    assert_eq!(call.started_at.map(|t| t.timestamp()), Some(1_764_000_000));
    assert!(!call.failed);
    assert_eq!(call.metadata["service.name"], "checkout");
    assert_eq!(call.metadata["otlp.dialect"], "otel-genai-1.36");
    assert_eq!(
        call.idempotency_key(),
        format!("otlp:{}:{}", hex::encode(TRACE), "0101010101010101")
    );
}

#[test]
fn genai_latest() {
    let call = one(vec![
        s("gen_ai.provider.name", "anthropic"),
        s("gen_ai.operation.name", "chat"),
        s("gen_ai.request.model", "claude-sonnet-4-5"),
        i("gen_ai.usage.input_tokens", 5000),
        i("gen_ai.usage.output_tokens", 800),
        i("gen_ai.usage.cache_read.input_tokens", 3000),
        i("gen_ai.usage.cache_creation.input_tokens", 1000),
        s("gen_ai.conversation.id", "conv-1"),
        s("openai.response.service_tier", "priority"),
    ]);
    assert_eq!(call.dialect, Dialect::GenAiLatest);
    assert_eq!(call.provider, "anthropic");
    assert_eq!(call.model(), Some("claude-sonnet-4-5"), "request model");
    assert_eq!(
        call.tokens,
        Tokens {
            input: 5000,
            output: 800,
            cache_read: 3000,
            cache_write: 1000
        }
    );
    assert_eq!(call.session, "conv-1");
    assert_eq!(call.user, ANONYMOUS_USER);
    assert_eq!(call.service_tier.as_deref(), Some("priority"));
}

#[test]
fn cache_reported_beside_the_input_is_added_to_it() {
    let call = one(vec![
        s("gen_ai.provider.name", "anthropic"),
        s("gen_ai.request.model", "claude-sonnet-4-5"),
        i("gen_ai.usage.input_tokens", 10),
        i("gen_ai.usage.output_tokens", 5),
        i("gen_ai.usage.cache_read.input_tokens", 300),
    ]);
    assert_eq!(call.tokens.input, 310);
    assert_eq!(call.tokens.cache_read, 300);
}

#[test]
fn openllmetry() {
    let call = one(vec![
        s("llm.request.type", "chat"),
        s("gen_ai.system", "OpenAI"),
        s("gen_ai.request.model", "gpt-4o"),
        s("gen_ai.response.model", "gpt-4o-2024-08-06"),
        i("llm.usage.prompt_tokens", 900),
        i("llm.usage.total_tokens", 1000),
        i("gen_ai.usage.cache_read_input_tokens", 100),
        s("traceloop.association.properties.session_id", "s-9"),
        s("traceloop.association.properties.user_id", "bob"),
    ]);
    assert_eq!(call.dialect, Dialect::OpenLlmetry);
    assert_eq!(call.provider, "openai");
    assert_eq!(call.model(), Some("gpt-4o-2024-08-06"));
    assert_eq!(
        call.tokens,
        Tokens {
            input: 900,
            output: 100,
            cache_read: 100,
            cache_write: 0
        },
        "output from the total"
    );
    assert_eq!(call.session, "s-9");
    assert_eq!(call.user, "bob");
}

#[test]
fn openllmetry_workflow_spans_are_not_calls() {
    let mapped = map(vec![span(
        1,
        vec![
            s("traceloop.span.kind", "workflow"),
            i("llm.usage.total_tokens", 1000),
        ],
    )]);
    assert_eq!((mapped.calls.len(), mapped.ignored), (0, 1));
}

#[test]
fn openinference() {
    let call = one(vec![
        s("openinference.span.kind", "LLM"),
        s("llm.provider", "openai"),
        s("llm.system", "openai"),
        s("llm.model_name", "gpt-4o-mini-2024-07-18"),
        s(
            "llm.invocation_parameters",
            r#"{"model": "gpt-4o-mini", "temperature": 0}"#,
        ),
        i("llm.token_count.prompt", 700),
        i("llm.token_count.completion", 70),
        i("llm.token_count.prompt_details.cache_read", 500),
        s("session.id", "sess-42"),
        s("user.id", "carol"),
    ]);
    assert_eq!(call.dialect, Dialect::OpenInference);
    assert_eq!(call.provider, "openai");
    assert_eq!(call.model(), Some("gpt-4o-mini-2024-07-18"));
    assert_eq!(call.request_model.as_deref(), Some("gpt-4o-mini"));
    assert_eq!(
        call.tokens,
        Tokens {
            input: 700,
            output: 70,
            cache_read: 500,
            cache_write: 0
        }
    );
    assert_eq!(call.session, "sess-42");
    assert_eq!(call.user, "carol");
    assert_eq!(call.metadata["otlp.dialect"], "openinference");
}

#[test]
fn openinference_chains_are_not_calls() {
    let mapped = map(vec![span(1, vec![s("openinference.span.kind", "CHAIN")])]);
    assert_eq!((mapped.calls.len(), mapped.ignored), (0, 1));
}

#[test]
fn spans_of_no_dialect_are_ignored_and_counted() {
    let mapped = map(vec![
        span(1, vec![s("http.request.method", "POST")]),
        span(2, vec![]),
        span(3, vec![s("gen_ai.operation.name", "execute_tool")]),
    ]);
    assert_eq!(mapped.spans, 3);
    assert_eq!(mapped.ignored, 3);
    assert!(mapped.calls.is_empty() && mapped.rejected.is_empty());
}

#[test]
fn unreadable_calls_are_rejected_with_a_reason() {
    let base = || {
        vec![
            s("gen_ai.system", "openai"),
            s("gen_ai.operation.name", "chat"),
        ]
    };
    let with = |extra: Vec<KeyValue>| base().into_iter().chain(extra).collect::<Vec<_>>();
    assert_eq!(
        rejected(with(vec![s("gen_ai.request.model", "gpt-4o")])),
        Reason::MissingTokens,
        "a streamed call without usage"
    );
    assert_eq!(
        rejected(with(vec![
            s("gen_ai.request.model", "gpt-4o"),
            i("gen_ai.usage.input_tokens", 10)
        ])),
        Reason::MissingTokens,
        "no output count"
    );
    assert_eq!(
        rejected(with(vec![
            s("gen_ai.request.model", "gpt-4o"),
            s("gen_ai.usage.input_tokens", "ten"),
            i("gen_ai.usage.output_tokens", 1)
        ])),
        Reason::InvalidTokens
    );
    assert_eq!(
        rejected(with(vec![
            s("gen_ai.request.model", "gpt-4o"),
            i("gen_ai.usage.input_tokens", -3),
            i("gen_ai.usage.output_tokens", 1)
        ])),
        Reason::InvalidTokens
    );
    assert_eq!(
        rejected(with(vec![
            i("gen_ai.usage.input_tokens", 10),
            i("gen_ai.usage.output_tokens", 1)
        ])),
        Reason::MissingModel
    );
    let mut bad_ids = span(
        1,
        with(vec![
            s("gen_ai.request.model", "gpt-4o"),
            i("gen_ai.usage.input_tokens", 10),
            i("gen_ai.usage.output_tokens", 1),
        ]),
    );
    bad_ids.span_id = vec![0; 8];
    let mapped = map(vec![bad_ids]);
    assert_eq!(mapped.rejected.get(&Reason::InvalidIds), Some(&1));
}

#[test]
fn embeddings_need_input_only() {
    let call = one(vec![
        s("gen_ai.system", "openai"),
        s("gen_ai.operation.name", "embeddings"),
        s("gen_ai.request.model", "text-embedding-3-small"),
        i("gen_ai.usage.input_tokens", 64),
    ]);
    assert_eq!((call.tokens.input, call.tokens.output), (64, 0));
}

#[test]
fn token_counts_may_be_doubles_or_strings() {
    let call = one(vec![
        s("gen_ai.system", "openai"),
        s("gen_ai.request.model", "gpt-4o"),
        kv("gen_ai.usage.input_tokens", V::DoubleValue(12.0)),
        s("gen_ai.usage.output_tokens", "3"),
    ]);
    assert_eq!((call.tokens.input, call.tokens.output), (12, 3));
}

#[test]
fn error_spans_are_kept_and_marked_failed() {
    let mut failed = span(
        1,
        vec![
            s("gen_ai.system", "openai"),
            s("gen_ai.request.model", "gpt-4o"),
            i("gen_ai.usage.input_tokens", 10),
            i("gen_ai.usage.output_tokens", 0),
            s("error.type", "RateLimitError"),
        ],
    );
    failed.status = Some(Status {
        code: 2,
        message: "429".into(),
    });
    let call = map(vec![failed]).calls.remove(0);
    assert!(call.failed);
    assert_eq!(call.metadata["error.type"], "RateLimitError");
    let traced = call.into_traced();
    assert_eq!(traced.interaction.status.as_deref(), Some("failed"));
}

#[test]
fn session_and_user_come_from_the_trace_then_the_resource() {
    let agent = span(
        1,
        vec![
            s("gen_ai.operation.name", "invoke_agent"),
            s("gen_ai.conversation.id", "conv-7"),
        ],
    );
    let call = span(
        2,
        vec![
            s("gen_ai.system", "openai"),
            s("gen_ai.request.model", "gpt-4o"),
            i("gen_ai.usage.input_tokens", 10),
            i("gen_ai.usage.output_tokens", 2),
        ],
    );
    let resource = vec![
        s("service.name", "support-bot"),
        s("enduser.id", "dave"),
        s("deployment.environment.name", "prod"),
        s("cognitrack.project_id", "proj_1"),
    ];
    let mapped = map_request(
        &request(resource, vec![agent, call]),
        &MappingConfig::default(),
    );
    assert_eq!(mapped.ignored, 1);
    let call = &mapped.calls[0];
    assert_eq!(call.session, "conv-7");
    assert_eq!(call.user, "dave");
    assert_eq!(call.project_id.as_deref(), Some("proj_1"));
    assert_eq!(call.metadata["service.name"], "support-bot");
    assert_eq!(call.metadata["deployment.environment.name"], "prod");
}

#[test]
fn a_configured_user_attribute_is_read_first() {
    let config = MappingConfig {
        user_attributes: list("app.customer, user.id"),
        ..MappingConfig::default()
    };
    let spans = vec![span(
        1,
        vec![
            s("gen_ai.system", "openai"),
            s("gen_ai.request.model", "gpt-4o"),
            i("gen_ai.usage.input_tokens", 1),
            i("gen_ai.usage.output_tokens", 1),
            s("user.id", "u-1"),
            s("app.customer", "acme"),
        ],
    )];
    let mapped = map_request(&request(vec![], spans), &config);
    assert_eq!(mapped.calls[0].user, "acme");
}

#[test]
fn the_report_message_names_each_reason() {
    let report = IngestReport {
        spans: 5,
        stored: 2,
        ignored: 1,
        rejected: [(Reason::MissingTokens, 2)].into_iter().collect(),
        ..IngestReport::default()
    };
    assert_eq!(report.rejected_spans(), 2);
    let message = report.message();
    assert!(message.starts_with("2 of 5 spans rejected"), "{message}");
    assert!(message.contains("missing_token_counts"), "{message}");
    assert!(IngestReport::default().message().is_empty());
}
