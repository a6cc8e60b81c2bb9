//! Reading OTLP attributes: text, token counts and ids, whatever value type
//! an instrumentation chose for them.
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value::Value};

/// A token count as found on a span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    Absent,
    Present(i64),
    /// Present but not a whole number of tokens (a word, a fraction, a
    /// negative number).
    Invalid,
}

impl Count {
    pub fn value(self) -> Option<i64> {
        match self {
            Self::Present(n) => Some(n),
            _ => None,
        }
    }
}

/// One attribute list (a span's or a resource's), looked up by key.
#[derive(Debug, Clone, Copy)]
pub struct Attrs<'a>(pub &'a [KeyValue]);

impl<'a> Attrs<'a> {
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.0
            .iter()
            .find(|kv| kv.key == key)
            .and_then(|kv| kv.value.as_ref())
            .and_then(|v: &AnyValue| v.value.as_ref())
    }

    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn has_prefix(&self, prefix: &str) -> bool {
        self.0.iter().any(|kv| kv.key.starts_with(prefix))
    }

    /// Non-empty text, trimmed; numbers and booleans as their text (ids are
    /// sometimes sent as integers).
    pub fn text(&self, key: &str) -> Option<String> {
        let text = match self.get(key)? {
            Value::StringValue(s) => s.trim().to_owned(),
            Value::IntValue(n) => n.to_string(),
            Value::BoolValue(b) => b.to_string(),
            Value::DoubleValue(d) if d.is_finite() => d.to_string(),
            _ => return None,
        };
        (!text.is_empty()).then_some(text)
    }

    /// The first key of `keys` with text.
    pub fn first_text(&self, keys: &[&str]) -> Option<String> {
        keys.iter().find_map(|key| self.text(key))
    }

    /// A token count: an integer, a whole double, or a string of digits.
    pub fn count(&self, key: &str) -> Count {
        let Some(value) = self.get(key) else {
            return Count::Absent;
        };
        let parsed = match value {
            Value::IntValue(n) => Some(*n),
            Value::DoubleValue(d) if d.is_finite() && d.fract() == 0.0 && d.abs() < 9.0e15 => {
                // Exact: a whole double below 2^53.
                #[allow(clippy::cast_possible_truncation)]
                Some(*d as i64)
            }
            Value::StringValue(s) => s.trim().parse::<i64>().ok(),
            _ => None,
        };
        match parsed {
            Some(n) if n >= 0 => Count::Present(n),
            _ => Count::Invalid,
        }
    }

    /// The first key of `keys` that is present, read as a count.
    pub fn first_count(&self, keys: &[&str]) -> Count {
        keys.iter()
            .map(|key| self.count(key))
            .find(|count| *count != Count::Absent)
            .unwrap_or(Count::Absent)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn kv(key: &str, value: Value) -> KeyValue {
        KeyValue {
            key: key.to_owned(),
            value: Some(AnyValue { value: Some(value) }),
            ..KeyValue::default()
        }
    }

    pub fn s(key: &str, value: &str) -> KeyValue {
        kv(key, Value::StringValue(value.to_owned()))
    }

    pub fn i(key: &str, value: i64) -> KeyValue {
        kv(key, Value::IntValue(value))
    }

    #[test]
    fn counts_accept_ints_whole_doubles_and_digit_strings() {
        let list = [
            i("a", 12),
            kv("b", Value::DoubleValue(30.0)),
            s("c", " 7 "),
            kv("d", Value::DoubleValue(1.5)),
            s("e", "many"),
            i("f", -1),
            kv("g", Value::BoolValue(true)),
        ];
        let attrs = Attrs(&list);
        assert_eq!(attrs.count("a"), Count::Present(12));
        assert_eq!(attrs.count("b"), Count::Present(30));
        assert_eq!(attrs.count("c"), Count::Present(7));
        for key in ["d", "e", "f", "g"] {
            assert_eq!(attrs.count(key), Count::Invalid, "{key}");
        }
        assert_eq!(attrs.count("zz"), Count::Absent);
        assert_eq!(attrs.first_count(&["zz", "e", "a"]), Count::Invalid);
        assert_eq!(attrs.first_count(&["zz", "a"]), Count::Present(12));
    }

    #[test]
    fn text_is_trimmed_and_never_empty() {
        let list = [s("a", "  x "), s("b", "   "), i("c", 42)];
        let attrs = Attrs(&list);
        assert_eq!(attrs.text("a").as_deref(), Some("x"));
        assert_eq!(attrs.text("b"), None);
        assert_eq!(attrs.first_text(&["b", "c"]).as_deref(), Some("42"));
        assert!(attrs.has_prefix("a"));
    }
}
