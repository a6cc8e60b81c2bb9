//! `GET /api/export/buckets`: every usage bucket of a range as CSV or
//! NDJSON, streamed page by page so a year of buckets never sits in memory.
//! Same filters and auth (a viewer or admin token) as `usageBuckets`.
//! CSV cells a spreadsheet would run as a formula are neutralised
//! ([`csv_cell`]); NDJSON carries the values as stored.
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use entity::enums::{ProviderKind, UnknownValue};
use entity::usage_bucket;
use futures_util::stream::{self, StreamExt};
use ledger::dates::DayRange;
use ledger::money::micros_to_usd;
use ledger::page::{Cursor, MAX_PAGE, PageRequest};
use ledger::usage::{UsageFilter, list_buckets};
use sea_orm::DatabaseConnection;
use serde::Deserialize;

use crate::router::principal;
use crate::state::AppState;

/// Named as in the GraphQL `UsageFilter`; an unknown name is refused, so a
/// typo cannot silently export everything.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExportParams {
    from: String,
    to: String,
    /// Comma-separated lists, as in the dashboard's URL.
    providers: Option<String>,
    project_ids: Option<String>,
    api_key_ids: Option<String>,
    user_ids: Option<String>,
    models: Option<String>,
    service_tiers: Option<String>,
    batch: Option<bool>,
    /// `csv` (default) or `ndjson`.
    format: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Ndjson,
}

const COLUMNS: [&str; 21] = [
    "date",
    "provider",
    "connection_id",
    "usage_type",
    "project_id",
    "api_key_id",
    "user_id",
    "model",
    "batch",
    "service_tier",
    "context_window",
    "input_tokens",
    "input_cached_tokens",
    "input_cache_write_tokens",
    "output_tokens",
    "input_audio_tokens",
    "output_audio_tokens",
    "num_model_requests",
    "cost_usd",
    "cost_estimated",
    "price_version_id",
];

pub async fn buckets(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<ExportParams>,
) -> Response {
    if let Err(error) = principal(&state, &headers).await.viewer() {
        return (StatusCode::UNAUTHORIZED, error.message()).into_response();
    }
    let format = match params.format.as_deref() {
        None | Some("csv") => Format::Csv,
        Some("ndjson") => Format::Ndjson,
        Some(other) => {
            let message = format!("unknown format {other:?}: use csv or ndjson");
            return (StatusCode::BAD_REQUEST, message).into_response();
        }
    };
    let range = match DayRange::parse(&params.from, &params.to) {
        Ok(range) => range,
        Err(error) => return (StatusCode::BAD_REQUEST, error.to_string()).into_response(),
    };
    let filter = match usage_filter(&params, range) {
        Ok(filter) => filter,
        Err(error) => return (StatusCode::BAD_REQUEST, error.to_string()).into_response(),
    };
    let body = export_body(state.db.clone(), filter, format);
    let (mime, extension) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        Format::Ndjson => ("application/x-ndjson", "ndjson"),
    };
    let disposition = format!(
        "attachment; filename=\"usage_buckets_{}_{}.{extension}\"",
        range.from, range.to
    );
    (
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}

/// A provider that names none is refused, like every other bad parameter.
fn usage_filter(params: &ExportParams, range: DayRange) -> Result<UsageFilter, UnknownValue> {
    let list = |value: &Option<String>| -> Vec<String> {
        value
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let mut filter = UsageFilter::new(range);
    filter.providers = list(&params.providers)
        .iter()
        .map(|p| p.parse::<ProviderKind>())
        .collect::<Result<_, _>>()?;
    filter.project_ids = list(&params.project_ids);
    filter.api_key_ids = list(&params.api_key_ids);
    filter.user_ids = list(&params.user_ids);
    filter.models = list(&params.models);
    filter.service_tiers = list(&params.service_tiers);
    filter.batch = params.batch;
    Ok(filter)
}

/// The CSV header line, then every page of buckets as it is read.
fn export_body(db: DatabaseConnection, filter: UsageFilter, format: Format) -> Body {
    let header_line = match format {
        Format::Csv => Some(Ok(Bytes::from(format!("{}\n", COLUMNS.join(","))))),
        Format::Ndjson => None,
    };
    let pages = stream::try_unfold(Some((db, filter, None::<Cursor>)), move |next| async move {
        let Some((db, filter, after)) = next else {
            return Ok(None);
        };
        let (chunk, after) = page(&db, &filter, after, format).await?;
        Ok::<_, ledger::Error>(Some((chunk, after.map(|a| (db, filter, Some(a))))))
    })
    .map(|chunk| {
        chunk.map_err(|error| {
            // Headers are gone once streaming began; the cut-short body and
            // this log line are what is left to say.
            tracing::error!(%error, "bucket export failed");
            std::io::Error::other("export failed")
        })
    });
    Body::from_stream(stream::iter(header_line).chain(pages))
}

/// One page of buckets rendered, and the cursor of the next page if any.
async fn page(
    db: &DatabaseConnection,
    filter: &UsageFilter,
    after: Option<Cursor>,
    format: Format,
) -> ledger::Result<(Bytes, Option<Cursor>)> {
    let request = PageRequest {
        first: MAX_PAGE,
        after,
    };
    let page = list_buckets(db, filter, &request).await?;
    let next = page
        .has_next
        .then(|| page.items.last().map(|(cursor, _)| cursor.clone()))
        .flatten();
    let mut out = Vec::new();
    match format {
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(&mut out);
            for (_, bucket) in &page.items {
                writer
                    .write_record(fields(bucket).map(csv_cell))
                    .map_err(|e| ledger::Error::Internal(e.to_string()))?;
            }
            writer
                .flush()
                .map_err(|e| ledger::Error::Internal(e.to_string()))?;
        }
        Format::Ndjson => {
            for (_, bucket) in &page.items {
                let record: serde_json::Map<String, serde_json::Value> = COLUMNS
                    .iter()
                    .zip(fields(bucket))
                    .map(|(k, v)| ((*k).to_owned(), serde_json::Value::String(v)))
                    .collect();
                out.extend(
                    serde_json::to_vec(&record)
                        .map_err(|e| ledger::Error::Internal(e.to_string()))?,
                );
                out.push(b'\n');
            }
        }
    }
    Ok((Bytes::from(out), next))
}

/// A cell a spreadsheet cannot run. Provider-controlled text (a model,
/// project or user id) that starts with `=`, `+`, `-`, `@`, a tab or a
/// carriage return would be read as a formula (`=cmd|' /C calc'!A0`); per
/// OWASP's CSV injection advice it gets a leading single quote. Only
/// cells that are not plain numbers are touched: a negative number
/// (`-0.5`) stays a number.
pub fn csv_cell(cell: String) -> String {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_plain_number(&cell) {
        format!("'{cell}")
    } else {
        cell
    }
}

/// An optional minus, digits, and optionally a point and more digits.
fn is_plain_number(cell: &str) -> bool {
    let unsigned = cell.strip_prefix('-').unwrap_or(cell);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

fn fields(b: &usage_bucket::Model) -> [String; 21] {
    [
        b.window_start.date_naive().to_string(),
        b.provider.to_string(),
        b.connection_id.to_string(),
        b.usage_type.clone(),
        b.project_id.clone(),
        b.api_key_id.clone(),
        b.user_id.clone(),
        b.model.clone(),
        b.batch.as_str().to_owned(),
        b.service_tier.clone(),
        b.context_window.clone(),
        b.input_tokens.to_string(),
        b.input_cached_tokens.to_string(),
        b.input_cache_write_tokens.to_string(),
        b.output_tokens.to_string(),
        (b.input_audio_tokens + b.input_cached_audio_tokens).to_string(),
        b.output_audio_tokens.to_string(),
        b.num_model_requests.to_string(),
        // Unpriced stays empty, never 0.
        b.cost_micros
            .map(|m| micros_to_usd(m).to_string())
            .unwrap_or_default(),
        b.cost_estimated.to_string(),
        b.price_version_id
            .map(|v| v.to_string())
            .unwrap_or_default(),
    ]
}

#[cfg(test)]
mod tests {
    use super::csv_cell;

    #[test]
    fn formulas_are_neutralised_and_numbers_kept() {
        for (cell, want) in [
            ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
            ("+1+1", "'+1+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-0.5", "-0.5"),
            ("-12", "-12"),
            ("0.012345", "0.012345"),
            ("gpt-4o", "gpt-4o"),
            ("", ""),
            ("-", "'-"),
            ("-1e5", "'-1e5"),
        ] {
            assert_eq!(csv_cell(cell.to_owned()), want, "{cell:?}");
        }
    }
}
