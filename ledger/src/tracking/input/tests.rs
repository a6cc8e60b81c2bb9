//! The input rules over arbitrary values: never a panic, and exactly the
//! documented set accepted. `PROPTEST_CASES` sets how many inputs each
//! property tries (256 by default; the release check runs 100,000).
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::*;
use crate::pricing::UnitRates;

fn interaction() -> NewInteraction {
    NewInteraction {
        session_id: "s".into(),
        kind: InteractionKind::Chat,
        occurred_at: None,
        duration_ms: None,
        status: None,
        provider: None,
        model: None,
        project_id: None,
        api_key_id: None,
        service_tier: None,
        batch: None,
        input_tokens: None,
        cached_input_tokens: None,
        cache_write_tokens: None,
        output_tokens: None,
        db_ops: None,
        api_calls: None,
        compute_ms: None,
        cost_usd: None,
        idempotency_key: None,
        metadata: None,
    }
}

#[test]
fn counts_are_refused_above_their_maximum() {
    let at_max = NewInteraction {
        model: Some("m".into()),
        input_tokens: Some(MAX_TOKENS),
        cached_input_tokens: Some(MAX_TOKENS / 2),
        cache_write_tokens: Some(MAX_TOKENS / 2),
        output_tokens: Some(MAX_TOKENS),
        db_ops: Some(MAX_OPERATIONS),
        api_calls: Some(MAX_OPERATIONS),
        compute_ms: Some(MAX_MILLIS),
        duration_ms: Some(MAX_MILLIS),
        ..interaction()
    };
    assert!(check(&at_max).is_ok());
    for (over, message) in [
        (
            NewInteraction {
                input_tokens: Some(1 << 62),
                ..at_max.clone()
            },
            "inputTokens must be between 0 and 1000000000 (got 4611686018427387904)",
        ),
        (
            NewInteraction {
                output_tokens: Some(i64::MAX),
                ..at_max.clone()
            },
            "outputTokens must be between 0 and 1000000000 (got 9223372036854775807)",
        ),
        (
            NewInteraction {
                duration_ms: Some(MAX_MILLIS + 1),
                ..at_max.clone()
            },
            "durationMs must be between 0 and 86400000 (got 86400001)",
        ),
        (
            NewInteraction {
                db_ops: Some(-1),
                ..at_max.clone()
            },
            "dbOps must be between 0 and 1000000000 (got -1)",
        ),
    ] {
        assert_eq!(check(&over).expect_err("over").to_string(), message);
    }
}

#[test]
fn cost_events_are_bounded() {
    let event = |usd: Decimal| NewInteraction {
        kind: InteractionKind::CostEvent,
        cost_usd: Some(usd),
        ..interaction()
    };
    let max = Decimal::from(MAX_COST_USD);
    assert_eq!(
        check(&event(max)).expect("max").explicit_micros,
        MAX_COST_USD * 1_000_000
    );
    assert!(check(&event(max + Decimal::new(1, 6))).is_err());
    assert!(check(&event(Decimal::MAX)).is_err());
    assert!(check(&event(Decimal::new(-1, 6))).is_err());
}

#[test]
fn metadata_is_capped() {
    let mut deep = json!(1);
    for _ in 0..MAX_METADATA_DEPTH {
        deep = json!([deep]);
    }
    assert!(metadata(&deep).is_ok());
    assert!(
        metadata(&json!({ "a": deep })).is_err(),
        "one level too deep"
    );
    let keys: serde_json::Map<String, Value> = (0..=MAX_METADATA_KEYS)
        .map(|i| (format!("k{i}"), json!(i)))
        .collect();
    assert!(metadata(&Value::Object(keys)).is_err());
    // {"a":"…"} is 8 bytes of JSON around the string.
    let fits = "x".repeat(MAX_METADATA_BYTES - 8);
    assert!(metadata(&json!({ "a": fits })).is_ok());
    assert!(metadata(&json!({ "a": format!("{fits}x") })).is_err());
    assert!(metadata(&json!({ "a\u{0}": 1 })).is_err());
    assert!(metadata(&json!({ "a": "b\u{0}" })).is_err());
    assert!(metadata(&json!({ "a": ["ok", "b\u{1}"] })).is_err());
    assert!(metadata(&json!({ "error": "line 1\n\tline 2\r\n" })).is_ok());
}

/// A count: mostly absent or in range, sometimes at the edges of its
/// range, sometimes anything.
fn count(max: i64) -> impl Strategy<Value = Option<i64>> {
    prop_oneof![
        8 => Just(None),
        6 => (0..=max).prop_map(Some),
        1 => prop::sample::select(vec![0, 1, max - 1, max, max + 1, -1, 1 << 62, i64::MAX, i64::MIN])
            .prop_map(Some),
        1 => any::<i64>().prop_map(Some),
    ]
}

/// A label: mostly absent or an ordinary id, sometimes blank, around the
/// length limit, or with control characters anywhere.
fn label() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        8 => Just(None),
        8 => "[a-z0-9.:-]{1,24}".prop_map(Some),
        1 => "[ a-z]{0,3}".prop_map(Some),
        1 => "[a-z]{190,199}[é]{0,3}".prop_map(Some),
        1 => "[a-z\\x00-\\x1f\\x7f-\\x9f ]{1,6}".prop_map(Some),
        1 => any::<String>().prop_map(Some),
    ]
}

/// The documented set for an id or label, stated on its UTF-8 bytes.
fn plain(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.len() <= 200
        && !bytes.iter().any(|&b| b < 0x20 || b == 0x7f)
        && !bytes
            .windows(2)
            .any(|w| w[0] == 0xc2 && (0x80..=0x9f).contains(&w[1]))
}

fn in_range(value: Option<i64>, max: i64) -> bool {
    value.is_none_or(|v| (0..=max).contains(&v))
}

/// Every rule of [`check`], written out from the documentation.
fn documented(input: &NewInteraction) -> bool {
    let n = |v: Option<i64>| v.unwrap_or(0);
    let counts_ok = [
        input.input_tokens,
        input.cached_input_tokens,
        input.cache_write_tokens,
        input.output_tokens,
    ]
    .iter()
    .all(|&v| in_range(v, 1_000_000_000))
        && in_range(input.db_ops, 1_000_000_000)
        && in_range(input.api_calls, 1_000_000_000)
        && in_range(input.compute_ms, 86_400_000)
        && in_range(input.duration_ms, 86_400_000)
        && n(input.cached_input_tokens) + n(input.cache_write_tokens) <= n(input.input_tokens);
    let labels = [
        &input.provider,
        &input.model,
        &input.service_tier,
        &input.status,
        &input.project_id,
        &input.api_key_id,
    ];
    let labels_ok = labels.iter().all(|l| l.as_deref().is_none_or(plain));
    let key_ok = input
        .idempotency_key
        .as_deref()
        .is_none_or(|k| plain(k) && !k.trim().is_empty());
    let tokens = n(input.input_tokens) > 0 || n(input.output_tokens) > 0;
    let model_ok = !tokens || input.model.as_deref().is_some_and(|m| !m.trim().is_empty());
    let cost_ok = match (input.kind, input.cost_usd) {
        (InteractionKind::CostEvent, Some(usd)) => {
            usd >= Decimal::ZERO && usd <= Decimal::from(1_000_000_000)
        }
        (InteractionKind::CostEvent, None) => false,
        (_, cost) => cost.is_none(),
    };
    counts_ok && labels_ok && key_ok && model_ok && cost_ok
}

fn kind() -> impl Strategy<Value = InteractionKind> {
    prop::sample::select(vec![
        InteractionKind::Chat,
        InteractionKind::Db,
        InteractionKind::Api,
        InteractionKind::CostEvent,
    ])
}

/// A kind and a cost: mostly as the kind requires (whole micro-dollars,
/// some around the maximum), sometimes not.
fn kind_and_cost() -> impl Strategy<Value = (InteractionKind, Option<Decimal>)> {
    let max = 1_000_000_000 * 1_000_000;
    let micros = prop_oneof![
        2 => 0..=max,
        1 => prop::sample::select(vec![0, 1, max - 1, max, max + 1, -1, i64::MAX, i64::MIN]),
        1 => any::<i64>(),
    ]
    .prop_map(|m| Decimal::new(m, 6));
    prop_oneof![
        6 => kind().prop_filter("not a cost event", |k| *k != InteractionKind::CostEvent)
            .prop_map(|k| (k, None)),
        6 => micros.clone().prop_map(|usd| (InteractionKind::CostEvent, Some(usd))),
        1 => (kind(), prop::option::of(micros)),
    ]
}

prop_compose! {
    fn arbitrary_interaction()(
        (kind, cost_usd) in kind_and_cost(),
        counts in (count(MAX_TOKENS), count(MAX_TOKENS), count(MAX_TOKENS), count(MAX_TOKENS)),
        units in (count(MAX_OPERATIONS), count(MAX_OPERATIONS), count(MAX_MILLIS), count(MAX_MILLIS)),
        labels in (label(), label(), label(), label(), label(), label(), label()),
    ) -> NewInteraction {
        NewInteraction {
            kind,
            input_tokens: counts.0,
            cached_input_tokens: counts.1,
            cache_write_tokens: counts.2,
            output_tokens: counts.3,
            db_ops: units.0,
            api_calls: units.1,
            compute_ms: units.2,
            duration_ms: units.3,
            provider: labels.0,
            model: labels.1,
            service_tier: labels.2,
            status: labels.3,
            project_id: labels.4,
            api_key_id: labels.5,
            idempotency_key: labels.6,
            cost_usd,
            ..interaction()
        }
    }
}

/// Any JSON: scalars, strings with control characters, nesting past the
/// depth cap, objects with many keys.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "[a-z\\t\\n\\r\\x00-\\x1f\\x7f-\\x9f]{0,6}".prop_map(Value::String),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(12, 400, 40, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z\\x00\\x1f]{0,3}", inner, 0..40)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Objects whose JSON is a few bytes either side of the size cap.
fn sized() -> impl Strategy<Value = Value> {
    (MAX_METADATA_BYTES - 12..MAX_METADATA_BYTES + 4)
        .prop_map(|n| json!({ "a": "x".repeat(n.saturating_sub(8)) }))
}

/// The documented metadata rules, computed directly.
fn documented_metadata(value: &Value) -> bool {
    fn depth(v: &Value) -> usize {
        match v {
            Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
            Value::Object(o) => 1 + o.values().map(depth).max().unwrap_or(0),
            _ => 0,
        }
    }
    fn keys(v: &Value) -> usize {
        match v {
            Value::Array(a) => a.iter().map(keys).sum(),
            Value::Object(o) => o.len() + o.values().map(keys).sum::<usize>(),
            _ => 0,
        }
    }
    fn texts_ok(v: &Value) -> bool {
        match v {
            Value::String(s) => !s.chars().any(|c| c.is_control() && !"\t\n\r".contains(c)),
            Value::Array(a) => a.iter().all(texts_ok),
            Value::Object(o) => o.iter().all(|(k, v)| plain(k) && texts_ok(v)),
            _ => true,
        }
    }
    let size = serde_json::to_string(value).map_or(usize::MAX, |s| s.len());
    depth(value) <= 8 && keys(value) <= 256 && texts_ok(value) && size <= 16 * 1024
}

proptest! {
    #[test]
    fn check_accepts_exactly_the_documented_set(input in arbitrary_interaction()) {
        let result = check(&input);
        prop_assert_eq!(result.is_ok(), documented(&input), "{:?}", result);
    }

    /// Within the maxima, the unit costs at the dearest rates an admin may
    /// set are exact: no product leaves i64, none saturates.
    #[test]
    fn accepted_counts_are_priced_without_overflow(input in arbitrary_interaction()) {
        if let Ok(checked) = check(&input) {
            let c = checked.counts;
            let rates = UnitRates { db_op_nanos: 1_000_000, api_call_micros: 1_000_000, compute_second_micros: 1_000_000 };
            let cost = rates.cost(c.db_ops, c.api_calls, c.compute_ms);
            let exact = |n: i64, rate: i64, per: i128| i64::try_from(i128::from(n) * i128::from(rate) / per).ok();
            prop_assert_eq!(cost, Some((
                exact(c.db_ops, 1_000_000, 1000).unwrap_or(-1),
                exact(c.api_calls, 1_000_000, 1).unwrap_or(-1),
                exact(c.compute_ms, 1_000_000, 1000).unwrap_or(-1),
            )));
        }
    }

    #[test]
    fn metadata_accepts_exactly_the_documented_set(value in prop_oneof![json(), sized()]) {
        prop_assert_eq!(metadata(&value).is_ok(), documented_metadata(&value));
    }
}
