//! The parity job: compare the CSV exports that arrived in the parity
//! folder since the last scan, alerting the webhooks on variance.
use ledger::Result;
use ledger::parity::{ScanOptions, ScanReport};
use serde::Serialize;

use crate::JobContext;

#[derive(Debug, Clone, Serialize)]
pub struct ParityJobReport {
    pub report: ScanReport,
}

impl ParityJobReport {
    pub fn ok(&self) -> bool {
        self.report.processed.iter().all(|f| f.error.is_none())
    }
}

/// Scans the configured folder; the registry skips the job when none is.
pub async fn run(ctx: &JobContext) -> Result<ParityJobReport> {
    let Some(dir) = ctx.settings.parity_dir.as_deref() else {
        return Ok(ParityJobReport {
            report: ScanReport::default(),
        });
    };
    let options = ScanOptions::default();
    let report = ledger::parity::scan_dir(&ctx.db, dir, &options, Some(&ctx.webhooks)).await?;
    Ok(ParityJobReport { report })
}
