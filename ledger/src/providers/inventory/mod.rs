//! What both providers' inventory clients share: the normalised item, the
//! `{data, has_more, last_id}` list envelope and the rules for following
//! its `after` cursor, and the client of one connection.
pub mod anthropic;
pub mod openai;
pub mod store;

use std::collections::HashSet;
use std::str::FromStr;

use entity::provider_connection;
use secrecy::SecretString;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use self::anthropic::AnthropicInventoryClient;
use self::openai::OpenAiInventoryClient;
use crate::providers::error::ProviderError;
use crate::providers::http::{Auth, FetchStats, Transport};
use crate::providers::keys;
use crate::providers::paging::{MAX_PAGES, cursor_problem};
use crate::providers::{ProviderClients, ProviderKind};

/// Items per list page; both APIs accept 100.
pub const LIST_LIMIT: u32 = 100;

/// Longest name or status kept; provider text beyond it is cut, so a
/// hostile response cannot bloat the table.
const MAX_TEXT_CHARS: usize = 512;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InventoryKind {
    Project,
    User,
    ServiceAccount,
    ApiKey,
    Workspace,
}

impl InventoryKind {
    pub const ALL: [InventoryKind; 5] = [
        InventoryKind::Project,
        InventoryKind::User,
        InventoryKind::ServiceAccount,
        InventoryKind::ApiKey,
        InventoryKind::Workspace,
    ];

    /// The word stored in `inventory_item.kind`.
    pub fn as_str(&self) -> &'static str {
        match self {
            InventoryKind::Project => "project",
            InventoryKind::User => "user",
            InventoryKind::ServiceAccount => "service_account",
            InventoryKind::ApiKey => "api_key",
            InventoryKind::Workspace => "workspace",
        }
    }
}

impl std::fmt::Display for InventoryKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for InventoryKind {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        InventoryKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                crate::Error::InvalidInput(format!(
                    "unknown inventory kind {s:?}: expected project, user, service_account, api_key or workspace"
                ))
            })
    }
}

/// One named provider object, normalised. Absent text is `''`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventoryItem {
    pub kind: InventoryKind,
    pub external_id: String,
    pub name: String,
    /// The project or workspace it belongs to; `''` when none.
    pub parent_id: String,
    /// The user or service account owning an API key.
    pub owner_id: String,
    pub owner_name: String,
    pub status: String,
}

impl InventoryItem {
    pub fn new(kind: InventoryKind, external_id: &str, name: Option<&str>) -> Self {
        Self {
            kind,
            external_id: external_id.to_owned(),
            name: clip(name.unwrap_or_default()),
            parent_id: String::new(),
            owner_id: String::new(),
            owner_name: String::new(),
            status: String::new(),
        }
    }
}

pub(crate) fn clip(text: &str) -> String {
    text.chars().take(MAX_TEXT_CHARS).collect()
}

/// Provider ids end up in URL paths and in our unique index: only plain
/// ids are accepted, never anything that could change a path or a query.
pub fn is_plain_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

pub(crate) fn check_id(endpoint: &str, id: &str) -> Result<(), ProviderError> {
    if is_plain_id(id) {
        Ok(())
    } else {
        Err(ProviderError::Decode {
            endpoint: endpoint.to_owned(),
            attempts: 1,
            message: format!(
                "refusing id {:?}: not a plain id",
                id.chars().take(64).collect::<String>()
            ),
        })
    }
}

/// An object of a list page that has an id (the fallback cursor).
pub(crate) trait Listed {
    fn id(&self) -> &str;
}

/// The list envelope of both APIs. `first_id` is never needed.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ListPage<T> {
    pub data: Vec<T>,
    #[serde(default)]
    pub has_more: bool,
    #[serde(default)]
    pub last_id: Option<Value>,
}

/// GETs every page of one list, passing the last id back as `cursor_param`
/// (`after` for OpenAI, `after_id` for Anthropic). The cursor is a query
/// value, never spliced into the URL; a repeated cursor, `has_more` with
/// no way forward, or more than [`MAX_PAGES`] pages is an error.
pub(crate) async fn list_all<T: DeserializeOwned + Listed>(
    transport: &Transport,
    url: &str,
    endpoint: &str,
    query: &[(&str, String)],
    cursor_param: &'static str,
    auth: &Auth,
    stats: &FetchStats,
) -> Result<Vec<T>, ProviderError> {
    let pagination = |reason: &str| ProviderError::Pagination {
        endpoint: endpoint.to_owned(),
        reason: reason.to_owned(),
    };
    let mut items = Vec::new();
    let mut seen = HashSet::new();
    let mut cursor: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let mut q = query.to_vec();
        q.push(("limit", LIST_LIMIT.to_string()));
        if let Some(cursor) = &cursor {
            q.push((cursor_param, cursor.clone()));
        }
        let page: ListPage<T> = transport.get_json(url, endpoint, &q, auth, stats).await?;
        stats
            .pages
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // The SDKs fall back to the last object's id when `last_id` is null.
        let next = match &page.last_id {
            Some(Value::String(id)) => Some(id.clone()),
            None | Some(Value::Null) => page.data.last().map(|item| item.id().to_owned()),
            Some(_) => {
                return Err(ProviderError::HostileCursor {
                    endpoint: endpoint.to_owned(),
                    reason: "last_id is not a string".to_owned(),
                });
            }
        };
        let has_more = page.has_more;
        items.extend(page.data);
        if !has_more {
            return Ok(items);
        }
        let Some(next) = next else {
            return Err(pagination("has_more is true but the page names no last id"));
        };
        if let Some(reason) = cursor_problem(&next) {
            return Err(ProviderError::HostileCursor {
                endpoint: endpoint.to_owned(),
                reason: reason.to_owned(),
            });
        }
        if !seen.insert(next.clone()) {
            return Err(pagination("the provider repeated a cursor"));
        }
        cursor = Some(next);
    }
    Err(pagination("more than 500 pages"))
}

/// The inventory client of one provider account.
#[derive(Debug, Clone)]
pub enum InventoryClient {
    OpenAi(OpenAiInventoryClient),
    Anthropic(AnthropicInventoryClient),
}

impl InventoryClient {
    pub fn kind(&self) -> ProviderKind {
        match self {
            InventoryClient::OpenAi(_) => ProviderKind::OpenAi,
            InventoryClient::Anthropic(_) => ProviderKind::Anthropic,
        }
    }

    /// Every named object the admin key can list, each `(kind, id)` once.
    pub async fn inventory(&self, stats: &FetchStats) -> Result<Vec<InventoryItem>, ProviderError> {
        let items = match self {
            InventoryClient::OpenAi(client) => client.inventory(stats).await?,
            InventoryClient::Anthropic(client) => client.inventory(stats).await?,
        };
        let mut seen = HashSet::new();
        Ok(items
            .into_iter()
            .filter(|item| seen.insert((item.kind, item.external_id.clone())))
            .collect())
    }
}

impl ProviderClients {
    /// An inventory client for an explicit base URL and key (tests).
    pub fn inventory_client_for(
        &self,
        provider: ProviderKind,
        base_url: &str,
        key: SecretString,
    ) -> InventoryClient {
        let transport = self.transport(&format!("{provider}:{base_url}"));
        build(provider, transport, base_url, key)
    }

    /// The inventory client of a stored connection: the same URL, key and
    /// rate limiter as its usage client, so both share one request budget.
    pub fn inventory_client(
        &self,
        connection: &provider_connection::Model,
    ) -> crate::Result<InventoryClient> {
        let provider = connection.provider;
        let key = keys::resolve_key(connection, self.config())?;
        let base_url = match (&connection.base_url, provider) {
            (Some(url), _) if !url.is_empty() => url.clone(),
            (_, ProviderKind::OpenAi) => self.config().openai_base_url.clone(),
            (_, ProviderKind::Anthropic) => self.config().anthropic_base_url.clone(),
        };
        let transport = self.transport(&format!("connection:{}", connection.id));
        Ok(build(provider, transport, &base_url, key))
    }
}

fn build(
    provider: ProviderKind,
    transport: Transport,
    base_url: &str,
    key: SecretString,
) -> InventoryClient {
    let base_url = base_url.trim_end_matches('/').to_owned();
    match provider {
        ProviderKind::OpenAi => InventoryClient::OpenAi(OpenAiInventoryClient::new(
            transport,
            base_url,
            Auth::Bearer(key),
        )),
        ProviderKind::Anthropic => InventoryClient::Anthropic(AnthropicInventoryClient::new(
            transport,
            base_url,
            Auth::Anthropic(key),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_ids_only() {
        assert!(is_plain_id("proj_Xk3v9QeR7tLm2Np8Ws4Yb6Hd"));
        assert!(is_plain_id("user-Gh5Tr8Kp2Wz9Lm4Qv7Xn3Bc1"));
        for bad in [
            "", "../x", "proj/a", "proj?a=1", "proj a", "proj%2F", "prøj",
        ] {
            assert!(!is_plain_id(bad), "{bad:?}");
        }
        assert!(!is_plain_id(&"a".repeat(129)));
    }

    #[test]
    fn kinds_round_trip() {
        for kind in InventoryKind::ALL {
            assert_eq!(kind.as_str().parse::<InventoryKind>().ok(), Some(kind));
        }
        assert!("team".parse::<InventoryKind>().is_err());
    }

    #[test]
    fn long_text_is_clipped() {
        let item = InventoryItem::new(InventoryKind::Project, "p", Some(&"é".repeat(2000)));
        assert_eq!(item.name.chars().count(), MAX_TEXT_CHARS);
    }
}
