//! The one application state, built once and shared by axum and GraphQL.
use std::sync::Arc;

use jobs::budgets::{WebhookConfig, WebhookSender};
use jobs::pricing::{PriceBook, UnitRates};
use jobs::providers::ProviderClients;
use sea_orm::DatabaseConnection;

use crate::auth::JwtKeys;
use crate::schedule::JobLocks;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub book: Arc<PriceBook>,
    pub jwt: Arc<JwtKeys>,
    pub cron_secret: Option<Arc<str>>,
    /// The price feed `syncPricing` reads (a URL or a local file).
    pub prices_url: Arc<str>,
    pub clients: Arc<ProviderClients>,
    /// Complete days the ingest job re-pulls before today.
    pub lookback_days: u32,
    pub job_locks: Arc<JobLocks>,
    pub webhooks: Arc<WebhookSender>,
    /// Days kept hot before the archival job moves rows.
    pub retention_days: i64,
    /// CSV exports dropped here are compared by the parity job.
    pub parity_dir: Option<std::path::PathBuf>,
}

impl AppState {
    /// Loads the price book from a migrated database.
    pub async fn new(
        db: DatabaseConnection,
        unit_rates: UnitRates,
        jwt_secret: &[u8],
        cron_secret: Option<String>,
        prices_url: &str,
        clients: ProviderClients,
    ) -> jobs::Result<Self> {
        let book = PriceBook::load(&db, unit_rates).await?;
        Ok(Self {
            db,
            book: Arc::new(book),
            jwt: Arc::new(JwtKeys::new(jwt_secret)),
            cron_secret: cron_secret.map(Arc::from),
            prices_url: Arc::from(prices_url),
            clients: Arc::new(clients),
            lookback_days: jobs::ingest::DEFAULT_LOOKBACK_DAYS,
            job_locks: Arc::default(),
            webhooks: Arc::new(WebhookSender::new(WebhookConfig::default())?),
            retention_days: jobs::archive::DEFAULT_RETENTION_DAYS,
            parity_dir: None,
        })
    }
}
