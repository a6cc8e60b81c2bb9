//! The simulated organisations' inventory: OpenAI projects with their users,
//! service accounts and API keys, Anthropic workspaces and API keys, with
//! names for every id the usage data uses. Lists paginate like the real
//! APIs (`limit`, `after` / `after_id`, `has_more`, `last_id`), and
//! [`SimConfig::page_size_cap`](super::SimConfig) caps their pages too, so
//! tests can see several pages.
//!
//! The inventory is shared and mutable ([`SharedInventory`]) so a test can
//! remove an item "upstream" between two refreshes.
use std::sync::{Arc, RwLock};

use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::data::{
    ANTHROPIC_KEY_BATCH, ANTHROPIC_KEY_SUPPORT, KEY_ALICE_PIPELINE, KEY_ALICE_SUPPORT,
    KEY_BOB_BATCH, PROJECT_PIPELINE, PROJECT_SUPPORT, USER_ALICE, USER_BOB, WORKSPACE_SUPPORT,
};
use super::{Flavor, Params, Reject, Simulator, bad_request, error, page_limit};
use ledger::providers::inventory::anthropic::{API_KEYS_PATH, WORKSPACES_PATH};
use ledger::providers::{InventoryItem, InventoryKind, ProviderKind};

pub const PROJECT_ARCHIVED: &str = "proj_Ar4Ch1Vd8Qm2Zx6Lp9Tn5Wb3";
pub const SERVICE_ACCOUNT_ETL: &str = "svc_acct_9Lk2Qw7Er4Ty1Ui8Op5As3Df";
pub const KEY_ETL_SERVICE: &str = "key_Hb6Nc1Mx8Zq3Rw5T";
pub const WORKSPACE_ARCHIVED: &str = "wrkspc_01Lw7Tq2Xn9Rb4Vm6Kc1Zp8Hs";
pub const ANTHROPIC_USER_ALICE: &str = "user_01Fh3Kq8Wn2Tz5Lx9Rv4Bm7C";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimUser {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimServiceAccount {
    pub id: String,
    pub name: String,
}

/// Owned by a user or (when `owner_is_service_account`) a service account
/// of the same project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimProjectKey {
    pub id: String,
    pub name: String,
    pub owner_id: String,
    pub owner_is_service_account: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimProject {
    pub id: String,
    pub name: String,
    pub archived: bool,
    pub users: Vec<SimUser>,
    pub service_accounts: Vec<SimServiceAccount>,
    pub api_keys: Vec<SimProjectKey>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimWorkspace {
    pub id: String,
    pub name: String,
    pub archived: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimAnthropicKey {
    pub id: String,
    pub name: String,
    /// `None`: the default workspace.
    pub workspace_id: Option<String>,
    pub created_by: String,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimInventory {
    pub projects: Vec<SimProject>,
    pub workspaces: Vec<SimWorkspace>,
    pub anthropic_keys: Vec<SimAnthropicKey>,
}

pub type SharedInventory = Arc<RwLock<SimInventory>>;

fn user(id: &str, name: &str, email: &str, role: &str) -> SimUser {
    SimUser {
        id: id.to_owned(),
        name: name.to_owned(),
        email: email.to_owned(),
        role: role.to_owned(),
    }
}

fn key(id: &str, name: &str, owner_id: &str, service_account: bool) -> SimProjectKey {
    SimProjectKey {
        id: id.to_owned(),
        name: name.to_owned(),
        owner_id: owner_id.to_owned(),
        owner_is_service_account: service_account,
    }
}

impl Default for SimInventory {
    /// Names for every id of [`super::data`], plus an archived project and
    /// workspace (listed only with `include_archived=true`).
    fn default() -> Self {
        Self {
            projects: default_projects(),
            workspaces: default_workspaces(),
            anthropic_keys: default_anthropic_keys(),
        }
    }
}

/// The OpenAI projects: the two of the usage data and an archived one.
fn default_projects() -> Vec<SimProject> {
    let alice = || user(USER_ALICE, "Alice Example", "alice@example.com", "owner");
    let bob = || user(USER_BOB, "Bob Example", "bob@example.com", "member");
    vec![
        SimProject {
            id: PROJECT_SUPPORT.to_owned(),
            name: "Support Bot".to_owned(),
            archived: false,
            users: vec![alice()],
            service_accounts: Vec::new(),
            api_keys: vec![key(
                KEY_ALICE_SUPPORT,
                "support-bot prod",
                USER_ALICE,
                false,
            )],
        },
        SimProject {
            id: PROJECT_PIPELINE.to_owned(),
            name: "Data Pipeline".to_owned(),
            archived: false,
            users: vec![alice(), bob()],
            service_accounts: vec![SimServiceAccount {
                id: SERVICE_ACCOUNT_ETL.to_owned(),
                name: "nightly-etl".to_owned(),
            }],
            api_keys: vec![
                key(KEY_BOB_BATCH, "etl-batch", USER_BOB, false),
                key(KEY_ALICE_PIPELINE, "pipeline-dev", USER_ALICE, false),
                key(
                    KEY_ETL_SERVICE,
                    "nightly-etl key",
                    SERVICE_ACCOUNT_ETL,
                    true,
                ),
            ],
        },
        SimProject {
            id: PROJECT_ARCHIVED.to_owned(),
            name: "Old Prototype".to_owned(),
            archived: true,
            users: vec![bob()],
            service_accounts: Vec::new(),
            api_keys: Vec::new(),
        },
    ]
}

fn default_workspaces() -> Vec<SimWorkspace> {
    vec![
        SimWorkspace {
            id: WORKSPACE_SUPPORT.to_owned(),
            name: "Support".to_owned(),
            archived: false,
        },
        SimWorkspace {
            id: WORKSPACE_ARCHIVED.to_owned(),
            name: "Experiments".to_owned(),
            archived: true,
        },
    ]
}

/// The Anthropic keys of the usage data; the batch key lives in the
/// default workspace.
fn default_anthropic_keys() -> Vec<SimAnthropicKey> {
    vec![
        SimAnthropicKey {
            id: ANTHROPIC_KEY_SUPPORT.to_owned(),
            name: "support-prod".to_owned(),
            workspace_id: Some(WORKSPACE_SUPPORT.to_owned()),
            created_by: ANTHROPIC_USER_ALICE.to_owned(),
            status: "active".to_owned(),
        },
        SimAnthropicKey {
            id: ANTHROPIC_KEY_BATCH.to_owned(),
            name: "batch-default".to_owned(),
            workspace_id: None,
            created_by: ANTHROPIC_USER_ALICE.to_owned(),
            status: "active".to_owned(),
        },
    ]
}

impl SimInventory {
    pub fn shared(self) -> SharedInventory {
        Arc::new(RwLock::new(self))
    }

    fn owner_name(project: &SimProject, key: &SimProjectKey) -> String {
        if key.owner_is_service_account {
            project
                .service_accounts
                .iter()
                .find(|a| a.id == key.owner_id)
                .map(|a| a.name.clone())
                .unwrap_or_default()
        } else {
            project
                .users
                .iter()
                .find(|u| u.id == key.owner_id)
                .map(|u| u.name.clone())
                .unwrap_or_default()
        }
    }

    /// What a refresh of a connection to this organisation must store,
    /// sorted by (kind, id). A user of several projects belongs to the
    /// first project listing them.
    pub fn expected_items(&self, provider: ProviderKind) -> Vec<InventoryItem> {
        let item = |kind, id: &str, name: &str, parent: &str, status: &str| InventoryItem {
            kind,
            external_id: id.to_owned(),
            name: name.to_owned(),
            parent_id: parent.to_owned(),
            owner_id: String::new(),
            owner_name: String::new(),
            status: status.to_owned(),
        };
        let mut out: Vec<InventoryItem> = Vec::new();
        match provider {
            ProviderKind::OpenAi => {
                for p in &self.projects {
                    let status = if p.archived { "archived" } else { "active" };
                    out.push(item(InventoryKind::Project, &p.id, &p.name, "", status));
                }
                for p in &self.projects {
                    for u in &p.users {
                        if !out
                            .iter()
                            .any(|i| i.kind == InventoryKind::User && i.external_id == u.id)
                        {
                            out.push(item(InventoryKind::User, &u.id, &u.name, &p.id, ""));
                        }
                    }
                    for a in &p.service_accounts {
                        out.push(item(
                            InventoryKind::ServiceAccount,
                            &a.id,
                            &a.name,
                            &p.id,
                            "",
                        ));
                    }
                    for k in &p.api_keys {
                        let mut i = item(InventoryKind::ApiKey, &k.id, &k.name, &p.id, "active");
                        i.owner_id = k.owner_id.clone();
                        i.owner_name = Self::owner_name(p, k);
                        out.push(i);
                    }
                }
            }
            ProviderKind::Anthropic => {
                for w in &self.workspaces {
                    let status = if w.archived { "archived" } else { "active" };
                    out.push(item(InventoryKind::Workspace, &w.id, &w.name, "", status));
                }
                for k in &self.anthropic_keys {
                    let parent = k.workspace_id.as_deref().unwrap_or_default();
                    let mut i = item(InventoryKind::ApiKey, &k.id, &k.name, parent, &k.status);
                    i.owner_id = k.created_by.clone();
                    out.push(i);
                }
            }
        }
        out.sort_by(|a, b| (a.kind, &a.external_id).cmp(&(b.kind, &b.external_id)));
        out
    }
}

#[derive(Clone)]
struct InventoryState {
    sim: Simulator,
    inventory: SharedInventory,
}

impl InventoryState {
    /// A poisoned lock only means a panicking test; the data is still fine.
    fn snapshot(&self) -> SimInventory {
        match self.inventory.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

/// The inventory routes of both providers over `inventory`, checking keys
/// and capping pages like `sim`.
pub fn router(sim: &Simulator, inventory: SharedInventory) -> Router {
    Router::new()
        .route("/v1/organization/projects", get(openai_projects))
        .route(
            "/v1/organization/projects/{project_id}/{list}",
            get(openai_project_list),
        )
        .route(WORKSPACES_PATH, get(anthropic_workspaces))
        .route(API_KEYS_PATH, get(anthropic_api_keys))
        .with_state(InventoryState {
            sim: sim.clone(),
            inventory,
        })
}

/// One page of `items` (already in list order) after the `cursor_param`
/// id, at most `limit` long.
fn page_of(
    sim: &Simulator,
    flavor: Flavor,
    params: &Params,
    cursor_param: &str,
    max_limit: u32,
    items: Vec<(String, Value)>,
) -> Result<Value, Reject> {
    let limit = page_limit(sim, flavor, params, 20, max_limit)? as usize;
    let start = match params.get(cursor_param) {
        None => 0,
        Some(after) => match items.iter().position(|(id, _)| id == after) {
            Some(at) => at + 1,
            None => {
                return Err(bad_request(
                    flavor,
                    &format!("{cursor_param} does not name an object of this list"),
                ));
            }
        },
    };
    let rest = items.len().saturating_sub(start);
    let page: Vec<(String, Value)> = items.into_iter().skip(start).take(limit).collect();
    let first_id = page.first().map(|(id, _)| id.clone());
    let last_id = page.last().map(|(id, _)| id.clone());
    let has_more = rest > page.len();
    let data: Vec<Value> = page.into_iter().map(|(_, v)| v).collect();
    let mut body = json!({
        "data": data,
        "first_id": first_id,
        "last_id": last_id,
        "has_more": has_more,
    });
    if let (Flavor::OpenAi, Some(object)) = (flavor, body.as_object_mut()) {
        object.insert("object".to_owned(), json!("list"));
    }
    Ok(body)
}

fn respond(result: Result<Value, Reject>) -> Response {
    match result {
        Ok(body) => Json(body).into_response(),
        Err(reject) => reject.into_response(),
    }
}

const CREATED: i64 = 1_764_547_200;

async fn openai_projects(
    State(state): State<InventoryState>,
    Query(params): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    let flavor = Flavor::OpenAi;
    let params = Params(params);
    if let Err(reject) = state.sim.check_key(flavor, &headers) {
        return reject.into_response();
    }
    let include_archived = params.get("include_archived") == Some("true");
    let items = state
        .snapshot()
        .projects
        .into_iter()
        .filter(|p| include_archived || !p.archived)
        .map(|p| {
            let body = json!({
                "id": p.id,
                "object": "organization.project",
                "name": p.name,
                "created_at": CREATED,
                "archived_at": if p.archived { Some(CREATED + 86_400) } else { None },
                "status": if p.archived { "archived" } else { "active" },
                "external_key_id": null,
                "residency": "GLOBAL",
            });
            (p.id, body)
        })
        .collect();
    respond(page_of(&state.sim, flavor, &params, "after", 100, items))
}

async fn openai_project_list(
    State(state): State<InventoryState>,
    Path((project_id, list)): Path<(String, String)>,
    Query(params): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    let flavor = Flavor::OpenAi;
    let params = Params(params);
    if let Err(reject) = state.sim.check_key(flavor, &headers) {
        return reject.into_response();
    }
    let Some(project) = state
        .snapshot()
        .projects
        .into_iter()
        .find(|p| p.id == project_id)
    else {
        return openai_not_found("project");
    };
    let items: Vec<(String, Value)> = match list.as_str() {
        "users" => project.users.iter().map(project_user_json).collect(),
        "service_accounts" => project
            .service_accounts
            .iter()
            .map(service_account_json)
            .collect(),
        "api_keys" => project
            .api_keys
            .iter()
            .map(|k| project_key_json(&project, k))
            .collect(),
        _ => return openai_not_found("endpoint"),
    };
    respond(page_of(&state.sim, flavor, &params, "after", 100, items))
}

fn openai_not_found(what: &str) -> Response {
    error(
        Flavor::OpenAi,
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        &format!("No such {what}"),
    )
    .into_response()
}

/// A project user as listed, keyed by its id for paging.
fn project_user_json(u: &SimUser) -> (String, Value) {
    let body = json!({
        "object": "organization.project.user",
        "id": u.id,
        "name": u.name,
        "email": u.email,
        "role": u.role,
        "added_at": CREATED + 100,
    });
    (u.id.clone(), body)
}

fn service_account_json(a: &SimServiceAccount) -> (String, Value) {
    let body = json!({
        "object": "organization.project.service_account",
        "id": a.id,
        "name": a.name,
        "role": "member",
        "created_at": CREATED + 200,
    });
    (a.id.clone(), body)
}

/// A project API key with its owner (a user or a service account)
/// embedded, as OpenAI lists it.
fn project_key_json(project: &SimProject, k: &SimProjectKey) -> (String, Value) {
    let owner_name = SimInventory::owner_name(project, k);
    let owner = if k.owner_is_service_account {
        json!({"type": "service_account", "service_account": {
            "id": k.owner_id, "name": owner_name, "role": "member", "created_at": CREATED + 200}})
    } else {
        json!({"type": "user", "user": {
            "id": k.owner_id, "name": owner_name, "email": "", "role": "member", "created_at": CREATED}})
    };
    let tail: String = k.id.chars().rev().take(4).collect();
    let body = json!({
        "object": "organization.project.api_key",
        "redacted_value": format!("sk-proj-****{tail}"),
        "name": k.name,
        "created_at": CREATED + 300,
        "last_used_at": null,
        "id": k.id,
        "owner_project_access": "active",
        "owner": owner,
    });
    (k.id.clone(), body)
}

async fn anthropic_workspaces(
    State(state): State<InventoryState>,
    Query(params): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    let flavor = Flavor::Anthropic;
    let params = Params(params);
    if let Err(reject) = state.sim.check_key(flavor, &headers) {
        return reject.into_response();
    }
    let include_archived = params.get("include_archived") == Some("true");
    let items = state
        .snapshot()
        .workspaces
        .into_iter()
        .filter(|w| include_archived || !w.archived)
        .map(|w| {
            let body = json!({
                "id": w.id,
                "type": "workspace",
                "name": w.name,
                "created_at": "2026-01-05T10:00:00Z",
                "archived_at": if w.archived { Some("2026-06-01T00:00:00Z") } else { None },
                "display_color": "#6C5BB9",
            });
            (w.id, body)
        })
        .collect();
    respond(page_of(
        &state.sim, flavor, &params, "after_id", 1000, items,
    ))
}

async fn anthropic_api_keys(
    State(state): State<InventoryState>,
    Query(params): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    let flavor = Flavor::Anthropic;
    let params = Params(params);
    if let Err(reject) = state.sim.check_key(flavor, &headers) {
        return reject.into_response();
    }
    let items = state
        .snapshot()
        .anthropic_keys
        .into_iter()
        .map(|k| {
            let body = json!({
                "id": k.id,
                "type": "api_key",
                "name": k.name,
                "workspace_id": k.workspace_id,
                "created_at": "2026-01-06T10:00:00Z",
                "created_by": {"id": k.created_by, "type": "user"},
                "partial_key_hint": "sk-ant-api03-Sim...AAAA",
                "status": k.status,
            });
            (k.id, body)
        })
        .collect();
    respond(page_of(
        &state.sim, flavor, &params, "after_id", 1000, items,
    ))
}
