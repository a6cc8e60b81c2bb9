//! CSV parity: stored figures against the provider's dashboard export.
//! Reports are listed and read by viewers; importing an export is admin.
use std::io::Read;

use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, Object, SimpleObject, Upload};
use chrono::{DateTime, Utc};
use entity::enums::ProviderKind;
use entity::parity_report;
use ledger::page::PageRequest;
use ledger::parity::{
    DayTotals, FieldDiff, ParityRequest, ParitySummary, Tolerance, WindowFinding,
};
use ledger::usage::revisions::AsOf;
use rust_decimal::Decimal;

use super::types::{Date, Provider, connection, day_range};
use super::{parse_id, principal, state};
use crate::error::{ApiError, ApiResult};

/// Which dashboard export a file is.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "ledger::parity::ExportKind")]
pub enum ParityExportKind {
    /// Completions usage: tokens and requests.
    Usage,
    /// Cost: billed USD per project and line item.
    Cost,
}

/// One field: the export's figure next to the stored one.
#[derive(SimpleObject)]
pub struct ParityFieldDiff {
    /// The CSV column, e.g. `input_tokens`, or `amount_usd`.
    pub field: String,
    pub csv: Decimal,
    pub stored: Decimal,
    /// Stored minus CSV.
    pub difference: Decimal,
    pub within_tolerance: bool,
}

impl From<FieldDiff> for ParityFieldDiff {
    fn from(d: FieldDiff) -> Self {
        Self {
            field: d.field,
            csv: d.csv,
            stored: d.stored,
            difference: d.difference,
            within_tolerance: d.within_tolerance,
        }
    }
}

/// A day and grouping found on one side only, or with different figures.
/// Dimensions the export does not have are `""`.
#[derive(SimpleObject)]
pub struct ParityWindow {
    pub date: Date,
    pub project_id: String,
    pub api_key_id: String,
    pub user_id: String,
    pub model: String,
    /// As the export has it: `""`, `"true"` or `"false"`.
    pub batch: String,
    pub service_tier: String,
    /// Cost exports only.
    pub line_item: String,
    /// Missing and extra windows: every field (the absent side is 0);
    /// mismatched windows: the fields that differ.
    pub fields: Vec<ParityFieldDiff>,
}

impl From<WindowFinding> for ParityWindow {
    fn from(w: WindowFinding) -> Self {
        Self {
            date: w.date.into(),
            project_id: w.key.project_id,
            api_key_id: w.key.api_key_id,
            user_id: w.key.user_id,
            model: w.key.model,
            batch: w.key.batch,
            service_tier: w.key.service_tier,
            line_item: w.key.line_item,
            fields: w.fields.into_iter().map(Into::into).collect(),
        }
    }
}

/// One UTC day's totals over every window.
#[derive(SimpleObject)]
pub struct ParityDay {
    pub date: Date,
    pub csv_windows: i32,
    pub stored_windows: i32,
    pub within_tolerance: bool,
    pub totals: Vec<ParityFieldDiff>,
}

impl From<DayTotals> for ParityDay {
    fn from(d: DayTotals) -> Self {
        Self {
            date: d.date.into(),
            csv_windows: count(d.csv_windows),
            stored_windows: count(d.stored_windows),
            within_tolerance: d.within_tolerance,
            totals: d.totals.into_iter().map(Into::into).collect(),
        }
    }
}

fn count(n: u64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// A stored comparison with a provider CSV export. Reports stored before
/// a field existed show it as zero.
#[derive(SimpleObject)]
pub struct ParityReport {
    pub id: ID,
    pub provider: Provider,
    pub range_start: Date,
    pub range_end: Date,
    pub within_tolerance: bool,
    pub created_at: DateTime<Utc>,
    /// The stored side was read as the ledger stood at this moment; null:
    /// as it stood at `createdAt`.
    pub as_of: Option<DateTime<Utc>>,
    pub kind: ParityExportKind,
    pub connection: String,
    /// `cli`, `api:<subject>` or `watch`.
    pub source: String,
    pub file_name: String,
    pub content_hash: String,
    /// Absolute: tokens and requests, or USD for cost exports.
    pub tolerance: Decimal,
    /// Percent of the provider's figure.
    pub tolerance_pct: Decimal,
    pub csv_rows: i32,
    pub csv_windows: i32,
    pub stored_windows: i32,
    pub matched_windows: i32,
    /// In the export, not stored.
    pub missing_windows: i32,
    /// Stored, not in the export.
    pub extra_windows: i32,
    /// In both, some field outside tolerance.
    pub mismatched_windows: i32,
    /// The compared fields (CSV columns).
    pub fields: Vec<String>,
    /// The first 200 of each kind of finding.
    pub missing: Vec<ParityWindow>,
    pub extra: Vec<ParityWindow>,
    pub mismatched: Vec<ParityWindow>,
    /// True when a list holds only the first 200 findings.
    pub truncated: bool,
    /// Every day of the range.
    pub days: Vec<ParityDay>,
}

impl From<parity_report::Model> for ParityReport {
    fn from(r: parity_report::Model) -> Self {
        let s: ParitySummary = ledger::parity::summary_of(&r).unwrap_or_default();
        let c = s.comparison;
        let windows = |list: Vec<WindowFinding>| list.into_iter().map(Into::into).collect();
        Self {
            id: ID(r.id.to_string()),
            provider: r.provider.into(),
            range_start: r.range_start.into(),
            range_end: r.range_end.into(),
            within_tolerance: r.within_tolerance,
            created_at: r.created_at,
            as_of: r.as_of,
            kind: s.kind.into(),
            connection: s.connection,
            source: s.source,
            file_name: s.file_name,
            content_hash: s.content_hash,
            tolerance: s.tolerance,
            tolerance_pct: s.tolerance_pct,
            csv_rows: count(s.csv_rows),
            csv_windows: count(c.csv_windows),
            stored_windows: count(c.stored_windows),
            matched_windows: count(c.matched_windows),
            missing_windows: count(c.missing_windows),
            extra_windows: count(c.extra_windows),
            mismatched_windows: count(c.mismatched_windows),
            fields: c.fields,
            missing: windows(c.missing),
            extra: windows(c.extra),
            mismatched: windows(c.mismatched),
            truncated: c.truncated,
            days: c.days.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Default)]
pub struct ParityQuery;

#[Object]
impl ParityQuery {
    /// CSV parity reports, newest first.
    async fn parity_reports(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<String, ParityReport>> {
        principal(ctx).viewer()?;
        let page = PageRequest::new(first, after.as_deref())?;
        let found = ledger::parity::reports::parity_reports(&state(ctx)?.db, &page).await?;
        Ok(connection(found, page.after.is_some(), ParityReport::from))
    }

    async fn parity_report(&self, ctx: &Context<'_>, id: ID) -> ApiResult<ParityReport> {
        principal(ctx).viewer()?;
        let row = ledger::parity::get(&state(ctx)?.db, parse_id(&id)?).await?;
        Ok(row.into())
    }
}

#[derive(Default)]
pub struct ParityMutation;

#[Object]
impl ParityMutation {
    /// Compares an uploaded dashboard export (multipart request, GraphQL
    /// multipart spec) with the stored figures for the UTC days
    /// `start`..`end` (both included) and stores the report. A malformed
    /// file is refused with its line number and nothing is stored. A report
    /// outside tolerance posts a `parity.variance` event to the webhooks.
    /// `asOf` compares a usage export with the ledger as it stood at that
    /// moment (restated days in their version of then); a moment in the
    /// future, or `asOf` with a cost export, is `BAD_USER_INPUT`.
    #[allow(clippy::too_many_arguments)]
    async fn import_usage_csv(
        &self,
        ctx: &Context<'_>,
        provider: Provider,
        file: Upload,
        start: Date,
        end: Date,
        tolerance: Option<Decimal>,
        tolerance_pct: Option<Decimal>,
        connection: Option<String>,
        kind: Option<ParityExportKind>,
        as_of: Option<DateTime<Utc>>,
    ) -> ApiResult<ParityReport> {
        let claims = principal(ctx).admin()?;
        let state = state(ctx)?;
        let range = day_range(start, end)?;
        let as_of = as_of.map(|at| AsOf::new(at, Utc::now())).transpose()?;
        let tolerance = Tolerance::new(
            tolerance.unwrap_or_default(),
            tolerance_pct.unwrap_or_default(),
        )?;
        let upload = file
            .value(ctx)
            .map_err(|_| ApiError::BadInput("the file upload could not be read".into()))?;
        let file_name = upload.filename.clone();
        let bytes = read_upload(upload).await?;
        let request = ParityRequest {
            provider: ProviderKind::from(provider).as_str().to_owned(),
            connection,
            range,
            tolerance,
            kind: kind.map(Into::into),
            source: format!("api:{}", claims.sub),
            file_name,
            as_of,
        };
        let outcome = ledger::parity::run(&state.db, &bytes, &request).await?;
        if !outcome.within_tolerance() {
            // Webhook retries may take a while; the caller gets the report
            // now and the alert goes out in the background.
            let (db, sender) = (state.db.clone(), state.webhooks.clone());
            let alerted = outcome.clone();
            tokio::spawn(async move {
                if let Err(error) = ledger::parity::alert(&db, &sender, &alerted).await {
                    tracing::error!(%error, report = alerted.report.id, "parity alert failed");
                }
            });
        }
        Ok(outcome.report.into())
    }
}

/// The upload's bytes, refusing files over the parity size limit without
/// reading them whole.
async fn read_upload(upload: async_graphql::UploadValue) -> ApiResult<Vec<u8>> {
    let limit = ledger::parity::MAX_FILE_BYTES;
    let read = tokio::task::spawn_blocking(move || {
        let mut bytes = Vec::new();
        upload
            .into_read()
            .take(limit as u64 + 1)
            .read_to_end(&mut bytes)
            .map(|_| bytes)
    })
    .await
    .map_err(|_| ApiError::Internal)?;
    let bytes = read.map_err(|_| ApiError::BadInput("the file upload could not be read".into()))?;
    if bytes.len() > limit {
        return Err(ApiError::BadInput(format!(
            "the CSV is larger than {} MiB",
            limit / (1024 * 1024)
        )));
    }
    Ok(bytes)
}
