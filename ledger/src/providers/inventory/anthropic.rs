//! Anthropic Admin API inventory: workspaces (archived ones too) and API
//! keys with their workspace and creator.
use serde::Deserialize;

use super::{InventoryItem, InventoryKind, Listed, clip, list_all};
use crate::providers::error::ProviderError;
use crate::providers::http::{Auth, FetchStats, Transport};

pub const WORKSPACES_PATH: &str = "/v1/organizations/workspaces";
pub const API_KEYS_PATH: &str = "/v1/organizations/api_keys";

/// `{id, type: "workspace", name, created_at, archived_at, display_color}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Workspace {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub archived_at: Option<String>,
}

/// `{id, type: "api_key", name, workspace_id, created_at, created_by,
/// partial_key_hint, status}`. The key hint is never kept.
#[derive(Debug, Clone, Deserialize)]
pub struct ApiKey {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    /// `null` means the default workspace.
    #[serde(default)]
    pub workspace_id: Option<String>,
    #[serde(default)]
    pub created_by: Option<Actor>,
    #[serde(default)]
    pub status: Option<String>,
}

/// `{id, type}` of the user or service account that created a key.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Actor {
    #[serde(default)]
    pub id: Option<String>,
}

impl Listed for Workspace {
    fn id(&self) -> &str {
        &self.id
    }
}
impl Listed for ApiKey {
    fn id(&self) -> &str {
        &self.id
    }
}

impl Workspace {
    pub fn to_item(&self) -> InventoryItem {
        let mut item = InventoryItem::new(InventoryKind::Workspace, &self.id, self.name.as_deref());
        item.status = if self.archived_at.is_some() {
            "archived"
        } else {
            "active"
        }
        .to_owned();
        item
    }
}

impl ApiKey {
    pub fn to_item(&self) -> InventoryItem {
        let mut item = InventoryItem::new(InventoryKind::ApiKey, &self.id, self.name.as_deref());
        item.parent_id = clip(self.workspace_id.as_deref().unwrap_or_default());
        item.status = clip(self.status.as_deref().unwrap_or_default());
        if let Some(creator) = &self.created_by {
            item.owner_id = clip(creator.id.as_deref().unwrap_or_default());
        }
        item
    }
}

/// One Anthropic organisation's inventory, reached through one admin key.
#[derive(Clone)]
pub struct AnthropicInventoryClient {
    transport: Transport,
    base_url: String,
    auth: Auth,
}

impl std::fmt::Debug for AnthropicInventoryClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnthropicInventoryClient")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl AnthropicInventoryClient {
    pub(crate) fn new(transport: Transport, base_url: String, auth: Auth) -> Self {
        Self {
            transport,
            base_url,
            auth,
        }
    }

    pub async fn inventory(&self, stats: &FetchStats) -> Result<Vec<InventoryItem>, ProviderError> {
        let workspaces: Vec<Workspace> = list_all(
            &self.transport,
            &format!("{}{WORKSPACES_PATH}", self.base_url),
            WORKSPACES_PATH,
            // Archived workspaces keep their ids in usage history.
            &[("include_archived", "true".to_owned())],
            "after_id",
            &self.auth,
            stats,
        )
        .await?;
        let keys: Vec<ApiKey> = list_all(
            &self.transport,
            &format!("{}{API_KEYS_PATH}", self.base_url),
            API_KEYS_PATH,
            &[],
            "after_id",
            &self.auth,
            stats,
        )
        .await?;
        Ok(workspaces
            .iter()
            .map(Workspace::to_item)
            .chain(keys.iter().map(ApiKey::to_item))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::inventory::ListPage;

    const WORKSPACES: &str = r##"{"data":[
 {"id":"wrkspc_01HqV3nR8sKx2Lm5Tw9Yb4Zc","type":"workspace","name":"Support","created_at":"2026-01-05T10:00:00Z","archived_at":null,"display_color":"#6C5BB9"},
 {"id":"wrkspc_01Old0000000000000000000","type":"workspace","name":"Old","created_at":"2025-01-05T10:00:00Z","archived_at":"2026-02-01T00:00:00Z","display_color":"#000000","compartment_id":"x"}],
 "has_more":true,"first_id":"wrkspc_01HqV3nR8sKx2Lm5Tw9Yb4Zc","last_id":"wrkspc_01Old0000000000000000000"}"##;

    const KEYS: &str = r#"{"data":[
 {"id":"apikey_01Jm4Rk7Wq2Xs9Ln3Vb8Tc5H","type":"api_key","name":"support-prod","workspace_id":"wrkspc_01HqV3nR8sKx2Lm5Tw9Yb4Zc","created_at":"2026-01-06T10:00:00Z","created_by":{"id":"user_01Ab","type":"user"},"partial_key_hint":"sk-ant-api03-R2D...igAA","status":"active"},
 {"id":"apikey_01Kp8Zt3Vn6Yw1Qm4Hr7Xd2S","type":"api_key","name":"batch","workspace_id":null,"created_at":"2026-01-07T10:00:00Z","created_by":null,"partial_key_hint":null,"status":"archived","expires_at":null}],
 "has_more":false,"first_id":"apikey_01Jm4Rk7Wq2Xs9Ln3Vb8Tc5H","last_id":"apikey_01Kp8Zt3Vn6Yw1Qm4Hr7Xd2S"}"#;

    #[test]
    fn decodes_workspaces() {
        let page: ListPage<Workspace> = serde_json::from_str(WORKSPACES).expect("decodes");
        assert!(page.has_more);
        let items: Vec<_> = page.data.iter().map(Workspace::to_item).collect();
        assert_eq!(items[0].name, "Support");
        assert_eq!(items[0].status, "active");
        assert_eq!(items[1].status, "archived");
        assert!(items.iter().all(|i| i.kind == InventoryKind::Workspace));
    }

    #[test]
    fn decodes_api_keys() {
        let page: ListPage<ApiKey> = serde_json::from_str(KEYS).expect("decodes");
        let items: Vec<_> = page.data.iter().map(ApiKey::to_item).collect();
        assert_eq!(items[0].parent_id, "wrkspc_01HqV3nR8sKx2Lm5Tw9Yb4Zc");
        assert_eq!(items[0].owner_id, "user_01Ab");
        assert_eq!(items[0].name, "support-prod");
        // The default workspace is ''.
        assert_eq!(items[1].parent_id, "");
        assert_eq!(items[1].owner_id, "");
        assert_eq!(items[1].status, "archived");
        assert!(!format!("{items:?}").contains("sk-ant"));
    }
}
