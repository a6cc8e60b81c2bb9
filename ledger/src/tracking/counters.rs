//! Writing a batch of fresh interactions with the counters they move: the
//! session totals and the daily rollup. Every increment happens in SQL
//! (`x = x + delta`), so concurrent batches cannot lose updates, and rows
//! are touched in key order, so two batches racing over the same sessions
//! and rollup keys take their row locks in the same order (PostgreSQL).
use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use chrono::NaiveDate;
use entity::{interaction, interaction_daily as daily, session};
use sea_orm::{
    ConnectionTrait, DbBackend, EntityName, IdenStatic, Iterable, ModelTrait, Statement, Value,
};

use super::{sql, unnest};
use crate::error::{Error, Result, invalid};

/// SQLite's bound-parameter limit (32,766; PostgreSQL's is 65,535): each
/// statement binds at most this many values.
const MAX_PARAMS: usize = 32_766;

/// What an INSERT of interactions does with a row whose idempotency key
/// (or id) is already stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum OnStored {
    /// Fails the statement with a unique violation.
    Fail,
    /// Skips the row (`ON CONFLICT DO NOTHING`); the count written tells.
    Skip,
}

impl OnStored {
    fn clause(self) -> &'static str {
        match self {
            OnStored::Fail => "",
            OnStored::Skip => " ON CONFLICT DO NOTHING",
        }
    }

    /// The name [`sql::cached`] keeps the INSERT under: one per clause and
    /// form (rows bound one by one, or column arrays).
    fn cache_name(self, unnested: bool) -> &'static str {
        match (self, unnested) {
            (OnStored::Fail, false) => "insert interaction",
            (OnStored::Skip, false) => "insert interaction skipping stored",
            (OnStored::Fail, true) => "insert interaction unnested",
            (OnStored::Skip, true) => "insert interaction unnested skipping stored",
        }
    }
}

/// Inserts `fresh`: on PostgreSQL as one array per column
/// ([`insert_unnested`]), elsewhere in as few multi-row statements as the
/// parameter limit allows, each a cached text ([`sql::cached`]). Returns
/// the rows written, fewer than `fresh` only when `on_stored` skips some.
pub(super) async fn insert_interactions<T: Borrow<interaction::Model>>(
    txn: &impl ConnectionTrait,
    fresh: &[T],
    on_stored: OnStored,
) -> Result<u64> {
    let backend = txn.get_database_backend();
    let columns: Vec<interaction::Column> = interaction::Column::iter().collect();
    if backend == DbBackend::Postgres
        && let Some(written) = insert_unnested(txn, &columns, fresh, on_stored).await?
    {
        return Ok(written);
    }
    let width = columns.len();
    let mut written = 0;
    for chunk in fresh.chunks(MAX_PARAMS / width) {
        let text = sql::cached(on_stored.cache_name(false), backend, chunk.len(), || {
            let names: Vec<&str> = columns.iter().map(IdenStatic::as_str).collect();
            let mut text = format!(
                "INSERT INTO {} ({}) VALUES ",
                interaction::Entity.table_name(),
                names.join(", ")
            );
            sql::push_groups(&mut text, backend, chunk.len(), width, 1);
            text.push_str(on_stored.clause());
            text
        });
        let mut values = Vec::with_capacity(chunk.len() * width);
        for item in chunk {
            let item = item.borrow();
            values.extend(columns.iter().map(|column| item.get(*column)));
        }
        written += txn
            .execute_raw(Statement::from_sql_and_values(backend, &*text, values))
            .await?
            .rows_affected();
    }
    Ok(written)
}

/// PostgreSQL: every row of `fresh` in one statement, a bound array per
/// column ([`unnest`]), returning the rows written. `None`, nothing
/// written, when a value cannot travel in an array literal (then the rows
/// are bound one by one).
async fn insert_unnested<T: Borrow<interaction::Model>>(
    txn: &impl ConnectionTrait,
    columns: &[interaction::Column],
    fresh: &[T],
    on_stored: OnStored,
) -> Result<Option<u64>> {
    let Some(first) = fresh.first() else {
        return Ok(Some(0));
    };
    let first = first.borrow();
    let Some(kinds) = columns
        .iter()
        .map(|column| unnest::Kind::of(&first.get(*column)))
        .collect::<Option<Vec<_>>>()
    else {
        return Ok(None);
    };
    let text = sql::cached(on_stored.cache_name(true), DbBackend::Postgres, 0, || {
        let names: Vec<&str> = columns.iter().map(IdenStatic::as_str).collect();
        let mut text = unnest::insert_sql(interaction::Entity.table_name(), &names, &kinds);
        text.push_str(on_stored.clause());
        text
    });
    let mut arrays = unnest::Arrays::new(kinds, fresh.len());
    for item in fresh {
        let item = item.borrow();
        if !arrays.push(columns.iter().map(|column| item.get(*column))) {
            return Ok(None);
        }
    }
    let values = arrays.finish();
    let written = txn
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            &*text,
            values,
        ))
        .await?
        .rows_affected();
    Ok(Some(written))
}

/// Adds the batch to its sessions' counters, in SQL: one `UPDATE … FROM
/// (VALUES …)` for every session of the batch (a statement a session cost
/// a round trip to the store each). A counter the batch would carry past
/// the i64 range refuses the batch (the guard leaves the row as it is, so
/// the update touches fewer rows than it names) instead of wrapping on one
/// store and failing on the other. On PostgreSQL the rows are first
/// locked in id order (`FOR UPDATE`), so concurrent batches cannot
/// deadlock in the join, which visits them in no set order; locked here,
/// not when the batch first reads its sessions, so two batches of the same
/// sessions still insert their rows side by side.
pub(super) async fn bump_sessions(
    txn: &impl ConnectionTrait,
    fresh: &[impl Borrow<interaction::Model>],
) -> Result<()> {
    let mut per_session: BTreeMap<&str, (i64, i64, i64)> = BTreeMap::new();
    for item in fresh {
        let item = item.borrow();
        let entry = per_session.entry(&item.session_id).or_default();
        entry.0 += 1;
        entry.1 = entry
            .1
            .checked_add(item.total_micros.unwrap_or(0))
            .ok_or_else(out_of_range)?;
        entry.2 = item
            .input_tokens
            .checked_add(item.output_tokens)
            .and_then(|tokens| entry.2.checked_add(tokens))
            .ok_or_else(out_of_range)?;
    }
    let backend = txn.get_database_backend();
    let sessions: Vec<_> = per_session.into_iter().collect();
    for chunk in sessions.chunks(MAX_PARAMS / SESSION_DELTA) {
        if backend == DbBackend::Postgres {
            let text = sql::cached("lock sessions", backend, chunk.len(), || {
                let mut text = format!(
                    "SELECT {id} FROM {} WHERE {id} IN (",
                    session::Entity.table_name(),
                    id = session::Column::Id.as_str()
                );
                sql::push_list(&mut text, backend, chunk.len(), 1);
                let _ = write!(
                    text,
                    ") ORDER BY {} FOR UPDATE",
                    session::Column::Id.as_str()
                );
                text
            });
            let ids: Vec<Value> = chunk.iter().map(|&(id, _)| id.into()).collect();
            txn.execute_raw(Statement::from_sql_and_values(backend, &*text, ids))
                .await?;
        }
        let text = sql::cached("bump sessions", backend, chunk.len(), || {
            sessions_update(backend, chunk.len())
        });
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * SESSION_DELTA);
        for &(id, (count, micros, tokens)) in chunk {
            values.extend([id.into(), count.into(), micros.into(), tokens.into()]);
        }
        let touched = txn
            .execute_raw(Statement::from_sql_and_values(backend, &*text, values))
            .await?
            .rows_affected();
        if touched != chunk.len() as u64 {
            return Err(out_of_range());
        }
    }
    Ok(())
}

/// Values a session's delta binds: id, interactions, micro-USD, tokens.
const SESSION_DELTA: usize = 4;

/// The update of `rows` sessions' counters by their deltas, each guarded
/// against leaving the i64 range (deltas are non-negative, so `MAX - delta`
/// cannot overflow). A `VALUES` list names its columns `column1`… on both
/// stores.
fn sessions_update(backend: DbBackend, rows: usize) -> String {
    use session::Column as C;
    let table = session::Entity.table_name();
    let counters = [
        (C::InteractionCount.as_str(), "column2"),
        (C::TotalCostMicros.as_str(), "column3"),
        (C::TotalTokens.as_str(), "column4"),
    ];
    let sets: Vec<String> = counters
        .iter()
        .map(|(c, delta)| format!("{c} = {table}.{c} + d.{delta}"))
        .collect();
    let fits: Vec<String> = counters
        .iter()
        .map(|(c, delta)| format!("{table}.{c} <= {} - d.{delta}", i64::MAX))
        .collect();
    let mut text = format!("UPDATE {table} SET {} FROM (VALUES ", sets.join(", "));
    sql::push_groups(&mut text, backend, rows, SESSION_DELTA, 1);
    let _ = write!(
        text,
        ") AS d WHERE {table}.{} = d.column1 AND {}",
        C::Id.as_str(),
        fits.join(" AND ")
    );
    text
}

pub(super) fn out_of_range() -> Error {
    invalid(format!(
        "the batch would carry a session's or a day's totals past {}, the largest the ledger stores",
        i64::MAX
    ))
}

/// The summed columns of the rollup, in the order of [`Sums`].
const SUMMED: [daily::Column; 16] = [
    daily::Column::Interactions,
    daily::Column::InputTokens,
    daily::Column::CachedInputTokens,
    daily::Column::CacheWriteTokens,
    daily::Column::OutputTokens,
    daily::Column::DbOps,
    daily::Column::ApiCalls,
    daily::Column::ComputeMs,
    daily::Column::DurationMs,
    daily::Column::AiTokensMicros,
    daily::Column::DbOpsMicros,
    daily::Column::ApiCallsMicros,
    daily::Column::ComputeMicros,
    daily::Column::ExplicitMicros,
    daily::Column::TotalMicros,
    daily::Column::UnpricedInteractions,
];

/// A rollup row's key: day, user, kind, provider, model.
type RollupKey<'a> = (NaiveDate, &'a str, &'a str, &'a str, &'a str);

/// A rollup row's summed values, in the order of [`SUMMED`].
type Sums = [i64; SUMMED.len()];

/// One interaction's contribution to the rollup, in the order of [`SUMMED`].
fn contribution(item: &interaction::Model) -> Sums {
    [
        1,
        item.input_tokens,
        item.cached_input_tokens,
        item.cache_write_tokens,
        item.output_tokens,
        item.db_ops,
        item.api_calls,
        item.compute_ms,
        item.duration_ms.unwrap_or(0),
        item.ai_tokens_micros.unwrap_or(0),
        item.db_ops_micros,
        item.api_calls_micros,
        item.compute_micros,
        item.explicit_micros,
        item.total_micros.unwrap_or(0),
        i64::from(item.total_micros.is_none()),
    ]
}

/// The batch's rollup deltas, one per key. A delta that would itself leave
/// the i64 range refuses the batch as the upsert's guard would.
fn rollup_deltas<'a, T: Borrow<interaction::Model>>(
    sessions: &'a HashMap<String, session::Model>,
    fresh: &'a [T],
) -> Result<BTreeMap<RollupKey<'a>, Sums>> {
    let mut deltas: BTreeMap<RollupKey<'a>, Sums> = BTreeMap::new();
    for item in fresh {
        let item = item.borrow();
        let user_id = sessions
            .get(&item.session_id)
            .map_or("", |s| s.user_id.as_str());
        let key = (
            item.occurred_at.date_naive(),
            user_id,
            item.kind.as_str(),
            item.provider.as_str(),
            item.model.as_str(),
        );
        let sums = deltas.entry(key).or_insert([0; SUMMED.len()]);
        for (sum, value) in sums.iter_mut().zip(contribution(item)) {
            *sum = sum.checked_add(value).ok_or_else(out_of_range)?;
        }
    }
    Ok(deltas)
}

/// Adds the batch to the daily rollup: the deltas summed per key in memory,
/// then one multi-row upsert per chunk of keys ([`rollup_upsert`]). An
/// increment that would leave the i64 range is refused like
/// [`bump_sessions`]'s: the upsert's guard makes it skip that key, so fewer
/// rows are touched than written and the batch fails (its transaction is
/// rolled back).
pub(super) async fn bump_rollup(
    txn: &impl ConnectionTrait,
    sessions: &HashMap<String, session::Model>,
    fresh: &[impl Borrow<interaction::Model>],
) -> Result<()> {
    let backend = txn.get_database_backend();
    let deltas: Vec<(RollupKey<'_>, Sums)> = rollup_deltas(sessions, fresh)?.into_iter().collect();
    if backend == DbBackend::Postgres && bump_rollup_unnested(txn, &deltas).await? {
        return Ok(());
    }
    let width = KEYS.len() + SUMMED.len();
    for chunk in deltas.chunks(MAX_PARAMS / width) {
        let text = sql::cached("upsert rollup", backend, chunk.len(), || {
            rollup_upsert(backend, chunk.len())
        });
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * width);
        for (key, sums) in chunk {
            values.extend(rollup_row(key, sums));
        }
        let touched = txn
            .execute_raw(Statement::from_sql_and_values(backend, &*text, values))
            .await?
            .rows_affected();
        if touched != chunk.len() as u64 {
            return Err(out_of_range());
        }
    }
    Ok(())
}

/// PostgreSQL: [`bump_rollup`] as one upsert from an array per column, a
/// text the same for every batch (a `VALUES` list's changes with the
/// number of keys, and was parsed again for nearly every batch). `false`,
/// nothing written, when a day cannot travel in an array literal (then the
/// keys are bound one by one, as [`insert_unnested`] falls back).
async fn bump_rollup_unnested(
    txn: &impl ConnectionTrait,
    deltas: &[(RollupKey<'_>, Sums)],
) -> Result<bool> {
    use unnest::Kind::{Date, Int8, Text};
    let backend = DbBackend::Postgres;
    let mut kinds = vec![Date, Text, Text, Text, Text];
    kinds.extend([Int8; SUMMED.len()]);
    let text = sql::cached("upsert rollup unnested", backend, 0, || {
        let mut text = unnest::insert_sql(daily::Entity.table_name(), &rollup_columns(), &kinds);
        text.push_str(&rollup_conflict());
        text
    });
    let mut arrays = unnest::Arrays::new(kinds, deltas.len());
    for (key, sums) in deltas {
        if !arrays.push(rollup_row(key, sums)) {
            return Ok(false);
        }
    }
    let touched = txn
        .execute_raw(Statement::from_sql_and_values(
            backend,
            &*text,
            arrays.finish(),
        ))
        .await?
        .rows_affected();
    if touched != deltas.len() as u64 {
        return Err(out_of_range());
    }
    Ok(true)
}

/// One rollup row's values: its key, then its sums.
fn rollup_row(key: &RollupKey<'_>, sums: &Sums) -> impl Iterator<Item = Value> {
    let &(day, user_id, kind, provider, model) = key;
    [
        Value::from(day),
        user_id.into(),
        kind.into(),
        provider.into(),
        model.into(),
    ]
    .into_iter()
    .chain(sums.iter().map(|&sum| Value::from(sum)))
}

/// The rollup's key columns, the conflict target of its upsert.
const KEYS: [daily::Column; 5] = [
    daily::Column::Day,
    daily::Column::UserId,
    daily::Column::Kind,
    daily::Column::Provider,
    daily::Column::Model,
];

/// The rollup's columns: [`KEYS`], then [`SUMMED`].
fn rollup_columns() -> Vec<&'static str> {
    KEYS.iter().chain(&SUMMED).map(IdenStatic::as_str).collect()
}

/// `INSERT … VALUES … ON CONFLICT DO UPDATE` of `rows` rollup rows (the
/// keys, then [`SUMMED`]), with [`rollup_conflict`].
fn rollup_upsert(backend: DbBackend, rows: usize) -> String {
    let columns = rollup_columns();
    let mut text = format!(
        "INSERT INTO {} ({}) VALUES ",
        daily::Entity.table_name(),
        columns.join(", ")
    );
    sql::push_groups(&mut text, backend, rows, columns.len(), 1);
    text.push_str(&rollup_conflict());
    text
}

/// On an existing row every summed column adds the new row's value, unless
/// one of them would leave the i64 range (every summed value is
/// non-negative, so `MAX - new` cannot overflow either).
fn rollup_conflict() -> String {
    let table = daily::Entity.table_name();
    let keys: Vec<&str> = KEYS.iter().map(IdenStatic::as_str).collect();
    let summed: Vec<&str> = SUMMED.iter().map(IdenStatic::as_str).collect();
    let sets: Vec<String> = summed
        .iter()
        .map(|c| format!("{c} = {table}.{c} + excluded.{c}"))
        .collect();
    let fits: Vec<String> = summed
        .iter()
        .map(|c| format!("{table}.{c} <= {} - excluded.{c}", i64::MAX))
        .collect();
    format!(
        " ON CONFLICT ({}) DO UPDATE SET {} WHERE {}",
        keys.join(", "),
        sets.join(", "),
        fits.join(" AND ")
    )
}
