//! The limits on text users give names and ids, in one place.
use crate::error::{Result, invalid};

/// Names of keys, webhooks and budgets, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// Ids and other free text in tracking and budget scopes, in bytes.
pub const MAX_TEXT_BYTES: usize = 200;

/// `text` trimmed, refused when empty or longer than [`MAX_NAME_CHARS`].
pub fn name(what: &str, text: &str) -> Result<String> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_NAME_CHARS {
        return Err(invalid(format!(
            "{what} must be 1 to {MAX_NAME_CHARS} characters"
        )));
    }
    Ok(text.to_owned())
}

/// Refuses `value` when it is longer than [`MAX_TEXT_BYTES`].
pub fn bounded(what: &str, value: &str) -> Result<()> {
    if value.len() > MAX_TEXT_BYTES {
        return Err(invalid(format!(
            "{what} is longer than {MAX_TEXT_BYTES} characters"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(name("the name", "  a  ").expect("valid"), "a");
        assert!(name("the name", "   ").is_err());
        assert!(name("the name", &"é".repeat(MAX_NAME_CHARS)).is_ok());
        assert!(name("the name", &"é".repeat(MAX_NAME_CHARS + 1)).is_err());
        assert!(bounded("userId", &"a".repeat(MAX_TEXT_BYTES)).is_ok());
        assert!(bounded("userId", &"a".repeat(MAX_TEXT_BYTES + 1)).is_err());
    }
}
