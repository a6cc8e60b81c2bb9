//! `cognitrack job <name>`: run one scheduled job now through the same
//! registry as the scheduler and the cron trigger (so under its lease), and
//! print its report as one JSON object.
use std::sync::Arc;

use anyhow::{Result, bail};
use clap::Args;
use jobs::{JobContext, JobName, Jobs};
use ledger::notify::{WebhookConfig, WebhookSender};
use ledger::pricing::PriceBook;
use ledger::providers::ProviderClients;

use crate::cli::open;
use crate::config::{DbArgs, JobSettingsArgs, PricesArgs, ProviderArgs, RateArgs};

#[derive(Debug, Args)]
pub struct JobArgs {
    /// ingest, pricing, inventory, reconcile, budgets, archive or parity.
    job: String,
    #[command(flatten)]
    settings: JobSettingsArgs,
    #[command(flatten)]
    prices: PricesArgs,
    #[command(flatten)]
    rates: RateArgs,
    #[command(flatten)]
    providers: ProviderArgs,
    #[command(flatten)]
    db: DbArgs,
}

pub async fn run(args: JobArgs) -> Result<()> {
    let job: JobName = args.job.parse().map_err(anyhow::Error::msg)?;
    let settings = args.settings.job_settings(&args.prices)?;
    let providers = args.providers.providers_config()?;
    let db = open(&args.db).await?;
    ledger::providers::connections::ensure_env_connections(
        &db,
        providers.openai_admin_key.as_ref(),
        providers.anthropic_admin_key.as_ref(),
    )
    .await?;
    let webhooks =
        WebhookSender::new(WebhookConfig::default())?.with_master_key(providers.master_key.clone());
    let jobs = Jobs::new(JobContext {
        book: Arc::new(PriceBook::load(&db, args.rates.unit_rates()).await?),
        clients: Arc::new(ProviderClients::new(providers)?),
        webhooks: Arc::new(webhooks),
        settings: Arc::new(settings),
        db,
    });
    let outcome = jobs.run(job).await?;
    println!("{}", serde_json::to_string(&outcome)?);
    if !outcome.ok {
        bail!("job {job} finished with failures; the JSON on stdout has the details");
    }
    Ok(())
}
