//! `cognitrack pricing sync|show`: refresh or print the price book.
use anyhow::{Result, bail};
use clap::Subcommand;
use ledger::pricing::{PriceBook, UnitRates};

use crate::cli::open;
use crate::config::{DbArgs, PricesArgs};

#[derive(Debug, Subcommand)]
pub enum PricingCommand {
    /// Fetch the price feed and store a new price version if its content changed.
    Sync {
        /// URL or file of a genai-prices v2 data.json (default: COGNITRACK_PRICES_URL).
        #[arg(long)]
        source: Option<String>,
        #[command(flatten)]
        prices: PricesArgs,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Print a model's price per million tokens on a day (default today).
    Show {
        #[arg(long)]
        model: String,
        /// Provider id, e.g. openai or anthropic.
        #[arg(long, default_value = "")]
        provider: String,
        /// UTC day YYYY-MM-DD.
        #[arg(long)]
        date: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
}

pub async fn run(command: PricingCommand) -> Result<()> {
    match command {
        PricingCommand::Sync { source, prices, db } => {
            sync(source.unwrap_or(prices.prices_url), &db).await
        }
        PricingCommand::Show {
            model,
            provider,
            date,
            db,
        } => show(&model, &provider, date.as_deref(), &db).await,
    }
}

async fn sync(source: String, db: &DbArgs) -> Result<()> {
    let conn = open(db).await?;
    let book = PriceBook::load(&conn, UnitRates::default()).await?;
    let outcome = ledger::pricing::sync(&conn, &book, &source).await?;
    println!(
        "{}",
        serde_json::json!({
            "price_version_id": outcome.version_id,
            "created": outcome.created,
            "content_hash": outcome.content_hash,
            "source": source,
        })
    );
    Ok(())
}

async fn show(model: &str, provider: &str, date: Option<&str>, db: &DbArgs) -> Result<()> {
    let conn = open(db).await?;
    let book = PriceBook::load(&conn, UnitRates::default()).await?;
    let day = match date {
        Some(d) => ledger::dates::parse_day(d)?,
        None => chrono::Utc::now().date_naive(),
    };
    let Some(p) = book.list_prices(provider, model, day) else {
        bail!("no price for model {model:?} on {day}");
    };
    println!(
        "{}",
        serde_json::json!({
            "model": model, "provider": provider, "date": day.to_string(),
            "input_mtok": p.input_mtok.to_string(),
            "cached_input_mtok": p.cached_input_mtok.map(|d| d.to_string()),
            "cache_write_mtok": p.cache_write_mtok.map(|d| d.to_string()),
            "output_mtok": p.output_mtok.to_string(),
            "price_version_id": p.version_id,
        })
    );
    Ok(())
}
