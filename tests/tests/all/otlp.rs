//! `POST /v1/traces`: OTLP/HTTP trace export into the ledger, on both
//! stores, through the real router and HTTP.
use api::auth::Role;
use api::otlp::OtlpSettings;
use e2e::app::{AppOptions, Backend, TestApp, TestDb, dec};
use e2e::both_backends;
use e2e::otlp::{
    Attr::{I, S},
    JSON, PROTOBUF, attrs, count, decode_response, failed, gzip, json, nanos, post, protobuf,
    request, span,
};
use ledger::otlp::MappingConfig;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::trace::v1::Span;
use serde_json::{Value, json};

const DAY: &str = "2026-11-20";

/// Everything a viewer can read back of the tracked ledger, interaction ids
/// aside (random per store; session ids are derived from the key and the
/// conversation, so they are compared).
const LEDGER: &str = "query($d: Date!) {
  sessions(first: 100) { nodes { id userId externalId startedAt interactionCount totalCostUsd } }
  interactions(first: 100) { nodes { sessionId kind occurredAt durationMs status provider model projectId apiKeyId serviceTier
      inputTokens cachedInputTokens cacheWriteTokens outputTokens priced aiTokensUsd totalUsd idempotencyKey metadata } }
  dailyStats(from: $d, to: $d) { date usage { interactions inputTokens cachedInputTokens cacheWriteTokens outputTokens aiTokensUsd totalUsd unpricedInteractions } }
}";

fn at(time: &str) -> u64 {
    nanos(&format!("{DAY}T{time}Z"))
}

/// One model call in each dialect, a plain HTTP span and an OpenLLMetry
/// workflow span around a call: 6 spans, 4 model calls.
fn dialect_spans() -> Vec<Span> {
    vec![
        span(
            1,
            1,
            at("10:00:00"),
            attrs(&[
                ("gen_ai.system", S("openai")),
                ("gen_ai.operation.name", S("chat")),
                ("gen_ai.request.model", S("gpt-4o-mini")),
                ("gen_ai.response.model", S("gpt-4o-mini-2024-07-18")),
                ("gen_ai.usage.input_tokens", I(1200)),
                ("gen_ai.usage.output_tokens", I(300)),
                ("gen_ai.openai.response.service_tier", S("default")),
                ("user.id", S("alice")),
                ("cognitrack.project_id", S("proj_a")),
            ]),
        ),
        span(
            2,
            2,
            at("10:01:00"),
            attrs(&[
                ("gen_ai.provider.name", S("anthropic")),
                ("gen_ai.operation.name", S("chat")),
                ("gen_ai.request.model", S("claude-sonnet-4-5")),
                ("gen_ai.usage.input_tokens", I(5000)),
                ("gen_ai.usage.output_tokens", I(800)),
                ("gen_ai.usage.cache_read.input_tokens", I(3000)),
                ("gen_ai.usage.cache_creation.input_tokens", I(1000)),
                ("gen_ai.conversation.id", S("conv-1")),
                ("enduser.id", S("bob")),
            ]),
        ),
        span(
            3,
            3,
            at("10:02:00"),
            attrs(&[
                ("llm.request.type", S("chat")),
                ("gen_ai.system", S("OpenAI")),
                ("gen_ai.request.model", S("gpt-4o")),
                ("gen_ai.response.model", S("gpt-4o-2024-08-06")),
                ("llm.usage.prompt_tokens", I(900)),
                ("llm.usage.total_tokens", I(1000)),
                ("gen_ai.usage.cache_read_input_tokens", I(100)),
                ("traceloop.association.properties.session_id", S("s-9")),
            ]),
        ),
        span(
            3,
            4,
            at("10:01:59"),
            attrs(&[
                ("traceloop.span.kind", S("workflow")),
                ("traceloop.association.properties.user_id", S("carol")),
                ("llm.usage.total_tokens", I(1000)),
            ]),
        ),
        span(
            4,
            5,
            at("10:03:00"),
            attrs(&[
                ("openinference.span.kind", S("LLM")),
                ("llm.provider", S("openai")),
                ("llm.system", S("openai")),
                ("llm.model_name", S("gpt-4o-mini-2024-07-18")),
                (
                    "llm.invocation_parameters",
                    S(r#"{"model": "gpt-4o-mini"}"#),
                ),
                ("llm.token_count.prompt", I(700)),
                ("llm.token_count.completion", I(70)),
                ("llm.token_count.prompt_details.cache_read", I(500)),
                ("session.id", S("sess-42")),
                ("user.id", S("dave")),
            ]),
        ),
        span(
            1,
            6,
            at("09:59:59"),
            attrs(&[("http.request.method", S("POST"))]),
        ),
    ]
}

fn dialect_request() -> ExportTraceServiceRequest {
    request(
        "support-bot",
        attrs(&[("deployment.environment.name", S("prod"))]),
        dialect_spans(),
    )
}

struct Exporter {
    app: TestApp,
    key: String,
    viewer: String,
    client: reqwest::Client,
}

impl Exporter {
    async fn spawn(backend: Backend) -> Self {
        Self::with(backend, OtlpSettings::default()).await
    }

    async fn with(backend: Backend, otlp: OtlpSettings) -> Self {
        let options = AppOptions {
            otlp,
            ..AppOptions::default()
        };
        let app = TestApp::serve(TestDb::fresh(backend).await, options).await;
        let key = app.ingest_key().await;
        let viewer = app.token(Role::Viewer);
        Self {
            app,
            key,
            viewer,
            client: reqwest::Client::new(),
        }
    }

    async fn send(&self, content_type: &str, body: Vec<u8>, gzipped: bool) -> reqwest::Response {
        let url = self.app.url("/v1/traces");
        post(
            &self.client,
            &url,
            Some(&self.key),
            content_type,
            body,
            gzipped,
        )
        .await
    }

    /// Sends and expects a 200.
    async fn export(&self, content_type: &str, body: Vec<u8>) -> reqwest::Response {
        let response = self.send(content_type, body, false).await;
        assert_eq!(response.status(), 200, "{:?}", response.headers());
        response
    }

    async fn ledger(&self) -> Value {
        self.app
            .ok(Some(&self.viewer), LEDGER, json!({"d": DAY}))
            .await
    }

    /// The ledger on the day of `at` (UTC).
    async fn ledger_between(&self, at: std::time::SystemTime) -> Value {
        let day = chrono::DateTime::<chrono::Utc>::from(at).date_naive();
        self.app
            .ok(Some(&self.viewer), LEDGER, json!({"d": day.to_string()}))
            .await
    }

    async fn interactions(&self) -> Vec<Value> {
        self.ledger().await["interactions"]["nodes"]
            .as_array()
            .expect("nodes")
            .clone()
    }

    async fn stop(self) {
        self.app.stop().await;
    }
}

async fn protobuf_and_json_give_identical_ledgers(backend: Backend) {
    let (a, b) = (
        Exporter::spawn(backend).await,
        Exporter::spawn(backend).await,
    );
    let proto = a.export(PROTOBUF, protobuf(&dialect_request())).await;
    assert_eq!(
        proto.headers()["content-type"],
        PROTOBUF,
        "answered in the request's encoding"
    );
    let body = proto.bytes().await.expect("body");
    assert_eq!(decode_response(&body).partial_success, None);
    let answer = b.export(JSON, json(&dialect_request())).await;
    assert_eq!(answer.headers()["content-type"], JSON);
    assert_eq!(
        answer.json::<Value>().await.expect("json"),
        json!({}),
        "full success"
    );

    let (left, right) = (a.ledger().await, b.ledger().await);
    assert_eq!(
        left["interactions"]["nodes"].as_array().map(Vec::len),
        Some(4)
    );
    assert_eq!(left["sessions"]["nodes"].as_array().map(Vec::len), Some(4));
    assert_eq!(left, right, "protobuf and JSON ledgers differ");
    a.stop().await;
    b.stop().await;
}

async fn a_retried_export_changes_nothing(backend: Backend) {
    let e = Exporter::spawn(backend).await;
    let first = e.export(PROTOBUF, protobuf(&dialect_request())).await;
    assert_eq!((count(&first, "stored"), count(&first, "ignored")), (4, 2));
    let before = e.ledger().await;
    for (content_type, body) in [
        (PROTOBUF, protobuf(&dialect_request())),
        (JSON, json(&dialect_request())),
    ] {
        let again = e.export(content_type, body).await;
        assert_eq!(
            (count(&again, "stored"), count(&again, "duplicate")),
            (0, 4)
        );
    }
    assert_eq!(e.ledger().await, before, "a retry changed the ledger");

    // Concurrent retries of one export, and concurrent exports of one
    // conversation: each span once, one session.
    let conversation = |id: u64| {
        span(
            9,
            100 + id,
            at("11:00:00") + id,
            attrs(&[
                ("gen_ai.provider.name", S("openai")),
                ("gen_ai.request.model", S("gpt-4o-mini")),
                ("gen_ai.usage.input_tokens", I(10)),
                ("gen_ai.usage.output_tokens", I(5)),
                ("gen_ai.conversation.id", S("shared")),
            ]),
        )
    };
    let mut exports = tokio::task::JoinSet::new();
    for i in 0..8u64 {
        let body = protobuf(&request("svc", vec![], vec![conversation(i % 4)]));
        let (client, url, key) = (e.client.clone(), e.app.url("/v1/traces"), e.key.clone());
        exports.spawn(async move {
            post(&client, &url, Some(&key), PROTOBUF, body, false)
                .await
                .status()
        });
    }
    while let Some(status) = exports.join_next().await {
        assert_eq!(status.expect("export task"), 200);
    }
    let shared: Vec<Value> = e.ledger().await["sessions"]["nodes"]
        .as_array()
        .expect("sessions")
        .iter()
        .filter(|s| s["externalId"] == "shared")
        .cloned()
        .collect();
    assert_eq!(shared.len(), 1, "{shared:?}");
    assert_eq!(shared[0]["interactionCount"], 4);
    e.stop().await;
}

async fn a_gzip_body_works(backend: Backend) {
    let e = Exporter::spawn(backend).await;
    let response = e
        .send(PROTOBUF, gzip(&protobuf(&dialect_request())), true)
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(count(&response, "stored"), 4);
    let more = request("svc", vec![], vec![openai_call(7, 1, 10, 5)]);
    let response = e.send(JSON, gzip(&json(&more)), true).await;
    assert_eq!(response.status(), 200);
    assert_eq!(count(&response, "stored"), 1);
    assert_eq!(e.interactions().await.len(), 5);

    // The default cap (16 MiB) is the OTLP route's own, above the 4 MiB of
    // the GraphQL body limit.
    let big = "x".repeat(5 << 20);
    let page = span(
        7,
        2,
        at("12:00:00"),
        vec![e2e::otlp::kv(
            "http.response.body",
            e2e::otlp::Attr::Owned(big),
        )],
    );
    let response = e
        .send(
            PROTOBUF,
            protobuf(&request("svc", vec![], vec![page])),
            false,
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(count(&response, "ignored"), 1);
    e.stop().await;
}

/// A GenAI chat call of trace `trace` with the given tokens.
fn openai_call(trace: u8, id: u64, input: i64, output: i64) -> Span {
    span(
        trace,
        id,
        at("12:00:00") + id,
        attrs(&[
            ("gen_ai.system", S("openai")),
            ("gen_ai.operation.name", S("chat")),
            ("gen_ai.request.model", S("gpt-4o-mini")),
            ("gen_ai.usage.input_tokens", I(input)),
            ("gen_ai.usage.output_tokens", I(output)),
        ]),
    )
}

/// The stored interaction of a session named `external`.
fn by_session<'a>(ledger: &'a Value, external: &str) -> (&'a Value, &'a Value) {
    let session = ledger["sessions"]["nodes"]
        .as_array()
        .expect("sessions")
        .iter()
        .find(|s| s["externalId"] == external)
        .unwrap_or_else(|| panic!("no session {external}: {ledger:#}"));
    let interaction = ledger["interactions"]["nodes"]
        .as_array()
        .expect("interactions")
        .iter()
        .find(|i| i["sessionId"] == session["id"])
        .unwrap_or_else(|| panic!("no interaction in {external}"));
    (session, interaction)
}

async fn each_dialect_maps_to_the_right_ledger_row(backend: Backend) {
    let e = Exporter::spawn(backend).await;
    e.export(PROTOBUF, protobuf(&dialect_request())).await;
    let ledger = e.ledger().await;
    let trace_1 = hex::encode([1u8; 16]);
    // (session, user, dialect, provider, model, request model, input, cached, cache write, output)
    let expected = [
        (
            trace_1.as_str(),
            "alice",
            "otel-genai-1.36",
            "openai",
            "gpt-4o-mini-2024-07-18",
            "gpt-4o-mini",
            1200,
            0,
            0,
            300,
        ),
        (
            "conv-1",
            "bob",
            "otel-genai-latest",
            "anthropic",
            "claude-sonnet-4-5",
            "claude-sonnet-4-5",
            5000,
            3000,
            1000,
            800,
        ),
        (
            "s-9",
            "carol",
            "openllmetry",
            "openai",
            "gpt-4o-2024-08-06",
            "gpt-4o",
            900,
            100,
            0,
            100,
        ),
        (
            "sess-42",
            "dave",
            "openinference",
            "openai",
            "gpt-4o-mini-2024-07-18",
            "gpt-4o-mini",
            700,
            500,
            0,
            70,
        ),
    ];
    for (external, user, dialect, provider, model, request_model, input, cached, write, output) in
        expected
    {
        let (session, row) = by_session(&ledger, external);
        let context = format!("{dialect}: {row:#}");
        assert_eq!(session["userId"], user, "{context}");
        assert_eq!(row["kind"], "CHAT", "{context}");
        assert_eq!(row["status"], "ok", "{context}");
        assert_eq!(row["provider"], provider, "{context}");
        assert_eq!(row["model"], model, "{context}");
        assert_eq!(
            row["metadata"]["gen_ai.request.model"], request_model,
            "{context}"
        );
        assert_eq!(row["metadata"]["otlp.dialect"], dialect, "{context}");
        assert_eq!(row["metadata"]["service.name"], "support-bot", "{context}");
        assert_eq!(
            row["metadata"]["deployment.environment.name"], "prod",
            "{context}"
        );
        assert_eq!(row["inputTokens"], input, "{context}");
        assert_eq!(row["cachedInputTokens"], cached, "{context}");
        assert_eq!(row["cacheWriteTokens"], write, "{context}");
        assert_eq!(row["outputTokens"], output, "{context}");
        assert_eq!(row["durationMs"], 1500, "{context}");
        assert_eq!(row["priced"], true, "{context}");
        assert_same_price_as_tracked(&e, row).await;
    }
    let (_, first) = by_session(&ledger, &trace_1);
    assert_eq!(first["serviceTier"], "default");
    assert_eq!(first["projectId"], "proj_a");
    assert_eq!(
        first["idempotencyKey"],
        format!("otlp:{trace_1}:{}", hex::encode(2u64.to_be_bytes()))
    );
    assert_eq!(ledger["dailyStats"][0]["usage"]["interactions"], 4);
    e.stop().await;
}

/// The same usage through `recordInteractions` costs the same.
async fn assert_same_price_as_tracked(e: &Exporter, row: &Value) {
    let session = e
        .app
        .ok(
            Some(&e.key),
            "mutation { startSession(input: {userId: \"check\"}) { id } }",
            json!({}),
        )
        .await["startSession"]["id"]
        .clone();
    let input = json!({"sessionId": session, "kind": "CHAT", "provider": row["provider"], "model": row["model"],
        "serviceTier": row["serviceTier"], "occurredAt": row["occurredAt"],
        "inputTokens": row["inputTokens"], "cachedInputTokens": row["cachedInputTokens"],
        "cacheWriteTokens": row["cacheWriteTokens"], "outputTokens": row["outputTokens"]});
    let tracked = e
        .app
        .ok(
            Some(&e.key),
            "mutation($i: [InteractionInput!]!) { recordInteractions(inputs: $i) { aiTokensUsd } }",
            json!({"i": [input]}),
        )
        .await;
    assert_eq!(
        dec(&tracked["recordInteractions"][0]["aiTokensUsd"]),
        dec(&row["aiTokensUsd"]),
        "{row:#}"
    );
}

async fn spans_that_are_not_model_calls_are_dropped_and_counted(backend: Backend) {
    let e = Exporter::spawn(backend).await;
    let spans = vec![
        span(5, 1, at("10:00:00"), attrs(&[("http.route", S("/chat"))])),
        span(
            5,
            2,
            at("10:00:00"),
            attrs(&[("db.system", S("postgresql"))]),
        ),
        span(
            5,
            3,
            at("10:00:00"),
            attrs(&[
                ("gen_ai.operation.name", S("invoke_agent")),
                ("gen_ai.usage.input_tokens", I(99)),
            ]),
        ),
        span(
            5,
            4,
            at("10:00:00"),
            attrs(&[("openinference.span.kind", S("CHAIN"))]),
        ),
    ];
    let response = e.export(JSON, json(&request("svc", vec![], spans))).await;
    assert_eq!(
        (
            count(&response, "ignored"),
            count(&response, "stored"),
            count(&response, "rejected")
        ),
        (4, 0, 0)
    );
    assert_eq!(response.json::<Value>().await.expect("json"), json!({}));
    let ledger = e.ledger().await;
    assert_eq!(ledger["interactions"]["nodes"], json!([]));
    assert_eq!(ledger["sessions"]["nodes"], json!([]));
    e.stop().await;
}

async fn unreadable_tokens_are_counted_under_a_reason(backend: Backend) {
    let e = Exporter::spawn(backend).await;
    let no_usage = span(
        6,
        1,
        at("10:00:00"),
        attrs(&[
            ("gen_ai.system", S("openai")),
            ("gen_ai.operation.name", S("chat")),
            ("gen_ai.request.model", S("gpt-4o-mini")),
        ]),
    );
    let words = span(
        7,
        2,
        at("10:00:00"),
        attrs(&[
            ("gen_ai.system", S("openai")),
            ("gen_ai.request.model", S("gpt-4o-mini")),
            ("gen_ai.usage.input_tokens", S("lots")),
            ("gen_ai.usage.output_tokens", I(1)),
        ]),
    );
    let good = openai_call(8, 3, 10, 5);
    let export = request("svc", vec![], vec![no_usage, words, good]);

    let response = e.export(PROTOBUF, protobuf(&export)).await;
    assert_eq!(
        (count(&response, "stored"), count(&response, "rejected")),
        (1, 2)
    );
    let partial = decode_response(&response.bytes().await.expect("body"))
        .partial_success
        .expect("partial success");
    assert_eq!(partial.rejected_spans, 2);
    assert!(
        partial.error_message.contains("missing_token_counts"),
        "{}",
        partial.error_message
    );
    assert!(
        partial.error_message.contains("invalid_token_counts"),
        "{}",
        partial.error_message
    );

    let response = e.export(JSON, json(&export)).await;
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["partialSuccess"]["rejectedSpans"], "2", "{body}");
    assert!(
        body["partialSuccess"]["errorMessage"]
            .as_str()
            .is_some_and(|m| m.contains("missing_token_counts"))
    );

    let ledger = e.ledger().await;
    let rows = ledger["interactions"]["nodes"].as_array().expect("rows");
    assert_eq!(rows.len(), 1, "nothing stored for the unreadable spans");
    assert_eq!(
        ledger["sessions"]["nodes"].as_array().map(Vec::len),
        Some(1)
    );
    e.stop().await;
}

async fn error_spans_are_kept_and_marked_failed(backend: Backend) {
    let e = Exporter::spawn(backend).await;
    let call = failed(openai_call(9, 1, 40, 0), "rate limited");
    e.export(PROTOBUF, protobuf(&request("svc", vec![], vec![call])))
        .await;
    let rows = e.interactions().await;
    assert_eq!(rows[0]["status"], "failed");
    assert_eq!(rows[0]["metadata"]["error.type"], "rate limited");
    assert_eq!(rows[0]["priced"], true);
    e.stop().await;
}

/// What is wrong, the bearer, the content type, the body, gzip, the status.
type BadCase<'a> = (&'a str, Option<&'a str>, &'a str, Vec<u8>, bool, u16);

async fn bad_requests_get_the_specified_status_and_store_nothing(backend: Backend) {
    let settings = OtlpSettings::new(4096, 8, MappingConfig::default());
    let e = Exporter::with(backend, settings).await;
    let url = e.app.url("/v1/traces");
    let small = protobuf(&request("svc", vec![], vec![openai_call(1, 1, 10, 5)]));
    let huge = protobuf(&request(
        "svc",
        vec![],
        (0..200).map(|i| openai_call(1, i, 10, 5)).collect(),
    ));
    assert!(huge.len() > 4096 && gzip(&huge).len() < 4096);
    let key = Some(e.key.as_str());
    let revoked = e.app.ingest_key().await;
    revoke(&e, &revoked).await;
    let viewer = Some(e.viewer.as_str());
    let cases: Vec<BadCase<'_>> = vec![
        ("wrong content type", key, "text/plain", small.clone(), false, 415),
        ("no content type", key, "", small.clone(), false, 415),
        ("malformed protobuf", key, PROTOBUF, b"\xff\xff\xff".to_vec(), false, 400),
        ("malformed JSON", key, JSON, b"{\"resourceSpans\": [".to_vec(), false, 400),
        ("ids in base64", key, JSON, br#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"AQEBAQEBAQEBAQEBAQEBAQ=="}]}]}]}"#.to_vec(), false, 400),
        ("not gzip", key, PROTOBUF, small.clone(), true, 400),
        ("oversized", key, PROTOBUF, huge.clone(), false, 413),
        ("oversized once decompressed", key, PROTOBUF, gzip(&huge), true, 413),
        ("missing key", None, PROTOBUF, small.clone(), false, 401),
        ("unknown key", Some("ct_0000"), PROTOBUF, small.clone(), false, 401),
        ("revoked key", Some(revoked.as_str()), PROTOBUF, small.clone(), false, 401),
        ("a user token", viewer, PROTOBUF, small.clone(), false, 403),
    ];
    for (what, bearer, content_type, body, gzipped, status) in cases {
        let response = post(&e.client, &url, bearer, content_type, body, gzipped).await;
        assert_eq!(response.status(), status, "{what}");
        let json_error = response.headers()["content-type"] == JSON;
        let body = response.bytes().await.expect("body");
        let message = if json_error {
            let v: Value = serde_json::from_slice(&body).expect("google.rpc.Status JSON");
            assert!(v["code"].is_i64(), "{what}: {v}");
            v["message"].as_str().expect("message").to_owned()
        } else {
            rpc_status_message(&body)
        };
        assert!(!message.is_empty(), "{what}");
    }
    let unsupported = e
        .client
        .post(&url)
        .bearer_auth(&e.key)
        .header("content-type", PROTOBUF)
        .header("content-encoding", "br")
        .body(small.clone())
        .send()
        .await
        .expect("send");
    assert_eq!(unsupported.status(), 415);
    let ledger = e.ledger().await;
    assert_eq!(ledger["interactions"]["nodes"], json!([]));
    assert_eq!(ledger["sessions"]["nodes"], json!([]));
    e.stop().await;
}

/// The message of a protobuf `google.rpc.Status` (field 2, a string).
fn rpc_status_message(body: &[u8]) -> String {
    #[derive(Clone, PartialEq, prost::Message)]
    struct RpcStatus {
        #[prost(int32, tag = "1")]
        code: i32,
        #[prost(string, tag = "2")]
        message: String,
    }
    let status = <RpcStatus as prost::Message>::decode(body).expect("google.rpc.Status");
    assert!(status.code > 0);
    status.message
}

async fn revoke(e: &Exporter, secret: &str) {
    let keys = ledger::tracking::keys::list(&e.app.state.db)
        .await
        .expect("keys");
    let key = keys
        .iter()
        .find(|k| secret.starts_with(&k.prefix))
        .expect("the key");
    ledger::tracking::keys::revoke(&e.app.state.db, key.id)
        .await
        .expect("revoke");
}

async fn busy_and_unavailable_ask_to_retry_later(backend: Backend) {
    let e = Exporter::with(
        backend,
        OtlpSettings::new(1 << 20, 1, MappingConfig::default()),
    )
    .await;
    let body = || protobuf(&request("svc", vec![], vec![openai_call(1, 1, 10, 5)]));
    let permit = e
        .app
        .state
        .otlp
        .limiter
        .clone()
        .acquire_owned()
        .await
        .expect("permit");
    let busy = e.send(PROTOBUF, body(), false).await;
    assert_eq!(busy.status(), 429);
    assert_eq!(busy.headers()["retry-after"], "1");
    drop(permit);
    assert_eq!(e.send(PROTOBUF, body(), false).await.status(), 200);

    e.app.state.db.close_by_ref().await.expect("close");
    let unavailable = e.send(PROTOBUF, body(), false).await;
    assert_eq!(unavailable.status(), 503, "a database outage is retryable");
    assert_eq!(unavailable.headers()["retry-after"], "5");
    e.stop().await;
}

async fn otlp_interactions_appear_in_attribution(backend: Backend) {
    let e = Exporter::spawn(backend).await;
    seed_provider(&e.app, "proj_a", 1500, 500).await;
    let call = |id: u64, project: &'static str, input: i64, output: i64| {
        span(
            10,
            id,
            at("10:00:00") + id,
            attrs(&[
                ("gen_ai.system", S("openai")),
                ("gen_ai.operation.name", S("chat")),
                ("gen_ai.request.model", S("gpt-4o-mini")),
                ("gen_ai.response.model", S("gpt-4o-mini-2024-07-18")),
                ("gen_ai.usage.input_tokens", I(input)),
                ("gen_ai.usage.output_tokens", I(output)),
                ("openai.api_key.id", S("key_1")),
                ("openai.project.id", S(project)),
            ]),
        )
    };
    let spans = vec![call(1, "proj_a", 1000, 400), call(2, "proj_c", 200, 50)];
    e.export(PROTOBUF, protobuf(&request("svc", vec![], spans)))
        .await;
    let data = e
        .app
        .ok(
            Some(&e.viewer),
            "query($d: Date!) { attribution(from: $d, to: $d, groupBy: [PROJECT]) {
                rows { group { projectId } provider { tokens } app { tokens } matched { tokens } appOnly { tokens } } } }",
            json!({"d": DAY}),
        )
        .await;
    let rows = data["attribution"]["rows"].as_array().expect("rows");
    let row = |project: &str| {
        rows.iter()
            .find(|r| r["group"]["projectId"] == project)
            .unwrap_or_else(|| panic!("no {project}: {data}"))
    };
    assert_eq!(row("proj_a")["matched"]["tokens"], 1400, "{data}");
    assert_eq!(row("proj_a")["provider"]["tokens"], 2000);
    assert_eq!(row("proj_c")["appOnly"]["tokens"], 250);
    e.stop().await;
}

/// One day of OpenAI completions usage for `project`, as ingestion stores it.
async fn seed_provider(app: &TestApp, project: &str, input: i64, output: i64) {
    use ledger::usage::buckets::{BucketRow, Counts, DaySet, Dimensions, replace_day};
    let connection = ledger::providers::connections::upsert_demo(
        &app.state.db,
        "attributed",
        ledger::providers::ProviderKind::OpenAi,
        "http://127.0.0.1:9/v1",
    )
    .await
    .expect("connection");
    let row = BucketRow {
        dims: Dimensions {
            project_id: project.into(),
            api_key_id: "key_1".into(),
            model: "gpt-4o-mini-2024-07-18".into(),
            service_tier: "default".into(),
            batch: entity::enums::Batch::Interactive,
            ..Dimensions::default()
        },
        counts: Counts {
            input_tokens: input,
            input_uncached_tokens: input,
            output_tokens: output,
            num_model_requests: 1,
            ..Counts::default()
        },
    };
    let set = DaySet {
        connection_id: connection.id,
        provider: entity::enums::ProviderKind::OpenAi,
        usage_type: "completions",
        day: DAY.parse().expect("day"),
    };
    replace_day(&app.state.db, set, vec![row], None, &app.state.book)
        .await
        .expect("buckets");
}

async fn interactions_filter_by_metadata(backend: Backend) {
    let e = Exporter::spawn(backend).await;
    for (service, trace) in [("checkout", 11u8), ("search", 12), ("checkout", 13)] {
        let spans = vec![openai_call(trace, u64::from(trace), 10, 5)];
        e.export(PROTOBUF, protobuf(&request(service, vec![], spans)))
            .await;
    }
    let query = "query($m: [MetadataMatch!]) { interactions(first: 1, filter: {metadata: $m}) {
        nodes { metadata } pageInfo { hasNextPage endCursor } } }";
    let page = |m: Value| e.app.ok(Some(&e.viewer), query, json!({"m": m}));
    let checkout = page(json!([{"key": "service.name", "value": "checkout"}])).await;
    assert_eq!(
        checkout["interactions"]["nodes"][0]["metadata"]["service.name"],
        "checkout"
    );
    assert_eq!(checkout["interactions"]["pageInfo"]["hasNextPage"], true);
    let next = e
        .app
        .ok(
            Some(&e.viewer),
            "query($a: String) { interactions(first: 5, after: $a, filter: {metadata: [{key: \"service.name\", value: \"checkout\"}]}) { nodes { metadata } } }",
            json!({"a": checkout["interactions"]["pageInfo"]["endCursor"]}),
        )
        .await;
    assert_eq!(
        next["interactions"]["nodes"].as_array().map(Vec::len),
        Some(1)
    );
    let both = page(json!([
        {"key": "service.name", "value": "search"},
        {"key": "otlp.dialect", "value": "otel-genai-1.36"}
    ]))
    .await;
    assert_eq!(
        both["interactions"]["nodes"][0]["metadata"]["service.name"],
        "search"
    );
    let none = page(json!([{"key": "service.name", "value": "nope"}])).await;
    assert_eq!(none["interactions"]["nodes"], json!([]));
    e.stop().await;
}

/// The real OpenTelemetry SDK with its OTLP/HTTP protobuf exporter (async
/// reqwest, gzip), as any instrumented Rust app would run it.
async fn the_real_exporter_reports_genai_spans(backend: Backend) {
    use opentelemetry::KeyValue;
    use opentelemetry::trace::{Span as _, SpanKind, Tracer as _, TracerProvider as _};
    use opentelemetry_otlp::{Compression, Protocol, WithExportConfig, WithHttpConfig};
    use opentelemetry_sdk::trace::span_processor_with_async_runtime::BatchSpanProcessor;

    let e = Exporter::spawn(backend).await;
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(e.app.url("/v1/traces"))
        .with_headers([("authorization".to_owned(), format!("Bearer {}", e.key))].into())
        .with_compression(Compression::Gzip)
        .build()
        .expect("exporter");
    let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder()
        .with_span_processor(
            BatchSpanProcessor::builder(exporter, opentelemetry_sdk::runtime::Tokio).build(),
        )
        .with_resource(
            opentelemetry_sdk::Resource::builder()
                .with_service_name("rust-agent")
                .build(),
        )
        .build();
    let tracer = provider.tracer("e2e-genai");
    let started = std::time::SystemTime::now();
    for (i, (input, output)) in [(120i64, 30i64), (80, 20), (60, 0)].into_iter().enumerate() {
        let mut attributes = vec![
            KeyValue::new("gen_ai.provider.name", "openai"),
            KeyValue::new("gen_ai.operation.name", "chat"),
            KeyValue::new("gen_ai.request.model", "gpt-4o-mini"),
            KeyValue::new("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
            KeyValue::new("gen_ai.usage.input_tokens", input),
            KeyValue::new("gen_ai.conversation.id", "rust-conv"),
            KeyValue::new("user.id", "erin"),
        ];
        if output > 0 {
            attributes.push(KeyValue::new("gen_ai.usage.output_tokens", output));
        }
        let mut span = tracer
            .span_builder(format!("chat gpt-4o-mini #{i}"))
            .with_kind(SpanKind::Client)
            .with_start_time(started + std::time::Duration::from_millis(i as u64))
            .with_attributes(attributes)
            .start(&tracer);
        span.end();
    }
    tracer.in_span("http GET /", |_| {});
    let flushed = tokio::task::spawn_blocking(move || {
        provider.force_flush().and_then(|()| provider.shutdown())
    })
    .await
    .expect("flush task");
    flushed.expect("exported");

    let ledger = e.ledger_between(started).await;
    let sessions = ledger["sessions"]["nodes"].as_array().expect("sessions");
    assert_eq!(sessions.len(), 1, "{ledger:#}");
    assert_eq!(sessions[0]["externalId"], "rust-conv");
    assert_eq!(sessions[0]["userId"], "erin");
    assert_eq!(
        sessions[0]["interactionCount"], 2,
        "the call without output is rejected"
    );
    let rows = ledger["interactions"]["nodes"].as_array().expect("rows");
    let mut tokens: Vec<(i64, i64)> = rows
        .iter()
        .map(|r| {
            (
                r["inputTokens"].as_i64().expect("in"),
                r["outputTokens"].as_i64().expect("out"),
            )
        })
        .collect();
    tokens.sort_unstable();
    assert_eq!(tokens, [(80, 20), (120, 30)]);
    for row in rows {
        assert_eq!(row["model"], "gpt-4o-mini-2024-07-18");
        assert_eq!(row["metadata"]["service.name"], "rust-agent");
        assert_eq!(row["metadata"]["otlp.dialect"], "otel-genai-latest");
        assert_eq!(row["priced"], true);
    }
    e.stop().await;
}

both_backends!(
    the_real_exporter_reports_genai_spans,
    protobuf_and_json_give_identical_ledgers,
    a_retried_export_changes_nothing,
    a_gzip_body_works,
    each_dialect_maps_to_the_right_ledger_row,
    spans_that_are_not_model_calls_are_dropped_and_counted,
    unreadable_tokens_are_counted_under_a_reason,
    error_spans_are_kept_and_marked_failed,
    bad_requests_get_the_specified_status_and_store_nothing,
    busy_and_unavailable_ask_to_retry_later,
    otlp_interactions_appear_in_attribution,
    interactions_filter_by_metadata,
);
