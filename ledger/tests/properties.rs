//! Property tests: the parsers that read untrusted input never panic.
//! Arbitrary bytes and mutated real inputs go through the provider CSV
//! export parser, the provider JSON page decoders (as the clients decode
//! a response body) and the date and range parsers.
//!
//! `PROPTEST_CASES` sets the cases per property (64 by default here, for
//! CI); RELIABILITY.md records a run with 100,000.
use std::sync::OnceLock;

use ledger::costs::billed;
use ledger::dates::{DayRange, parse_day};
use ledger::parity::csv::{self as export, ExportKind};
use ledger::providers::{anthropic, openai, paging};
use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::{Map, Value, json};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures");

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}/{name}"))
        .unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

// ------------------------------------------------------------------ CSV

const USAGE_HEADER: &str = "start_time,end_time,start_time_iso,end_time_iso,project_id,num_model_requests,user_id,api_key_id,model,batch,service_tier,input_tokens,output_tokens,input_cached_tokens,input_uncached_tokens,input_text_tokens,output_text_tokens,input_cached_text_tokens,input_audio_tokens,input_cached_audio_tokens,output_audio_tokens,input_image_tokens,input_cached_image_tokens,output_image_tokens";
const COST_HEADER: &str = "start_time,end_time,start_time_iso,end_time_iso,amount_value,amount_currency,line_item,project_id,organization_id,organization_name";

/// A valid usage export and a valid cost export, as real ones look.
fn valid_exports() -> &'static [String; 2] {
    static EXPORTS: OnceLock<[String; 2]> = OnceLock::new();
    EXPORTS.get_or_init(|| {
        let usage = format!(
            "{USAGE_HEADER}\n\
             1759622400,1759708800,2025-10-05T00:00:00+00:00,2025-10-06T00:00:00+00:00,proj_a,10.0,,key_a,gpt-4o-mini-2024-07-18,FALSE,default,59200.0,812.0,5760.0,53440.0,53440.0,812.0,5760.0,0.0,0.0,0.0,0.0,0.0,0.0\n\
             1759622400,1759708800,2025-10-05T00:00:00+00:00,2025-10-06T00:00:00+00:00,proj_a,2,,key_a,gpt-4o-mini-2024-07-18,false,default,100,1,0,100,100,1,0,0,0,0,0,0,0\n\
             1759708800,1759795200,2025-10-06T00:00:00+00:00,2025-10-07T00:00:00+00:00,,,,,,,,,,,,,,,,,,,,\n"
        );
        let cost = format!(
            "{COST_HEADER}\n\
             1759622400,1759708800,2025-10-05T00:00:00+00:00,2025-10-06T00:00:00+00:00,1.2345,usd,\"gpt-4o-mini, input\",proj_a,org_1,Acme\n\
             1759622400,1759708800,2025-10-05T00:00:00+00:00,2025-10-06T00:00:00+00:00,0.000001,usd,web search,proj_b,org_1,Acme\n"
        );
        // Both parse as they are: the mutations start from sound files.
        export::parse(usage.as_bytes(), Some(ExportKind::Usage)).expect("usage export");
        export::parse(cost.as_bytes(), Some(ExportKind::Cost)).expect("cost export");
        [usage, cost]
    })
}

/// Cells worth putting anywhere: edge numbers, times, booleans, quotes.
fn nasty_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("-1".to_owned()),
        Just("1e400".to_owned()),
        Just("-0.0".to_owned()),
        Just("NaN".to_owned()),
        Just("inf".to_owned()),
        Just("9223372036854775807".to_owned()),
        Just("9223372036854775808".to_owned()),
        Just("-9223372036854775808".to_owned()),
        Just("79228162514264337593543950335".to_owned()),
        Just("79228162514264337593543950336".to_owned()),
        Just("0.0000000000000000000000000001".to_owned()),
        Just("1.5".to_owned()),
        Just("253402300800".to_owned()),
        Just("-62135596801".to_owned()),
        Just("9999-12-31T23:59:59+00:00".to_owned()),
        Just("2025-02-30T00:00:00Z".to_owned()),
        Just("+275760-09-13T00:00:00Z".to_owned()),
        Just("TRUE".to_owned()),
        Just("maybe".to_owned()),
        Just("\"quoted, \"\"cell\"\"\"".to_owned()),
        Just("\"unterminated".to_owned()),
        Just("\u{feff}start_time".to_owned()),
        Just("é\u{0}\r\n".to_owned()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|n| n.to_string()),
        ".{0,12}",
    ]
}

#[derive(Debug, Clone)]
enum Edit {
    /// Replace one cell (row, column picked modulo the file's shape).
    Cell(usize, usize, String),
    /// Drop a whole line.
    DropLine(usize),
    /// Duplicate a line.
    DupLine(usize),
    /// Cut the file at a byte.
    Truncate(usize),
    /// Overwrite a byte.
    Byte(usize, u8),
    /// Insert bytes.
    Insert(usize, Vec<u8>),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<usize>(), any::<usize>(), nasty_cell()).prop_map(|(r, c, v)| Edit::Cell(r, c, v)),
        1 => any::<usize>().prop_map(Edit::DropLine),
        1 => any::<usize>().prop_map(Edit::DupLine),
        1 => any::<usize>().prop_map(Edit::Truncate),
        2 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Byte(i, b)),
        1 => (any::<usize>(), proptest::collection::vec(any::<u8>(), 1..8)).prop_map(|(i, b)| Edit::Insert(i, b)),
    ]
}

/// Applies edits to a CSV text; cell edits work on the comma-split lines
/// (a quoted comma may split a cell in two: more mutation, not less).
fn mutate(text: &str, edits: &[Edit]) -> Vec<u8> {
    let mut lines: Vec<Vec<String>> = text
        .lines()
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    let mut bytes_edits = Vec::new();
    for edit in edits {
        match edit {
            Edit::Cell(r, c, v) if !lines.is_empty() => {
                let n = lines.len();
                let row = &mut lines[r % n];
                if !row.is_empty() {
                    let m = row.len();
                    row[c % m] = v.clone();
                }
            }
            Edit::DropLine(r) if !lines.is_empty() => {
                let n = lines.len();
                lines.remove(r % n);
            }
            Edit::DupLine(r) if !lines.is_empty() => {
                let n = lines.len();
                let line = lines[r % n].clone();
                lines.insert(r % n, line);
            }
            other => bytes_edits.push(other.clone()),
        }
    }
    let mut bytes: Vec<u8> = lines
        .iter()
        .map(|l| l.join(","))
        .collect::<Vec<_>>()
        .join("\n")
        .into_bytes();
    for edit in bytes_edits {
        let len = bytes.len().max(1);
        match edit {
            Edit::Truncate(i) => bytes.truncate(i % len),
            Edit::Byte(i, b) if !bytes.is_empty() => {
                let n = bytes.len();
                bytes[i % n] = b;
            }
            Edit::Insert(i, more) => {
                let at = i % (bytes.len() + 1);
                bytes.splice(at..at, more);
            }
            _ => {}
        }
    }
    bytes
}

/// Every entry point of the export parser over one input; the parsed
/// result must also be self-consistent.
fn parse_every_way(bytes: &[u8]) {
    for expect in [None, Some(ExportKind::Usage), Some(ExportKind::Cost)] {
        if let Ok(parsed) = export::parse(bytes, expect) {
            assert!(parsed.empty_rows <= parsed.rows);
            for ((day, _), values) in &parsed.windows {
                assert!(parsed.days.contains(day));
                assert_eq!(values.len(), parsed.fields.len());
            }
        }
    }
    for fallback in [ExportKind::Usage, ExportKind::Cost] {
        let _ = export::parse_guessing(bytes, fallback);
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn csv_parser_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        parse_every_way(&bytes);
    }

    #[test]
    fn csv_parser_never_panics_on_a_header_and_arbitrary_rows(
        which in 0usize..2,
        rows in proptest::collection::vec(proptest::collection::vec(nasty_cell(), 0..26), 0..6),
    ) {
        let header = [USAGE_HEADER, COST_HEADER][which];
        let mut text = header.to_owned();
        for row in rows {
            text.push('\n');
            text.push_str(&row.join(","));
        }
        parse_every_way(text.as_bytes());
    }

    #[test]
    fn csv_parser_never_panics_on_mutated_valid_exports(
        which in 0usize..2,
        edits in proptest::collection::vec(edit(), 1..6),
    ) {
        let bytes = mutate(&valid_exports()[which], &edits);
        parse_every_way(&bytes);
    }
}

// ---------------------------------------------------------------- JSON

/// Any JSON value, with numbers and strings that probe the decoders'
/// edges (huge, negative, fractional, timestamps out of range).
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        prop_oneof![
            Just(json!(-1)),
            Just(json!(0)),
            Just(json!(1.5)),
            Just(json!(1e308)),
            Just(json!(-1e308)),
            Just(json!(i64::MAX)),
            Just(json!(i64::MIN)),
            Just(json!(u64::MAX)),
            Just(json!(253_402_300_800_i64)),
            Just(json!(-62_135_596_801_i64)),
            Just(json!("2026-11-01T00:00:00Z")),
            Just(json!("+275760-09-13T00:00:00Z")),
            Just(json!("1e400")),
            Just(json!("79228162514264337593543950336")),
            Just(json!("-0.0000000000000000000000000001")),
            Just(json!("NaN")),
            Just(json!("page_++++////==")),
            Just(json!("https://evil.example/x")),
        ],
        ".{0,16}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(field_name(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Mostly the field names the decoders look for, so arbitrary objects
/// get past the first layer.
fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "data",
            "has_more",
            "next_page",
            "results",
            "start_time",
            "end_time",
            "starting_at",
            "ending_at",
            "amount",
            "value",
            "currency",
            "input_tokens",
            "output_tokens",
            "input_cached_tokens",
            "num_model_requests",
            "project_id",
            "model",
            "api_key_id",
            "user_id",
            "batch",
            "service_tier",
            "line_item",
            "uncached_input_tokens",
            "cache_read_input_tokens",
            "cache_creation",
            "ephemeral_5m_input_tokens",
            "server_tool_use",
            "web_search_requests",
            "workspace_id",
            "description",
            "cost_type",
            "images",
            "characters",
            "seconds",
            "usage_bytes",
            "num_sessions",
            "num_requests",
        ])
        .prop_map(str::to_owned),
        "[a-z_]{1,10}",
    ]
}

/// Decodes `bytes` as each provider page the clients read, as they do
/// (`serde_json::from_slice`), then converts every bucket the way the
/// clients and the engine do. Errors are fine; panics are not.
fn decode_every_page(bytes: &[u8]) {
    if let Ok(page) = serde_json::from_slice::<openai::UsagePage>(bytes) {
        for bucket in &page.data {
            let _ = bucket.to_day_bucket();
        }
        check_cursor(page.next_page.as_ref());
    }
    if let Ok(page) = serde_json::from_slice::<openai::CostPage>(bytes) {
        for bucket in &page.data {
            if let Ok(costs) = bucket.to_cost_bucket() {
                let _ = billed::aggregate(costs.lines);
            }
        }
        check_cursor(page.next_page.as_ref());
    }
    if let Ok(page) = serde_json::from_slice::<anthropic::MessagesPage>(bytes) {
        for bucket in &page.data {
            let _ = bucket.to_day_bucket();
        }
    }
    if let Ok(page) = serde_json::from_slice::<anthropic::CostReportPage>(bytes) {
        for bucket in &page.data {
            if let Ok(costs) = bucket.to_cost_bucket() {
                let _ = billed::aggregate(costs.lines);
            }
        }
    }
}

fn check_cursor(cursor: Option<&Value>) {
    if let Some(Value::String(cursor)) = cursor {
        let _ = paging::cursor_problem(cursor);
    }
}

fn fixtures() -> &'static [Value] {
    static FIXTURES: OnceLock<Vec<Value>> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        [
            "openai_usage_completions_page1.json",
            "openai_usage_completions_page2.json",
            "openai_costs.json",
            "anthropic_usage_messages.json",
            "anthropic_cost_report.json",
        ]
        .iter()
        .map(|name| serde_json::from_str(&fixture(name)).expect("fixture json"))
        .collect()
    })
}

/// Every node of a JSON tree, preorder, as JSON pointers.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                pointers(item, format!("{at}/{i}"), out);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                let key = k.replace('~', "~0").replace('/', "~1");
                pointers(item, format!("{at}/{key}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn page_decoders_never_panic_on_arbitrary_json(value in json_value()) {
        decode_every_page(&serde_json::to_vec(&value).expect("json"));
        // And with that value as a page's bucket list or a bucket's results.
        let page = json!({"data": [value.clone()], "has_more": false});
        decode_every_page(&serde_json::to_vec(&page).expect("json"));
        let bucket = json!({"data": [{"start_time": 1_793_491_200, "end_time": 1_793_577_600,
            "starting_at": "2026-11-01T00:00:00Z", "ending_at": "2026-11-02T00:00:00Z",
            "results": [value]}]});
        decode_every_page(&serde_json::to_vec(&bucket).expect("json"));
    }

    #[test]
    fn page_decoders_never_panic_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        decode_every_page(&bytes);
    }

    #[test]
    fn page_decoders_never_panic_on_mutated_fixtures(
        which in 0usize..5,
        edits in proptest::collection::vec((any::<usize>(), json_value()), 1..5),
        cut in proptest::option::of(any::<usize>()),
    ) {
        let mut value = fixtures()[which].clone();
        for (pick, replacement) in edits {
            let mut all = Vec::new();
            pointers(&value, String::new(), &mut all);
            let at = &all[pick % all.len()];
            if at.is_empty() {
                value = replacement;
            } else if let Some(node) = value.pointer_mut(at) {
                *node = replacement;
            }
        }
        let mut bytes = serde_json::to_vec(&value).expect("json");
        if let Some(cut) = cut {
            bytes.truncate(cut % (bytes.len() + 1));
        }
        decode_every_page(&bytes);
    }
}

// ---------------------------------------------------------------- dates

/// `DDDD-DD-DD`, digits only.
fn canonical(text: &str) -> bool {
    text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
}

fn date_text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,14}",
        "[0-9+-]{0,6}-[0-9]{0,3}-[0-9]{0,3}",
        (any::<i32>(), any::<u8>(), any::<u8>()).prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02}")),
        (0i32..10_000, 1u32..13, 1u32..32).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn day_and_range_parsing_never_panic_and_agree(from in date_text(), to in date_text()) {
        let a = parse_day(&from);
        let b = parse_day(&to);
        if let Ok(day) = a {
            // A parsed day in the canonical shape prints back as its text.
            // (Signed or short forms such as `-000-01-01` or `+10000-1-1`
            // are accepted too: RELIABILITY.md, findings.)
            if canonical(&from) {
                prop_assert_eq!(day.to_string(), from.clone());
            }
        }
        let range = DayRange::parse(&from, &to);
        match (a, b) {
            (Ok(x), Ok(y)) => {
                let days = (y - x).num_days() + 1;
                let fits = x <= y && days <= ledger::dates::MAX_RANGE_DAYS;
                prop_assert_eq!(range.is_ok(), fits);
                if let Ok(range) = range {
                    prop_assert_eq!(range.days().count() as i64, days);
                }
            }
            _ => prop_assert!(range.is_err()),
        }
        let _ = DayRange::parse_optional(Some(&from), None);
        let _ = DayRange::parse_optional(None, Some(&to));
    }
}

/// The case the fuzzing found: the uncached split derived from hostile
/// counts overflowed (a panic in debug builds, a wrapped value in release).
#[test]
fn uncached_tokens_derived_from_hostile_counts_saturate() {
    let page = json!({"data": [{"start_time": 0, "end_time": 86_400, "results": [
        {"input_tokens": 0, "input_cached_tokens": i64::MAX, "input_cache_write_tokens": 2},
        {"input_tokens": -7, "input_cached_tokens": i64::MAX, "input_cache_write_tokens": i64::MAX},
    ]}]});
    let page: openai::UsagePage = serde_json::from_value(page).expect("page");
    let bucket = page.data[0].to_day_bucket().expect("bucket");
    for row in &bucket.rows {
        assert_eq!(row.counts.input_uncached_tokens, 0);
    }
}
