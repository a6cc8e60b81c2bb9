//! The shape of a mid-size organisation: 20 projects, 200 API keys spread
//! over them, 50 users, 8 models across OpenAI and Anthropic, 3 service
//! tiers each, batch and interactive traffic. Everything derived from one
//! seed, so the same arguments always write the same rows.
pub const PROJECTS: usize = 20;
pub const KEYS: usize = 200;
pub const USERS: usize = 50;
pub const SEED: u64 = 0x00C0_6017_0010;

/// A model with its list prices in USD per million tokens (so `tokens *
/// price` is micro-dollars).
#[derive(Debug, Clone, Copy)]
pub struct Model {
    pub provider: &'static str,
    pub name: &'static str,
    pub input: i64,
    pub cached_input_tenths: i64,
    pub output: i64,
    /// Relative traffic.
    pub weight: u32,
}

pub const MODELS: [Model; 8] = [
    Model {
        provider: "openai",
        name: "gpt-4o-2024-08-06",
        input: 3,
        cached_input_tenths: 13,
        output: 10,
        weight: 30,
    },
    Model {
        provider: "openai",
        name: "gpt-4o-mini-2024-07-18",
        input: 1,
        cached_input_tenths: 1,
        output: 1,
        weight: 40,
    },
    Model {
        provider: "openai",
        name: "gpt-4.1-2025-04-14",
        input: 2,
        cached_input_tenths: 5,
        output: 8,
        weight: 20,
    },
    Model {
        provider: "openai",
        name: "o3-mini-2025-01-31",
        input: 1,
        cached_input_tenths: 6,
        output: 4,
        weight: 10,
    },
    Model {
        provider: "anthropic",
        name: "claude-sonnet-4-20250514",
        input: 3,
        cached_input_tenths: 3,
        output: 15,
        weight: 50,
    },
    Model {
        provider: "anthropic",
        name: "claude-3-5-haiku-20241022",
        input: 1,
        cached_input_tenths: 1,
        output: 4,
        weight: 30,
    },
    Model {
        provider: "anthropic",
        name: "claude-opus-4-20250514",
        input: 15,
        cached_input_tenths: 15,
        output: 75,
        weight: 10,
    },
    Model {
        provider: "anthropic",
        name: "claude-3-7-sonnet-20250219",
        input: 3,
        cached_input_tenths: 3,
        output: 15,
        weight: 10,
    },
];

pub const OPENAI_TIERS: [&str; 3] = ["default", "flex", "priority"];
pub const ANTHROPIC_TIERS: [&str; 3] = ["standard", "priority", "batch"];
pub const CONTEXT_WINDOWS: [&str; 2] = ["0-200k", "200k-1M"];
pub const GEOS: [&str; 3] = ["global", "us", "eu"];

pub fn project(n: usize) -> String {
    format!("proj_perf{n:02}")
}

/// Key `n` belongs to project `n % PROJECTS`.
pub fn api_key(n: usize) -> String {
    format!("key_perf{n:03}")
}

pub fn key_project(n: usize) -> String {
    project(n % PROJECTS)
}

pub fn user(n: usize) -> String {
    format!("user-perf{n:02}")
}

pub fn models_of(provider: &str) -> Vec<Model> {
    MODELS
        .into_iter()
        .filter(|m| m.provider == provider)
        .collect()
}

/// Cost of a call in micro-USD; batch traffic is half price.
pub fn cost_micros(model: &Model, input: i64, cached: i64, output: i64, batch: bool) -> i64 {
    let full = (input - cached) * model.input
        + cached * model.cached_input_tenths / 10
        + output * model.output;
    if batch { full / 2 } else { full }
}

/// One combination of a provider's bucket dimensions, decoded from an
/// index into the provider's whole combination space.
#[derive(Debug, Clone)]
pub struct Combo {
    pub key: usize,
    pub user: Option<usize>,
    pub model: Model,
    pub tier: &'static str,
    pub batch: Option<bool>,
    pub context_window: &'static str,
    pub geo: &'static str,
}

/// OpenAI completions: key x user x model x tier x batch (240,000).
/// Anthropic messages: key x model x tier x context window x geo (14,400).
pub fn space(provider: &str) -> usize {
    match provider {
        "openai" => KEYS * USERS * 4 * 3 * 2,
        _ => KEYS * 4 * 3 * 2 * 3,
    }
}

pub fn combo(provider: &str, index: usize) -> Combo {
    let models = models_of(provider);
    let mut i = index;
    let mut take = |n: usize| {
        let v = i % n;
        i /= n;
        v
    };
    if provider == "openai" {
        let key = take(KEYS);
        let user = take(USERS);
        let model = models[take(4)];
        let tier = OPENAI_TIERS[take(3)];
        let batch = take(2) == 1;
        Combo {
            key,
            user: Some(user),
            model,
            tier,
            batch: Some(batch),
            context_window: "",
            geo: "",
        }
    } else {
        let key = take(KEYS);
        let model = models[take(4)];
        let tier = ANTHROPIC_TIERS[take(3)];
        let context_window = CONTEXT_WINDOWS[take(2)];
        let geo = GEOS[take(3)];
        Combo {
            key,
            user: None,
            model,
            tier,
            batch: None,
            context_window,
            geo,
        }
    }
}

/// `count` distinct indexes of `0..space`, spread over it: a start and a
/// stride coprime with the space walk it without repeating.
pub fn distinct_indexes(space: usize, count: usize, start: usize) -> impl Iterator<Item = usize> {
    let mut stride = 7_919usize;
    while gcd(stride, space) != 1 {
        stride += 2;
    }
    (0..count.min(space)).map(move |i| (start + i * stride) % space)
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// A weighted pick among the models of one provider.
pub fn pick_model(models: &[Model], roll: u32) -> Model {
    let total: u32 = models.iter().map(|m| m.weight).sum();
    let mut at = roll % total.max(1);
    for model in models {
        if at < model.weight {
            return *model;
        }
        at -= model.weight;
    }
    models[0]
}
