//! The budgets job: evaluate every budget and deliver pending alerts. Safe
//! to race with another replica: an alert is unique per budget, period and
//! threshold.
use chrono::Utc;
use ledger::Result;
use ledger::budgets::EvaluationReport;
use serde::Serialize;

use crate::JobContext;

#[derive(Debug, Clone, Serialize)]
pub struct BudgetsReport {
    pub report: EvaluationReport,
}

impl BudgetsReport {
    pub fn ok(&self) -> bool {
        self.report.failed_deliveries == 0
    }
}

pub async fn run(ctx: &JobContext) -> Result<BudgetsReport> {
    let today = Utc::now().date_naive();
    let report = ledger::budgets::evaluate(&ctx.db, today, &ctx.webhooks).await?;
    Ok(BudgetsReport { report })
}
