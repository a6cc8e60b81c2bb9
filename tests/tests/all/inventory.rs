//! Provider inventory end to end: the simulator's inventory endpoints over
//! real HTTP, the real refresh, a fresh database per test on SQLite and
//! PostgreSQL, and the GraphQL `inventory` query.
use std::time::Duration;

use api::auth::Role;
use axum::Json;
use axum::extract::Query;
use axum::routing::get;
use e2e::app::{Backend, TestApp, TestDb, error_code};
use e2e::both_backends;
use e2e::mock_provider::{Fault, MockProvider, Rule};
use e2e::providers::{fast_clients, sealed_connection as connection};
use entity::{inventory_item, provider_connection};
use ledger::providers::connections::{self};
use ledger::providers::inventory::store::{
    self as inventory, InventoryError, InventoryItem, InventoryKind, InventoryReport,
};
use ledger::providers::{FetchStats, ProviderClients, ProviderError, ProviderKind, RateLimit};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use secrecy::SecretString;
use serde_json::{Value, json};
use sim::data::{
    ANTHROPIC_KEY_BATCH, KEY_ALICE_SUPPORT, KEY_BOB_BATCH, PROJECT_PIPELINE, PROJECT_SUPPORT,
    USER_ALICE, USER_BOB, WORKSPACE_SUPPORT,
};
use sim::inventory::{
    KEY_ETL_SERVICE, PROJECT_ARCHIVED, SERVICE_ACCOUNT_ETL, SimInventory, WORKSPACE_ARCHIVED,
};
use sim::{self as simulator, SimConfig, Simulator};

fn clients() -> ProviderClients {
    fast_clients(Duration::from_millis(800), 2, RateLimit::UNLIMITED)
}

/// The stored inventory of one connection as items, sorted by (kind, id).
async fn stored(db: &DatabaseConnection, connection_id: i64) -> Vec<InventoryItem> {
    let mut items: Vec<InventoryItem> = inventory_item::Entity::find()
        .filter(inventory_item::Column::ConnectionId.eq(connection_id))
        .all(db)
        .await
        .expect("rows")
        .into_iter()
        .map(|row| InventoryItem {
            kind: row.kind.parse().expect("kind"),
            external_id: row.external_id,
            name: row.name,
            parent_id: row.parent_id,
            owner_id: row.owner_id,
            owner_name: row.owner_name,
            status: row.status,
        })
        .collect();
    items.sort_by(|a, b| (a.kind, &a.external_id).cmp(&(b.kind, &b.external_id)));
    items
}

async fn row_count(db: &DatabaseConnection) -> usize {
    inventory_item::Entity::find()
        .all(db)
        .await
        .expect("rows")
        .len()
}

fn find<'a>(items: &'a [InventoryItem], kind: InventoryKind, id: &str) -> &'a InventoryItem {
    items
        .iter()
        .find(|i| i.kind == kind && i.external_id == id)
        .unwrap_or_else(|| panic!("{kind} {id} not stored: {items:#?}"))
}

async fn refresh(
    db: &DatabaseConnection,
    clients: &ProviderClients,
    conn: &provider_connection::Model,
) -> InventoryReport {
    inventory::refresh(db, clients, conn)
        .await
        .expect("refresh")
}

async fn refresh_stores_every_item_with_names(backend: Backend) {
    let db = TestDb::fresh(backend).await;
    let mock = MockProvider::start(SimConfig::default()).await;
    let clients = clients();
    let openai = connection(
        &db.conn,
        "oa",
        ProviderKind::OpenAi,
        "sk-admin-test",
        &mock.openai_base(),
    )
    .await;
    let anthropic = connection(
        &db.conn,
        "an",
        ProviderKind::Anthropic,
        "sk-ant-admin01-test",
        &mock.anthropic_base(),
    )
    .await;
    let sim = SimInventory::default();

    let report = refresh(&db.conn, &clients, &openai).await;
    let items = stored(&db.conn, openai.id).await;
    assert_eq!(items, sim.expected_items(ProviderKind::OpenAi));
    assert_eq!(report.inserted as usize, items.len());
    assert_eq!((report.updated, report.deleted), (0, 0));
    assert_eq!(
        report.by_kind.get("project").copied(),
        Some(3),
        "{report:?}"
    );
    assert_eq!(
        find(&items, InventoryKind::Project, PROJECT_SUPPORT).name,
        "Support Bot"
    );
    assert_eq!(
        find(&items, InventoryKind::Project, PROJECT_PIPELINE).name,
        "Data Pipeline"
    );
    let archived = find(&items, InventoryKind::Project, PROJECT_ARCHIVED);
    assert_eq!(archived.status, "archived");
    assert_eq!(
        find(&items, InventoryKind::User, USER_ALICE).name,
        "Alice Example"
    );
    assert_eq!(
        find(&items, InventoryKind::User, USER_BOB).name,
        "Bob Example"
    );
    assert_eq!(
        find(&items, InventoryKind::ServiceAccount, SERVICE_ACCOUNT_ETL).name,
        "nightly-etl"
    );
    let key = find(&items, InventoryKind::ApiKey, KEY_BOB_BATCH);
    assert_eq!(
        (
            key.name.as_str(),
            key.parent_id.as_str(),
            key.owner_id.as_str(),
            key.owner_name.as_str()
        ),
        ("etl-batch", PROJECT_PIPELINE, USER_BOB, "Bob Example")
    );
    let service_key = find(&items, InventoryKind::ApiKey, KEY_ETL_SERVICE);
    assert_eq!(service_key.owner_id, SERVICE_ACCOUNT_ETL);
    assert_eq!(service_key.owner_name, "nightly-etl");

    // The requests: 100 per page, archived projects asked for, and the
    // key only ever in the Authorization header.
    let requests = mock.requests();
    assert!(requests.iter().all(|r| r.param("limit") == Some("100")));
    let projects = requests
        .iter()
        .find(|r| r.path == "/v1/organization/projects")
        .expect("projects listed");
    assert_eq!(projects.param("include_archived"), Some("true"));
    assert!(
        requests
            .iter()
            .all(|r| !r.raw_query.contains("sk-admin-test"))
    );

    let report = refresh(&db.conn, &clients, &anthropic).await;
    let items = stored(&db.conn, anthropic.id).await;
    assert_eq!(items, sim.expected_items(ProviderKind::Anthropic));
    assert_eq!(report.items as usize, items.len());
    assert_eq!(
        find(&items, InventoryKind::Workspace, WORKSPACE_SUPPORT).name,
        "Support"
    );
    assert_eq!(
        find(&items, InventoryKind::Workspace, WORKSPACE_ARCHIVED).status,
        "archived"
    );
    assert_eq!(
        find(&items, InventoryKind::ApiKey, ANTHROPIC_KEY_BATCH).parent_id,
        "",
        "a key of the default workspace has no parent"
    );

    // A second refresh changes nothing.
    let before = stored(&db.conn, openai.id).await;
    let again = refresh(&db.conn, &clients, &openai).await;
    assert_eq!(
        (again.inserted, again.updated, again.deleted),
        (0, 0, 0),
        "{again:?}"
    );
    assert_eq!(again.unchanged as usize, before.len());
    assert_eq!(stored(&db.conn, openai.id).await, before);

    let names = inventory::names(&db.conn).await.expect("names");
    assert_eq!(
        names.get(&("project".to_owned(), PROJECT_SUPPORT.to_owned())),
        Some(&"Support Bot".to_owned())
    );
    assert_eq!(
        names.get(&("api_key".to_owned(), KEY_ALICE_SUPPORT.to_owned())),
        Some(&"support-bot prod".to_owned())
    );
    assert_eq!(
        names.get(&("workspace".to_owned(), WORKSPACE_SUPPORT.to_owned())),
        Some(&"Support".to_owned())
    );
    mock.stop();
    db.cleanup().await;
}

async fn items_removed_upstream_disappear(backend: Backend) {
    let db = TestDb::fresh(backend).await;
    let upstream = SimInventory::default().shared();
    let sim = Simulator::new(SimConfig::default());
    let (addr, server) = simulator::serve(simulator::inventory::router(&sim, upstream.clone()))
        .await
        .expect("serve");
    let clients = clients();
    let openai = connection(
        &db.conn,
        "oa",
        ProviderKind::OpenAi,
        "sk-admin-test",
        &format!("http://{addr}/v1"),
    )
    .await;
    let anthropic = connection(
        &db.conn,
        "an",
        ProviderKind::Anthropic,
        "sk-ant-admin01-test",
        &format!("http://{addr}"),
    )
    .await;
    refresh(&db.conn, &clients, &openai).await;
    refresh(&db.conn, &clients, &anthropic).await;

    {
        let mut org = upstream.write().expect("lock");
        let pipeline = org
            .projects
            .iter_mut()
            .find(|p| p.id == PROJECT_PIPELINE)
            .expect("project");
        pipeline.name = "Data Pipeline v2".to_owned();
        pipeline.api_keys.retain(|k| k.id != KEY_BOB_BATCH);
        org.projects.retain(|p| p.id != PROJECT_ARCHIVED);
        org.workspaces.retain(|w| w.id != WORKSPACE_ARCHIVED);
    }
    let expected = upstream.read().expect("lock").clone();

    let report = refresh(&db.conn, &clients, &openai).await;
    let items = stored(&db.conn, openai.id).await;
    assert_eq!(items, expected.expected_items(ProviderKind::OpenAi));
    assert_eq!((report.inserted, report.updated), (0, 1), "{report:?}");
    // The key and the archived project; Bob stays (still a member of the
    // pipeline project).
    assert_eq!(report.deleted, 2, "{report:?}");
    assert!(
        !items
            .iter()
            .any(|i| i.external_id == KEY_BOB_BATCH || i.external_id == PROJECT_ARCHIVED)
    );
    assert_eq!(
        find(&items, InventoryKind::Project, PROJECT_PIPELINE).name,
        "Data Pipeline v2"
    );

    let report = refresh(&db.conn, &clients, &anthropic).await;
    assert_eq!(report.deleted, 1, "{report:?}");
    assert_eq!(
        stored(&db.conn, anthropic.id).await,
        expected.expected_items(ProviderKind::Anthropic)
    );

    // Everything gone upstream: the connection's inventory empties.
    {
        let mut org = upstream.write().expect("lock");
        org.projects.clear();
    }
    let report = refresh(&db.conn, &clients, &openai).await;
    assert_eq!(report.items, 0);
    assert!(stored(&db.conn, openai.id).await.is_empty());
    assert!(!stored(&db.conn, anthropic.id).await.is_empty());
    server.abort();
    db.cleanup().await;
}

async fn pagination_across_pages(backend: Backend) {
    let db = TestDb::fresh(backend).await;
    let mock = MockProvider::start(SimConfig {
        page_size_cap: Some(1),
        ..SimConfig::default()
    })
    .await;
    let clients = clients();
    let openai = connection(
        &db.conn,
        "oa",
        ProviderKind::OpenAi,
        "sk-admin-test",
        &mock.openai_base(),
    )
    .await;
    let anthropic = connection(
        &db.conn,
        "an",
        ProviderKind::Anthropic,
        "sk-ant-admin01-test",
        &mock.anthropic_base(),
    )
    .await;
    let sim = SimInventory::default();

    let report = refresh(&db.conn, &clients, &openai).await;
    assert_eq!(
        stored(&db.conn, openai.id).await,
        sim.expected_items(ProviderKind::OpenAi)
    );
    let requests = mock.requests();
    let projects: Vec<_> = requests
        .iter()
        .filter(|r| r.path == "/v1/organization/projects")
        .collect();
    assert_eq!(projects.len(), 3, "one project per page");
    assert_eq!(projects[0].param("after"), None);
    assert_eq!(projects[1].param("after"), Some(PROJECT_SUPPORT));
    assert_eq!(projects[2].param("after"), Some(PROJECT_PIPELINE));
    let keys: Vec<_> = requests
        .iter()
        .filter(|r| r.path == format!("/v1/organization/projects/{PROJECT_PIPELINE}/api_keys"))
        .collect();
    assert_eq!(keys.len(), 3, "three keys, one per page");
    assert_eq!(report.pages as usize, requests.len());

    mock.clear_log();
    refresh(&db.conn, &clients, &anthropic).await;
    assert_eq!(
        stored(&db.conn, anthropic.id).await,
        sim.expected_items(ProviderKind::Anthropic)
    );
    let workspaces: Vec<_> = mock
        .requests()
        .into_iter()
        .filter(|r| r.path == "/v1/organizations/workspaces")
        .collect();
    assert_eq!(workspaces.len(), 2);
    assert_eq!(workspaces[1].param("after_id"), Some(WORKSPACE_SUPPORT));
    assert_eq!(workspaces[0].param("include_archived"), Some("true"));
    mock.stop();
    db.cleanup().await;
}

async fn rejected_key_writes_nothing(backend: Backend) {
    let db = TestDb::fresh(backend).await;
    let mock = MockProvider::start(SimConfig {
        required_key: Some("sk-admin-right".to_owned()),
        ..SimConfig::default()
    })
    .await;
    let clients = clients();
    let good = connection(
        &db.conn,
        "good",
        ProviderKind::OpenAi,
        "sk-admin-right",
        &mock.openai_base(),
    )
    .await;
    let bad = connection(
        &db.conn,
        "bad",
        ProviderKind::OpenAi,
        "sk-proj-not-an-admin-key",
        &mock.openai_base(),
    )
    .await;

    let error = inventory::refresh(&db.conn, &clients, &bad)
        .await
        .expect_err("a project key is refused");
    assert_eq!(error.code(), "auth");
    assert!(matches!(
        error,
        InventoryError::Provider {
            source: ProviderError::Unauthorized { status: 401, .. },
            ..
        }
    ));
    let message = error.to_string();
    assert!(message.contains("\"bad\""), "{message}");
    assert!(message.contains("rejected the admin key"), "{message}");
    assert!(!message.contains("sk-proj-not-an-admin-key"), "{message}");
    assert_eq!(row_count(&db.conn).await, 0);

    // A key that worked yesterday and fails today keeps yesterday's names.
    let report = refresh(&db.conn, &clients, &good).await;
    let before = stored(&db.conn, good.id).await;
    assert_eq!(before.len() as u64, report.items);
    mock.inject(
        Rule::new(
            "/api_keys",
            Fault::Status {
                status: 401,
                headers: Vec::new(),
            },
        )
        .times(1),
    );
    let error = inventory::refresh(&db.conn, &clients, &good)
        .await
        .expect_err("refused midway");
    assert_eq!(error.code(), "auth");
    assert_eq!(stored(&db.conn, good.id).await, before);

    // The daily job skips the bad connection and refreshes the good one.
    let jobs = e2e::providers::jobs_over(&db.conn, clients, Default::default()).await;
    let outcome = jobs.run(jobs::JobName::Inventory).await.expect("job");
    let Some(jobs::JobReport::Inventory(report)) = outcome.report else {
        panic!("an inventory report: {outcome:?}");
    };
    assert_eq!(
        report
            .connections
            .iter()
            .map(|r| r.connection.as_str())
            .collect::<Vec<_>>(),
        vec!["good"]
    );
    assert_eq!(row_count(&db.conn).await, before.len());
    mock.stop();
    db.cleanup().await;
}

async fn graphql_inventory_returns_names(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (addr, server) = simulator::spawn(SimConfig::default())
        .await
        .expect("simulator");
    connections::upsert_demo(
        &app.state.db,
        "sim",
        ProviderKind::OpenAi,
        &format!("http://{addr}/v1"),
    )
    .await
    .expect("connection");
    let admin = app.token(Role::Admin);
    let viewer = app.token(Role::Viewer);
    const REFRESH: &str = "mutation($c: String) { refreshInventory(connection: $c) { connection provider items inserted updated deleted unchanged pages byKind { kind count } } }";
    const LIST: &str = "query($p: Provider, $k: String) { inventory(provider: $p, kind: $k) { provider connection kind externalId name parentId ownerId ownerName status refreshedAt } }";

    let forbidden = app.gql(Some(&viewer), REFRESH, json!({"c": "sim"})).await;
    assert_eq!(error_code(&forbidden), Some("FORBIDDEN"), "{forbidden}");

    // Without a name, the only connection.
    let report = app.ok(Some(&admin), REFRESH, json!({})).await["refreshInventory"].clone();
    assert_eq!(report["connection"], "sim");
    assert_eq!(report["provider"], "openai");
    assert_eq!(report["deleted"], 0);
    let expected = SimInventory::default().expected_items(ProviderKind::OpenAi);
    assert_eq!(report["items"].as_u64(), Some(expected.len() as u64));
    assert_eq!(report["inserted"].as_u64(), Some(expected.len() as u64));
    let again =
        app.ok(Some(&admin), REFRESH, json!({"c": "sim"})).await["refreshInventory"].clone();
    assert_eq!(
        (&again["inserted"], &again["updated"], &again["deleted"]),
        (&json!(0), &json!(0), &json!(0))
    );

    let projects = app
        .ok(Some(&viewer), LIST, json!({"p": "openai", "k": "project"}))
        .await["inventory"]
        .clone();
    let names: Vec<(&str, &str)> = projects
        .as_array()
        .expect("list")
        .iter()
        .map(|p| {
            (
                p["externalId"].as_str().expect("id"),
                p["name"].as_str().expect("name"),
            )
        })
        .collect();
    assert_eq!(
        names,
        vec![
            (PROJECT_PIPELINE, "Data Pipeline"),
            (PROJECT_ARCHIVED, "Old Prototype"),
            (PROJECT_SUPPORT, "Support Bot"),
        ]
    );
    assert!(
        projects
            .as_array()
            .expect("list")
            .iter()
            .all(|p| p["connection"] == "sim")
    );

    let all = app.ok(Some(&viewer), LIST, json!({})).await["inventory"].clone();
    assert_eq!(all.as_array().map(Vec::len), Some(expected.len()));
    let key: &Value = all
        .as_array()
        .expect("list")
        .iter()
        .find(|i| i["externalId"] == KEY_BOB_BATCH)
        .expect("key listed");
    assert_eq!(key["kind"], "api_key");
    assert_eq!(key["name"], "etl-batch");
    assert_eq!(key["ownerName"], "Bob Example");
    assert_eq!(key["parentId"], PROJECT_PIPELINE);
    let none = app.ok(Some(&viewer), LIST, json!({"p": "anthropic"})).await;
    assert_eq!(none["inventory"], json!([]));

    let anonymous = app.gql(None, LIST, json!({})).await;
    assert_eq!(
        error_code(&anonymous),
        Some("UNAUTHENTICATED"),
        "{anonymous}"
    );
    let bad_kind = app.gql(Some(&viewer), LIST, json!({"k": "team"})).await;
    assert_eq!(error_code(&bad_kind), Some("BAD_USER_INPUT"), "{bad_kind}");

    // A key the provider refuses: a clear provider error, nothing written.
    let (locked, locked_server) = simulator::spawn(SimConfig {
        required_key: Some("sk-admin-other".to_owned()),
        ..SimConfig::default()
    })
    .await
    .expect("simulator");
    connections::upsert_demo(
        &app.state.db,
        "locked",
        ProviderKind::OpenAi,
        &format!("http://{locked}/v1"),
    )
    .await
    .expect("connection");
    let refused = app.gql(Some(&admin), REFRESH, json!({"c": "locked"})).await;
    assert_eq!(error_code(&refused), Some("PROVIDER_ERROR"), "{refused}");
    assert_eq!(refused["errors"][0]["extensions"]["providerCode"], "auth");
    let message = refused["errors"][0]["message"].as_str().expect("message");
    assert!(message.contains("rejected the admin key"), "{message}");
    let several = app.gql(Some(&admin), REFRESH, json!({})).await;
    assert_eq!(error_code(&several), Some("BAD_USER_INPUT"), "{several}");
    let all_after = app.ok(Some(&viewer), LIST, json!({})).await["inventory"].clone();
    assert_eq!(all_after.as_array().map(Vec::len), Some(expected.len()));

    locked_server.abort();
    server.abort();
    app.stop().await;
}

both_backends!(
    refresh_stores_every_item_with_names,
    items_removed_upstream_disappear,
    pagination_across_pages,
    rejected_key_writes_nothing,
    graphql_inventory_returns_names,
);

/// A list server that answers every request with `page`.
async fn serve_page(path: &'static str, page: Value) -> (String, tokio::task::JoinHandle<()>) {
    let router = axum::Router::new().route(
        path,
        get(move |Query(_): Query<Vec<(String, String)>>| {
            let page = page.clone();
            async move { Json(page) }
        }),
    );
    let (addr, handle) = simulator::serve(router).await.expect("serve");
    (format!("http://{addr}/v1"), handle)
}

async fn list_projects(base: &str) -> Result<Vec<InventoryItem>, ProviderError> {
    clients()
        .inventory_client_for(
            ProviderKind::OpenAi,
            base,
            SecretString::from("sk-admin-test".to_owned()),
        )
        .inventory(&FetchStats::default())
        .await
}

#[tokio::test]
async fn endless_or_hostile_pagination_is_refused() {
    let item = json!({"id": "proj_a", "object": "organization.project", "name": "A"});
    let (base, server) = serve_page(
        "/v1/organization/projects",
        json!({"object": "list", "data": [item], "has_more": true, "last_id": "proj_a"}),
    )
    .await;
    let error = list_projects(&base).await.expect_err("repeated cursor");
    assert!(matches!(error, ProviderError::Pagination { .. }), "{error}");
    server.abort();

    let (base, server) = serve_page(
        "/v1/organization/projects",
        json!({"object": "list", "data": [], "has_more": true, "last_id": null}),
    )
    .await;
    let error = list_projects(&base).await.expect_err("no way forward");
    assert!(matches!(error, ProviderError::Pagination { .. }), "{error}");
    server.abort();

    let (base, server) = serve_page(
        "/v1/organization/projects",
        json!({"object": "list", "data": [], "has_more": true, "last_id": "https://evil.example/x"}),
    )
    .await;
    let error = list_projects(&base).await.expect_err("URL cursor");
    assert!(
        matches!(error, ProviderError::HostileCursor { .. }),
        "{error}"
    );
    server.abort();

    // A project id that would change the next request's path.
    let (base, server) = serve_page(
        "/v1/organization/projects",
        json!({"object": "list", "data": [{"id": "../admin_api_keys?x=", "name": "evil"}], "has_more": false}),
    )
    .await;
    let error = list_projects(&base).await.expect_err("path id");
    assert!(matches!(error, ProviderError::Decode { .. }), "{error}");
    assert!(error.to_string().contains("not a plain id"), "{error}");
    server.abort();
}
