//! Provider clients and sealed connections for tests: short timeouts and
//! fast retries, so no test waits on real backoff.
use std::time::Duration;

use entity::provider_connection;
use ledger::providers::connections;
use ledger::providers::keys::MasterKey;
use ledger::providers::{
    HttpConfig, ProviderClients, ProviderKind, ProvidersConfig, RateLimit, RetryPolicy,
};
use sea_orm::DatabaseConnection;
use secrecy::SecretString;

pub fn master() -> MasterKey {
    MasterKey::from_bytes([42u8; 32])
}

/// Clients that give up a read after `read_timeout` and retry `max_retries`
/// times within milliseconds.
pub fn fast_clients(
    read_timeout: Duration,
    max_retries: u32,
    rate_limit: RateLimit,
) -> ProviderClients {
    ProviderClients::new(ProvidersConfig {
        master_key: Some(master()),
        http: HttpConfig {
            connect_timeout: Duration::from_secs(2),
            read_timeout,
            request_timeout: Duration::from_secs(3),
            ..HttpConfig::default()
        },
        rate_limit,
        retry: RetryPolicy {
            max_retries,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            max_retry_after: Duration::from_millis(50),
        },
        ..ProvidersConfig::default()
    })
    .expect("clients")
}

/// A named connection whose key is sealed with [`master`].
pub async fn sealed_connection(
    db: &DatabaseConnection,
    name: &str,
    provider: ProviderKind,
    key: &str,
    base: &str,
) -> provider_connection::Model {
    connections::add(
        db,
        &master(),
        name,
        provider,
        SecretString::from(key.to_owned()),
        Some(base),
    )
    .await
    .expect("add connection");
    connections::get(db, name).await.expect("connection")
}

/// The scheduled jobs over `db` with `clients`, as `serve` builds them.
pub async fn jobs_over(
    db: &DatabaseConnection,
    clients: ProviderClients,
    settings: jobs::JobSettings,
) -> jobs::Jobs {
    use ledger::notify::{WebhookConfig, WebhookSender};
    use ledger::pricing::{PriceBook, UnitRates};
    use std::sync::Arc;
    jobs::Jobs::new(jobs::JobContext {
        db: db.clone(),
        book: Arc::new(
            PriceBook::load(db, UnitRates::default())
                .await
                .expect("book"),
        ),
        clients: Arc::new(clients),
        webhooks: Arc::new(
            WebhookSender::new(WebhookConfig::default())
                .expect("sender")
                .with_master_key(Some(master())),
        ),
        settings: Arc::new(settings),
    })
}

/// An OpenAI (`oa`) and an Anthropic (`an`) connection to `mock`.
pub async fn mock_connections(
    db: &DatabaseConnection,
    mock: &crate::mock_provider::MockProvider,
) -> Vec<provider_connection::Model> {
    let mut out = Vec::new();
    for (name, provider, base) in [
        ("oa", ProviderKind::OpenAi, mock.openai_base()),
        ("an", ProviderKind::Anthropic, mock.anthropic_base()),
    ] {
        out.push(sealed_connection(db, name, provider, "k", &base).await);
    }
    out
}

/// Ingests `range` for each of `connections` with unrate-limited fast
/// clients, as run `label`; every run must succeed. Their reports, in order.
pub async fn ingest_succeeded(
    db: &DatabaseConnection,
    book: &ledger::pricing::PriceBook,
    connections: &[provider_connection::Model],
    range: ledger::dates::DayRange,
    label: &str,
) -> Vec<ledger::ingest::RunReport> {
    let clients = fast_clients(Duration::from_millis(400), 3, RateLimit::UNLIMITED);
    let mut reports = Vec::new();
    for connection in connections {
        let mut req = ledger::ingest::IngestRequest::new(connection, range).expect("request");
        req.label = label.to_owned();
        let report = ledger::ingest::run(db, book, &clients, req, None)
            .await
            .expect("run");
        assert_eq!(
            report.status,
            ledger::ingest::RunStatus::Succeeded,
            "{report:#?}"
        );
        reports.push(report);
    }
    reports
}
