//! Runtime configuration, built once from flags and environment (clap
//! reads both) and passed down; nothing reads the environment later.
use std::net::SocketAddr;

use clap::Args;
use jobs::pricing::UnitRates;

#[derive(Debug, Clone, Args)]
pub struct DbArgs {
    /// SQLite (`sqlite://file.db?mode=rwc`) or PostgreSQL (`postgres://…`) URL.
    #[arg(long, env = "DATABASE_URL", default_value = jobs::db::DEFAULT_DATABASE_URL)]
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

#[derive(Debug, Clone, Args)]
pub struct PricesArgs {
    /// Price feed (genai-prices v2 data.json): an http(s) URL or a local file.
    #[arg(long = "prices-url", env = "COGNITRACK_PRICES_URL", default_value = genai_prices::REMOTE_DATA_URL)]
    pub prices_url: String,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Seed 30 days of demo data into a fresh SQLite file and print ready-made tokens.
    #[arg(long)]
    pub demo: bool,
    /// Bearer secret for `POST /api/cron/{job}`; unset disables the trigger (503).
    #[arg(
        long = "cron-secret",
        env = "COGNITRACK_CRON_SECRET",
        hide_env_values = true
    )]
    pub cron_secret: Option<String>,
    /// Directory of the built dashboard.
    #[arg(long, env = "COGNITRACK_FRONTEND_DIR", default_value = "frontend/dist")]
    pub frontend_dir: std::path::PathBuf,
    #[command(flatten)]
    pub rates: RateArgs,
    #[command(flatten)]
    pub prices: PricesArgs,
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
