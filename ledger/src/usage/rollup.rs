//! Daily rollups of provider usage (`usage_rollup`): the buckets of each
//! UTC day summed at a few coarse grains, so a year's chart reads one row per
//! day and group instead of every bucket.
//!
//! Exactness: a day's rollup rows are never adjusted, only rebuilt whole
//! from that day's buckets, hot and archived together, inside the
//! transaction that changed the buckets ([`rebuild`]). Archival and restore
//! move buckets between tables without changing a day, so they leave the
//! rollups alone. On PostgreSQL a transaction-scoped advisory lock per day
//! orders concurrent rebuilds of one day (two connections ingesting the
//! same day): the second waits for the first to commit, then sums what it
//! wrote. Days are locked in ascending order, so two rebuilds cannot
//! deadlock each other.
use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use entity::{usage_bucket, usage_bucket_archive, usage_rollup};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, IntoIden, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DbBackend, EntityName, EntityTrait, QueryFilter, Statement, Value};

use super::Dimension;
use crate::Result;
use crate::db::sum_i64;

/// One grain: the dimensions its rows keep (provider is in every grain).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grain {
    pub id: i32,
    pub dims: &'static [Dimension],
}

use Dimension as D;

/// Every grain, smallest first: a query takes the first that keeps all the
/// dimensions it filters or groups by. User and API key are grains of
/// their own because their breakdowns are asked alone; a query that needs a
/// combination no grain keeps reads the buckets.
pub const GRAINS: [Grain; 8] = [
    Grain {
        id: 1,
        dims: &[D::Provider],
    },
    Grain {
        id: 2,
        dims: &[D::Provider, D::Model],
    },
    Grain {
        id: 3,
        dims: &[D::Provider, D::Project],
    },
    Grain {
        id: 4,
        dims: &[D::Provider, D::User],
    },
    Grain {
        id: 5,
        dims: &[D::Provider, D::Model, D::ServiceTier, D::Batch],
    },
    Grain {
        id: 6,
        dims: &[D::Provider, D::Project, D::Model],
    },
    Grain {
        id: 7,
        dims: &[D::Provider, D::ApiKey],
    },
    Grain {
        id: 8,
        dims: &[D::Provider, D::Project, D::Model, D::ServiceTier, D::Batch],
    },
];

/// The smallest grain that keeps every dimension of `needed`.
pub fn grain_for(needed: &BTreeSet<Dimension>) -> Option<Grain> {
    GRAINS
        .into_iter()
        .find(|grain| needed.iter().all(|dim| grain.dims.contains(dim)))
}

/// The rollup's summed columns and what each sums over a bucket.
pub(crate) const SUMS: [(&str, &str); 11] = [
    ("input_tokens", "input_tokens"),
    ("input_cached_tokens", "input_cached_tokens"),
    ("input_cache_write_tokens", "input_cache_write_tokens"),
    ("output_tokens", "output_tokens"),
    (
        "input_audio_tokens",
        "input_audio_tokens + input_cached_audio_tokens",
    ),
    ("output_audio_tokens", "output_audio_tokens"),
    ("num_model_requests", "num_model_requests"),
    ("cost_micros", "COALESCE(cost_micros, 0)"),
    (
        "unpriced_buckets",
        "CASE WHEN cost_micros IS NULL AND usage_type IN ({priced}) THEN 1 ELSE 0 END",
    ),
    (
        "estimated_buckets",
        "CASE WHEN cost_estimated THEN 1 ELSE 0 END",
    ),
    (
        "unpriced_tokens",
        "CASE WHEN cost_micros IS NULL AND usage_type IN ({priced}) THEN input_tokens + output_tokens ELSE 0 END",
    ),
];

/// Bucket columns the rollup reads.
const READ: &str = "window_start, provider, usage_type, project_id, api_key_id, user_id, model, \
     batch, service_tier, input_tokens, input_cached_tokens, input_cache_write_tokens, \
     output_tokens, input_audio_tokens, input_cached_audio_tokens, output_audio_tokens, \
     num_model_requests, cost_micros, cost_estimated";

/// Key for the day locks (`pg_advisory_xact_lock(key, day)`): "CT" + "ru".
const LOCK_KEY: i32 = 0x4354_7275;

/// Rebuilds the rollup rows of every day whose buckets start in
/// `start..end` from the buckets (hot and archived). Call it in the
/// transaction that changed those buckets.
pub async fn rebuild(
    db: &impl ConnectionTrait,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<()> {
    let backend = db.get_database_backend();
    if backend == DbBackend::Postgres {
        lock_days(db, start, end).await?;
    }
    usage_rollup::Entity::delete_many()
        .filter(Expr::col(usage_rollup::Column::WindowStart).gte(start))
        .filter(Expr::col(usage_rollup::Column::WindowStart).lt(end))
        .exec(db)
        .await?;
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        bucket_insert_sql(backend),
        [start.into(), end.into()],
    ))
    .await?;
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        finest_insert_sql(backend),
        [start.into(), end.into()],
    ))
    .await?;
    Ok(())
}

/// Rebuilds every day that has buckets: for a store whose rollups are
/// empty (new, or upgraded from before rollups existed).
pub async fn rebuild_all(db: &impl ConnectionTrait) -> Result<()> {
    let mut span: Option<(DateTime<Utc>, DateTime<Utc>)> = None;
    for table in [
        usage_bucket::Entity.table_name(),
        usage_bucket_archive::Entity.table_name(),
    ] {
        let query = Query::select()
            .expr_as(Expr::cust("MIN(window_start)"), Alias::new("first"))
            .expr_as(Expr::cust("MAX(window_start)"), Alias::new("last"))
            .from(Alias::new(table))
            .to_owned();
        if let Some(row) = db.query_one(&query).await? {
            let first: Option<DateTime<Utc>> = row.try_get("", "first")?;
            let last: Option<DateTime<Utc>> = row.try_get("", "last")?;
            if let (Some(first), Some(last)) = (first, last) {
                span = Some(match span {
                    Some((a, b)) => (Ord::min(a, first), Ord::max(b, last)),
                    None => (first, last),
                });
            }
        }
    }
    if let Some((first, last)) = span {
        rebuild(db, first, last + chrono::Duration::days(1)).await?;
    }
    Ok(())
}

/// Fills the rollups of a store that has buckets but no rollup rows;
/// nothing otherwise. Run at every start, after the migrations.
pub async fn backfill_if_empty(db: &impl ConnectionTrait) -> Result<()> {
    let has_rollups = usage_rollup::Entity::find().one(db).await?.is_some();
    if !has_rollups {
        rebuild_all(db).await?;
    }
    Ok(())
}

async fn lock_days(
    db: &impl ConnectionTrait,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<()> {
    let first = start.timestamp().div_euclid(86_400);
    let last = (end.timestamp() - 1).div_euclid(86_400);
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT pg_advisory_xact_lock($1, d::int) FROM generate_series($2::bigint, $3::bigint) AS d ORDER BY d",
        [Value::from(LOCK_KEY), first.into(), last.into()],
    ))
    .await?;
    Ok(())
}

/// The finest grain: every grain whose dimensions it keeps is summed from
/// its rows, not from the buckets again.
const FINEST: Grain = GRAINS[7];

/// The grains summed from the buckets themselves.
fn from_buckets() -> impl Iterator<Item = Grain> {
    GRAINS
        .into_iter()
        .filter(|g| *g == FINEST || !g.dims.iter().all(|d| FINEST.dims.contains(d)))
}

/// The grains summed from the finest grain's rows.
fn from_finest() -> impl Iterator<Item = Grain> {
    GRAINS
        .into_iter()
        .filter(|g| *g != FINEST && g.dims.iter().all(|d| FINEST.dims.contains(d)))
}

/// `INSERT INTO usage_rollup (…) ` with every column, for both statements.
fn insert_into() -> String {
    let dims = DIM_COLUMNS.map(|(_, column)| column).join(", ");
    let sums = SUMS.map(|(name, _)| name).join(", ");
    format!("INSERT INTO usage_rollup (grain, window_start, {dims}, {sums}, buckets) ")
}

/// One `SELECT` of `grain` rows from `source`, summing `sums` (one
/// expression per [`SUMS`] column, then the bucket count).
fn grain_select(grain: Grain, sums: &str, source: &str) -> String {
    let kept = |dim: &Dimension| grain.dims.contains(dim);
    let dims = DIM_COLUMNS
        .map(|(dim, column)| if kept(&dim) { column } else { "''" })
        .join(", ");
    let group = DIM_COLUMNS
        .iter()
        .filter(|(dim, _)| kept(dim))
        .map(|(_, column)| *column)
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "SELECT {id}, window_start, {dims}, {sums} FROM {source} GROUP BY window_start, {group}",
        id = grain.id
    )
}

/// The statement that sums a span's buckets (hot and archived) into the
/// grains of [`from_buckets`]; `$1`/`$2` bound the span.
fn bucket_insert_sql(backend: DbBackend) -> String {
    let priced = super::buckets::token_priced_sql();
    let sums = SUMS
        .map(|(_, expr)| crate::db::sum_i64_sql(&expr.replace("{priced}", &priced)))
        .join(", ")
        + ", COUNT(*)";
    let (p1, p2) = placeholders(backend);
    let selects: Vec<String> = from_buckets()
        .map(|grain| grain_select(grain, &sums, "b"))
        .collect();
    format!(
        "WITH b AS (\
           SELECT {READ} FROM usage_bucket WHERE window_start >= {p1} AND window_start < {p2} \
           UNION ALL \
           SELECT {READ} FROM usage_bucket_archive WHERE window_start >= {p1} AND window_start < {p2}) \
         {}{}",
        insert_into(),
        selects.join(" UNION ALL ")
    )
}

/// The statement that sums the finest grain's rows of a span (`$1`/`$2`)
/// into the grains of [`from_finest`]: sums of sums, exact.
fn finest_insert_sql(backend: DbBackend) -> String {
    let sums = SUMS
        .map(|(name, _)| crate::db::sum_i64_sql(name))
        .join(", ")
        + ", "
        + &crate::db::sum_i64_sql("buckets");
    let (p1, p2) = placeholders(backend);
    let source = format!(
        "(SELECT * FROM usage_rollup WHERE grain = {} AND window_start >= {p1} AND window_start < {p2}) f",
        FINEST.id
    );
    let selects: Vec<String> = from_finest()
        .map(|grain| grain_select(grain, &sums, &source))
        .collect();
    format!("{}{}", insert_into(), selects.join(" UNION ALL "))
}

/// The span's two parameters, numbered so each may appear many times.
fn placeholders(backend: DbBackend) -> (&'static str, &'static str) {
    match backend {
        DbBackend::Postgres => ("$1", "$2"),
        _ => ("?1", "?2"),
    }
}

/// The rollup's dimension columns, in table order.
const DIM_COLUMNS: [(Dimension, &str); 7] = [
    (D::Provider, "provider"),
    (D::Project, "project_id"),
    (D::ApiKey, "api_key_id"),
    (D::User, "user_id"),
    (D::Model, "model"),
    (D::Batch, "batch"),
    (D::ServiceTier, "service_tier"),
];

/// The grain column, as a query aliasing the rollup as `usage_bucket`
/// names it.
pub(crate) const GRAIN_COLUMN: (usage_bucket::Entity, usage_rollup::Column) =
    (usage_bucket::Entity, usage_rollup::Column::Grain);

/// A `dailyUsage`-shaped select of the sums of `columns` (of [`SUMS`]) on
/// the rollup rows of `grain`: the rollup table aliased as `usage_bucket`,
/// so the filter's column references (all qualified with the bucket table)
/// apply unchanged.
pub(crate) fn select<'a>(
    grain: Grain,
    columns: impl IntoIterator<Item = &'a str>,
) -> SelectStatement {
    let mut query = Query::select();
    query
        .from_as(usage_rollup::Entity, usage_bucket::Entity.into_iden())
        .and_where(Expr::col(GRAIN_COLUMN).eq(grain.id));
    for column in columns {
        query.expr_as(sum_i64(column), Alias::new(column));
    }
    query
}
