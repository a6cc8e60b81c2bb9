//! The simulated organisations and their deterministic daily usage.
//!
//! Every number is a pure function of (seed, day, series), so any day can
//! be served, re-served and predicted by tests without storage.
use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;
use serde_json::{Value, json};

pub const PROJECT_SUPPORT: &str = "proj_Xk3v9QeR7tLm2Np8Ws4Yb6Hd";
pub const PROJECT_PIPELINE: &str = "proj_Pq7Lz2Vc9Jh4Rt6Kx1Mn3Bf8";
pub const USER_ALICE: &str = "user-Gh5Tr8Kp2Wz9Lm4Qv7Xn3Bc1";
pub const USER_BOB: &str = "user-Rm6Yt1Hq8Ls3Dv0Kw5Zp2Ej7";
pub const KEY_ALICE_SUPPORT: &str = "key_Aq7Zr2Lm9Tx4Wc8B";
pub const KEY_BOB_BATCH: &str = "key_Vn3Hs8Kd1Pq6Yj2F";
pub const KEY_ALICE_PIPELINE: &str = "key_Jc5Wm0Nb7Ru2Xe9L";
pub const WORKSPACE_SUPPORT: &str = "wrkspc_01HqV3nR8sKx2Lm5Tw9Yb4Zc";
pub const ANTHROPIC_KEY_SUPPORT: &str = "apikey_01Jm4Rk7Wq2Xs9Ln3Vb8Tc5H";
pub const ANTHROPIC_KEY_BATCH: &str = "apikey_01Kp8Zt3Vn6Yw1Qm4Hr7Xd2S";
pub const VECTOR_STORE: &str = "vs_68f1c2a9e4d88191b7a0c3f5d2e61a70";

/// One generated result at the finest grain: dimension values (`null` for
/// "not reported") and counts. Count names with a dot nest in JSON
/// (`cache_creation.ephemeral_5m_input_tokens`).
#[derive(Debug, Clone, PartialEq)]
pub struct SimRow {
    pub dims: Vec<(&'static str, Value)>,
    pub counts: Vec<(&'static str, i64)>,
}

impl SimRow {
    pub fn dim(&self, name: &str) -> Option<&str> {
        self.dims
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| v.as_str())
    }
    pub fn count(&self, name: &str) -> i64 {
        self.counts
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
            .unwrap_or(0)
    }
}

/// What the simulator reports for one series on one day, in the ledger's
/// own terms (input = all input). Tests compare stored buckets with this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpectedRow {
    pub usage_type: String,
    pub day: NaiveDate,
    pub project_id: String,
    pub api_key_id: String,
    pub user_id: String,
    pub model: String,
    pub service_tier: String,
    pub batch: String,
    pub input_tokens: i64,
    pub input_cached_tokens: i64,
    pub input_cache_write_tokens: i64,
    pub output_tokens: i64,
    pub num_model_requests: i64,
    /// The unit count of non-token usage types (images, characters,
    /// seconds, bytes, sessions, search requests); 0 for tokens.
    pub units: i64,
}

/// SplitMix64: tiny, fast, good enough for plausible noise.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, day: NaiveDate, series: u64) -> Self {
        let day = u64::try_from(day.num_days_from_ce()).unwrap_or(0);
        Rng(seed
            ^ day.wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ series.wrapping_mul(0xD1B5_4A32_D192_ED03))
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A factor in [0.75, 1.25).
    fn jitter(&mut self) -> f64 {
        0.75 + (self.next() % 10_000) as f64 / 20_000.0
    }
}

/// Every this many days a runaway job triples the day's usage, so the
/// demo has days the anomaly rule flags.
pub const RUNAWAY_EVERY_DAYS: i32 = 45;

/// Weekends are quieter; a slow monthly wave keeps charts interesting;
/// a runaway day every [`RUNAWAY_EVERY_DAYS`].
fn day_factor(day: NaiveDate) -> f64 {
    let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
    let wave = 1.0 + 0.15 * ((day.ordinal() as f64) / 29.5 * std::f64::consts::TAU).sin();
    let runaway = if is_runaway(day) { 3.0 } else { 1.0 };
    runaway * if weekend { 0.45 * wave } else { wave }
}

/// Whether the simulated organisations had a runaway job on `day`.
pub fn is_runaway(day: NaiveDate) -> bool {
    day.num_days_from_ce() % RUNAWAY_EVERY_DAYS == 0
}

fn scaled(base: f64, factor: f64, rng: &mut Rng) -> i64 {
    (base * factor * rng.jitter()).round().max(0.0) as i64
}

fn s(v: &str) -> Value {
    Value::String(v.to_owned())
}

/// Completions series: (project, user, key, model, batch, tier, requests,
/// input per request, cached share, image share, output per request).
type CompletionSeries = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static str,
    f64,
    f64,
    f64,
    f64,
    f64,
);

const COMPLETIONS: &[CompletionSeries] = &[
    (
        PROJECT_SUPPORT,
        USER_ALICE,
        KEY_ALICE_SUPPORT,
        "gpt-4o-2024-08-06",
        false,
        "default",
        420.0,
        4700.0,
        0.33,
        0.04,
        730.0,
    ),
    (
        PROJECT_SUPPORT,
        USER_ALICE,
        KEY_ALICE_SUPPORT,
        "gpt-4o-mini-2024-07-18",
        false,
        "default",
        1850.0,
        2300.0,
        0.30,
        0.0,
        980.0,
    ),
    (
        PROJECT_PIPELINE,
        USER_BOB,
        KEY_BOB_BATCH,
        "gpt-4.1-mini-2025-04-14",
        true,
        "default",
        64.0,
        152_000.0,
        0.0,
        0.0,
        16_000.0,
    ),
    (
        PROJECT_PIPELINE,
        USER_ALICE,
        KEY_ALICE_PIPELINE,
        "o4-mini-2025-04-16",
        false,
        "priority",
        150.0,
        3100.0,
        0.20,
        0.0,
        2600.0,
    ),
];

/// The OpenAI results of one usage type on one day, finest grain.
pub fn openai_rows(seed: u64, day: NaiveDate, usage_type: &str) -> Vec<SimRow> {
    let Some(series_base) = openai_series_base(usage_type) else {
        return Vec::new();
    };
    let d = SeriesDay {
        seed,
        day,
        factor: day_factor(day),
        series_base,
    };
    match usage_type {
        "completions" => COMPLETIONS
            .iter()
            .enumerate()
            .map(|(i, series)| completion_row(&d, i as u64, series))
            .collect(),
        "embeddings" | "moderations" => vec![token_count_row(&d, usage_type)],
        "images" => vec![image_row(&d)],
        "audio_speeches" | "audio_transcriptions" => vec![audio_row(&d, usage_type)],
        "vector_stores" => vector_store_rows(day),
        "code_interpreter_sessions" => vec![code_interpreter_row(&d)],
        "web_search_calls" => vec![web_search_row(&d)],
        "file_search_calls" => vec![file_search_row(&d)],
        _ => Vec::new(),
    }
}

/// Each usage type draws its noise from its own block of series numbers,
/// so adding a series to one type never changes another's numbers.
fn openai_series_base(usage_type: &str) -> Option<u64> {
    Some(match usage_type {
        "completions" => 0,
        "embeddings" => 10,
        "moderations" => 20,
        "images" => 30,
        "audio_speeches" => 40,
        "audio_transcriptions" => 50,
        "vector_stores" => 60,
        "code_interpreter_sessions" => 70,
        "web_search_calls" => 80,
        "file_search_calls" => 90,
        _ => return None,
    })
}

/// One usage type on one day: what its rows are scaled by and drawn from.
struct SeriesDay {
    seed: u64,
    day: NaiveDate,
    factor: f64,
    series_base: u64,
}

impl SeriesDay {
    /// The noise of the `i`th series of the usage type.
    fn rng(&self, i: u64) -> Rng {
        Rng::new(self.seed, self.day, self.series_base + i)
    }
}

fn who(project: &str, user: &str, key: &str, model: &str) -> Vec<(&'static str, Value)> {
    vec![
        ("project_id", s(project)),
        ("user_id", s(user)),
        ("api_key_id", s(key)),
        ("model", s(model)),
    ]
}

fn completion_row(d: &SeriesDay, i: u64, series: &CompletionSeries) -> SimRow {
    let &(project, user, key, model, batch, tier, req, per_req, cached, image, out) = series;
    let mut r = d.rng(i);
    let requests = scaled(req, d.factor, &mut r).max(1);
    let input = (requests as f64 * per_req * r.jitter()).round() as i64;
    // Cache hits come in 1024-token blocks, as OpenAI reports them.
    let cached_tokens = ((input as f64 * cached) as i64 / 1024) * 1024;
    let uncached = input - cached_tokens;
    let image_tokens = (uncached as f64 * image) as i64;
    let text = uncached - image_tokens;
    let output = (requests as f64 * out * r.jitter()).round() as i64;
    let mut dims = who(project, user, key, model);
    dims.push(("batch", Value::Bool(batch)));
    dims.push(("service_tier", s(tier)));
    SimRow {
        dims,
        counts: vec![
            ("input_tokens", input),
            ("input_cached_tokens", cached_tokens),
            ("input_cache_write_tokens", 0),
            ("input_uncached_tokens", uncached),
            ("output_tokens", output),
            ("input_text_tokens", text),
            ("output_text_tokens", output),
            ("input_cached_text_tokens", cached_tokens),
            ("input_audio_tokens", 0),
            ("input_cached_audio_tokens", 0),
            ("output_audio_tokens", 0),
            ("input_image_tokens", image_tokens),
            ("input_cached_image_tokens", 0),
            ("output_image_tokens", 0),
            ("num_model_requests", requests),
        ],
    }
}

/// Embeddings or moderations: input tokens and requests, nothing else.
fn token_count_row(d: &SeriesDay, usage_type: &str) -> SimRow {
    let (project, user, key, model, tokens, requests) = if usage_type == "embeddings" {
        (
            PROJECT_PIPELINE,
            USER_BOB,
            KEY_BOB_BATCH,
            "text-embedding-3-small",
            4_100_000.0,
            3100.0,
        )
    } else {
        (
            PROJECT_SUPPORT,
            USER_ALICE,
            KEY_ALICE_SUPPORT,
            "omni-moderation-2024-09-26",
            91_000.0,
            5000.0,
        )
    };
    let mut r = d.rng(0);
    SimRow {
        dims: who(project, user, key, model),
        counts: vec![
            ("input_tokens", scaled(tokens, d.factor, &mut r)),
            (
                "num_model_requests",
                scaled(requests, d.factor, &mut r).max(1),
            ),
        ],
    }
}

fn image_row(d: &SeriesDay) -> SimRow {
    let mut r = d.rng(0);
    let images = scaled(42.0, d.factor, &mut r).max(1);
    let mut dims = who(
        PROJECT_SUPPORT,
        USER_ALICE,
        KEY_ALICE_SUPPORT,
        "gpt-image-1",
    );
    dims.push(("size", s("1024x1024")));
    dims.push(("source", s("image.generation")));
    SimRow {
        dims,
        counts: vec![("images", images), ("num_model_requests", images)],
    }
}

/// Speech counts characters, transcription seconds.
fn audio_row(d: &SeriesDay, usage_type: &str) -> SimRow {
    let mut r = d.rng(0);
    let (model, unit, base, requests) = if usage_type == "audio_speeches" {
        ("gpt-4o-mini-tts", "characters", 183_000.0, 410.0)
    } else {
        ("whisper-1", "seconds", 7260.0, 96.0)
    };
    SimRow {
        dims: who(PROJECT_SUPPORT, USER_ALICE, KEY_ALICE_SUPPORT, model),
        counts: vec![
            (unit, scaled(base, d.factor, &mut r)),
            (
                "num_model_requests",
                scaled(requests, d.factor, &mut r).max(1),
            ),
        ],
    }
}

fn vector_store_rows(day: NaiveDate) -> Vec<SimRow> {
    // Storage grows slowly with the calendar, not with the weekday.
    let growth = 1.0 + (day.num_days_from_ce() % 365) as f64 / 365.0;
    vec![
        SimRow {
            dims: vec![("project_id", s(PROJECT_SUPPORT))],
            counts: vec![("usage_bytes", (1_073_741_824.0 * growth) as i64)],
        },
        SimRow {
            dims: vec![("project_id", s(PROJECT_PIPELINE))],
            counts: vec![("usage_bytes", (268_435_456.0 * growth) as i64)],
        },
    ]
}

fn code_interpreter_row(d: &SeriesDay) -> SimRow {
    let mut r = d.rng(0);
    SimRow {
        dims: vec![("project_id", s(PROJECT_PIPELINE))],
        counts: vec![("num_sessions", scaled(17.0, d.factor, &mut r).max(1))],
    }
}

fn web_search_row(d: &SeriesDay) -> SimRow {
    let mut r = d.rng(0);
    let mut dims = who(
        PROJECT_SUPPORT,
        USER_ALICE,
        KEY_ALICE_SUPPORT,
        "gpt-4o-2024-08-06",
    );
    dims.push(("context_level", s("medium")));
    let calls = scaled(37.0, d.factor, &mut r).max(1);
    SimRow {
        dims,
        counts: vec![
            ("num_model_requests", (calls * 5 / 6).max(1)),
            ("num_requests", calls),
        ],
    }
}

fn file_search_row(d: &SeriesDay) -> SimRow {
    let mut r = d.rng(0);
    SimRow {
        dims: vec![
            ("project_id", s(PROJECT_SUPPORT)),
            ("user_id", s(USER_ALICE)),
            ("api_key_id", s(KEY_ALICE_SUPPORT)),
            ("vector_store_id", s(VECTOR_STORE)),
        ],
        counts: vec![("num_requests", scaled(220.0, d.factor, &mut r).max(1))],
    }
}

/// Anthropic series: (workspace, key, model, tier, uncached, cache read,
/// cache write 5m, cache write 1h, output, web searches).
type MessageSeries = (
    Option<&'static str>,
    &'static str,
    &'static str,
    &'static str,
    f64,
    f64,
    f64,
    f64,
    f64,
    f64,
);

const MESSAGES: &[MessageSeries] = &[
    (
        Some(WORKSPACE_SUPPORT),
        ANTHROPIC_KEY_SUPPORT,
        "claude-sonnet-4-5-20250929",
        "standard",
        2_380_000.0,
        5_930_000.0,
        402_000.0,
        96_000.0,
        451_000.0,
        37.0,
    ),
    (
        Some(WORKSPACE_SUPPORT),
        ANTHROPIC_KEY_SUPPORT,
        "claude-haiku-4-5-20251001",
        "standard",
        1_100_000.0,
        2_210_000.0,
        120_000.0,
        0.0,
        188_000.0,
        0.0,
    ),
    (
        None,
        ANTHROPIC_KEY_BATCH,
        "claude-haiku-4-5-20251001",
        "batch",
        4_210_000.0,
        0.0,
        0.0,
        0.0,
        612_000.0,
        0.0,
    ),
];

pub fn anthropic_rows(seed: u64, day: NaiveDate) -> Vec<SimRow> {
    let f = day_factor(day);
    MESSAGES
        .iter()
        .enumerate()
        .map(
            |(i, &(workspace, key, model, tier, uncached, read, w5m, w1h, out, web))| {
                let mut r = Rng::new(seed, day, 100 + i as u64);
                SimRow {
                    dims: vec![
                        ("account_id", Value::Null),
                        ("api_key_id", s(key)),
                        ("workspace_id", workspace.map(s).unwrap_or(Value::Null)),
                        ("model", s(model)),
                        ("service_tier", s(tier)),
                        ("context_window", s("0-200k")),
                        ("inference_geo", s("not_available")),
                        ("service_account_id", Value::Null),
                    ],
                    counts: vec![
                        ("uncached_input_tokens", scaled(uncached, f, &mut r)),
                        ("cache_read_input_tokens", scaled(read, f, &mut r)),
                        (
                            "cache_creation.ephemeral_5m_input_tokens",
                            scaled(w5m, f, &mut r),
                        ),
                        (
                            "cache_creation.ephemeral_1h_input_tokens",
                            scaled(w1h, f, &mut r),
                        ),
                        ("output_tokens", scaled(out, f, &mut r)),
                        (
                            "server_tool_use.web_search_requests",
                            scaled(web, f, &mut r),
                        ),
                    ],
                }
            },
        )
        .collect()
}

/// The ledger's view of one OpenAI row.
pub fn expected_openai(usage_type: &str, day: NaiveDate, row: &SimRow) -> ExpectedRow {
    let dim = |n: &str| row.dim(n).unwrap_or("").to_owned();
    let batch = row
        .dims
        .iter()
        .find(|(n, _)| *n == "batch")
        .and_then(|(_, v)| v.as_bool())
        .map(|b| b.to_string())
        .unwrap_or_default();
    let units = [
        "images",
        "characters",
        "seconds",
        "usage_bytes",
        "num_sessions",
        "num_requests",
    ]
    .iter()
    .map(|n| row.count(n))
    .sum();
    ExpectedRow {
        usage_type: usage_type.to_owned(),
        day,
        project_id: dim("project_id"),
        api_key_id: dim("api_key_id"),
        user_id: dim("user_id"),
        model: dim("model"),
        service_tier: dim("service_tier"),
        batch,
        input_tokens: row.count("input_tokens"),
        input_cached_tokens: row.count("input_cached_tokens"),
        input_cache_write_tokens: row.count("input_cache_write_tokens"),
        output_tokens: row.count("output_tokens"),
        num_model_requests: row.count("num_model_requests"),
        units,
    }
}

/// The ledger's view of one Anthropic row: all input counted in
/// `input_tokens`, the workspace as the project.
pub fn expected_anthropic(day: NaiveDate, row: &SimRow) -> ExpectedRow {
    let dim = |n: &str| row.dim(n).unwrap_or("").to_owned();
    let writes = row.count("cache_creation.ephemeral_5m_input_tokens")
        + row.count("cache_creation.ephemeral_1h_input_tokens");
    let tier = dim("service_tier");
    ExpectedRow {
        usage_type: "messages".to_owned(),
        day,
        project_id: dim("workspace_id"),
        api_key_id: dim("api_key_id"),
        user_id: String::new(),
        model: dim("model"),
        batch: if tier == "batch" { "true" } else { "false" }.to_owned(),
        service_tier: tier,
        input_tokens: row.count("uncached_input_tokens")
            + row.count("cache_read_input_tokens")
            + writes,
        input_cached_tokens: row.count("cache_read_input_tokens"),
        input_cache_write_tokens: writes,
        output_tokens: row.count("output_tokens"),
        num_model_requests: 0,
        units: row.count("server_tool_use.web_search_requests"),
    }
}

/// Rows aggregated the way the provider does for a `group_by`: ungrouped
/// dimensions become `null` and rows equal on the rest are summed.
pub fn group(rows: &[SimRow], group_by: &[String]) -> Vec<SimRow> {
    let mut out: Vec<SimRow> = Vec::new();
    for row in rows {
        let dims: Vec<(&'static str, Value)> = row
            .dims
            .iter()
            .map(|(name, value)| {
                let keep = group_by.iter().any(|g| g == name);
                (*name, if keep { value.clone() } else { Value::Null })
            })
            .collect();
        match out.iter_mut().find(|r| r.dims == dims) {
            Some(existing) => {
                for (name, value) in &row.counts {
                    match existing.counts.iter_mut().find(|(n, _)| n == name) {
                        Some((_, total)) => *total += value,
                        None => existing.counts.push((name, *value)),
                    }
                }
            }
            None => out.push(SimRow {
                dims,
                counts: row.counts.clone(),
            }),
        }
    }
    out
}

/// Scales counts for a bucket that covers only part of a day.
pub fn scale(rows: Vec<SimRow>, seconds: i64) -> Vec<SimRow> {
    scale_part(rows, seconds, 86_400)
}

/// How a day's usage spreads over its 24 UTC hours: quiet at night, busy
/// in the European and American working days. Sums to [`HOUR_WEIGHT_TOTAL`].
const HOUR_WEIGHTS: [i64; 24] = [
    2, 1, 1, 1, 1, 2, 3, 5, 8, 10, 12, 12, 11, 12, 12, 11, 10, 8, 6, 5, 4, 3, 3, 2,
];
const HOUR_WEIGHT_TOTAL: i64 = 145;

/// Counts that are sums of others in the same row, children first so a
/// parent sums children already split. Split independently, a parent's
/// rounding would break the identity within an hour.
const PARENTS: [(&str, &[&str]); 4] = [
    (
        "input_uncached_tokens",
        &[
            "input_text_tokens",
            "input_audio_tokens",
            "input_image_tokens",
        ],
    ),
    (
        "input_cached_tokens",
        &[
            "input_cached_text_tokens",
            "input_cached_audio_tokens",
            "input_cached_image_tokens",
        ],
    ),
    (
        "output_tokens",
        &[
            "output_text_tokens",
            "output_audio_tokens",
            "output_image_tokens",
        ],
    ),
    (
        "input_tokens",
        &[
            "input_cached_tokens",
            "input_cache_write_tokens",
            "input_uncached_tokens",
        ],
    ),
];

/// The share of each day row that falls in UTC hour `hour` (0..24). The 24
/// shares of a count sum exactly to the day's count, and within an hour
/// every parent count is the sum of its children, as in a daily row.
pub fn hour_share(rows: Vec<SimRow>, hour: i64) -> Vec<SimRow> {
    let hour = hour.clamp(0, 23) as usize;
    let before: i64 = HOUR_WEIGHTS[..hour].iter().sum();
    let through = before + HOUR_WEIGHTS[hour];
    // Cumulative floors: consecutive hours take what the running total
    // adds, so nothing is lost to rounding over the day.
    let part =
        |count: i64| count * through / HOUR_WEIGHT_TOTAL - count * before / HOUR_WEIGHT_TOTAL;
    rows.into_iter()
        .map(|mut row| {
            let day = row.clone();
            for (_, value) in &mut row.counts {
                *value = part(*value);
            }
            for (parent, children) in PARENTS {
                let has_all = std::iter::once(&parent)
                    .chain(children)
                    .all(|name| day.counts.iter().any(|(n, _)| n == name));
                if has_all {
                    let sum = children.iter().map(|c| row.count(c)).sum();
                    if let Some((_, value)) = row.counts.iter_mut().find(|(n, _)| *n == parent) {
                        *value = sum;
                    }
                }
            }
            row
        })
        .collect()
}

/// Scales counts for a bucket that covers `seconds` of a `whole`-second
/// window.
pub fn scale_part(rows: Vec<SimRow>, seconds: i64, whole: i64) -> Vec<SimRow> {
    if seconds >= whole {
        return rows;
    }
    rows.into_iter()
        .map(|mut row| {
            for (_, value) in &mut row.counts {
                *value = *value * seconds / whole;
            }
            row
        })
        .collect()
}

/// The JSON result object; dotted count names become nested objects.
pub fn to_json(row: &SimRow, object: Option<&str>) -> Value {
    let mut map = serde_json::Map::new();
    if let Some(object) = object {
        map.insert("object".to_owned(), json!(object));
    }
    for (name, value) in &row.counts {
        match name.split_once('.') {
            Some((outer, inner)) => {
                let entry = map
                    .entry(outer.to_owned())
                    .or_insert_with(|| Value::Object(serde_json::Map::new()));
                if let Value::Object(nested) = entry {
                    nested.insert(inner.to_owned(), json!(value));
                }
            }
            None => {
                map.insert((*name).to_owned(), json!(value));
            }
        }
    }
    for (name, value) in &row.dims {
        map.insert((*name).to_owned(), value.clone());
    }
    Value::Object(map)
}
