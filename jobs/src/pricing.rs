//! The pricing job: sync the price book from the price feed. A feed that
//! is refused (malformed, unreachable) is the job's result, not a server
//! fault: the previous price version stays in use.
use ledger::{Error, Result};
use serde::Serialize;

use crate::JobContext;

#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum PricingReport {
    Synced {
        price_version_id: i64,
        /// False when the feed's content was already stored.
        created: bool,
        content_hash: String,
    },
    Refused {
        error: String,
    },
}

impl PricingReport {
    pub fn ok(&self) -> bool {
        matches!(self, PricingReport::Synced { .. })
    }
}

pub async fn run(ctx: &JobContext) -> Result<PricingReport> {
    match ledger::pricing::sync(&ctx.db, &ctx.book, &ctx.settings.prices_url).await {
        Ok(sync) => Ok(PricingReport::Synced {
            price_version_id: sync.version_id,
            created: sync.created,
            content_hash: sync.content_hash,
        }),
        Err(Error::InvalidInput(reason)) => Ok(PricingReport::Refused { error: reason }),
        Err(error) => Err(error),
    }
}
