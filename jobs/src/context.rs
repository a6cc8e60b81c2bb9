//! What every job is given: the store, the price book, the provider clients,
//! the alert sender and the settings that say how much work a run does.
use std::path::PathBuf;
use std::sync::Arc;

use ledger::notify::WebhookSender;
use ledger::pricing::PriceBook;
use ledger::providers::ProviderClients;
use sea_orm::DatabaseConnection;

#[derive(Debug, Clone)]
pub struct JobSettings {
    /// Complete days the ingest job re-pulls before today.
    pub lookback_days: u32,
    /// The price feed the pricing job reads (a URL or a local file).
    pub prices_url: String,
    /// Days kept hot before the archive job moves rows.
    pub retention_days: i64,
    /// CSV exports dropped here are compared by the parity job.
    pub parity_dir: Option<PathBuf>,
    /// A revision outside a closed month is sent as `usage.revised` when
    /// its cost moved by at least this much (micro-USD).
    pub revision_alert_micros: i64,
}

impl Default for JobSettings {
    fn default() -> Self {
        Self {
            lookback_days: crate::ingest::DEFAULT_LOOKBACK_DAYS,
            prices_url: ledger::pricing::DEFAULT_PRICES_URL.to_owned(),
            retention_days: ledger::archive::DEFAULT_RETENTION_DAYS,
            parity_dir: None,
            revision_alert_micros: ledger::usage::revision_alerts::DEFAULT_THRESHOLD_MICROS,
        }
    }
}

/// Cheap to clone: every field is shared.
#[derive(Clone)]
pub struct JobContext {
    pub db: DatabaseConnection,
    pub book: Arc<PriceBook>,
    pub clients: Arc<ProviderClients>,
    pub webhooks: Arc<WebhookSender>,
    pub settings: Arc<JobSettings>,
}
