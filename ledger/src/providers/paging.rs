//! Opaque cursors and the rules for following them, plus lenient number
//! decoding shared by the DTOs.
use std::collections::HashSet;

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::error::ProviderError;
use super::http::{Auth, FetchStats, Transport};

/// A page envelope: `has_more` and the raw `next_page`.
pub(crate) trait Paged {
    fn cursor(&self) -> (bool, Option<&Value>);
}

/// GETs every page of one query, passing each validated cursor back as the
/// `page` parameter.
pub(crate) async fn fetch_pages<P: serde::de::DeserializeOwned + Paged>(
    transport: &Transport,
    url: &str,
    endpoint: &str,
    query: &[(&str, String)],
    auth: &Auth,
    stats: &FetchStats,
) -> Result<Vec<P>, ProviderError> {
    let mut pager = Pager::new(endpoint);
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut q = query.to_vec();
        if let Some(cursor) = &cursor {
            q.push(("page", cursor.clone()));
        }
        let page: P = transport.get_json(url, endpoint, &q, auth, stats).await?;
        stats
            .pages
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (has_more, next) = page.cursor();
        let next = pager.next(has_more, next)?;
        pages.push(page);
        match next {
            Some(next) => cursor = Some(next),
            None => return Ok(pages),
        }
    }
}

/// A run never needs more pages than this for one window; more means the
/// provider is looping.
pub const MAX_PAGES: usize = 500;
const MAX_CURSOR_LEN: usize = 2048;

/// Why a cursor is refused, or `None` when it is a plain token. Cursors are
/// passed back as the `page` query value (percent-encoded by reqwest) and
/// never parsed or spliced into a URL; anything that looks like a URL or
/// could change the shape of a query is refused.
pub fn cursor_problem(cursor: &str) -> Option<&'static str> {
    if cursor.is_empty() {
        Some("empty cursor")
    } else if cursor.len() > MAX_CURSOR_LEN {
        Some("cursor longer than 2048 bytes")
    } else if cursor.contains("://") {
        Some("cursor looks like a URL")
    } else if cursor.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Some("cursor contains whitespace or control characters")
    } else if !cursor.is_ascii() {
        Some("cursor contains non-ASCII characters")
    } else if cursor.contains(['?', '&', '#']) {
        Some("cursor contains URL query characters")
    } else {
        None
    }
}

/// Tracks the cursors of one paginated fetch.
pub(crate) struct Pager<'a> {
    endpoint: &'a str,
    seen: HashSet<String>,
    pages: usize,
}

impl<'a> Pager<'a> {
    pub(crate) fn new(endpoint: &'a str) -> Self {
        Self {
            endpoint,
            seen: HashSet::new(),
            pages: 0,
        }
    }

    /// Given one page's `has_more` and `next_page`, the cursor of the next
    /// page, `None` at the end, or an error for anything we will not follow.
    pub(crate) fn next(
        &mut self,
        has_more: bool,
        next_page: Option<&Value>,
    ) -> Result<Option<String>, ProviderError> {
        self.pages += 1;
        let cursor = match next_page {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(text.as_str()),
            Some(_) => return Err(self.hostile("next_page is not a string")),
        };
        if !has_more {
            return Ok(None);
        }
        let Some(cursor) = cursor else {
            return Err(self.pagination("has_more is true but next_page is missing"));
        };
        if let Some(reason) = cursor_problem(cursor) {
            return Err(self.hostile(reason));
        }
        if !self.seen.insert(cursor.to_owned()) {
            return Err(self.pagination("the provider repeated a cursor"));
        }
        if self.pages >= MAX_PAGES {
            return Err(self.pagination("more than 500 pages"));
        }
        Ok(Some(cursor.to_owned()))
    }

    fn hostile(&self, reason: &str) -> ProviderError {
        ProviderError::HostileCursor {
            endpoint: self.endpoint.to_owned(),
            reason: reason.to_owned(),
        }
    }

    fn pagination(&self, reason: &str) -> ProviderError {
        ProviderError::Pagination {
            endpoint: self.endpoint.to_owned(),
            reason: reason.to_owned(),
        }
    }
}

/// A count that may be absent, null, an integer or an integral float
/// (exports have shown `59200.0`).
pub(crate) fn count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let Some(number) = Option::<serde_json::Number>::deserialize(d)? else {
        return Ok(None);
    };
    if let Some(v) = number.as_i64() {
        return Ok(Some(v));
    }
    if number.as_u64().is_some() {
        return Ok(Some(i64::MAX));
    }
    match number.as_f64() {
        Some(v) if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e18 => Ok(Some(v as i64)),
        _ => Err(serde::de::Error::custom(format!(
            "expected a whole count, got {number}"
        ))),
    }
}

/// A string dimension; `null` and absent both become `''`.
pub(crate) fn dim<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cursors() {
        assert_eq!(cursor_problem("page_AAAAAGdGxdEiJdKOAAAAAGcqsYA="), None);
        assert_eq!(cursor_problem("a+b/c=="), None);
        assert!(cursor_problem("https://evil.example/steal").is_some());
        assert!(cursor_problem("abc def").is_some());
        assert!(cursor_problem("abc&limit=1").is_some());
        assert!(cursor_problem("").is_some());
    }

    #[test]
    fn pager_rules() {
        let mut pager = Pager::new("/x");
        assert_eq!(pager.next(false, Some(&Value::Null)).expect("end"), None);
        assert_eq!(
            pager.next(true, Some(&json!("c1"))).expect("next"),
            Some("c1".to_owned())
        );
        assert!(matches!(
            pager.next(true, Some(&json!("c1"))),
            Err(ProviderError::Pagination { .. })
        ));
        assert!(matches!(
            pager.next(true, Some(&json!({"url": "x"}))),
            Err(ProviderError::HostileCursor { .. })
        ));
        assert!(matches!(
            pager.next(true, None),
            Err(ProviderError::Pagination { .. })
        ));
    }
}
