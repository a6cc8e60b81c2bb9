//! The attribute dialects LLM instrumentations speak, how a span's dialect
//! is recognised, whether it is a model call, and where each dialect puts
//! the provider, the models and the token counts.
use serde::Serialize;

use super::attributes::Attrs;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Dialect {
    /// OpenTelemetry GenAI semantic conventions up to v1.36 (`gen_ai.system`).
    GenAi136,
    /// The latest experimental GenAI conventions (`gen_ai.provider.name`).
    GenAiLatest,
    /// OpenLLMetry / Traceloop (`llm.request.type`, `traceloop.*`, `llm.usage.*`).
    OpenLlmetry,
    /// Arize OpenInference (`openinference.span.kind`, `llm.token_count.*`).
    OpenInference,
}

/// What kind of model call a span is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    /// Chat or text completion: input and output tokens are both expected.
    Chat,
    /// Embeddings: input tokens only.
    Embedding,
}

/// Where a dialect keeps what a model call used, in order of preference.
#[derive(Debug)]
pub struct Keys {
    pub provider: &'static [&'static str],
    pub request_model: &'static [&'static str],
    pub response_model: &'static [&'static str],
    pub input: &'static [&'static str],
    pub output: &'static [&'static str],
    pub total: &'static [&'static str],
    pub cache_read: &'static [&'static str],
    pub cache_write: &'static [&'static str],
    pub service_tier: &'static [&'static str],
    pub operation: &'static [&'static str],
}

const SERVICE_TIER: &[&str] = &[
    "openai.response.service_tier",
    "gen_ai.openai.response.service_tier",
    "openai.request.service_tier",
    "gen_ai.openai.request.service_tier",
];

const GENAI: Keys = Keys {
    provider: &["gen_ai.provider.name", "gen_ai.system"],
    request_model: &["gen_ai.request.model"],
    response_model: &["gen_ai.response.model"],
    input: &["gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens"],
    output: &[
        "gen_ai.usage.output_tokens",
        "gen_ai.usage.completion_tokens",
    ],
    total: &["gen_ai.usage.total_tokens"],
    cache_read: &[
        "gen_ai.usage.cache_read.input_tokens",
        "gen_ai.usage.cache_read_input_tokens",
    ],
    cache_write: &[
        "gen_ai.usage.cache_creation.input_tokens",
        "gen_ai.usage.cache_creation_input_tokens",
    ],
    service_tier: SERVICE_TIER,
    operation: &["gen_ai.operation.name"],
};

const OPENLLMETRY: Keys = Keys {
    provider: &["gen_ai.system", "gen_ai.provider.name", "llm.vendor"],
    request_model: &["gen_ai.request.model", "llm.request.model"],
    response_model: &["gen_ai.response.model", "llm.response.model"],
    input: &[
        "gen_ai.usage.input_tokens",
        "gen_ai.usage.prompt_tokens",
        "llm.usage.prompt_tokens",
    ],
    output: &[
        "gen_ai.usage.output_tokens",
        "gen_ai.usage.completion_tokens",
        "llm.usage.completion_tokens",
    ],
    total: &["llm.usage.total_tokens", "gen_ai.usage.total_tokens"],
    cache_read: &[
        "gen_ai.usage.cache_read_input_tokens",
        "gen_ai.usage.cache_read.input_tokens",
    ],
    cache_write: &[
        "gen_ai.usage.cache_creation_input_tokens",
        "gen_ai.usage.cache_creation.input_tokens",
    ],
    service_tier: SERVICE_TIER,
    operation: &["llm.request.type", "gen_ai.operation.name"],
};

const OPENINFERENCE: Keys = Keys {
    provider: &["llm.provider", "llm.system"],
    // The request's model is inside `llm.invocation_parameters` (JSON).
    request_model: &[],
    response_model: &["llm.model_name", "embedding.model_name"],
    input: &["llm.token_count.prompt"],
    output: &["llm.token_count.completion"],
    total: &["llm.token_count.total"],
    cache_read: &["llm.token_count.prompt_details.cache_read"],
    cache_write: &["llm.token_count.prompt_details.cache_write"],
    service_tier: &[],
    operation: &["openinference.span.kind"],
};

/// Attributes only OpenLLMetry sets (older releases `llm.*`, newer ones
/// the GenAI conventions plus these).
const OPENLLMETRY_MARKERS: &[&str] = &[
    "llm.request.type",
    "llm.is_streaming",
    "gen_ai.is_streaming",
    "gen_ai.openai.api_base",
];

impl Dialect {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::GenAi136 => "otel-genai-1.36",
            Self::GenAiLatest => "otel-genai-latest",
            Self::OpenLlmetry => "openllmetry",
            Self::OpenInference => "openinference",
        }
    }

    pub fn keys(self) -> &'static Keys {
        match self {
            Self::GenAi136 | Self::GenAiLatest => &GENAI,
            Self::OpenLlmetry => &OPENLLMETRY,
            Self::OpenInference => &OPENINFERENCE,
        }
    }

    /// The dialect of a span's attributes; `None` for a span that speaks
    /// none (an HTTP or database span, say).
    pub fn detect(attrs: &Attrs<'_>) -> Option<Self> {
        if attrs.has("openinference.span.kind")
            || attrs.has_prefix("llm.token_count.")
            || attrs.has("llm.model_name")
        {
            Some(Self::OpenInference)
        } else if OPENLLMETRY_MARKERS.iter().any(|key| attrs.has(key))
            || attrs.has_prefix("traceloop.")
            || attrs.has_prefix("llm.usage.")
        {
            Some(Self::OpenLlmetry)
        } else if [
            "gen_ai.provider.name",
            "gen_ai.conversation.id",
            "gen_ai.usage.cache_read.input_tokens",
            "gen_ai.usage.cache_creation.input_tokens",
        ]
        .iter()
        .any(|key| attrs.has(key))
        {
            Some(Self::GenAiLatest)
        } else if attrs.has_prefix("gen_ai.") {
            Some(Self::GenAi136)
        } else {
            None
        }
    }

    /// Whether the span is a model call, and which kind. Agent, tool,
    /// workflow, chain and retriever spans are not: their tokens, when they
    /// carry any, are the sum of the model calls under them.
    pub fn call_kind(self, attrs: &Attrs<'_>) -> Option<CallKind> {
        let operation = attrs
            .first_text(self.keys().operation)
            .map(|op| op.to_ascii_lowercase());
        match self {
            Self::OpenInference => match operation.as_deref() {
                Some("llm") => Some(CallKind::Chat),
                Some("embedding") => Some(CallKind::Embedding),
                Some(_) => None,
                None => self.looks_like_call(attrs).then_some(CallKind::Chat),
            },
            Self::OpenLlmetry if attrs.has("traceloop.span.kind") => None,
            _ => match operation.as_deref() {
                Some("chat" | "completion" | "text_completion" | "generate_content") => {
                    Some(CallKind::Chat)
                }
                Some("embedding" | "embeddings") => Some(CallKind::Embedding),
                Some(_) => None,
                None => self.looks_like_call(attrs).then_some(CallKind::Chat),
            },
        }
    }

    /// No operation named: a model call if it names a model or tokens.
    fn looks_like_call(self, attrs: &Attrs<'_>) -> bool {
        let keys = self.keys();
        [
            keys.request_model,
            keys.response_model,
            keys.input,
            keys.output,
        ]
        .iter()
        .flat_map(|list| list.iter())
        .any(|key| attrs.has(key))
    }
}

/// A provider as the price book and the ingested usage name it: the
/// conventions' well-known values (`az.ai.openai`, `aws.bedrock`,
/// `gcp.vertex_ai`…) and the instrumentations' spellings (`OpenAI`,
/// `MistralAI`…) map to one id; anything else is kept, lowercased.
pub fn canonical_provider(raw: &str) -> String {
    let lower = raw.trim().to_ascii_lowercase();
    let id = match lower.as_str() {
        "az.ai.openai" | "azure.ai.openai" | "az.ai.inference" | "azure.ai.inference" | "azure"
        | "azure_openai" | "azureopenai" => "azure",
        "aws.bedrock" | "bedrock" | "aws" | "amazon_bedrock" => "aws",
        "gcp.gemini" | "gcp.vertex_ai" | "gcp.gen_ai" | "vertex_ai" | "vertexai" | "google"
        | "gemini" | "google_genai" => "google",
        "mistral_ai" | "mistralai" | "mistral" => "mistral",
        "x_ai" | "xai" => "x-ai",
        "anthropic" => "anthropic",
        "openai" => "openai",
        _ => return lower,
    };
    id.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::otlp::attributes::tests::{i, kv, s};
    use opentelemetry_proto::tonic::common::v1::any_value::Value as V;

    #[test]
    fn each_dialect_is_recognised_by_its_own_attributes() {
        let cases = [
            (
                vec![s("openinference.span.kind", "LLM")],
                Dialect::OpenInference,
            ),
            (vec![i("llm.token_count.prompt", 3)], Dialect::OpenInference),
            (vec![s("llm.request.type", "chat")], Dialect::OpenLlmetry),
            (vec![i("llm.usage.total_tokens", 3)], Dialect::OpenLlmetry),
            (
                vec![
                    s("gen_ai.provider.name", "openai"),
                    kv("gen_ai.is_streaming", V::BoolValue(false)),
                ],
                Dialect::OpenLlmetry,
            ),
            (
                vec![s("traceloop.span.kind", "workflow")],
                Dialect::OpenLlmetry,
            ),
            (
                vec![s("gen_ai.provider.name", "openai")],
                Dialect::GenAiLatest,
            ),
            (vec![s("gen_ai.system", "openai")], Dialect::GenAi136),
        ];
        for (list, dialect) in cases {
            assert_eq!(Dialect::detect(&Attrs(&list)), Some(dialect), "{list:?}");
        }
        let http = [s("http.request.method", "GET")];
        assert_eq!(Dialect::detect(&Attrs(&http)), None);
    }

    #[test]
    fn only_model_calls_are_calls() {
        let call = |dialect: Dialect, list: Vec<_>| dialect.call_kind(&Attrs(&list));
        let genai = Dialect::GenAiLatest;
        assert_eq!(
            call(genai, vec![s("gen_ai.operation.name", "chat")]),
            Some(CallKind::Chat)
        );
        assert_eq!(
            call(genai, vec![s("gen_ai.operation.name", "embeddings")]),
            Some(CallKind::Embedding)
        );
        assert_eq!(
            call(genai, vec![s("gen_ai.operation.name", "invoke_agent")]),
            None
        );
        assert_eq!(
            call(genai, vec![s("gen_ai.request.model", "m")]),
            Some(CallKind::Chat)
        );
        assert_eq!(call(genai, vec![s("gen_ai.agent.name", "a")]), None);
        let oi = Dialect::OpenInference;
        assert_eq!(
            call(oi, vec![s("openinference.span.kind", "LLM")]),
            Some(CallKind::Chat)
        );
        assert_eq!(call(oi, vec![s("openinference.span.kind", "CHAIN")]), None);
        let tl = Dialect::OpenLlmetry;
        assert_eq!(
            call(tl, vec![s("llm.request.type", "chat")]),
            Some(CallKind::Chat)
        );
        assert_eq!(
            call(
                tl,
                vec![
                    s("traceloop.span.kind", "workflow"),
                    i("llm.usage.total_tokens", 9)
                ]
            ),
            None
        );
    }

    #[test]
    fn providers_map_to_price_book_ids() {
        for (raw, id) in [
            ("OpenAI", "openai"),
            ("Anthropic", "anthropic"),
            ("az.ai.openai", "azure"),
            ("aws.bedrock", "aws"),
            ("gcp.vertex_ai", "google"),
            ("MistralAI", "mistral"),
            ("groq", "groq"),
        ] {
            assert_eq!(canonical_provider(raw), id);
        }
    }
}
