//! CSV parity: do our stored figures agree with the provider's own
//! dashboard export?
//!
//! An export (OpenAI completions usage or cost CSV, see [`csv`]) is
//! compared per UTC day and grouping with the stored `usage_bucket` rows of
//! the `completions` usage type, or with the `billed_cost` rows, of one
//! provider connection ([`compare`]). Every comparison is stored as a
//! `parity_report` whose `summary` holds the whole [`ParitySummary`]; a
//! report outside tolerance raises a `parity.variance` event on the alert
//! webhooks. The CLI, the `importUsageCsv` mutation and the watched
//! folder ([`scan_dir`]) all go through [`run`].
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use chrono::{NaiveDate, Utc};
use entity::{billed_cost, parity_file, parity_report, usage_bucket, usage_bucket_archive};
use rust_decimal::Decimal;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter,
    QueryTrait, Set, TryInsertResult,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub mod compare;
pub mod csv;
pub mod reports;

pub use compare::{Comparison, DayTotals, FieldDiff, MAX_LISTED, Tolerance, WindowFinding};
pub use csv::{CsvError, ExportKind, ParsedExport, WindowKey};

use crate::dates::{DayRange, parse_day};
use crate::error::{Error, Result, invalid};
use crate::money::micros_to_usd;
use crate::notify::{EventDelivery, WebhookSender, deliver_event};
use crate::providers::ProviderKind;
use crate::usage::revisions::AsOf;

/// The `X-CogniTrack-Event` of a report outside tolerance.
pub const VARIANCE_EVENT: &str = "parity.variance";
/// Larger exports are refused: a year of per-minute, per-key rows is far
/// below this, and the whole file is held in memory.
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;
/// The stored usage type a completions export is compared with.
pub const USAGE_TYPE: &str = "completions";

/// One comparison to make.
#[derive(Debug, Clone)]
pub struct ParityRequest {
    /// `openai`: the only provider with a dashboard CSV export.
    pub provider: String,
    /// A named connection; `None` picks the provider's only one.
    pub connection: Option<String>,
    pub range: DayRange,
    pub tolerance: Tolerance,
    /// What the file must be; `None` lets the header decide.
    pub kind: Option<ExportKind>,
    /// Who asked: `cli`, `api:<subject>`, `watch`.
    pub source: String,
    /// The file's name, kept for the report (no directory).
    pub file_name: String,
    /// Compare with the ledger as it stood then (usage exports only:
    /// billed costs keep no earlier versions); `None`: as it stands now.
    pub as_of: Option<AsOf>,
}

/// Everything a report says, stored as `parity_report.summary`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ParitySummary {
    pub provider: String,
    pub kind: ExportKind,
    pub connection: String,
    pub connection_id: i64,
    pub source: String,
    pub file_name: String,
    /// Hex SHA-256 of the file.
    pub content_hash: String,
    pub range_start: String,
    pub range_end: String,
    /// Absolute tolerance: tokens and requests, or USD for cost exports.
    pub tolerance: Decimal,
    /// Relative tolerance, percent of the provider's figure.
    pub tolerance_pct: Decimal,
    /// Data rows in the file, empty buckets included.
    pub csv_rows: u64,
    pub csv_empty_rows: u64,
    #[serde(flatten)]
    pub comparison: Comparison,
}

/// A stored report with its summary.
#[derive(Debug, Clone)]
pub struct ParityOutcome {
    pub report: parity_report::Model,
    pub summary: ParitySummary,
}

impl ParityOutcome {
    pub fn within_tolerance(&self) -> bool {
        self.report.within_tolerance
    }
}

/// Parses `bytes`, compares and stores the report. Every check happens
/// before anything is written: a malformed file (the error names its
/// line), an unknown provider or connection, or a bad range leave the
/// database untouched.
pub async fn run(
    db: &impl ConnectionTrait,
    bytes: &[u8],
    request: &ParityRequest,
) -> Result<ParityOutcome> {
    check_provider(&request.provider)?;
    check_size(bytes.len())?;
    let parsed = csv::parse(bytes, request.kind)?;
    run_parsed(db, &parsed, &content_hash(bytes), request).await
}

async fn run_parsed(
    db: &impl ConnectionTrait,
    parsed: &ParsedExport,
    hash: &str,
    request: &ParityRequest,
) -> Result<ParityOutcome> {
    let provider = check_provider(&request.provider)?;
    let connection =
        crate::providers::connections::pick(db, provider, request.connection.as_deref()).await?;
    let range = request.range;
    let stored = match (parsed.kind, request.as_of) {
        (ExportKind::Usage, as_of) => stored_usage(db, connection.id, range, parsed, as_of).await?,
        (ExportKind::Cost, None) => stored_costs(db, connection.id, range, parsed).await?,
        (ExportKind::Cost, Some(_)) => {
            return Err(invalid(
                "asOf applies to usage exports: billed costs keep no earlier versions",
            ));
        }
    };
    let comparison = compare::compare(
        range,
        &parsed.fields,
        &parsed.dims,
        &parsed.windows,
        &stored,
        &request.tolerance,
    );
    let summary = ParitySummary {
        provider: provider.as_str().to_owned(),
        kind: parsed.kind,
        connection: connection.name.clone(),
        connection_id: connection.id,
        source: request.source.clone(),
        file_name: request.file_name.clone(),
        content_hash: hash.to_owned(),
        range_start: range.from.to_string(),
        range_end: range.to.to_string(),
        tolerance: request.tolerance.absolute,
        tolerance_pct: request.tolerance.percent,
        csv_rows: parsed.rows,
        csv_empty_rows: parsed.empty_rows,
        comparison,
    };
    let json = serde_json::to_value(&summary)
        .map_err(|e| Error::Internal(format!("cannot encode the parity summary: {e}")))?;
    let report = parity_report::ActiveModel {
        provider: Set(provider),
        range_start: Set(range.from),
        range_end: Set(range.to),
        within_tolerance: Set(summary.comparison.within_tolerance),
        created_at: Set(Utc::now()),
        summary: Set(json),
        as_of: Set(request.as_of.map(AsOf::at)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(ParityOutcome { report, summary })
}

/// The provider as a CSV parity target: only OpenAI has a dashboard export.
pub fn check_provider(provider: &str) -> Result<ProviderKind> {
    let kind: ProviderKind = provider.trim().to_ascii_lowercase().parse()?;
    match kind {
        ProviderKind::OpenAi => Ok(kind),
        ProviderKind::Anthropic => Err(invalid(
            "CSV parity reads OpenAI dashboard exports; anthropic has no supported export",
        )),
    }
}

fn check_size(len: usize) -> Result<()> {
    if len > MAX_FILE_BYTES {
        return Err(invalid(format!(
            "the CSV is larger than {} MiB",
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    Ok(())
}

pub fn content_hash(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The stored `completions` buckets of the range (hot and archived, or
/// as of a moment), summed per day and per the export's grouping
/// (dimensions it lacks are folded together).
async fn stored_usage(
    db: &impl ConnectionTrait,
    connection_id: i64,
    range: DayRange,
    parsed: &ParsedExport,
    as_of: Option<AsOf>,
) -> Result<csv::Windows> {
    let (start, end) = range.bounds();
    let select = usage_bucket::Entity::find()
        .filter(usage_bucket::Column::ConnectionId.eq(connection_id))
        .filter(usage_bucket::Column::UsageType.eq(USAGE_TYPE))
        .filter(usage_bucket::Column::WindowStart.gte(start))
        .filter(usage_bucket::Column::WindowStart.lt(end));
    let rows = match as_of {
        Some(as_of) => {
            let mut rows = Vec::new();
            for query in as_of.statements(select.into_query()) {
                for row in db.query_all(&query).await? {
                    rows.push(usage_bucket::Model::from_query_result(&row, "")?);
                }
            }
            rows
        }
        // Archival must not make a day look missing from the ledger.
        None => {
            crate::archive::models::<usage_bucket::Entity, usage_bucket_archive::Entity>(
                db, select, true,
            )
            .await?
        }
    };
    let mut out = csv::Windows::new();
    for bucket in rows {
        let mut key = WindowKey::default();
        for dim in &parsed.dims {
            let value = match *dim {
                "project_id" => bucket.project_id.as_str(),
                "api_key_id" => &bucket.api_key_id,
                "user_id" => &bucket.user_id,
                "model" => &bucket.model,
                "batch" => bucket.batch.as_str(),
                "service_tier" => &bucket.service_tier,
                _ => continue,
            };
            key.set(dim, value.to_owned());
        }
        let values: Vec<Decimal> = parsed
            .fields
            .iter()
            .map(|f| Decimal::from(usage_value(&bucket, f)))
            .collect();
        accumulate(&mut out, bucket.window_start.date_naive(), key, values);
    }
    Ok(out)
}

fn usage_value(b: &usage_bucket::Model, field: &str) -> i64 {
    match field {
        "num_model_requests" => b.num_model_requests,
        "input_tokens" => b.input_tokens,
        "output_tokens" => b.output_tokens,
        "input_cached_tokens" => b.input_cached_tokens,
        "input_cache_write_tokens" => b.input_cache_write_tokens,
        "input_uncached_tokens" => b.input_uncached_tokens,
        "input_text_tokens" => b.input_text_tokens,
        "output_text_tokens" => b.output_text_tokens,
        "input_cached_text_tokens" => b.input_cached_text_tokens,
        "input_audio_tokens" => b.input_audio_tokens,
        "input_cached_audio_tokens" => b.input_cached_audio_tokens,
        "output_audio_tokens" => b.output_audio_tokens,
        "input_image_tokens" => b.input_image_tokens,
        "input_cached_image_tokens" => b.input_cached_image_tokens,
        "output_image_tokens" => b.output_image_tokens,
        _ => 0,
    }
}

/// The stored billed lines of the range, summed per day, project and line
/// item (as the export groups them) in exact USD.
async fn stored_costs(
    db: &impl ConnectionTrait,
    connection_id: i64,
    range: DayRange,
    parsed: &ParsedExport,
) -> Result<csv::Windows> {
    let rows = billed_cost::Entity::find()
        .filter(billed_cost::Column::ConnectionId.eq(connection_id))
        .filter(billed_cost::Column::Day.gte(range.from))
        .filter(billed_cost::Column::Day.lte(range.to))
        .all(db)
        .await?;
    let mut out = csv::Windows::new();
    for line in rows {
        let mut key = WindowKey::default();
        for dim in &parsed.dims {
            match *dim {
                "project_id" => key.project_id = line.project_id.clone(),
                "line_item" => key.line_item = line.line_item.clone(),
                _ => {}
            }
        }
        // The exact decimal as reported; the micro-USD copy only if the
        // text was damaged.
        let amount = line
            .amount_usd
            .parse::<Decimal>()
            .unwrap_or_else(|_| micros_to_usd(line.amount_micros));
        let values = if parsed.fields.is_empty() {
            Vec::new()
        } else {
            vec![amount]
        };
        accumulate(&mut out, line.day, key, values);
    }
    Ok(out)
}

fn accumulate(out: &mut csv::Windows, day: NaiveDate, key: WindowKey, values: Vec<Decimal>) {
    match out.get_mut(&(day, key.clone())) {
        Some(sums) => {
            for (sum, value) in sums.iter_mut().zip(values) {
                *sum = sum.saturating_add(value);
            }
        }
        None => {
            out.insert((day, key), values);
        }
    }
}

/// The summary of a stored report; `None` for a row whose summary has
/// another shape (reports written before this module).
pub fn summary_of(report: &parity_report::Model) -> Option<ParitySummary> {
    serde_json::from_value(report.summary.clone()).ok()
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> Result<parity_report::Model> {
    parity_report::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| Error::NotFound(format!("parity report {id}")))
}

/// Posts a `parity.variance` event to every webhook when the report is
/// outside tolerance; `None` when it is within.
pub async fn alert(
    db: &impl ConnectionTrait,
    sender: &WebhookSender,
    outcome: &ParityOutcome,
) -> Result<Option<EventDelivery>> {
    if outcome.report.within_tolerance {
        return Ok(None);
    }
    let s = &outcome.summary;
    let c = &s.comparison;
    let payload = serde_json::json!({
        "event": VARIANCE_EVENT,
        "report_id": outcome.report.id,
        "provider": s.provider,
        "kind": s.kind,
        "connection": s.connection,
        "source": s.source,
        "file_name": s.file_name,
        "range_start": s.range_start,
        "range_end": s.range_end,
        "as_of": outcome.report.as_of,
        "tolerance": s.tolerance,
        "tolerance_pct": s.tolerance_pct,
        "missing_windows": c.missing_windows,
        "extra_windows": c.extra_windows,
        "mismatched_windows": c.mismatched_windows,
        "matched_windows": c.matched_windows,
    });
    let delivery_id = format!("parity-report-{}", outcome.report.id);
    deliver_event(db, sender, VARIANCE_EVENT, &delivery_id, &payload)
        .await
        .map(Some)
}

/// How the watched folder is compared.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub provider: String,
    pub connection: Option<String>,
    pub tolerance: Tolerance,
    /// Files modified more recently are left for the next scan: a file
    /// still being copied in would otherwise be compared half-written.
    pub min_age: Duration,
}

impl Default for ScanOptions {
    fn default() -> Self {
        Self {
            provider: ProviderKind::OpenAi.as_str().to_owned(),
            connection: None,
            tolerance: Tolerance::default(),
            min_age: Duration::from_secs(30),
        }
    }
}

/// One file a scan compared (or failed to).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScannedFile {
    pub file_name: String,
    pub report_id: Option<i64>,
    pub within_tolerance: Option<bool>,
    /// Why it was not compared; the file is not retried until it changes.
    pub error: Option<String>,
    pub alert: Option<EventDelivery>,
}

/// What one scan did; serialisable for job telemetry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ScanReport {
    /// `*.csv` files in the folder.
    pub files: u64,
    /// Already compared with this content (by this or another replica).
    pub known: u64,
    /// Modified too recently; left for the next scan.
    pub recent: u64,
    pub processed: Vec<ScannedFile>,
}

/// Compares every new `*.csv` file in `dir` once and stores a report for
/// each; a file is new when its name and content hash were never seen.
/// The range comes from the file name (`…_<from>_<to>.csv` or
/// `…_<day>.csv`, as the dashboard names exports) or else from the days
/// in the file. A report outside tolerance is alerted through `sender`.
/// Safe on several replicas: a file is claimed by a unique row first.
pub async fn scan_dir(
    db: &impl ConnectionTrait,
    dir: &Path,
    options: &ScanOptions,
    sender: Option<&WebhookSender>,
) -> Result<ScanReport> {
    // Configuration problems fail the scan before any file is claimed, so
    // files are not marked as failed for what is not their fault.
    let provider = check_provider(&options.provider)?;
    crate::providers::connections::pick(db, provider, options.connection.as_deref()).await?;
    let mut report = ScanReport::default();
    for (name, path) in csv_files(dir).await? {
        let Some(bytes) = read_settled(&name, &path, options, &mut report).await else {
            continue;
        };
        let hash = content_hash(&bytes);
        let Some(claim) = claim(db, &name, &hash).await? else {
            report.known += 1;
            continue;
        };
        let result = scan_one(db, &name, &bytes, &hash, options).await;
        let scanned = settle_claim(db, claim, name, result, sender).await?;
        report.processed.push(scanned);
    }
    Ok(report)
}

/// The visible `*.csv` entries of `dir`, sorted by name.
async fn csv_files(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let unreadable = |e: std::io::Error| {
        invalid(format!(
            "cannot read the parity folder {}: {e}",
            dir.display()
        ))
    };
    let mut entries = tokio::fs::read_dir(dir).await.map_err(unreadable)?;
    let mut files = Vec::new();
    while let Some(entry) = entries.next_entry().await.map_err(unreadable)? {
        let path = entry.path();
        let is_csv = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
            continue;
        };
        if is_csv && !name.starts_with('.') {
            files.push((name, path));
        }
    }
    files.sort();
    Ok(files)
}

/// The content of a regular file old enough to be complete, counting it in
/// `report`; `None` leaves the file for a later scan.
async fn read_settled(
    name: &str,
    path: &Path,
    options: &ScanOptions,
    report: &mut ScanReport,
) -> Option<Vec<u8>> {
    let meta = tokio::fs::metadata(path).await.ok()?;
    if !meta.is_file() {
        return None;
    }
    report.files += 1;
    let age = meta
        .modified()
        .ok()
        .and_then(|m| SystemTime::now().duration_since(m).ok())
        .unwrap_or_default();
    if age < options.min_age {
        report.recent += 1;
        return None;
    }
    match read_limited(path, meta.len()).await {
        Ok(bytes) => Some(bytes),
        Err(error) => {
            // Unreadable now (permissions, vanished): try again next scan.
            tracing::warn!(file = %name, %error, "cannot read a parity CSV");
            None
        }
    }
}

/// Records on the claimed row how the comparison of `name` ended, and
/// alerts a report outside tolerance. A failure of ours rather than the
/// file's releases the claim, so the next scan retries the file.
async fn settle_claim(
    db: &impl ConnectionTrait,
    claim: parity_file::Model,
    name: String,
    result: Result<ParityOutcome>,
    sender: Option<&WebhookSender>,
) -> Result<ScannedFile> {
    match result {
        Ok(outcome) => {
            let mut row = parity_file::ActiveModel::from(claim);
            row.report_id = Set(Some(outcome.report.id));
            row.update(db).await?;
            let alert = match sender {
                Some(sender) => alert(db, sender, &outcome).await?,
                None => None,
            };
            Ok(ScannedFile {
                file_name: name,
                report_id: Some(outcome.report.id),
                within_tolerance: Some(outcome.report.within_tolerance),
                error: None,
                alert,
            })
        }
        Err(Error::InvalidInput(message) | Error::NotFound(message)) => {
            tracing::warn!(file = %name, error = %message, "parity CSV not compared");
            let mut row = parity_file::ActiveModel::from(claim);
            row.error = Set(Some(message.clone()));
            row.update(db).await?;
            Ok(ScannedFile {
                file_name: name,
                report_id: None,
                within_tolerance: None,
                error: Some(message),
                alert: None,
            })
        }
        Err(other) => {
            parity_file::Entity::delete_by_id(claim.id).exec(db).await?;
            Err(other)
        }
    }
}

async fn read_limited(path: &Path, len: u64) -> std::io::Result<Vec<u8>> {
    if len > MAX_FILE_BYTES as u64 {
        return Err(std::io::Error::other(format!(
            "larger than {} MiB",
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    tokio::fs::read(path).await
}

/// Inserts the (name, hash) row unless it exists; `None` when it did.
async fn claim(
    db: &impl ConnectionTrait,
    name: &str,
    hash: &str,
) -> Result<Option<parity_file::Model>> {
    let row = parity_file::ActiveModel {
        file_name: Set(name.to_owned()),
        content_hash: Set(hash.to_owned()),
        report_id: Set(None),
        error: Set(None),
        processed_at: Set(Utc::now()),
        ..Default::default()
    };
    let inserted = parity_file::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([
                parity_file::Column::FileName,
                parity_file::Column::ContentHash,
            ])
            .do_nothing()
            .to_owned(),
        )
        .try_insert()
        .exec_without_returning(db)
        .await?;
    if !matches!(inserted, TryInsertResult::Inserted(n) if n > 0) {
        return Ok(None);
    }
    Ok(parity_file::Entity::find()
        .filter(parity_file::Column::FileName.eq(name))
        .filter(parity_file::Column::ContentHash.eq(hash))
        .one(db)
        .await?)
}

async fn scan_one(
    db: &impl ConnectionTrait,
    name: &str,
    bytes: &[u8],
    hash: &str,
    options: &ScanOptions,
) -> Result<ParityOutcome> {
    let lower = name.to_ascii_lowercase();
    let fallback = if lower.starts_with("cost") {
        ExportKind::Cost
    } else {
        ExportKind::Usage
    };
    let parsed = csv::parse_guessing(bytes, fallback)?;
    let range = match range_from_name(name) {
        Some(range) => range,
        None => match (parsed.days.first(), parsed.days.last()) {
            (Some(from), Some(to)) => DayRange::new(*from, *to)?,
            _ => {
                return Err(invalid(
                    "no dates in the file name (…_<from>_<to>.csv) and no rows: the range is unknown",
                ));
            }
        },
    };
    let request = ParityRequest {
        provider: options.provider.clone(),
        connection: options.connection.clone(),
        range,
        tolerance: options.tolerance,
        kind: Some(parsed.kind),
        source: "watch".to_owned(),
        file_name: name.to_owned(),
        as_of: None,
    };
    run_parsed(db, &parsed, hash, &request).await
}

/// `completions_usage_2026-01-01_2026-02-04.csv` → that range;
/// `completions_usage_2026-01-01.csv` → that day.
pub fn range_from_name(name: &str) -> Option<DayRange> {
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    let days: Vec<NaiveDate> = stem
        .split(['_', ' '])
        .filter_map(|part| parse_day(part).ok())
        .collect();
    match days.as_slice() {
        [day] => DayRange::new(*day, *day).ok(),
        [from, .., to] => DayRange::new(*from, *to).ok(),
        [] => None,
    }
}

/// Per-field totals of a comparison's days, over the whole range.
pub fn range_totals(comparison: &Comparison) -> BTreeMap<String, (Decimal, Decimal)> {
    let mut out: BTreeMap<String, (Decimal, Decimal)> = BTreeMap::new();
    for day in &comparison.days {
        for total in &day.totals {
            let entry = out.entry(total.field.clone()).or_default();
            entry.0 = entry.0.saturating_add(total.csv);
            entry.1 = entry.1.saturating_add(total.stored);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_come_from_export_names() {
        let range = range_from_name("completions_usage_2026-01-01_2026-02-04.csv").expect("range");
        assert_eq!(
            (range.from.to_string(), range.len()),
            ("2026-01-01".into(), 35)
        );
        let day = range_from_name("cost_2026-01-03.csv").expect("day");
        assert_eq!(day.len(), 1);
        assert!(range_from_name("export.csv").is_none());
        assert!(range_from_name("x_2026-02-04_2026-01-01.csv").is_none());
    }

    #[test]
    fn only_openai_has_an_export() {
        assert!(check_provider("openai").is_ok());
        assert!(check_provider("OpenAI").is_ok());
        assert!(check_provider("anthropic").is_err());
        assert!(check_provider("acme").is_err());
    }
}
