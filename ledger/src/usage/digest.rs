//! Content hashes of stored day sets, so re-ingesting a day the provider
//! reports unchanged compares one hash and a row count instead of reading
//! and comparing every bucket, and writes nothing.
use chrono::{DateTime, Utc};
use entity::usage_day_digest::{ActiveModel, Column, Entity};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, EntityTrait, Set};
use sha2::{Digest, Sha256};

use crate::Result;
use crate::usage::buckets::{Counts, Dimensions};

/// Which series of a day set a digest describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Series {
    Daily,
    Hourly,
}

impl Series {
    fn width(self) -> &'static str {
        match self {
            Series::Daily => "1d",
            Series::Hourly => "1h",
        }
    }
}

/// Identifies one day set.
#[derive(Debug, Clone, Copy)]
pub struct DayKey<'a> {
    pub connection_id: i64,
    pub usage_type: &'a str,
    /// Midnight UTC of the day.
    pub day: DateTime<Utc>,
    pub series: Series,
}

/// The hash of a day set's merged rows, each with the start of its window:
/// the same whatever order the provider listed them in.
pub fn hash<'a>(
    rows: impl IntoIterator<Item = (DateTime<Utc>, &'a Dimensions, &'a Counts)>,
) -> String {
    let mut lines: Vec<String> = rows
        .into_iter()
        .map(|(start, dims, counts)| format!("{}|{dims:?}|{counts:?}", start.timestamp()))
        .collect();
    lines.sort_unstable();
    let mut hasher = Sha256::new();
    for line in &lines {
        hasher.update(line.as_bytes());
        hasher.update(b"\n");
    }
    hex::encode(hasher.finalize())
}

/// True when the stored digest of `key` is `content_hash` over `rows` rows
/// and the set still holds `stored_rows` rows (so a set emptied or edited
/// behind the digest's back is compared in full, not trusted).
pub async fn unchanged(
    db: &impl ConnectionTrait,
    key: DayKey<'_>,
    content_hash: &str,
    rows: usize,
    stored_rows: impl AsyncFnOnce() -> Result<u64>,
) -> Result<bool> {
    let stored = Entity::find_by_id((
        key.connection_id,
        key.usage_type.to_owned(),
        key.day,
        key.series.width().to_owned(),
    ))
    .one(db)
    .await?;
    let Some(stored) = stored else {
        return Ok(false);
    };
    let rows = i64::try_from(rows).unwrap_or(i64::MAX);
    if stored.content_hash != content_hash || stored.rows != rows {
        return Ok(false);
    }
    Ok(i64::try_from(stored_rows().await?).ok() == Some(rows))
}

/// Records that `key` now holds `rows` rows hashing to `content_hash`.
pub async fn store(
    db: &impl ConnectionTrait,
    key: DayKey<'_>,
    content_hash: String,
    rows: usize,
) -> Result<()> {
    let row = ActiveModel {
        connection_id: Set(key.connection_id),
        usage_type: Set(key.usage_type.to_owned()),
        day: Set(key.day),
        width: Set(key.series.width().to_owned()),
        content_hash: Set(content_hash),
        rows: Set(i64::try_from(rows).unwrap_or(i64::MAX)),
        checked_at: Set(Utc::now()),
    };
    Entity::insert(row)
        .on_conflict(
            OnConflict::columns([
                Column::ConnectionId,
                Column::UsageType,
                Column::Day,
                Column::Width,
            ])
            .update_columns([Column::ContentHash, Column::Rows, Column::CheckedAt])
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}
