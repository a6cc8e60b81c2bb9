//! The rules for text users give: names, ids, labels and free text, in
//! one place, so SQLite and PostgreSQL get the same answer.
//!
//! PostgreSQL refuses NUL (U+0000) in `text` and `jsonb` while SQLite
//! stores it, so NUL alone would make the two stores disagree. Every id,
//! name and label refuses all Unicode control characters (category `Cc`:
//! U+0000–U+001F, U+007F–U+009F), tab and newline included: none belongs
//! in an id, and an invisible one makes two ids look equal. Free text (the
//! string values inside metadata) may hold tab, newline and carriage
//! return, and no other control character.
use crate::error::{Result, invalid};

/// Names of keys, webhooks and budgets, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// Ids, labels and other short text in tracking, filters and budget
/// scopes, in bytes (UTF-8).
pub const MAX_TEXT_BYTES: usize = 200;
/// Values in one filter list (`projectIds`, `models`…). Far below the
/// bound-parameter limits of both stores (SQLite 32,766, PostgreSQL
/// 65,535), so a long list is refused the same way on both.
pub const MAX_FILTER_VALUES: usize = 1000;

/// `text` trimmed, refused when empty, longer than [`MAX_NAME_CHARS`] or
/// holding a control character.
pub fn name(what: &str, text: &str) -> Result<String> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_NAME_CHARS {
        return Err(invalid(format!(
            "{what} must be 1 to {MAX_NAME_CHARS} characters"
        )));
    }
    refuse_controls(what, text, |_| false)?;
    Ok(text.to_owned())
}

/// An id or label (user id, model, provider, service tier, idempotency
/// key, external id, filter value…): at most [`MAX_TEXT_BYTES`] bytes and
/// no control character at all. Empty text passes: callers that need a
/// value say so.
pub fn plain(what: &str, value: &str) -> Result<()> {
    if value.len() > MAX_TEXT_BYTES {
        return Err(invalid(format!(
            "{what} is longer than {MAX_TEXT_BYTES} bytes"
        )));
    }
    refuse_controls(what, value, |_| false)
}

/// Free text of any length (the caller bounds the whole): control
/// characters other than tab, newline and carriage return are refused.
pub fn free(what: &str, value: &str) -> Result<()> {
    refuse_controls(what, value, |c| matches!(c, '\t' | '\n' | '\r'))
}

/// A filter list: at most [`MAX_FILTER_VALUES`] values, each [`plain`].
pub fn plain_list(what: &str, values: &[String]) -> Result<()> {
    if values.len() > MAX_FILTER_VALUES {
        return Err(invalid(format!(
            "{what} lists {} values; at most {MAX_FILTER_VALUES}",
            values.len()
        )));
    }
    values.iter().try_for_each(|value| plain(what, value))
}

/// The first control character of `value` not `allowed`, named by its
/// code point and byte offset (the character itself would not show).
fn refuse_controls(what: &str, value: &str, allowed: impl Fn(char) -> bool) -> Result<()> {
    match value
        .char_indices()
        .find(|&(_, c)| c.is_control() && !allowed(c))
    {
        Some((at, c)) => Err(invalid(format!(
            "{what} must not contain control characters (U+{:04X} at byte {at})",
            u32::from(c)
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(name("the name", "  a  ").expect("valid"), "a");
        assert!(name("the name", "   ").is_err());
        assert!(name("the name", &"é".repeat(MAX_NAME_CHARS)).is_ok());
        assert!(name("the name", &"é".repeat(MAX_NAME_CHARS + 1)).is_err());
        assert!(name("the name", "a\u{0}b").is_err());
        assert!(plain("userId", &"a".repeat(MAX_TEXT_BYTES)).is_ok());
        assert!(plain("userId", &"a".repeat(MAX_TEXT_BYTES + 1)).is_err());
    }

    #[test]
    fn control_characters_are_refused_and_named() {
        for bad in [
            "\u{0}",
            "a\tb",
            "a\nb",
            "\r",
            "\u{1b}[0m",
            "\u{7f}",
            "\u{85}",
            "\u{9f}",
        ] {
            assert!(plain("model", bad).is_err(), "{bad:?}");
        }
        let error = plain("model", "gpt\u{0}4").expect_err("NUL");
        assert_eq!(
            error.to_string(),
            "model must not contain control characters (U+0000 at byte 3)"
        );
        for good in ["", "gpt-4o", "é", "名前", "a b", "\u{a0}", "\u{200b}", "🦀"] {
            assert!(plain("model", good).is_ok(), "{good:?}");
        }
        assert!(free("value", "line 1\nline 2\tx\r\n").is_ok());
        assert!(free("value", "a\u{0}").is_err());
        assert!(free("value", "\u{1b}[31m").is_err());
        assert!(plain_list("models", &vec!["m".to_owned(); MAX_FILTER_VALUES]).is_ok());
        assert!(plain_list("models", &vec!["m".to_owned(); MAX_FILTER_VALUES + 1]).is_err());
        assert!(plain_list("models", &["ok".into(), "b\u{0}d".into()]).is_err());
    }

    /// The documented set, stated on UTF-8 bytes rather than on `char`s:
    /// no byte below 0x20, no 0x7F, and no U+0080–U+009F (0xC2 0x80–0x9F).
    fn documented_plain(value: &str) -> bool {
        let bytes = value.as_bytes();
        bytes.len() <= MAX_TEXT_BYTES
            && !bytes.iter().any(|&b| b < 0x20 || b == 0x7f)
            && !bytes
                .windows(2)
                .any(|w| w[0] == 0xc2 && (0x80..=0x9f).contains(&w[1]))
    }

    /// Strings that reach the edges: every control character, the length
    /// limit, and multi-byte characters around it.
    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[a-z\\x00-\\x1f\\x7f-\\x9f]{0,8}",
            "[a-zé名\\t\\n]{190,210}",
            ".{0,250}",
        ]
    }

    proptest! {
        /// `PROPTEST_CASES` sets how many strings are tried (256 by default).
        #[test]
        fn plain_accepts_exactly_the_documented_set(value in text()) {
            prop_assert_eq!(plain("v", &value).is_ok(), documented_plain(&value));
            let free_ok = !value.chars().any(|c| c.is_control() && !"\t\n\r".contains(c));
            prop_assert_eq!(free("v", &value).is_ok(), free_ok);
        }
    }
}
