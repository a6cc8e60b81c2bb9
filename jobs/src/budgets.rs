//! The budgets job: evaluate every budget and deliver pending alerts,
//! raise yesterday's spend anomalies (`usage.anomaly`) and send pending
//! restatements (`usage.revised`). Safe to race with
//! another replica: an alert is unique per budget, period and threshold,
//! an anomaly per day, dimension and value.
use chrono::Utc;
use ledger::Result;
use ledger::budgets::EvaluationReport;
use ledger::usage::anomaly_alerts::{self, AnomalyAlertReport};
use ledger::usage::revision_alerts::{self, RevisionAlertReport};
use serde::Serialize;

use crate::JobContext;

#[derive(Debug, Clone, Serialize)]
pub struct BudgetsReport {
    pub report: EvaluationReport,
    pub anomalies: AnomalyAlertReport,
    pub revisions: RevisionAlertReport,
}

impl BudgetsReport {
    pub fn ok(&self) -> bool {
        self.report.failed_deliveries == 0
            && self.anomalies.failed == 0
            && self.revisions.failed == 0
    }
}

pub async fn run(ctx: &JobContext) -> Result<BudgetsReport> {
    let today = Utc::now().date_naive();
    let report = ledger::budgets::evaluate(&ctx.db, today, &ctx.webhooks).await?;
    // Yesterday is the last complete day.
    let yesterday = today.pred_opt().unwrap_or(today);
    let anomalies = anomaly_alerts::raise_and_deliver(&ctx.db, &ctx.webhooks, yesterday).await?;
    let revisions = revision_alerts::deliver_pending(
        &ctx.db,
        &ctx.webhooks,
        ctx.settings.revision_alert_micros,
    )
    .await?;
    Ok(BudgetsReport {
        report,
        anomalies,
        revisions,
    })
}
