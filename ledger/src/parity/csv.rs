//! Reading the OpenAI dashboard exports (platform.openai.com/usage →
//! Export): the completions usage CSV and the cost CSV.
//!
//! There is no published spec, so the reader is lenient where real
//! exports vary and strict everywhere else:
//! - columns are found by name and unknown ones ignored (the header has
//!   grown over time and spreadsheets reorder it);
//! - counts may be written as floats (`10.0`, a pandas/spreadsheet
//!   artifact seen in real exports) but must be whole and non-negative;
//! - booleans may be `TRUE/FALSE/true/false`;
//! - an empty bucket (only the time columns filled) and a header-only file
//!   are valid and mean "no usage";
//! - anything else is an error naming the line, and nothing is compared.
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Which export a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    /// `completions_usage_<from>_<to>.csv`: token and request counts.
    #[default]
    Usage,
    /// `cost_<from>_<to>.csv`: billed amounts per line item.
    Cost,
}

impl ExportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Usage => "usage",
            Self::Cost => "cost",
        }
    }
}

impl FromStr for ExportKind {
    type Err = crate::Error;

    fn from_str(text: &str) -> crate::Result<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "usage" | "completions" => Ok(Self::Usage),
            "cost" | "costs" => Ok(Self::Cost),
            other => Err(crate::Error::InvalidInput(format!(
                "unknown export kind {other:?}: expected usage or cost"
            ))),
        }
    }
}

/// The grouping of one compared window (besides its day). Dimensions the
/// export does not have are `''`, like missing dimensions in storage.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct WindowKey {
    pub project_id: String,
    pub api_key_id: String,
    pub user_id: String,
    pub model: String,
    /// `''`, `true` or `false`, as stored.
    pub batch: String,
    pub service_tier: String,
    /// Cost exports only.
    pub line_item: String,
}

impl WindowKey {
    /// Sets the dimension named like its CSV column.
    pub(crate) fn set(&mut self, dim: &str, value: String) {
        match dim {
            "project_id" => self.project_id = value,
            "api_key_id" => self.api_key_id = value,
            "user_id" => self.user_id = value,
            "model" => self.model = value,
            "batch" => self.batch = value,
            "service_tier" => self.service_tier = value,
            "line_item" => self.line_item = value,
            _ => {}
        }
    }
}

/// Usage dimensions, in the order of the completions grouping.
pub const USAGE_DIMS: [&str; 6] = [
    "project_id",
    "api_key_id",
    "user_id",
    "model",
    "batch",
    "service_tier",
];
/// Cost dimensions compared: the costs API's `project_id` and `line_item`
/// grouping, which is what `billed_cost` stores per day.
pub const COST_DIMS: [&str; 2] = ["project_id", "line_item"];

/// Usage counts compared when their column is present; named like the
/// API fields and the `usage_bucket` columns.
pub const USAGE_FIELDS: [&str; 15] = [
    "num_model_requests",
    "input_tokens",
    "output_tokens",
    "input_cached_tokens",
    "input_cache_write_tokens",
    "input_uncached_tokens",
    "input_text_tokens",
    "output_text_tokens",
    "input_cached_text_tokens",
    "input_audio_tokens",
    "input_cached_audio_tokens",
    "output_audio_tokens",
    "input_image_tokens",
    "input_cached_image_tokens",
    "output_image_tokens",
];
/// The one compared field of a cost export (from `amount_value`).
pub const AMOUNT_FIELD: &str = "amount_usd";

const TIME_COLUMNS: [&str; 4] = ["start_time", "end_time", "start_time_iso", "end_time_iso"];

/// A file that cannot be compared. Carries the 1-based line when one line
/// is at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    #[error("line {line}: {message}")]
    Line { line: u64, message: String },
    #[error("{0}")]
    File(String),
}

impl From<CsvError> for crate::Error {
    fn from(error: CsvError) -> Self {
        crate::Error::InvalidInput(format!("malformed CSV: {error}"))
    }
}

/// Values per compared window, in the order of [`ParsedExport::fields`].
pub type Windows = BTreeMap<(NaiveDate, WindowKey), Vec<Decimal>>;

/// A parsed export, summed per UTC day and grouping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedExport {
    pub kind: ExportKind,
    /// The dimensions the export is grouped by (its columns), in key order.
    pub dims: Vec<&'static str>,
    /// The compared fields (its columns).
    pub fields: Vec<&'static str>,
    /// Data rows read, empty buckets included.
    pub rows: u64,
    /// Rows that were empty buckets.
    pub empty_rows: u64,
    /// Rows summed per (day, grouping): hourly or per-minute exports fold
    /// into the day, like the stored daily buckets.
    pub windows: Windows,
    /// Every day the file mentions, empty buckets included.
    pub days: BTreeSet<NaiveDate>,
}

/// Column positions found in the header.
struct Columns {
    names: Vec<String>,
    index: BTreeMap<String, usize>,
}

impl Columns {
    fn get(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    fn has(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }
}

/// The counts of the first (2024) completions export: what a header with
/// only time columns is compared on.
const CORE_USAGE_FIELDS: [&str; 6] = [
    "num_model_requests",
    "input_tokens",
    "output_tokens",
    "input_cached_tokens",
    "input_audio_tokens",
    "output_audio_tokens",
];

/// Parses an export. `expect` guards against comparing the wrong kind of
/// file, and decides what a header-only file with just the time columns
/// is (it could be either; usage when `None`).
pub fn parse(bytes: &[u8], expect: Option<ExportKind>) -> Result<ParsedExport, CsvError> {
    parse_inner(bytes, expect, expect.unwrap_or_default())
}

/// Like [`parse`] without the guard: the header decides, and `fallback`
/// is only what a time-only header is taken for (e.g. from a file name).
pub fn parse_guessing(bytes: &[u8], fallback: ExportKind) -> Result<ParsedExport, CsvError> {
    parse_inner(bytes, None, fallback)
}

fn parse_inner(
    bytes: &[u8],
    expect: Option<ExportKind>,
    fallback: ExportKind,
) -> Result<ParsedExport, CsvError> {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(true)
        // Spreadsheets drop trailing empty cells of empty buckets; shorter
        // rows are read as empty cells. Longer rows are refused below.
        .flexible(true)
        .from_reader(bytes);
    let columns = read_header(&mut reader)?;
    let kind = detect(&columns, expect)?.unwrap_or(fallback);
    let (dims, fields) = compared_columns(&columns, kind);
    let mut parsed = ParsedExport {
        kind,
        dims,
        fields,
        rows: 0,
        empty_rows: 0,
        windows: Windows::new(),
        days: BTreeSet::new(),
    };
    let mut record = ::csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(error) => return Err(csv_error(error)),
        }
        let line = record.position().map_or(0, |p| p.line());
        read_row(&columns, &record, &mut parsed)
            .map_err(|message| CsvError::Line { line, message })?;
    }
    Ok(parsed)
}

/// The header's columns, refused when it is blank, names a column twice
/// or has no start time (then it is no OpenAI export).
fn read_header(reader: &mut ::csv::Reader<&[u8]>) -> Result<Columns, CsvError> {
    let header = reader.headers().map_err(csv_error)?.clone();
    let names: Vec<String> = header
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_ascii_lowercase())
        .collect();
    if names.iter().all(String::is_empty) {
        return Err(CsvError::File(
            "the file is empty: expected a header line".into(),
        ));
    }
    let mut index = BTreeMap::new();
    for (i, name) in names.iter().enumerate() {
        if !name.is_empty() && index.insert(name.clone(), i).is_some() {
            return Err(CsvError::Line {
                line: 1,
                message: format!("column {name:?} appears twice"),
            });
        }
    }
    let columns = Columns { names, index };
    if !columns.has("start_time") && !columns.has("start_time_iso") {
        return Err(CsvError::Line {
            line: 1,
            message: "no start_time or start_time_iso column: not an OpenAI usage or cost export"
                .into(),
        });
    }
    Ok(columns)
}

/// The dimensions and fields a `kind` export is compared on: those of its
/// columns we know.
fn compared_columns(columns: &Columns, kind: ExportKind) -> (Vec<&'static str>, Vec<&'static str>) {
    let (dims, fields): (Vec<&'static str>, Vec<&'static str>) = match kind {
        ExportKind::Usage => (
            USAGE_DIMS.into_iter().filter(|d| columns.has(d)).collect(),
            USAGE_FIELDS
                .into_iter()
                .filter(|f| columns.has(f))
                .collect(),
        ),
        ExportKind::Cost => (
            COST_DIMS.into_iter().filter(|d| columns.has(d)).collect(),
            if columns.has("amount_value") {
                vec![AMOUNT_FIELD]
            } else {
                Vec::new()
            },
        ),
    };
    if !dims.is_empty() || !fields.is_empty() {
        return (dims, fields);
    }
    // A "no data" export has only the time columns. Compare it on the
    // full grouping and the core figures, so that stored usage shows up
    // as extra windows with their values instead of vanishing into
    // windows without fields.
    match kind {
        ExportKind::Usage => (USAGE_DIMS.to_vec(), CORE_USAGE_FIELDS.to_vec()),
        ExportKind::Cost => (COST_DIMS.to_vec(), vec![AMOUNT_FIELD]),
    }
}

/// The kind the header shows, `None` for a time-only header.
fn detect(columns: &Columns, expect: Option<ExportKind>) -> Result<Option<ExportKind>, CsvError> {
    let usage = USAGE_FIELDS.iter().any(|f| columns.has(f));
    let cost = columns.has("amount_value");
    let detected = match (usage, cost) {
        (true, true) => {
            return Err(CsvError::Line {
                line: 1,
                message: "the header has both usage counts and amount_value columns".into(),
            });
        }
        (true, false) => Some(ExportKind::Usage),
        (false, true) => Some(ExportKind::Cost),
        (false, false) => None,
    };
    match (detected, expect) {
        (Some(found), Some(asked)) if found != asked => Err(CsvError::Line {
            line: 1,
            message: format!(
                "this is a {} export, not a {} export",
                found.as_str(),
                asked.as_str()
            ),
        }),
        // None: only time columns, a header-only "no data" export, which
        // looks the same for both kinds.
        (found, _) => Ok(found),
    }
}

fn read_row(
    columns: &Columns,
    record: &::csv::StringRecord,
    parsed: &mut ParsedExport,
) -> Result<(), String> {
    if record.len() > columns.names.len() {
        return Err(format!(
            "{} fields, but the header has {}",
            record.len(),
            columns.names.len()
        ));
    }
    let row = Row { columns, record };
    parsed.rows += 1;
    let day = row_day(row.cell("start_time"), row.cell("start_time_iso"))?;
    // An empty bucket has only its time columns; a cost row without an
    // amount is a day without charges.
    let no_amount = parsed.kind == ExportKind::Cost && row.cell("amount_value").is_empty();
    if row.only_times() || no_amount {
        parsed.empty_rows += 1;
        parsed.days.insert(day);
        return Ok(());
    }
    let key = row.key(&parsed.dims)?;
    let values = row.values(parsed.kind, &parsed.fields)?;
    parsed.days.insert(day);
    let sums = parsed
        .windows
        .entry((day, key))
        .or_insert_with(|| vec![Decimal::ZERO; values.len()]);
    for (sum, value) in sums.iter_mut().zip(values) {
        *sum = sum
            .checked_add(value)
            .ok_or_else(|| "the values of this window overflow".to_owned())?;
    }
    Ok(())
}

/// One data row, read through the header's columns.
struct Row<'a> {
    columns: &'a Columns,
    record: &'a ::csv::StringRecord,
}

impl<'a> Row<'a> {
    /// The trimmed cell of a column; `''` when the column or cell is absent.
    fn cell(&self, name: &str) -> &'a str {
        self.columns
            .get(name)
            .and_then(|i| self.record.get(i))
            .map_or("", str::trim)
    }

    fn only_times(&self) -> bool {
        self.columns.names.iter().enumerate().all(|(i, name)| {
            TIME_COLUMNS.contains(&name.as_str())
                || self.record.get(i).is_none_or(|v| v.trim().is_empty())
        })
    }

    fn key(&self, dims: &[&str]) -> Result<WindowKey, String> {
        let mut key = WindowKey::default();
        for dim in dims {
            let value = self.cell(dim);
            let value = if *dim == "batch" {
                parse_bool(value)?
            } else {
                value.to_owned()
            };
            key.set(dim, value);
        }
        Ok(key)
    }

    /// The compared figures, in the order of `fields`.
    fn values(&self, kind: ExportKind, fields: &[&str]) -> Result<Vec<Decimal>, String> {
        let mut values = Vec::with_capacity(fields.len());
        match kind {
            ExportKind::Usage => {
                for field in fields {
                    values.push(parse_count(field, self.cell(field))?);
                }
            }
            ExportKind::Cost => {
                let currency = self.cell("amount_currency");
                if !currency.is_empty() && !currency.eq_ignore_ascii_case("usd") {
                    return Err(format!(
                        "amount_currency {currency:?}: only USD amounts can be compared"
                    ));
                }
                values.push(parse_amount(self.cell("amount_value"))?);
            }
        }
        Ok(values)
    }
}

/// The UTC day a bucket starts on: `start_time` (Unix seconds) when
/// present, else `start_time_iso`.
fn row_day(start_time: &str, start_time_iso: &str) -> Result<NaiveDate, String> {
    if !start_time.is_empty() {
        let seconds = parse_whole(start_time)
            .ok_or_else(|| format!("start_time {start_time:?} is not Unix seconds"))?;
        return DateTime::<Utc>::from_timestamp(seconds, 0)
            .map(|t| t.date_naive())
            .ok_or_else(|| format!("start_time {start_time} is out of range"));
    }
    if start_time_iso.is_empty() {
        return Err("no start_time or start_time_iso value".into());
    }
    let text = start_time_iso;
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc).date_naive());
    }
    // Spreadsheets rewrite the `T` as a space and sometimes drop the offset
    // (then the time is UTC, as the export is).
    for format in ["%Y-%m-%d %H:%M:%S%:z", "%Y-%m-%d %H:%M:%S%#z"] {
        if let Ok(t) = DateTime::parse_from_str(text, format) {
            return Ok(t.with_timezone(&Utc).date_naive());
        }
    }
    for format in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(t.date());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("start_time_iso {text:?} is not an ISO 8601 time"))
}

/// A whole number written as an integer, a float with a zero fraction
/// (`10.0`) or in scientific notation (`1e3`).
fn parse_whole(text: &str) -> Option<i64> {
    let value = parse_decimal(text)?;
    if !value.fract().is_zero() {
        return None;
    }
    i64::try_from(value.trunc()).ok()
}

fn parse_decimal(text: &str) -> Option<Decimal> {
    Decimal::from_str(text)
        .or_else(|_| Decimal::from_scientific(text))
        .ok()
}

fn parse_count(field: &str, text: &str) -> Result<Decimal, String> {
    if text.is_empty() {
        // A grouped row with an empty count: the field was not reported.
        return Ok(Decimal::ZERO);
    }
    match parse_whole(text) {
        Some(n) if n >= 0 => Ok(Decimal::from(n)),
        _ => Err(format!(
            "{field} {text:?} is not a whole non-negative number"
        )),
    }
}

fn parse_amount(text: &str) -> Result<Decimal, String> {
    parse_decimal(text)
        .map(|d| d.normalize())
        .ok_or_else(|| format!("amount_value {text:?} is not a number"))
}

/// `''`, `true` or `false`, as `usage_bucket.batch` stores it.
fn parse_bool(text: &str) -> Result<String, String> {
    if text.is_empty() {
        return Ok(String::new());
    }
    if text.eq_ignore_ascii_case("true") {
        Ok("true".into())
    } else if text.eq_ignore_ascii_case("false") {
        Ok("false".into())
    } else {
        Err(format!("batch {text:?} is not TRUE or FALSE"))
    }
}

fn csv_error(error: ::csv::Error) -> CsvError {
    let line = error.position().map(|p| p.line());
    let message = match error.kind() {
        ::csv::ErrorKind::Utf8 { err, .. } => format!("not UTF-8 text: {err}"),
        ::csv::ErrorKind::Io(err) => format!("cannot read: {err}"),
        _ => error.to_string(),
    };
    match line {
        Some(line) => CsvError::Line { line, message },
        None => CsvError::File(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "start_time,end_time,start_time_iso,end_time_iso,project_id,num_model_requests,user_id,api_key_id,model,batch,service_tier,input_tokens,output_tokens,input_cached_tokens,input_uncached_tokens,input_text_tokens,output_text_tokens,input_cached_text_tokens,input_audio_tokens,input_cached_audio_tokens,output_audio_tokens,input_image_tokens,input_cached_image_tokens,output_image_tokens";

    fn day(text: &str) -> NaiveDate {
        crate::dates::parse_day(text).expect("day")
    }

    #[test]
    fn reads_a_real_looking_usage_export() {
        let csv = format!(
            "{HEADER}\n\
             1759622400,1759708800,2025-10-05T00:00:00+00:00,2025-10-06T00:00:00+00:00,proj_a,10.0,,key_a,gpt-4o-mini-2024-07-18,FALSE,default,59200.0,812.0,5760.0,53440.0,53440.0,812.0,5760.0,0.0,0.0,0.0,0.0,0.0,0.0\n\
             1759622400,1759708800,2025-10-05T00:00:00+00:00,2025-10-06T00:00:00+00:00,proj_a,2,,key_a,gpt-4o-mini-2024-07-18,false,default,100,1,0,100,100,1,0,0,0,0,0,0,0\n\
             1759708800,1759795200,2025-10-06T00:00:00+00:00,2025-10-07T00:00:00+00:00,,,,,,,,,,,,,,,,,,,,\n"
        );
        let parsed = parse(csv.as_bytes(), None).expect("parsed");
        assert_eq!(parsed.kind, ExportKind::Usage);
        assert_eq!(parsed.rows, 3);
        assert_eq!(parsed.empty_rows, 1);
        assert_eq!(
            parsed.fields.len(),
            14,
            "no input_cache_write_tokens column"
        );
        assert_eq!(parsed.dims.len(), 6);
        assert_eq!(
            parsed.days.iter().copied().collect::<Vec<_>>(),
            vec![day("2025-10-05"), day("2025-10-06")]
        );
        // The two rows share a grouping: summed.
        assert_eq!(parsed.windows.len(), 1);
        let ((d, key), values) = parsed.windows.iter().next().expect("window");
        assert_eq!(*d, day("2025-10-05"));
        assert_eq!(key.batch, "false");
        assert_eq!(key.user_id, "");
        assert_eq!(values[0], Decimal::from(12));
        assert_eq!(values[1], Decimal::from(59300));
    }

    #[test]
    fn header_only_and_truncated_empty_buckets_are_accepted() {
        let parsed =
            parse(b"start_time,end_time,start_time_iso,end_time_iso\n", None).expect("header only");
        assert_eq!((parsed.rows, parsed.windows.len()), (0, 0));
        assert_eq!(parsed.kind, ExportKind::Usage);
        let cost = parse(
            b"start_time,end_time,start_time_iso,end_time_iso\n",
            Some(ExportKind::Cost),
        )
        .expect("header only");
        assert_eq!(cost.kind, ExportKind::Cost);
        let short = format!(
            "{HEADER}\n1759622400,1759708800,2025-10-05T00:00:00+00:00,2025-10-06T00:00:00+00:00\n"
        );
        let parsed = parse(short.as_bytes(), None).expect("short empty bucket");
        assert_eq!(parsed.empty_rows, 1);
    }

    #[test]
    fn malformed_cells_name_their_line() {
        let bad_count = format!(
            "{HEADER}\n1759622400,1759708800,,,p,10.5,,,m,FALSE,,1,1,0,0,0,0,0,0,0,0,0,0,0\n"
        );
        let err = parse(bad_count.as_bytes(), None).expect_err("fraction");
        assert!(
            matches!(&err, CsvError::Line { line: 2, message } if message.contains("num_model_requests")),
            "{err}"
        );
        let bad_bool = format!(
            "{HEADER}\n1759622400,1759708800,,,p,10,,,m,FALSE,,1,1,0,0,0,0,0,0,0,0,0,0,0\n1759622400,1759708800,,,p,10,,,m,maybe,,1,1,0,0,0,0,0,0,0,0,0,0,0\n"
        );
        let err = parse(bad_bool.as_bytes(), None).expect_err("bool");
        assert!(matches!(err, CsvError::Line { line: 3, .. }), "{err}");
        let too_long = format!("{HEADER}\n1759622400{}\n", ",1".repeat(30));
        assert!(matches!(
            parse(too_long.as_bytes(), None),
            Err(CsvError::Line { line: 2, .. })
        ));
        let bad_time = "start_time_iso,input_tokens\nyesterday,1\n";
        assert!(matches!(
            parse(bad_time.as_bytes(), None),
            Err(CsvError::Line { line: 2, .. })
        ));
        assert!(parse(b"", None).is_err());
        assert!(parse(b"project_id,input_tokens\np,1\n", None).is_err());
        assert!(parse(&[0xff, 0xfe, b'\n', b'x'], None).is_err());
    }

    #[test]
    fn cost_exports_are_detected_and_checked() {
        let csv = "start_time,end_time,start_time_iso,end_time_iso,amount_value,amount_currency,line_item,project_id,organization_id,organization_name\n\
                   1759622400,1759708800,2025-10-05T00:00:00+00:00,2025-10-06T00:00:00+00:00,0.8958740000000000,usd,\"gpt-4o-2024-08-06, input\",proj_a,org,Org\n\
                   1759708800,1759795200,2025-10-06T00:00:00+00:00,2025-10-07T00:00:00+00:00,,,,,,\n";
        let parsed = parse(csv.as_bytes(), None).expect("cost");
        assert_eq!(parsed.kind, ExportKind::Cost);
        assert_eq!(parsed.fields, vec![AMOUNT_FIELD]);
        let ((_, key), values) = parsed.windows.iter().next().expect("window");
        assert_eq!(key.line_item, "gpt-4o-2024-08-06, input");
        assert_eq!(values[0].to_string(), "0.895874");
        assert_eq!(parsed.days.len(), 2);
        assert!(parse(csv.as_bytes(), Some(ExportKind::Usage)).is_err());
        let eur = csv.replace(",usd,", ",eur,");
        assert!(matches!(
            parse(eur.as_bytes(), None),
            Err(CsvError::Line { line: 2, .. })
        ));
    }

    #[test]
    fn times_parse_in_every_seen_form() {
        assert_eq!(row_day("1759622400.0", ""), Ok(day("2025-10-05")));
        assert_eq!(
            row_day("", "2025-10-05T23:59:00+00:00"),
            Ok(day("2025-10-05"))
        );
        assert_eq!(row_day("", "2025-10-05 00:00:00"), Ok(day("2025-10-05")));
        assert_eq!(row_day("", "2025-10-05"), Ok(day("2025-10-05")));
        assert!(row_day("", "").is_err());
        assert!(row_day("abc", "").is_err());
    }
}
