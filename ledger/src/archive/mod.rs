//! Archival: rows older than the retention window move from the hot tables
//! to `*_archive` tables with the same columns and the same ids, and reads
//! span both, so every answer is the same before and after a move.
//!
//! Every batch is one transaction that copies rows into the target table
//! and deletes the same ids from the source, so a run killed at any point
//! leaves every row in exactly one table, and a re-run simply continues.
//!
//! What moves for a cutoff day C (rows of the days before C):
//! - usage buckets whose window starts before C, and the superseded
//!   versions of those days (`usage_bucket_superseded` to
//!   `usage_bucket_superseded_archive`, version ids kept), so an as-of
//!   answer reads the same before and after;
//! - sessions that started before C and have no interaction on or after C,
//!   together with all their interactions (the interactions first, then the
//!   session). A session with recent activity stays hot, whole. An
//!   archived session accepts no further interactions (NOT_FOUND).
//!
//! The daily rollup (`interaction_daily`) stays hot: stats read it.
//!
//! Restore is the reverse for a day range: the buckets of those days and
//! their superseded versions, and the sessions that started on those days with all their interactions.
//! Rows restored from before the cutoff move back on the next run unless
//! the retention window is raised first.

use chrono::{DateTime, Days, NaiveDate, Utc};
use entity::{
    interaction, interaction_archive, session, session_archive, usage_bucket, usage_bucket_archive,
    usage_bucket_superseded as superseded, usage_bucket_superseded_archive as superseded_archive,
};
use sea_orm::sea_query::{
    Alias, Asterisk, Condition, DynIden, Expr, ExprTrait, IntoIden, Query, SelectStatement,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult, Iterable,
    QuerySelect, QueryTrait, Select, TransactionTrait, TryGetable, Value,
};
use serde::Serialize;

use crate::dates::{DayRange, midnight};
use crate::error::{Error, Result, invalid};

/// The retention window when none is configured.
pub const DEFAULT_RETENTION_DAYS: i64 = 365;
pub const DEFAULT_BATCH_SIZE: u64 = 1000;
/// Large enough for throughput, small enough that one transaction stays
/// short and its `IN (…)` list stays under every backend's parameter limit.
pub const MAX_BATCH_SIZE: u64 = 10_000;
const MAX_RETENTION_DAYS: i64 = 100 * 366;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveOptions {
    /// Rows per transaction, 1..=[`MAX_BATCH_SIZE`].
    pub batch_size: u64,
    /// Count what would move; write nothing.
    pub dry_run: bool,
    /// Stop after this many batches (the report then says `complete:
    /// false`); a later run continues. Lets an operator bound one run.
    pub max_batches: Option<u64>,
}

impl Default for ArchiveOptions {
    fn default() -> Self {
        Self {
            batch_size: DEFAULT_BATCH_SIZE,
            dry_run: false,
            max_batches: None,
        }
    }
}

/// Rows moved (or, in a dry run, that would move) per table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ArchiveReport {
    pub dry_run: bool,
    pub usage_buckets: u64,
    /// Superseded versions of buckets, moved with their day.
    pub superseded_buckets: u64,
    pub sessions: u64,
    pub interactions: u64,
    /// Transactions committed.
    pub batches: u64,
    /// False when the run stopped at `max_batches` with rows left to move.
    pub complete: bool,
}

/// Told after every committed batch, e.g. to draw a progress bar.
pub trait Progress: Send + Sync {
    fn batch_done(&self, report: &ArchiveReport);
}

/// The first day that stays hot when rows older than `older_than_days`
/// (counted back from `today`) are archived.
pub fn cutoff_for(today: NaiveDate, older_than_days: i64) -> Result<NaiveDate> {
    if !(0..=MAX_RETENTION_DAYS).contains(&older_than_days) {
        return Err(invalid(format!(
            "olderThanDays must be between 0 and {MAX_RETENTION_DAYS}, got {older_than_days}"
        )));
    }
    today
        .checked_sub_days(Days::new(older_than_days.unsigned_abs()))
        .ok_or_else(|| invalid("olderThanDays reaches before the calendar"))
}

/// Moves every row of the days before `cutoff` into the archive tables.
pub async fn run(
    db: &DatabaseConnection,
    cutoff: NaiveDate,
    options: &ArchiveOptions,
    progress: Option<&dyn Progress>,
) -> Result<ArchiveReport> {
    let c = midnight(cutoff);
    let (bucket, sess, inter) = (
        usage_bucket::Entity.into_iden(),
        session::Entity.into_iden(),
        interaction::Entity.into_iden(),
    );
    let idle = idle_sessions(c);
    let idle_ids = Query::select()
        .column((sess.clone(), session::Column::Id))
        .from(sess)
        .cond_where(idle.clone())
        .to_owned();
    let steps = [
        Step::new::<usage_bucket_archive::Entity>(
            Table::UsageBuckets,
            bucket.clone(),
            usage_bucket_archive::Entity.into_iden(),
            Condition::all().add(Expr::col((bucket, usage_bucket::Column::WindowStart)).lt(c)),
        ),
        superseded_step(true, |window| Condition::all().add(window.lt(c))),
        Step::new::<interaction_archive::Entity>(
            Table::Interactions,
            inter.clone(),
            interaction_archive::Entity.into_iden(),
            Condition::all()
                .add(Expr::col((inter, interaction::Column::SessionId)).in_subquery(idle_ids)),
        ),
        sessions_step(c, idle),
    ];
    execute(db, &steps, options, progress).await
}

/// The superseded versions moving into the archive (`archiving`) or back,
/// those whose window start passes `when`: the same days as their buckets.
fn superseded_step(archiving: bool, when: impl FnOnce(Expr) -> Condition) -> Step {
    let (hot, archived) = (
        superseded::Entity.into_iden(),
        superseded_archive::Entity.into_iden(),
    );
    let (from, to) = if archiving {
        (hot, archived)
    } else {
        (archived, hot)
    };
    let window = Expr::col((from.clone(), usage_bucket::Column::WindowStart));
    let mut step =
        Step::new::<superseded_archive::Entity>(Table::SupersededBuckets, from, to, when(window));
    step.key = superseded_archive::Column::VersionId.into_iden();
    step
}

/// Sessions started before the cutoff `c` without any interaction on or
/// after it: the sessions a run moves, interactions included.
fn idle_sessions(c: DateTime<Utc>) -> Condition {
    let (sess, inter) = (session::Entity.into_iden(), interaction::Entity.into_iden());
    let later = Alias::new("later").into_iden();
    Condition::all()
        .add(Expr::col((sess.clone(), session::Column::StartedAt)).lt(c))
        .add(Expr::not_exists(
            Query::select()
                .expr(Expr::val(1))
                .from_as(inter, later.clone())
                .and_where(
                    Expr::col((later.clone(), interaction::Column::SessionId))
                        .equals((sess, session::Column::Id)),
                )
                .and_where(Expr::col((later, interaction::Column::OccurredAt)).gte(c))
                .to_owned(),
        ))
}

/// The sessions step of a run; `idle` is what a dry run counts, since
/// before the interactions step has run the sessions that will move are
/// the idle ones.
fn sessions_step(c: DateTime<Utc>, idle: Condition) -> Step {
    let (sess, inter) = (session::Entity.into_iden(), interaction::Entity.into_iden());
    let mut sessions = Step::new::<session_archive::Entity>(
        Table::Sessions,
        sess.clone(),
        session_archive::Entity.into_iden(),
        // Only sessions whose interactions have all moved: a session never
        // leaves hot before its interactions do.
        Condition::all()
            .add(Expr::col((sess.clone(), session::Column::StartedAt)).lt(c))
            .add(Expr::not_exists(
                Query::select()
                    .expr(Expr::val(1))
                    .from(inter.clone())
                    .and_where(
                        Expr::col((inter, interaction::Column::SessionId))
                            .equals((sess, session::Column::Id)),
                    )
                    .to_owned(),
            )),
    );
    sessions.planned = Some(idle);
    sessions
}

/// Moves the archived rows of the days in `range` back to the hot tables.
pub async fn restore(
    db: &DatabaseConnection,
    range: DayRange,
    options: &ArchiveOptions,
    progress: Option<&dyn Progress>,
) -> Result<ArchiveReport> {
    let (start, end) = range.bounds();
    let (bucket, sess, inter) = (
        usage_bucket_archive::Entity.into_iden(),
        session_archive::Entity.into_iden(),
        interaction_archive::Entity.into_iden(),
    );
    let started_in = |table: DynIden, id: DynIden| {
        Query::select()
            .column((table.clone(), id))
            .from(table.clone())
            .and_where(Expr::col((table.clone(), session::Column::StartedAt)).gte(start))
            .and_where(Expr::col((table, session::Column::StartedAt)).lt(end))
            .to_owned()
    };
    let in_range = |table: DynIden, column: DynIden| {
        Condition::all()
            .add(Expr::col((table.clone(), column.clone())).gte(start))
            .add(Expr::col((table, column)).lt(end))
    };
    let steps = [
        Step::new::<usage_bucket_archive::Entity>(
            Table::UsageBuckets,
            bucket.clone(),
            usage_bucket::Entity.into_iden(),
            in_range(bucket, usage_bucket::Column::WindowStart.into_iden()),
        ),
        superseded_step(false, |window| {
            Condition::all()
                .add(window.clone().gte(start))
                .add(window.lt(end))
        }),
        // Interactions follow their session; a session a killed run left
        // hot may still have archived interactions, so look in both.
        Step::new::<interaction_archive::Entity>(
            Table::Interactions,
            inter.clone(),
            interaction::Entity.into_iden(),
            Condition::any()
                .add(
                    Expr::col((inter.clone(), interaction::Column::SessionId))
                        .in_subquery(started_in(sess.clone(), session::Column::Id.into_iden())),
                )
                .add(
                    Expr::col((inter, interaction::Column::SessionId)).in_subquery(started_in(
                        session::Entity.into_iden(),
                        session::Column::Id.into_iden(),
                    )),
                ),
        ),
        Step::new::<session_archive::Entity>(
            Table::Sessions,
            sess.clone(),
            session::Entity.into_iden(),
            in_range(sess, session::Column::StartedAt.into_iden()),
        ),
    ];
    execute(db, &steps, options, progress).await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Table {
    UsageBuckets,
    SupersededBuckets,
    Sessions,
    Interactions,
}

impl ArchiveReport {
    fn count(&mut self, table: Table) -> &mut u64 {
        match table {
            Table::UsageBuckets => &mut self.usage_buckets,
            Table::SupersededBuckets => &mut self.superseded_buckets,
            Table::Sessions => &mut self.sessions,
            Table::Interactions => &mut self.interactions,
        }
    }
}

/// Rows of `from` matching `filter` move to `to`, ids kept. The columns
/// are the archive entity's `A`: a column added to a hot table later is
/// not silently dropped, the move fails until the archive has it too.
struct Step {
    table: Table,
    from: DynIden,
    to: DynIden,
    /// The column that names a row in both tables: `id`, or `version_id`
    /// for superseded versions (one bucket id may have several).
    key: DynIden,
    columns: Vec<DynIden>,
    filter: Condition,
    /// What a dry run counts, when it differs from `filter` because an
    /// earlier step has not run yet.
    planned: Option<Condition>,
}

impl Step {
    fn new<A: EntityTrait>(table: Table, from: DynIden, to: DynIden, filter: Condition) -> Self {
        Self {
            table,
            from,
            to,
            key: Alias::new("id").into_iden(),
            columns: A::Column::iter().map(IntoIden::into_iden).collect(),
            filter,
            planned: None,
        }
    }

    /// The ids of the next `limit` rows to move, lowest ids first.
    fn ids(&self, limit: u64) -> SelectStatement {
        let id = (self.from.clone(), self.key.clone());
        Query::select()
            .column(id.clone())
            .from(self.from.clone())
            .cond_where(self.filter.clone())
            .order_by(id, sea_orm::Order::Asc)
            .limit(limit)
            .to_owned()
    }

    /// How many rows a whole run would move.
    fn planned_count(&self) -> SelectStatement {
        let filter = self.planned.clone().unwrap_or_else(|| self.filter.clone());
        Query::select()
            .expr_as(Expr::col(Asterisk).count(), Alias::new("n"))
            .from(self.from.clone())
            .cond_where(filter)
            .to_owned()
    }
}

async fn execute(
    db: &DatabaseConnection,
    steps: &[Step],
    options: &ArchiveOptions,
    progress: Option<&dyn Progress>,
) -> Result<ArchiveReport> {
    if !(1..=MAX_BATCH_SIZE).contains(&options.batch_size) {
        return Err(invalid(format!(
            "batch size must be between 1 and {MAX_BATCH_SIZE}"
        )));
    }
    let mut report = ArchiveReport {
        dry_run: options.dry_run,
        ..ArchiveReport::default()
    };
    if options.dry_run {
        for step in steps {
            *report.count(step.table) += count(db, step.planned_count()).await?;
        }
        report.complete = true;
        return Ok(report);
    }
    let complete = move_all(db, steps, options, progress, &mut report).await?;
    report.complete = complete;
    Ok(report)
}

/// True when every step ran dry; false when `max_batches` stopped it.
async fn move_all(
    db: &DatabaseConnection,
    steps: &[Step],
    options: &ArchiveOptions,
    progress: Option<&dyn Progress>,
    report: &mut ArchiveReport,
) -> Result<bool> {
    for step in steps {
        loop {
            if options.max_batches.is_some_and(|max| report.batches >= max) {
                return Ok(false);
            }
            let moved = match step.table {
                Table::UsageBuckets | Table::SupersededBuckets => {
                    move_batch::<i64>(db, step, options.batch_size).await?
                }
                Table::Sessions | Table::Interactions => {
                    move_batch::<String>(db, step, options.batch_size).await?
                }
            };
            if moved == 0 {
                break;
            }
            *report.count(step.table) += moved;
            report.batches += 1;
            if let Some(progress) = progress {
                progress.batch_done(report);
            }
        }
    }
    Ok(true)
}

/// One transaction: copy up to `limit` rows, then delete exactly those ids.
async fn move_batch<T>(db: &DatabaseConnection, step: &Step, limit: u64) -> Result<u64>
where
    T: TryGetable + Into<Value>,
{
    let txn = db.begin().await?;
    let ids: Vec<Value> = txn
        .query_all(&step.ids(limit))
        .await?
        .iter()
        .map(|row| row.try_get_by_index::<T>(0).map(Into::into))
        .collect::<Result<_, _>>()?;
    if ids.is_empty() {
        return Ok(0);
    }
    let id = step.key.clone();
    let mut insert = Query::insert();
    insert
        .into_table(step.to.clone())
        .columns(step.columns.clone())
        .select_from(
            Query::select()
                .columns(step.columns.clone())
                .from(step.from.clone())
                .and_where(Expr::col(id.clone()).is_in(ids.clone()))
                .to_owned(),
        )
        .map_err(|e| Error::Internal(format!("archive insert: {e}")))?;
    let inserted = txn.execute(&insert).await?.rows_affected();
    let deleted = txn
        .execute(
            &Query::delete()
                .from_table(step.from.clone())
                .and_where(Expr::col(id).is_in(ids))
                .to_owned(),
        )
        .await?
        .rows_affected();
    // Dropping the transaction rolls back: a row is never in both tables
    // nor in neither.
    if inserted != deleted {
        return Err(Error::Internal(format!(
            "archive batch copied {inserted} rows but deleted {deleted}; rolled back"
        )));
    }
    txn.commit().await?;
    Ok(deleted)
}

async fn count(db: &impl ConnectionTrait, query: SelectStatement) -> Result<u64> {
    let n: i64 = match db.query_one(&query).await? {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    };
    Ok(n.unsigned_abs())
}

// ---- reads over hot and archive ----

/// Whether a read must search the archive table `A` as well. `explicit`
/// is the client's `includeArchived`; without it the archive is searched
/// when the range starts on or before its newest row (`at` is the column
/// the range applies to), i.e. whenever it can hold matching rows; an
/// unbounded read (`from` None) searches it whenever it is not empty.
pub(crate) async fn includes<A: EntityTrait>(
    db: &impl ConnectionTrait,
    at: A::Column,
    explicit: Option<bool>,
    from: Option<NaiveDate>,
) -> Result<bool> {
    if let Some(explicit) = explicit {
        return Ok(explicit);
    }
    let newest: Option<DateTime<Utc>> = A::find()
        .select_only()
        .column_as(at.max(), "newest")
        .into_tuple()
        .one(db)
        .await?
        .flatten();
    Ok(match (newest, from) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(newest), Some(from)) => midnight(from) <= newest,
    })
}

/// `query`, built against the hot table of `H`, and when `archived` the
/// same query against the archive table of `A`. The archive is aliased as
/// the hot table, so every column reference qualified with the hot table's
/// name still resolves and one query builder serves both tables.
pub(crate) fn statements<H: EntityTrait, A: EntityTrait>(
    query: SelectStatement,
    archived: bool,
) -> Vec<SelectStatement> {
    let mut out = vec![query.clone()];
    if archived {
        let mut on_archive = query;
        on_archive
            .from_clear()
            .from_as(A::default(), H::default().into_iden());
        out.push(on_archive);
    }
    out
}

/// The rows `select` finds in the hot table and, when `archived`, in the
/// archive, as hot models (the columns are the same). Ids are unique
/// across both: rows are moved, never copied.
pub(crate) async fn models<H: EntityTrait, A: EntityTrait>(
    db: &impl ConnectionTrait,
    select: Select<H>,
    archived: bool,
) -> Result<Vec<H::Model>> {
    let mut rows = Vec::new();
    for query in statements::<H, A>(select.into_query(), archived) {
        for row in db.query_all(&query).await? {
            rows.push(H::Model::from_query_result(&row, "")?);
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::QueryFilter;

    #[test]
    fn cutoff_counts_back_from_today() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).expect("date");
        assert_eq!(
            cutoff_for(today, 365).expect("valid"),
            NaiveDate::from_ymd_opt(2025, 11, 25).expect("date")
        );
        assert_eq!(cutoff_for(today, 0).expect("valid"), today);
        assert!(cutoff_for(today, -1).is_err());
    }

    #[test]
    fn the_archive_query_reads_the_archive_table_under_the_hot_name() {
        let query = usage_bucket::Entity::find()
            .filter(usage_bucket::Column::Id.gt(3))
            .into_query();
        let both = statements::<usage_bucket::Entity, usage_bucket_archive::Entity>(query, true);
        let sql = sea_orm::DbBackend::Sqlite.build(&both[1]).to_string();
        assert!(
            sql.contains(r#"FROM "usage_bucket_archive" AS "usage_bucket""#),
            "{sql}"
        );
        assert!(sql.contains(r#""usage_bucket"."id" > 3"#), "{sql}");
    }
}
