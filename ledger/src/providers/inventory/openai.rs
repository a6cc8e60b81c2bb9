//! OpenAI admin inventory: projects (archived ones too), and per project its
//! users, service accounts and API keys, with their names and owners.
use serde::Deserialize;

use super::{InventoryItem, InventoryKind, Listed, check_id, clip, list_all};
use crate::providers::error::ProviderError;
use crate::providers::http::{Auth, FetchStats, Transport};

pub const PROJECTS_PATH: &str = "/organization/projects";

/// `organization.project`. Only `id` is required here; everything else the
/// API may add or drop is optional or ignored.
#[derive(Debug, Clone, Deserialize)]
pub struct Project {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub archived_at: Option<i64>,
}

/// `organization.project.user`.
#[derive(Debug, Clone, Deserialize)]
pub struct ProjectUser {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub role: Option<String>,
}

/// `organization.project.service_account`.
#[derive(Debug, Clone, Deserialize)]
pub struct ServiceAccount {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub role: Option<String>,
}

/// `organization.project.api_key`. The redacted value is never kept.
#[derive(Debug, Clone, Deserialize)]
pub struct ProjectApiKey {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub owner_project_access: Option<String>,
    #[serde(default)]
    pub owner: Option<KeyOwner>,
}

/// `{type: "user"|"service_account", user?: {...}, service_account?: {...}}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct KeyOwner {
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub user: Option<OwnerRef>,
    #[serde(default)]
    pub service_account: Option<OwnerRef>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct OwnerRef {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

impl Listed for Project {
    fn id(&self) -> &str {
        &self.id
    }
}
impl Listed for ProjectUser {
    fn id(&self) -> &str {
        &self.id
    }
}
impl Listed for ServiceAccount {
    fn id(&self) -> &str {
        &self.id
    }
}
impl Listed for ProjectApiKey {
    fn id(&self) -> &str {
        &self.id
    }
}

impl Project {
    pub fn is_archived(&self) -> bool {
        self.archived_at.is_some() || self.status.as_deref() == Some("archived")
    }

    pub fn to_item(&self) -> InventoryItem {
        let mut item = InventoryItem::new(InventoryKind::Project, &self.id, self.name.as_deref());
        item.status = match (&self.status, self.archived_at) {
            (Some(status), _) => clip(status),
            (None, Some(_)) => "archived".to_owned(),
            (None, None) => String::new(),
        };
        item
    }
}

impl ProjectUser {
    /// Users without a name are shown by their email.
    pub fn to_item(&self, project_id: &str) -> InventoryItem {
        let name = self.name.as_deref().filter(|n| !n.is_empty());
        let mut item = InventoryItem::new(
            InventoryKind::User,
            &self.id,
            name.or(self.email.as_deref()),
        );
        item.parent_id = project_id.to_owned();
        item
    }
}

impl ServiceAccount {
    pub fn to_item(&self, project_id: &str) -> InventoryItem {
        let mut item = InventoryItem::new(
            InventoryKind::ServiceAccount,
            &self.id,
            self.name.as_deref(),
        );
        item.parent_id = project_id.to_owned();
        item
    }
}

impl ProjectApiKey {
    pub fn to_item(&self, project_id: &str) -> InventoryItem {
        let mut item = InventoryItem::new(InventoryKind::ApiKey, &self.id, self.name.as_deref());
        item.parent_id = project_id.to_owned();
        item.status = clip(self.owner_project_access.as_deref().unwrap_or_default());
        let owner = self.owner.clone().unwrap_or_default();
        let who = match owner.kind.as_deref() {
            Some("service_account") => owner.service_account.or(owner.user),
            _ => owner.user.or(owner.service_account),
        };
        if let Some(who) = who {
            item.owner_id = clip(who.id.as_deref().unwrap_or_default());
            let name = who.name.as_deref().filter(|n| !n.is_empty());
            item.owner_name = clip(name.or(who.email.as_deref()).unwrap_or_default());
        }
        item
    }
}

/// One OpenAI organisation's inventory, reached through one admin key.
#[derive(Clone)]
pub struct OpenAiInventoryClient {
    transport: Transport,
    base_url: String,
    auth: Auth,
}

impl std::fmt::Debug for OpenAiInventoryClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiInventoryClient")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl OpenAiInventoryClient {
    pub(crate) fn new(transport: Transport, base_url: String, auth: Auth) -> Self {
        Self {
            transport,
            base_url,
            auth,
        }
    }

    async fn list<T: serde::de::DeserializeOwned + Listed>(
        &self,
        endpoint: &str,
        query: &[(&str, String)],
        stats: &FetchStats,
    ) -> Result<Vec<T>, ProviderError> {
        let url = format!("{}{endpoint}", self.base_url);
        list_all(
            &self.transport,
            &url,
            endpoint,
            query,
            "after",
            &self.auth,
            stats,
        )
        .await
    }

    /// Projects (archived included, since their ids stay in usage
    /// history), then each project's users, service accounts and keys.
    pub async fn inventory(&self, stats: &FetchStats) -> Result<Vec<InventoryItem>, ProviderError> {
        let projects: Vec<Project> = self
            .list(
                PROJECTS_PATH,
                &[("include_archived", "true".to_owned())],
                stats,
            )
            .await?;
        let mut items = Vec::new();
        for project in &projects {
            // The id goes into the next paths, so it must be a plain id.
            check_id(PROJECTS_PATH, &project.id)?;
            items.push(project.to_item());
        }
        for project in &projects {
            match self.project_members(project, stats).await {
                Ok(members) => items.extend(members),
                // Archived projects may refuse member lists; their names
                // are still known from the project list.
                Err(ProviderError::Client { status, .. }) if project.is_archived() => {
                    tracing::info!(
                        project = %project.id,
                        status,
                        "skipping the members of an archived project"
                    );
                }
                Err(error) => return Err(error),
            }
        }
        Ok(items)
    }

    async fn project_members(
        &self,
        project: &Project,
        stats: &FetchStats,
    ) -> Result<Vec<InventoryItem>, ProviderError> {
        let base = format!("{PROJECTS_PATH}/{}", project.id);
        let mut items = Vec::new();
        let users: Vec<ProjectUser> = self.list(&format!("{base}/users"), &[], stats).await?;
        items.extend(users.iter().map(|u| u.to_item(&project.id)));
        let accounts: Vec<ServiceAccount> = self
            .list(&format!("{base}/service_accounts"), &[], stats)
            .await?;
        items.extend(accounts.iter().map(|a| a.to_item(&project.id)));
        let keys: Vec<ProjectApiKey> = self.list(&format!("{base}/api_keys"), &[], stats).await?;
        items.extend(keys.iter().map(|k| k.to_item(&project.id)));
        Ok(items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::inventory::ListPage;

    // The examples of PROVIDERS.md §2, verbatim.
    const PROJECTS: &str = r#"{"object":"list","data":[
 {"id":"proj_Xk3v9QeR7tLm2Np8Ws4Yb6Hd","object":"organization.project","name":"Support Bot","created_at":1761955200,"archived_at":null,"status":"active","external_key_id":null,"residency":"GLOBAL"},
 {"id":"proj_Pq7Lz2Vc9Jh4Rt6Kx1Mn3Bf8","object":"organization.project","name":"Data Pipeline","created_at":1764547200,"archived_at":null,"status":"active","external_key_id":null,"residency":"GLOBAL"}],
 "first_id":"proj_Xk3v9QeR7tLm2Np8Ws4Yb6Hd","last_id":"proj_Pq7Lz2Vc9Jh4Rt6Kx1Mn3Bf8","has_more":false}"#;

    const USERS: &str = r#"{"object":"list","data":[
 {"object":"organization.project.user","id":"user-Gh5Tr8Kp2Wz9Lm4Qv7Xn3Bc1","name":"Alice Example","email":"alice@example.com","role":"owner","added_at":1764547300},
 {"object":"organization.project.user","id":"user-Rm6Yt1Hq8Ls3Dv0Kw5Zp2Ej7","name":"Bob Example","email":"bob@example.com","role":"member","added_at":1764547400}],
 "first_id":"user-Gh5Tr8Kp2Wz9Lm4Qv7Xn3Bc1","last_id":"user-Rm6Yt1Hq8Ls3Dv0Kw5Zp2Ej7","has_more":false}"#;

    const SERVICE_ACCOUNTS: &str = r#"{"object":"list","data":[
 {"object":"organization.project.service_account","id":"svc_acct_9Lk2Qw7Er4Ty1Ui8Op5As3Df","name":"nightly-etl","role":"member","created_at":1764633600}],
 "first_id":"svc_acct_9Lk2Qw7Er4Ty1Ui8Op5As3Df","last_id":"svc_acct_9Lk2Qw7Er4Ty1Ui8Op5As3Df","has_more":false}"#;

    const API_KEYS: &str = r#"{"object":"list","data":[
 {"object":"organization.project.api_key","redacted_value":"sk-proj-****Wc8B","name":"etl-batch","created_at":1764547500,"last_used_at":1793660000,"id":"key_Vn3Hs8Kd1Pq6Yj2F","owner_project_access":"active",
  "owner":{"type":"user","user":{"id":"user-Rm6Yt1Hq8Ls3Dv0Kw5Zp2Ej7","name":"Bob Example","email":"bob@example.com","role":"member","created_at":1700000000}}},
 {"object":"organization.project.api_key","redacted_value":"sk-svca****Zt0q","name":"nightly-etl key","created_at":1764633700,"last_used_at":null,"id":"key_Hb6Nc1Mx8Zq3Rw5T","owner_project_access":"active",
  "owner":{"type":"service_account","service_account":{"id":"svc_acct_9Lk2Qw7Er4Ty1Ui8Op5As3Df","name":"nightly-etl","role":"member","created_at":1764633600}}}],
 "first_id":"key_Vn3Hs8Kd1Pq6Yj2F","last_id":"key_Hb6Nc1Mx8Zq3Rw5T","has_more":false}"#;

    fn page<T: serde::de::DeserializeOwned>(json: &str) -> ListPage<T> {
        serde_json::from_str(json).expect("decodes")
    }

    #[test]
    fn decodes_projects() {
        let page: ListPage<Project> = page(PROJECTS);
        assert!(!page.has_more);
        assert_eq!(
            page.last_id,
            Some(serde_json::json!("proj_Pq7Lz2Vc9Jh4Rt6Kx1Mn3Bf8"))
        );
        let items: Vec<_> = page.data.iter().map(Project::to_item).collect();
        assert_eq!(items[0].external_id, "proj_Xk3v9QeR7tLm2Np8Ws4Yb6Hd");
        assert_eq!(items[0].name, "Support Bot");
        assert_eq!(items[0].status, "active");
        assert_eq!(items[1].name, "Data Pipeline");
        assert!(items.iter().all(|i| i.kind == InventoryKind::Project));
    }

    #[test]
    fn decodes_users_and_service_accounts() {
        let users: ListPage<ProjectUser> = page(USERS);
        let items: Vec<_> = users.data.iter().map(|u| u.to_item("proj_x")).collect();
        assert_eq!(items[0].name, "Alice Example");
        assert_eq!(items[1].external_id, "user-Rm6Yt1Hq8Ls3Dv0Kw5Zp2Ej7");
        assert_eq!(items[1].parent_id, "proj_x");
        let accounts: ListPage<ServiceAccount> = page(SERVICE_ACCOUNTS);
        let item = accounts.data[0].to_item("proj_x");
        assert_eq!(item.kind, InventoryKind::ServiceAccount);
        assert_eq!(item.name, "nightly-etl");
    }

    #[test]
    fn decodes_api_keys_with_owners() {
        let keys: ListPage<ProjectApiKey> = page(API_KEYS);
        let items: Vec<_> = keys.data.iter().map(|k| k.to_item("proj_x")).collect();
        assert_eq!(items[0].name, "etl-batch");
        assert_eq!(items[0].owner_id, "user-Rm6Yt1Hq8Ls3Dv0Kw5Zp2Ej7");
        assert_eq!(items[0].owner_name, "Bob Example");
        assert_eq!(items[0].status, "active");
        assert_eq!(items[1].owner_id, "svc_acct_9Lk2Qw7Er4Ty1Ui8Op5As3Df");
        assert_eq!(items[1].owner_name, "nightly-etl");
        // The redacted key value is not part of the item.
        assert!(!format!("{items:?}").contains("sk-"));
    }

    #[test]
    fn minimal_and_unknown_fields_decode() {
        let page: ListPage<ProjectApiKey> = page(
            r#"{"object":"list","data":[{"id":"key_1","future_field":{"x":1},"owner":null}],"has_more":false}"#,
        );
        let item = page.data[0].to_item("proj_1");
        assert_eq!((item.name.as_str(), item.owner_id.as_str()), ("", ""));
        let user: ListPage<ProjectUser> = self::page(
            r#"{"object":"list","data":[{"id":"user-1","name":null,"email":"c@example.com"}],"has_more":false,"first_id":null,"last_id":null}"#,
        );
        assert_eq!(user.data[0].to_item("p").name, "c@example.com");
    }

    #[test]
    fn archived_projects() {
        let page: ListPage<Project> = page(
            r#"{"object":"list","data":[{"id":"proj_old","name":null,"archived_at":1790000000}],"has_more":false}"#,
        );
        assert!(page.data[0].is_archived());
        assert_eq!(page.data[0].to_item().status, "archived");
    }
}
