//! The reconcile job: record billed vs computed for the last complete days.
use chrono::{NaiveDate, Utc};
use ledger::Result;
use ledger::costs::reconciliation::{self, Finding, RECONCILE_WINDOW_DAYS};
use ledger::dates::DayRange;
use serde::Serialize;

use crate::JobContext;

#[derive(Debug, Clone, Serialize)]
pub struct ReconcileReport {
    pub report_id: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub within_tolerance: bool,
    pub findings: Vec<Finding>,
}

pub async fn run(ctx: &JobContext) -> Result<ReconcileReport> {
    let range = DayRange::ending_yesterday(Utc::now().date_naive(), RECONCILE_WINDOW_DAYS)?;
    let report = reconciliation::record(&ctx.db, range).await?;
    let findings = reconciliation::findings_of(&report)?;
    Ok(ReconcileReport {
        report_id: report.id,
        from: range.from,
        to: range.to,
        within_tolerance: report.within_tolerance,
        findings,
    })
}
