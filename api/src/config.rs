//! Runtime configuration, built once from flags and environment (clap
//! reads both) and passed down; nothing reads the environment later.
use std::net::SocketAddr;

use clap::Args;
use jobs::{JobName, JobSettings};
use ledger::pricing::UnitRates;
use ledger::providers::connections::validate_base_url;
use ledger::providers::keys::MasterKey;
use ledger::providers::{ProvidersConfig, RateLimit, RetryPolicy};
use secrecy::SecretString;

use crate::limits;

#[derive(Debug, Clone, Args)]
pub struct DbArgs {
    /// SQLite (`sqlite://file.db?mode=rwc`) or PostgreSQL (`postgres://…`) URL.
    #[arg(long, env = "DATABASE_URL", default_value = ledger::db::DEFAULT_DATABASE_URL)]
    pub database_url: String,
}

#[derive(Debug, Clone, Args)]
pub struct JwtArgs {
    /// HS256 secret used to sign and verify API tokens.
    #[arg(
        long = "jwt-secret",
        env = "COGNITRACK_JWT_SECRET",
        hide_env_values = true
    )]
    pub jwt_secret: Option<String>,
}

/// The key that seals secrets stored in the database (provider keys,
/// webhook signing secrets).
#[derive(Debug, Clone, Args)]
pub struct MasterKeyArgs {
    /// 32-byte key (hex or base64) sealing provider keys and webhook secrets stored in the database.
    #[arg(
        long = "master-key",
        env = "COGNITRACK_MASTER_KEY",
        hide_env_values = true
    )]
    pub master_key: Option<String>,
    /// Where a generated master key is kept when COGNITRACK_MASTER_KEY is unset.
    #[arg(
        long = "master-key-file",
        env = "COGNITRACK_MASTER_KEY_FILE",
        default_value = "cognitrack.key"
    )]
    pub master_key_file: std::path::PathBuf,
}

impl MasterKeyArgs {
    pub fn master_key(&self) -> ledger::Result<MasterKey> {
        MasterKey::from_config(self.master_key.as_deref(), &self.master_key_file)
    }
}

/// Provider admin APIs: keys of the default connections, base URLs (point
/// them at a local mock in tests) and the key that seals stored keys.
#[derive(Debug, Clone, Args)]
pub struct ProviderArgs {
    #[arg(
        long = "openai-admin-key",
        env = "OPENAI_ADMIN_KEY",
        hide_env_values = true
    )]
    pub openai_admin_key: Option<String>,
    #[arg(long = "openai-base-url", env = "OPENAI_BASE_URL", default_value = ledger::providers::openai::DEFAULT_BASE_URL)]
    pub openai_base_url: String,
    #[arg(
        long = "anthropic-admin-key",
        env = "ANTHROPIC_ADMIN_KEY",
        hide_env_values = true
    )]
    pub anthropic_admin_key: Option<String>,
    #[arg(long = "anthropic-base-url", env = "ANTHROPIC_BASE_URL", default_value = ledger::providers::anthropic::DEFAULT_BASE_URL)]
    pub anthropic_base_url: String,
    #[command(flatten)]
    pub master: MasterKeyArgs,
    /// Provider API requests per minute per connection (0: no limit).
    #[arg(long = "provider-rpm", env = "COGNITRACK_PROVIDER_RPM", default_value_t = RateLimit::default().per_minute)]
    pub provider_rpm: u32,
    /// Requests allowed in a burst before the per-minute rate applies.
    #[arg(long = "provider-burst", env = "COGNITRACK_PROVIDER_BURST", default_value_t = RateLimit::default().burst)]
    pub provider_burst: u32,
    /// Retries of a failed provider request (429, 5xx, timeouts), with
    /// exponential backoff and jitter.
    #[arg(long = "provider-max-retries", env = "COGNITRACK_PROVIDER_MAX_RETRIES", default_value_t = RetryPolicy::default().max_retries)]
    pub provider_max_retries: u32,
}

impl ProviderArgs {
    pub fn providers_config(&self) -> ledger::Result<ProvidersConfig> {
        let secret = |key: &Option<String>| {
            key.clone()
                .filter(|k| !k.trim().is_empty())
                .map(SecretString::from)
        };
        Ok(ProvidersConfig {
            openai_base_url: validate_base_url(&self.openai_base_url)?,
            anthropic_base_url: validate_base_url(&self.anthropic_base_url)?,
            openai_admin_key: secret(&self.openai_admin_key),
            anthropic_admin_key: secret(&self.anthropic_admin_key),
            master_key: Some(self.master.master_key()?),
            rate_limit: RateLimit {
                per_minute: self.provider_rpm,
                burst: self.provider_burst,
            },
            retry: RetryPolicy {
                max_retries: self.provider_max_retries,
                ..RetryPolicy::default()
            },
            ..ProvidersConfig::default()
        })
    }
}

#[derive(Debug, Clone, Args)]
pub struct PricesArgs {
    /// Price feed (genai-prices v2 data.json): an http(s) URL or a local file.
    #[arg(long = "prices-url", env = "COGNITRACK_PRICES_URL", default_value = ledger::pricing::DEFAULT_PRICES_URL)]
    pub prices_url: String,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Seed 90 days of demo data into a fresh SQLite file and print ready-made tokens.
    #[arg(long)]
    pub demo: bool,
    /// Bearer secret for `POST /api/cron/{job}`; unset disables the trigger (503).
    #[arg(
        long = "cron-secret",
        env = "COGNITRACK_CRON_SECRET",
        hide_env_values = true
    )]
    pub cron_secret: Option<String>,
    /// Serve the dashboard from this folder instead of the copy built into
    /// the binary (while working on it).
    #[arg(long, env = "COGNITRACK_FRONTEND_DIR")]
    pub frontend_dir: Option<std::path::PathBuf>,
    /// Bearer token `GET /metrics` requires; unset leaves it open (bind
    /// to a private address or put it behind your proxy).
    #[arg(
        long = "metrics-token",
        env = "COGNITRACK_METRICS_TOKEN",
        hide_env_values = true
    )]
    pub metrics_token: Option<String>,
    /// Seconds a clean stop (SIGTERM, SIGINT) may take before the process
    /// exits non-zero anyway.
    #[arg(long = "shutdown-timeout-secs", env = "COGNITRACK_SHUTDOWN_TIMEOUT_SECS", default_value_t = crate::ops::shutdown::DEFAULT_TIMEOUT_SECS)]
    pub shutdown_timeout_secs: u64,
    #[command(flatten)]
    pub rates: RateArgs,
    #[command(flatten)]
    pub prices: PricesArgs,
    #[command(flatten)]
    pub providers: ProviderArgs,
    #[command(flatten)]
    pub schedule: ScheduleArgs,
    #[command(flatten)]
    pub otlp: OtlpArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// OTLP trace ingest (`POST /v1/traces`). Attribute lists are
/// comma-separated and tried in order, on the span, then its trace, then
/// its resource.
#[derive(Debug, Clone, Args)]
pub struct OtlpArgs {
    /// Largest export body, as sent and again once decompressed (bytes).
    #[arg(long = "otlp-max-body-bytes", env = "COGNITRACK_OTLP_MAX_BODY_BYTES", default_value_t = crate::otlp::DEFAULT_MAX_BODY_BYTES)]
    pub max_body_bytes: usize,
    /// Exports stored at once; more are answered 429 with Retry-After.
    #[arg(long = "otlp-max-concurrent-exports", env = "COGNITRACK_OTLP_MAX_CONCURRENT_EXPORTS", default_value_t = crate::otlp::DEFAULT_MAX_CONCURRENT_EXPORTS)]
    pub max_concurrent_exports: usize,
    /// Attributes naming the user of a model call.
    #[arg(long = "otlp-user-attributes", env = "COGNITRACK_OTLP_USER_ATTRIBUTES", default_value = ledger::otlp::DEFAULT_USER_ATTRIBUTES)]
    pub user_attributes: String,
    /// Attributes naming the provider project (joins `attribution`).
    #[arg(long = "otlp-project-attributes", env = "COGNITRACK_OTLP_PROJECT_ATTRIBUTES", default_value = ledger::otlp::DEFAULT_PROJECT_ATTRIBUTES)]
    pub project_attributes: String,
    /// Attributes naming the provider API key (joins `attribution`).
    #[arg(long = "otlp-api-key-attributes", env = "COGNITRACK_OTLP_API_KEY_ATTRIBUTES", default_value = ledger::otlp::DEFAULT_API_KEY_ATTRIBUTES)]
    pub api_key_attributes: String,
    /// Resource attributes kept as interaction metadata, besides service.name.
    #[arg(long = "otlp-metadata-attributes", env = "COGNITRACK_OTLP_METADATA_ATTRIBUTES", default_value = ledger::otlp::DEFAULT_METADATA_ATTRIBUTES)]
    pub metadata_attributes: String,
}

impl OtlpArgs {
    /// Refuses a cap or a concurrency of zero.
    pub fn settings(&self) -> Result<crate::otlp::OtlpSettings, String> {
        if self.max_body_bytes == 0 || self.max_concurrent_exports == 0 {
            return Err(
                "COGNITRACK_OTLP_MAX_BODY_BYTES and COGNITRACK_OTLP_MAX_CONCURRENT_EXPORTS must be above 0".into(),
            );
        }
        let list = ledger::otlp::list;
        Ok(crate::otlp::OtlpSettings::new(
            self.max_body_bytes,
            self.max_concurrent_exports,
            ledger::otlp::MappingConfig {
                user_attributes: list(&self.user_attributes),
                project_attributes: list(&self.project_attributes),
                api_key_attributes: list(&self.api_key_attributes),
                metadata_attributes: list(&self.metadata_attributes),
            },
        ))
    }
}

/// Request limits (see SECURITY.md). Each must be above 0.
#[derive(Debug, Clone, Args)]
pub struct LimitArgs {
    /// Largest request body in bytes (multipart uploads: the parity CSV cap
    /// plus 1 MiB; OTLP exports: COGNITRACK_OTLP_MAX_BODY_BYTES).
    #[arg(long = "max-body-bytes", env = "COGNITRACK_MAX_BODY_BYTES", default_value_t = limits::DEFAULT_MAX_BODY_BYTES)]
    pub max_request_body_bytes: usize,
    /// Deepest GraphQL field nesting.
    #[arg(long = "graphql-max-depth", env = "COGNITRACK_GRAPHQL_MAX_DEPTH", default_value_t = limits::DEFAULT_MAX_DEPTH)]
    pub graphql_max_depth: usize,
    /// Largest GraphQL complexity (every alias counted; ranged fields weigh range × grouping).
    #[arg(long = "graphql-max-complexity", env = "COGNITRACK_GRAPHQL_MAX_COMPLEXITY", default_value_t = limits::DEFAULT_MAX_COMPLEXITY)]
    pub graphql_max_complexity: usize,
    /// Most field selections once fragment spreads are expanded.
    #[arg(long = "graphql-max-selections", env = "COGNITRACK_GRAPHQL_MAX_SELECTIONS", default_value_t = limits::DEFAULT_MAX_SELECTIONS)]
    pub graphql_max_selections: usize,
    /// Most root fields (aliases included) in one operation.
    #[arg(long = "graphql-max-root-fields", env = "COGNITRACK_GRAPHQL_MAX_ROOT_FIELDS", default_value_t = limits::DEFAULT_MAX_ROOT_FIELDS)]
    pub graphql_max_root_fields: usize,
    /// Seconds a query (and any other request but a mutation or the cron trigger) may take.
    #[arg(long = "request-timeout-secs", env = "COGNITRACK_REQUEST_TIMEOUT_SECS", default_value_t = limits::DEFAULT_REQUEST_TIMEOUT_SECS)]
    pub request_timeout_secs: u64,
    /// Seconds a GraphQL mutation may take.
    #[arg(long = "mutation-timeout-secs", env = "COGNITRACK_MUTATION_TIMEOUT_SECS", default_value_t = limits::DEFAULT_MUTATION_TIMEOUT_SECS)]
    pub mutation_timeout_secs: u64,
    /// Complexity from which an operation counts as expensive.
    #[arg(long = "expensive-complexity", env = "COGNITRACK_EXPENSIVE_COMPLEXITY", default_value_t = limits::DEFAULT_EXPENSIVE_COMPLEXITY)]
    pub expensive_complexity: usize,
    /// Expensive operations run at once.
    #[arg(long = "expensive-concurrency", env = "COGNITRACK_EXPENSIVE_CONCURRENCY", default_value_t = limits::DEFAULT_EXPENSIVE_CONCURRENCY)]
    pub expensive_concurrency: usize,
    /// Seconds an expensive operation waits for its turn before it is refused (503 BUSY).
    #[arg(long = "queue-wait-secs", env = "COGNITRACK_QUEUE_WAIT_SECS", default_value_t = limits::DEFAULT_QUEUE_WAIT_SECS)]
    pub queue_wait_secs: u64,
    /// Requests per second each ingest key may send (GraphQL and OTLP; 0: no limit).
    #[arg(long = "ingest-rate", env = "COGNITRACK_INGEST_RATE", default_value_t = limits::rate::DEFAULT_INGEST_REQUESTS_PER_SEC)]
    pub ingest_rate: u32,
    /// Requests an ingest key may send at once above its rate.
    #[arg(long = "ingest-burst", env = "COGNITRACK_INGEST_BURST", default_value_t = limits::rate::DEFAULT_INGEST_BURST)]
    pub ingest_burst: u32,
    /// Origins allowed by CORS, comma-separated (unset: no CORS headers).
    #[arg(
        long = "cors-origins",
        env = "COGNITRACK_CORS_ORIGINS",
        default_value = ""
    )]
    pub cors_origins: String,
}

impl LimitArgs {
    /// Refuses a limit of zero and anything but exact origins.
    pub fn limits(&self) -> Result<limits::Limits, String> {
        let required: [(&str, u64); 8] = [
            (
                "COGNITRACK_MAX_BODY_BYTES",
                self.max_request_body_bytes as u64,
            ),
            (
                "COGNITRACK_GRAPHQL_MAX_DEPTH",
                self.graphql_max_depth as u64,
            ),
            (
                "COGNITRACK_GRAPHQL_MAX_COMPLEXITY",
                self.graphql_max_complexity as u64,
            ),
            (
                "COGNITRACK_GRAPHQL_MAX_SELECTIONS",
                self.graphql_max_selections as u64,
            ),
            (
                "COGNITRACK_GRAPHQL_MAX_ROOT_FIELDS",
                self.graphql_max_root_fields as u64,
            ),
            (
                "COGNITRACK_EXPENSIVE_CONCURRENCY",
                self.expensive_concurrency as u64,
            ),
            ("COGNITRACK_REQUEST_TIMEOUT_SECS", self.request_timeout_secs),
            (
                "COGNITRACK_MUTATION_TIMEOUT_SECS",
                self.mutation_timeout_secs,
            ),
        ];
        let zero: Vec<&str> = required
            .iter()
            .filter(|(_, value)| *value == 0)
            .map(|(name, _)| *name)
            .collect();
        if !zero.is_empty() {
            return Err(format!("{} must be above 0", zero.join(", ")));
        }
        let secs = std::time::Duration::from_secs;
        Ok(limits::Limits::new(limits::LimitSettings {
            max_body_bytes: self.max_request_body_bytes,
            max_depth: self.graphql_max_depth,
            max_complexity: self.graphql_max_complexity,
            max_selections: self.graphql_max_selections,
            max_root_fields: self.graphql_max_root_fields,
            request_timeout: secs(self.request_timeout_secs),
            mutation_timeout: secs(self.mutation_timeout_secs),
            expensive_complexity: self.expensive_complexity,
            expensive_concurrency: self.expensive_concurrency,
            queue_wait: secs(self.queue_wait_secs),
            cors_origins: limits::headers::parse_origins(&self.cors_origins)?,
            ingest_quota: limits::rate::quota(self.ingest_rate, self.ingest_burst),
        }))
    }
}

/// When the scheduled jobs run (cron with seconds, UTC:
/// `sec min hour day-of-month month day-of-week`).
#[derive(Debug, Clone, Args)]
pub struct ScheduleArgs {
    /// Run no scheduled jobs in this process (the HTTP trigger still works).
    #[arg(long)]
    pub no_schedule: bool,
    /// Re-pull recent provider usage for every connection.
    #[arg(long, env = "COGNITRACK_INGEST_CRON", default_value = "0 15 * * * *")]
    pub ingest_cron: String,
    /// Refresh the price book from the price feed.
    #[arg(long, env = "COGNITRACK_PRICING_CRON", default_value = "0 0 4 * * *")]
    pub pricing_cron: String,
    /// Refresh provider inventory (names of projects, keys, users).
    #[arg(
        long,
        env = "COGNITRACK_INVENTORY_CRON",
        default_value = "0 30 4 * * *"
    )]
    pub inventory_cron: String,
    /// Record billed vs computed for the last 7 complete days.
    #[arg(
        long,
        env = "COGNITRACK_RECONCILE_CRON",
        default_value = "0 45 5 * * *"
    )]
    pub reconcile_cron: String,
    /// Evaluate budgets (after each hourly ingest) and deliver alerts.
    #[arg(long, env = "COGNITRACK_BUDGETS_CRON", default_value = "0 40 * * * *")]
    pub budgets_cron: String,
    /// Move rows older than the retention window to the archive tables.
    #[arg(long, env = "COGNITRACK_ARCHIVE_CRON", default_value = "0 30 2 * * *")]
    pub archive_cron: String,
    /// How often the parity folder is checked.
    #[arg(long, env = "COGNITRACK_PARITY_CRON", default_value = "0 */15 * * * *")]
    pub parity_cron: String,
    #[command(flatten)]
    pub settings: JobSettingsArgs,
}

impl ScheduleArgs {
    /// Each job with its cron expression.
    pub fn crons(&self) -> Vec<(JobName, String)> {
        vec![
            (JobName::Ingest, self.ingest_cron.clone()),
            (JobName::Pricing, self.pricing_cron.clone()),
            (JobName::Inventory, self.inventory_cron.clone()),
            (JobName::Reconcile, self.reconcile_cron.clone()),
            (JobName::Budgets, self.budgets_cron.clone()),
            (JobName::Archive, self.archive_cron.clone()),
            (JobName::Parity, self.parity_cron.clone()),
        ]
    }
}

/// How much work a job run does, whoever starts it.
#[derive(Debug, Clone, Args)]
pub struct JobSettingsArgs {
    /// Complete days re-pulled before today by the ingest job.
    #[arg(long, env = "COGNITRACK_INGEST_LOOKBACK_DAYS", default_value_t = jobs::ingest::DEFAULT_LOOKBACK_DAYS)]
    pub ingest_lookback_days: u32,
    /// Days of sessions, interactions and usage buckets kept in the hot tables.
    #[arg(long, env = "COGNITRACK_RETENTION_DAYS", default_value_t = ledger::archive::DEFAULT_RETENTION_DAYS)]
    pub retention_days: i64,
    /// A folder of provider CSV exports to compare as they arrive.
    #[arg(long, env = "COGNITRACK_PARITY_DIR")]
    pub parity_dir: Option<std::path::PathBuf>,
    /// A restated day outside a closed month is sent as a `usage.revised`
    /// webhook when its cost moved by at least this many USD (adjustments
    /// of closed months are always sent).
    #[arg(long, env = "COGNITRACK_REVISION_ALERT_USD", default_value = "1.00")]
    pub revision_alert_usd: rust_decimal::Decimal,
}

impl JobSettingsArgs {
    /// Refuses a bad retention window at start, not at the first nightly run.
    pub fn job_settings(&self, prices: &PricesArgs) -> ledger::Result<JobSettings> {
        ledger::archive::cutoff_for(chrono::Utc::now().date_naive(), self.retention_days)?;
        Ok(JobSettings {
            lookback_days: self.ingest_lookback_days,
            prices_url: prices.prices_url.clone(),
            retention_days: self.retention_days,
            parity_dir: self.parity_dir.clone(),
            revision_alert_micros: ledger::money::usd_to_micros(self.revision_alert_usd.abs())
                .ok_or_else(|| {
                    ledger::Error::InvalidInput(format!(
                        "COGNITRACK_REVISION_ALERT_USD {} is out of range",
                        self.revision_alert_usd
                    ))
                })?,
        })
    }
}

/// Unit rates for the non-token parts of tracked interactions.
#[derive(Debug, Clone, Args)]
pub struct RateArgs {
    /// Cost of one database operation, in nano-USD.
    #[arg(long, env = "COGNITRACK_RATE_DB_OP_NANOS", default_value_t = UnitRates::default().db_op_nanos)]
    pub db_op_nanos: i64,
    /// Cost of one external API call, in micro-USD.
    #[arg(long, env = "COGNITRACK_RATE_API_CALL_MICROS", default_value_t = UnitRates::default().api_call_micros)]
    pub api_call_micros: i64,
    /// Cost of one second of compute, in micro-USD.
    #[arg(long, env = "COGNITRACK_RATE_COMPUTE_SECOND_MICROS", default_value_t = UnitRates::default().compute_second_micros)]
    pub compute_second_micros: i64,
}

impl RateArgs {
    pub fn unit_rates(&self) -> UnitRates {
        UnitRates {
            db_op_nanos: self.db_op_nanos,
            api_call_micros: self.api_call_micros,
            compute_second_micros: self.compute_second_micros,
        }
    }
}
