//! Restatements kept, not silently replaced: when a stored bucket changes
//! or disappears, its old version moves to `usage_bucket_superseded` (with
//! when and by which run), and a change to a complete day that was already
//! stored is recorded as a `usage_revision` with its deltas. Together with
//! each row's `ingested_at` this lets every read be asked "as of" a past
//! moment ([`AsOf`]).
use chrono::{DateTime, Utc};
use entity::usage_bucket::{self, Column as C};
use entity::{
    usage_bucket_archive, usage_bucket_superseded as superseded,
    usage_bucket_superseded_archive as superseded_archive, usage_revision,
};
use sea_orm::sea_query::{Expr, ExprTrait, IntoIden, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, IdenStatic, Iterable, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use super::buckets::{Counts, DaySet};
use crate::Result;
use crate::dates::DayRange;
use crate::error::invalid;

/// What one day's replacement changed, new minus old.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Change {
    pub added: i64,
    pub changed: i64,
    pub removed: i64,
    pub input_tokens: i64,
    pub input_cached_tokens: i64,
    pub output_tokens: i64,
    pub num_model_requests: i64,
    pub cost_micros: i64,
}

impl Change {
    /// Adds (`sign` 1) or takes away (`sign` -1) one bucket's numbers.
    pub(crate) fn count(&mut self, counts: &Counts, cost_micros: Option<i64>, sign: i64) {
        self.input_tokens += sign * counts.input_tokens;
        self.input_cached_tokens += sign * counts.input_cached_tokens;
        self.output_tokens += sign * counts.output_tokens;
        self.num_model_requests += sign * counts.num_model_requests;
        self.cost_micros += sign * cost_micros.unwrap_or(0);
    }
}

/// Which table a stored bucket lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Table {
    Hot,
    Archive,
}

/// Copies the current versions of buckets `ids` of `table` into
/// `usage_bucket_superseded`, stamped `now` and `run_id`. Call it before
/// the rows are updated or deleted, in the same transaction.
pub(crate) async fn supersede(
    db: &impl ConnectionTrait,
    table: Table,
    ids: &[i64],
    now: DateTime<Utc>,
    run_id: Option<i64>,
) -> Result<()> {
    // Every bucket column is copied by name, so the two tables cannot drift.
    let columns: Vec<C> = C::iter().collect();
    for chunk in ids.chunks(1000) {
        let mut select = Query::select();
        match table {
            Table::Hot => select.from(usage_bucket::Entity),
            Table::Archive => select.from(usage_bucket_archive::Entity),
        };
        for column in &columns {
            select.column(column.as_str().into_iden());
        }
        select
            .expr(Expr::val(now))
            .expr(Expr::val(run_id))
            .and_where(Expr::col(C::Id.as_str().into_iden()).is_in(chunk.iter().copied()));
        let mut insert = Query::insert();
        insert
            .into_table(superseded::Entity)
            .columns(columns.iter().map(|c| c.as_str().into_iden()).chain([
                superseded::Column::SupersededAt.into_iden(),
                superseded::Column::SupersededByRunId.into_iden(),
            ]))
            .select_from(select)
            .map_err(|e| crate::Error::Internal(e.to_string()))?;
        db.execute(&insert).await?;
    }
    Ok(())
}

/// Records that `set`'s day changed after it was stored.
pub(crate) async fn record(
    db: &impl ConnectionTrait,
    set: &DaySet<'_>,
    run_id: Option<i64>,
    now: DateTime<Utc>,
    change: &Change,
) -> Result<()> {
    let revision = usage_revision::ActiveModel {
        connection_id: Set(set.connection_id),
        provider: Set(set.provider),
        usage_type: Set(set.usage_type.to_owned()),
        day: Set(set.day),
        revised_at: Set(now),
        run_id: Set(run_id),
        buckets_added: Set(change.added),
        buckets_changed: Set(change.changed),
        buckets_removed: Set(change.removed),
        input_tokens_delta: Set(change.input_tokens),
        input_cached_tokens_delta: Set(change.input_cached_tokens),
        output_tokens_delta: Set(change.output_tokens),
        num_model_requests_delta: Set(change.num_model_requests),
        cost_micros_delta: Set(change.cost_micros),
        alert_state: Set(super::revision_alerts::PENDING.to_owned()),
        attempts: Set(0),
        delivered_at: Set(None),
        last_error: Set(None),
        ..Default::default()
    };
    usage_revision::Entity::insert(revision)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Revisions of the days of `range`, by day then time.
pub async fn list(
    db: &impl ConnectionTrait,
    range: DayRange,
    providers: &[entity::enums::ProviderKind],
) -> Result<Vec<usage_revision::Model>> {
    let mut query = usage_revision::Entity::find()
        .filter(usage_revision::Column::Day.gte(range.from))
        .filter(usage_revision::Column::Day.lte(range.to));
    if !providers.is_empty() {
        query = query.filter(usage_revision::Column::Provider.is_in(providers.iter().copied()));
    }
    Ok(query
        .order_by_asc(usage_revision::Column::Day)
        .order_by_asc(usage_revision::Column::RevisedAt)
        .order_by_asc(usage_revision::Column::Id)
        .limit(MAX_LISTED)
        .all(db)
        .await?)
}

/// The most revisions one answer lists (a range is at most 1,000 days).
pub const MAX_LISTED: u64 = 10_000;

/// A past moment to answer as of: rows stored by then, in the version
/// current then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsOf(DateTime<Utc>);

impl AsOf {
    /// Refuses a moment in the future: its answer could still change.
    pub fn new(at: DateTime<Utc>, now: DateTime<Utc>) -> Result<Self> {
        if at > now {
            return Err(invalid(format!(
                "asOf {at} is in the future; the ledger can only answer for moments that have passed"
            )));
        }
        Ok(Self(at))
    }

    pub fn at(self) -> DateTime<Utc> {
        self.0
    }

    /// `query` (built on the hot bucket table) as the statements that see
    /// the ledger as of this moment: the hot and archived rows stored by
    /// then, and the superseded versions (hot and archived) that were
    /// current then. Each table is aliased as the hot one, so the query's
    /// column references apply. Archival moves a row between a table and
    /// its archive in one transaction, so the four together hold every
    /// version exactly once whenever they are read.
    pub(crate) fn statements(self, query: SelectStatement) -> Vec<SelectStatement> {
        let hot = usage_bucket::Entity.into_iden();
        let stored_by_then = Expr::col((hot.clone(), C::IngestedAt)).lte(self.0);
        let current_then = Expr::col((hot.clone(), superseded::Column::SupersededAt)).gt(self.0);
        let mut on_hot = query.clone();
        on_hot.and_where(stored_by_then.clone());
        let mut on_archive = query.clone();
        on_archive
            .from_clear()
            .from_as(usage_bucket_archive::Entity, hot.clone())
            .and_where(stored_by_then.clone());
        let mut on_superseded = query.clone();
        on_superseded
            .from_clear()
            .from_as(superseded::Entity, hot.clone())
            .and_where(stored_by_then.clone())
            .and_where(current_then.clone());
        let mut on_superseded_archive = query;
        on_superseded_archive
            .from_clear()
            .from_as(superseded_archive::Entity, hot)
            .and_where(stored_by_then)
            .and_where(current_then);
        vec![on_hot, on_archive, on_superseded, on_superseded_archive]
    }
}
