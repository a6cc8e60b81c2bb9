//! The one application state, built once and shared by axum and GraphQL.
use std::sync::Arc;

use jobs::{JobContext, JobSettings, Jobs};
use ledger::notify::{WebhookConfig, WebhookSender};
use ledger::pricing::{PriceBook, UnitRates};
use ledger::providers::ProviderClients;
use sea_orm::DatabaseConnection;

use crate::auth::JwtKeys;
use crate::limits::Limits;
use crate::otlp::OtlpSettings;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    /// Reads that must not wait for another request's write (the
    /// ingest-key check): `db` until `serve` opens its own
    /// (`ledger::db::connect_reads`).
    pub reads: DatabaseConnection,
    pub book: Arc<PriceBook>,
    pub jwt: Arc<JwtKeys>,
    pub cron_secret: Option<Arc<str>>,
    pub clients: Arc<ProviderClients>,
    pub webhooks: Arc<WebhookSender>,
    /// The scheduled jobs, also run by the cron trigger and some mutations.
    pub jobs: Jobs,
    /// OTLP trace ingest (`POST /v1/traces`); defaults until `serve` sets it.
    pub otlp: Arc<OtlpSettings>,
    /// Request limits (body, GraphQL document, time, concurrency, CORS);
    /// defaults until `serve` sets them.
    pub limits: Arc<Limits>,
    /// The bearer token `GET /metrics` requires; `None` leaves it open.
    pub metrics_token: Option<Arc<str>>,
}

impl AppState {
    /// Loads the price book from a migrated database.
    pub async fn new(
        db: DatabaseConnection,
        unit_rates: UnitRates,
        jwt_secret: &[u8],
        cron_secret: Option<String>,
        clients: ProviderClients,
        settings: JobSettings,
    ) -> ledger::Result<Self> {
        let book = Arc::new(PriceBook::load(&db, unit_rates).await?);
        let clients = Arc::new(clients);
        let webhooks = Arc::new(
            WebhookSender::new(WebhookConfig::default())?
                .with_master_key(clients.config().master_key.clone()),
        );
        let jobs = Jobs::new(JobContext {
            db: db.clone(),
            book: book.clone(),
            clients: clients.clone(),
            webhooks: webhooks.clone(),
            settings: Arc::new(settings),
        });
        Ok(Self {
            reads: db.clone(),
            db,
            book,
            jwt: Arc::new(JwtKeys::new(jwt_secret)),
            cron_secret: cron_secret.map(Arc::from),
            clients,
            webhooks,
            jobs,
            otlp: Arc::new(OtlpSettings::default()),
            limits: Arc::new(Limits::default()),
            metrics_token: None,
        })
    }

    pub fn settings(&self) -> &JobSettings {
        &self.jobs.context().settings
    }
}
