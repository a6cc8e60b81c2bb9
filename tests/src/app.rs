//! Boots the real router on 127.0.0.1:0 against a fresh database, on SQLite
//! or PostgreSQL, and speaks GraphQL to it over real HTTP.
use std::net::SocketAddr;

use api::auth::{JwtKeys, Role};
use api::state::AppState;
use ledger::pricing::UnitRates;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};

/// Which store a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where the PostgreSQL half of the tests creates its databases.
pub fn postgres_admin_url() -> String {
    std::env::var("COGNITRACK_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A database of its own for one test. PostgreSQL ones are dropped by
/// [`TestDb::cleanup`]; `.ci/run` also drops any left by a failed test.
pub struct TestDb {
    pub conn: DatabaseConnection,
    pub url: String,
    pg_name: Option<String>,
}

pub const TEST_DB_PREFIX: &str = "ct_test_";

impl TestDb {
    pub async fn fresh(backend: Backend) -> Self {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let (url, pg_name) = match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("{TEST_DB_PREFIX}{id}.db"));
                (format!("sqlite://{}?mode=rwc", path.display()), None)
            }
            Backend::Postgres => {
                let admin_url = postgres_admin_url();
                let admin = Database::connect(admin_url.as_str())
                    .await
                    .unwrap_or_else(|e| {
                        panic!("PostgreSQL at {admin_url} is needed for the PostgreSQL tests: {e}")
                    });
                let name = format!("{TEST_DB_PREFIX}{id}");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create test database");
                let base = admin_url
                    .rsplit_once('/')
                    .map_or(admin_url.as_str(), |(base, _)| base);
                (format!("{base}/{name}"), Some(name))
            }
        };
        let conn = ledger::db::connect(&url)
            .await
            .expect("connect test database");
        ledger::db::migrate(&conn)
            .await
            .expect("migrate test database");
        Self { conn, url, pg_name }
    }

    pub async fn cleanup(self) {
        let Self { conn, pg_name, url } = self;
        drop(conn.close().await);
        match pg_name {
            Some(name) => {
                let admin = Database::connect(postgres_admin_url().as_str())
                    .await
                    .expect("connect");
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
                    .expect("drop test database");
            }
            None => {
                if let Some(path) = url
                    .strip_prefix("sqlite://")
                    .and_then(|p| p.split('?').next())
                {
                    for suffix in ["", "-wal", "-shm"] {
                        let _ = std::fs::remove_file(format!("{path}{suffix}"));
                    }
                }
            }
        }
    }
}

pub const JWT_SECRET: &str = "test-secret-of-sufficient-length-0123456789";

/// The real router, serving on an ephemeral port.
pub struct TestApp {
    pub addr: SocketAddr,
    pub state: AppState,
    pub db: TestDb,
    client: reqwest::Client,
    server: tokio::task::JoinHandle<()>,
}

/// What a test may change about the served app.
pub struct AppOptions {
    /// The price feed `syncPricing` reads.
    pub prices_url: String,
    pub cron_secret: Option<String>,
    pub providers: ledger::providers::ProvidersConfig,
}

impl Default for AppOptions {
    fn default() -> Self {
        Self {
            prices_url: "unused-price-feed.json".into(),
            cron_secret: None,
            providers: ledger::providers::ProvidersConfig::default(),
        }
    }
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::serve(TestDb::fresh(backend).await, AppOptions::default()).await
    }

    /// With the price feed `syncPricing` reads.
    pub async fn spawn_with(backend: Backend, prices_url: &str) -> Self {
        let options = AppOptions {
            prices_url: prices_url.into(),
            ..AppOptions::default()
        };
        Self::serve(TestDb::fresh(backend).await, options).await
    }

    /// Serves the router over an existing database.
    pub async fn serve(db: TestDb, options: AppOptions) -> Self {
        let state = AppState::new(
            db.conn.clone(),
            UnitRates::default(),
            JWT_SECRET.as_bytes(),
            options.cron_secret,
            ledger::providers::ProviderClients::new(options.providers).expect("clients"),
            jobs::JobSettings {
                prices_url: options.prices_url,
                ..jobs::JobSettings::default()
            },
        )
        .await
        .expect("app state");
        let app = api::router::router(state.clone(), None);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("serve");
        });
        Self {
            addr,
            state,
            db,
            client: reqwest::Client::new(),
            server,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn token(&self, role: Role) -> String {
        JwtKeys::new(JWT_SECRET.as_bytes())
            .mint("tester", role, chrono::Duration::hours(1))
            .expect("mint")
    }

    pub async fn ingest_key(&self) -> String {
        ledger::tracking::keys::create(&self.state.db, "test app")
            .await
            .expect("key")
            .secret
    }

    /// POSTs a GraphQL request; returns the whole JSON body.
    pub async fn gql(&self, bearer: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self
            .client
            .post(format!("http://{}/graphql", self.addr))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request");
        response.json().await.expect("json body")
    }

    /// Like [`gql`](Self::gql) but panics on errors and returns `data`.
    pub async fn ok(&self, bearer: Option<&str>, query: &str, variables: Value) -> Value {
        let body = self.gql(bearer, query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }

    pub async fn stop(self) {
        self.server.abort();
        self.db.cleanup().await;
    }
}

/// A GraphQL `Decimal` (a JSON string) as an exact decimal.
pub fn dec(value: &Value) -> rust_decimal::Decimal {
    value
        .as_str()
        .expect("decimal string")
        .parse()
        .expect("decimal")
}

/// The `extensions.code` of the first error, if any.
pub fn error_code(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["code"].as_str()
}

/// Runs an async test body on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    super::$name($crate::app::Backend::Sqlite).await
                }
                #[tokio::test]
                async fn postgres() {
                    super::$name($crate::app::Backend::Postgres).await
                }
            }
        )*
    };
}
