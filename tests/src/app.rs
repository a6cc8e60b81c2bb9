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

/// A database of its own for one test, dropped by [`TestDb::cleanup`] or,
/// when a test panics before that, by its guard when the `TestDb` is
/// dropped. `scripts/test` also drops any left by a killed test process.
pub struct TestDb {
    pub conn: DatabaseConnection,
    pub url: String,
    guard: DropGuard,
}

pub const TEST_DB_PREFIX: &str = "ct_test_";

impl TestDb {
    pub async fn fresh(backend: Backend) -> Self {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let (url, guard) = match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("{TEST_DB_PREFIX}{id}.db"));
                let url = format!("sqlite://{}?mode=rwc", path.display());
                (url, DropGuard(Some(Leftover::SqliteFile(path))))
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
                // From here on the database goes away however the test ends.
                let guard = DropGuard(Some(Leftover::Postgres(name.clone())));
                drop(admin.close().await);
                let base = admin_url
                    .rsplit_once('/')
                    .map_or(admin_url.as_str(), |(base, _)| base);
                (format!("{base}/{name}"), guard)
            }
        };
        let conn = ledger::db::connect(&url)
            .await
            .expect("connect test database");
        ledger::db::migrate(&conn)
            .await
            .expect("migrate test database");
        Self { conn, url, guard }
    }

    /// Closes the connections and drops the database now (dropping the
    /// `TestDb` would too, from a thread of its own).
    pub async fn cleanup(mut self) {
        drop(self.conn.close_by_ref().await);
        match self.guard.0.take() {
            Some(Leftover::Postgres(name)) => drop_postgres(&name)
                .await
                .unwrap_or_else(|e| panic!("drop test database {name}: {e}")),
            Some(Leftover::SqliteFile(path)) => remove_sqlite_files(&path),
            None => {}
        }
    }
}

/// What a test database leaves behind until it is removed.
enum Leftover {
    Postgres(String),
    SqliteFile(std::path::PathBuf),
}

/// Removes the test database when dropped unless [`TestDb::cleanup`]
/// already did: a failing assertion unwinds through here. Never panics
/// (a panic while unwinding aborts the test binary).
struct DropGuard(Option<Leftover>);

impl Drop for DropGuard {
    fn drop(&mut self) {
        match self.0.take() {
            None => {}
            Some(Leftover::SqliteFile(path)) => remove_sqlite_files(&path),
            // The test's own runtime may be the one unwinding (and a
            // runtime cannot block on another inside it): a thread with a
            // small runtime of its own does the drop, and is waited for.
            Some(Leftover::Postgres(name)) => {
                let dropped = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .map_err(|e| format!("runtime: {e}"))?;
                    runtime
                        .block_on(drop_postgres(&name))
                        .map_err(|e| format!("{name}: {e}"))
                })
                .join();
                match dropped {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => eprintln!("could not drop test database {e}"),
                    Err(_) => eprintln!("dropping a test database panicked"),
                }
            }
        }
    }
}

/// `DROP DATABASE … WITH (FORCE)` over a connection of its own to the
/// admin URL; connections still open to the database are ended.
async fn drop_postgres(name: &str) -> Result<(), sea_orm::DbErr> {
    let mut options = sea_orm::ConnectOptions::new(postgres_admin_url());
    options
        .max_connections(1)
        .connect_timeout(std::time::Duration::from_secs(10))
        .sqlx_logging(false);
    let admin = Database::connect(options).await?;
    let dropped = admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await;
    drop(admin.close().await);
    dropped.map(drop)
}

fn remove_sqlite_files(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let _ = std::fs::remove_file(file);
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
    /// `POST /v1/traces`: body cap, concurrency, attribute mapping.
    pub otlp: api::otlp::OtlpSettings,
}

impl Default for AppOptions {
    fn default() -> Self {
        Self {
            prices_url: "unused-price-feed.json".into(),
            cron_secret: None,
            // Webhook secrets are sealed with it.
            providers: ledger::providers::ProvidersConfig {
                master_key: Some(crate::providers::master()),
                ..ledger::providers::ProvidersConfig::default()
            },
            otlp: api::otlp::OtlpSettings::default(),
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
        let mut state = AppState::new(
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
        // As `serve` opens them, so every test checks keys the way it does.
        state.reads = ledger::db::connect_reads(&db.url, &db.conn)
            .await
            .expect("read connections");
        state.otlp = std::sync::Arc::new(options.otlp);
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

    /// Registers a webhook named `name` at `url` as an admin; its signing
    /// secret, shown once.
    pub async fn webhook_secret(&self, name: &str, url: &str) -> String {
        let created = self
            .ok(
                Some(&self.token(Role::Admin)),
                "mutation($n: String!, $u: String!) { createWebhook(name: $n, url: $u) { secret } }",
                json!({"n": name, "u": url}),
            )
            .await;
        created["createWebhook"]["secret"]
            .as_str()
            .expect("secret")
            .to_owned()
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
