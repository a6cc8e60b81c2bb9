//! Billed costs the simulated providers report, derived from their usage
//! with fixed list rates (milli-USD per million tokens), in exact integers.
use chrono::NaiveDate;
use serde_json::{Value, json};

use super::data::{SimRow, anthropic_rows, openai_rows};

/// (model, input, cached input, output) in milli-USD per million tokens.
const OPENAI_RATES: &[(&str, i64, i64, i64)] = &[
    ("gpt-4o-2024-08-06", 2500, 1250, 10_000),
    ("gpt-4o-mini-2024-07-18", 150, 75, 600),
    ("gpt-4.1-mini-2025-04-14", 200, 50, 800),
    ("o4-mini-2025-04-16", 2000, 500, 8000),
    ("text-embedding-3-small", 20, 0, 0),
];

/// (model, label, input, cache read, write 5m, write 1h, output).
type AnthropicRates = (&'static str, &'static str, i64, i64, i64, i64, i64);

const ANTHROPIC_RATES: &[AnthropicRates] = &[
    (
        "claude-sonnet-4-5-20250929",
        "Claude Sonnet 4.5",
        3000,
        300,
        3750,
        6000,
        15_000,
    ),
    (
        "claude-haiku-4-5-20251001",
        "Claude Haiku 4.5",
        1000,
        100,
        1250,
        2000,
        5000,
    ),
];

fn s(v: &str) -> Value {
    Value::String(v.to_owned())
}

/// OpenAI cost rows at the finest grain; `nano_usd` and `quantity` counts.
pub fn openai_cost_rows(seed: u64, day: NaiveDate) -> Vec<SimRow> {
    let mut out = Vec::new();
    for usage_type in ["completions", "embeddings"] {
        for row in openai_rows(seed, day, usage_type) {
            let model = row.dim("model").unwrap_or("").to_owned();
            let Some(&(_, input, cached, output)) = OPENAI_RATES.iter().find(|r| r.0 == model)
            else {
                continue;
            };
            let batch = row
                .dims
                .iter()
                .any(|(n, v)| *n == "batch" && v.as_bool() == Some(true));
            let priority = row.dim("service_tier") == Some("priority");
            // Batch is half price.
            let factor = if batch { 2 } else { 1 };
            let label = |kind: &str| {
                if batch {
                    format!("{model}, batch {kind}")
                } else if priority {
                    format!("{model}, {kind} (priority)")
                } else {
                    format!("{model}, {kind}")
                }
            };
            let uncached = row.count("input_tokens") - row.count("input_cached_tokens");
            for (kind, tokens, rate) in [
                ("input", uncached, input),
                ("cached input", row.count("input_cached_tokens"), cached),
                ("output", row.count("output_tokens"), output),
            ] {
                if tokens == 0 || rate == 0 {
                    continue;
                }
                out.push(SimRow {
                    dims: vec![
                        ("project_id", s(row.dim("project_id").unwrap_or(""))),
                        ("line_item", s(&label(kind))),
                        ("api_key_id", s(row.dim("api_key_id").unwrap_or(""))),
                    ],
                    counts: vec![("nano_usd", tokens * rate / factor), ("quantity", tokens)],
                });
            }
        }
    }
    out
}

pub fn openai_cost_json(row: &SimRow, line_items: bool) -> Value {
    let nano = row.count("nano_usd");
    let mut value = json!({
        "object": "organization.costs.result",
        "amount": {"value": nano as f64 / 1e9, "currency": "usd"},
        "line_item": Value::Null,
        "project_id": Value::Null,
        "api_key_id": Value::Null,
        "quantity": Value::Null,
        "quantity_unit": Value::Null,
    });
    for (name, dim) in &row.dims {
        value[*name] = dim.clone();
    }
    if line_items {
        value["quantity"] = json!(row.count("quantity"));
        value["quantity_unit"] = json!("tokens");
    }
    value
}

/// Anthropic cost rows; `tenth_micro_cents` is the amount in 1e-7 cents.
pub fn anthropic_cost_rows(seed: u64, day: NaiveDate) -> Vec<SimRow> {
    let mut out = Vec::new();
    for row in anthropic_rows(seed, day) {
        let model = row.dim("model").unwrap_or("");
        let Some(rates) = ANTHROPIC_RATES.iter().find(|r| r.0 == model) else {
            continue;
        };
        let workspace = row
            .dims
            .iter()
            .find(|(n, _)| *n == "workspace_id")
            .map(|(_, v)| v.clone())
            .unwrap_or(Value::Null);
        out.extend(token_cost_rows(&row, rates, &workspace));
        let searches = row.count("server_tool_use.web_search_requests");
        if searches > 0 {
            out.push(web_search_cost_row(workspace, searches));
        }
    }
    out
}

/// (description, token type, rate) of each billed token line, in the
/// order the cost report lists them.
fn token_lines(rates: &AnthropicRates) -> [(&'static str, &'static str, i64); 5] {
    let &(_, _, input, read, w5m, w1h, output) = rates;
    [
        ("Input Tokens", "uncached_input_tokens", input),
        (
            "Input Tokens (Cache Write 5m)",
            "cache_creation.ephemeral_5m_input_tokens",
            w5m,
        ),
        (
            "Input Tokens (Cache Write 1h)",
            "cache_creation.ephemeral_1h_input_tokens",
            w1h,
        ),
        ("Input Tokens (Cache Read)", "cache_read_input_tokens", read),
        ("Output Tokens", "output_tokens", output),
    ]
}

/// One cost row per token line the usage row has tokens for.
fn token_cost_rows(row: &SimRow, rates: &AnthropicRates, workspace: &Value) -> Vec<SimRow> {
    let model = row.dim("model").unwrap_or("");
    let label = rates.1;
    let tier = row.dim("service_tier").unwrap_or("standard");
    let batch = tier == "batch";
    let factor = if batch { 2 } else { 1 };
    let usage = if batch { "Batch Usage" } else { "Usage" };
    let mut out = Vec::new();
    for (what, token_type, rate) in token_lines(rates) {
        let tokens = row.count(token_type);
        if tokens == 0 {
            continue;
        }
        out.push(SimRow {
            dims: vec![
                ("workspace_id", workspace.clone()),
                ("description", s(&format!("{label} {usage} - {what}"))),
                ("cost_type", s("tokens")),
                ("model", s(model)),
                ("service_tier", s(tier)),
                ("token_type", s(token_type)),
                ("context_window", s("0-200k")),
                ("inference_geo", s("not_available")),
            ],
            counts: vec![("tenth_micro_cents", tokens * rate / factor)],
        });
    }
    out
}

fn web_search_cost_row(workspace: Value, searches: i64) -> SimRow {
    SimRow {
        dims: vec![
            ("workspace_id", workspace),
            ("description", s("Web Search Usage")),
            ("cost_type", s("web_search")),
            ("model", Value::Null),
            ("service_tier", Value::Null),
            ("token_type", Value::Null),
            ("context_window", Value::Null),
            ("inference_geo", Value::Null),
        ],
        // One cent per search ($10 per thousand).
        counts: vec![("tenth_micro_cents", searches * 10_000_000)],
    }
}

pub fn anthropic_cost_json(row: &SimRow) -> Value {
    let cents = rust_decimal::Decimal::new(row.count("tenth_micro_cents"), 7).normalize();
    let mut value = json!({"amount": cents.to_string(), "currency": "USD"});
    for (name, dim) in &row.dims {
        value[*name] = dim.clone();
    }
    value
}
