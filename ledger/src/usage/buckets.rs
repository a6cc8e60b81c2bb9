//! Writing provider buckets. The provider's day is authoritative: one call
//! replaces the whole set of buckets of one (connection, usage type, day),
//! so re-runs and restatements never double count and rows the provider no
//! longer reports disappear.
use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::usage_bucket::{self, ActiveModel, Column, Model};
use entity::usage_bucket_archive;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter,
    QueryTrait, Set,
};

use entity::enums::{Batch, ProviderKind};

use crate::Result;
use crate::archive;
use crate::dates::{midnight, next_day};
use crate::pricing::{Context, PriceBook, Priced, Tokens};
use crate::usage::digest::{self, DayKey, Series};
use crate::usage::revisions::{self, Change, Table};
use crate::usage::rollup;

/// Usage types whose cost follows from token counts and the price book.
pub const TOKEN_PRICED_TYPES: &[&str] = &["completions", "embeddings", "moderations", "messages"];

/// [`TOKEN_PRICED_TYPES`] as an SQL list, for `usage_type IN (…)` inside
/// aggregate expressions.
pub(crate) fn token_priced_sql() -> String {
    TOKEN_PRICED_TYPES
        .iter()
        .map(|t| format!("'{t}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every dimension of a bucket; missing ones are `''`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Dimensions {
    pub project_id: String,
    pub api_key_id: String,
    pub user_id: String,
    pub model: String,
    pub batch: Batch,
    pub service_tier: String,
    pub context_window: String,
    pub inference_geo: String,
    pub image_size: String,
    pub image_source: String,
    pub context_level: String,
    pub vector_store_id: String,
}

/// Every count a provider reports. `input_tokens` is all input, cache reads
/// and writes included, for every provider.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub input_tokens: i64,
    pub input_cached_tokens: i64,
    pub input_cache_write_tokens: i64,
    pub input_cache_write_5m_tokens: i64,
    pub input_cache_write_1h_tokens: i64,
    pub input_uncached_tokens: i64,
    pub input_text_tokens: i64,
    pub input_cached_text_tokens: i64,
    pub input_audio_tokens: i64,
    pub input_cached_audio_tokens: i64,
    pub input_image_tokens: i64,
    pub input_cached_image_tokens: i64,
    pub output_tokens: i64,
    pub output_text_tokens: i64,
    pub output_audio_tokens: i64,
    pub output_image_tokens: i64,
    pub num_model_requests: i64,
    pub num_requests: i64,
    pub web_search_requests: i64,
    pub images: i64,
    pub characters: i64,
    pub seconds: i64,
    pub usage_bytes: i64,
    pub num_sessions: i64,
}

macro_rules! each_count {
    ($m:ident) => {
        $m!(
            input_tokens,
            input_cached_tokens,
            input_cache_write_tokens,
            input_cache_write_5m_tokens,
            input_cache_write_1h_tokens,
            input_uncached_tokens,
            input_text_tokens,
            input_cached_text_tokens,
            input_audio_tokens,
            input_cached_audio_tokens,
            input_image_tokens,
            input_cached_image_tokens,
            output_tokens,
            output_text_tokens,
            output_audio_tokens,
            output_image_tokens,
            num_model_requests,
            num_requests,
            web_search_requests,
            images,
            characters,
            seconds,
            usage_bytes,
            num_sessions
        )
    };
}

impl Counts {
    pub fn add(&mut self, other: &Counts) {
        macro_rules! add {
            ($($f:ident),*) => { $(self.$f = self.$f.saturating_add(other.$f);)* };
        }
        each_count!(add);
    }

    pub(crate) fn of(model: &Model) -> Self {
        macro_rules! read {
            ($($f:ident),*) => { Counts { $($f: model.$f),* } };
        }
        each_count!(read)
    }

    fn write(&self, row: &mut ActiveModel) {
        macro_rules! write {
            ($($f:ident),*) => { $(row.$f = Set(self.$f);)* };
        }
        each_count!(write);
    }

    pub fn tokens(&self) -> Tokens {
        Tokens {
            input: self.input_tokens,
            cache_read: self.input_cached_tokens,
            cache_write: self.input_cache_write_tokens,
            cache_write_1h: self.input_cache_write_1h_tokens,
            output: self.output_tokens,
            input_audio: self.input_audio_tokens + self.input_cached_audio_tokens,
            cache_audio_read: self.input_cached_audio_tokens,
            output_audio: self.output_audio_tokens,
            web_searches: self.web_search_requests,
            requests: self.num_model_requests,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketRow {
    pub dims: Dimensions,
    pub counts: Counts,
}

/// The set of buckets one call replaces.
#[derive(Debug, Clone, Copy)]
pub struct DaySet<'a> {
    pub connection_id: i64,
    pub provider: ProviderKind,
    pub usage_type: &'a str,
    pub day: NaiveDate,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplaceOutcome {
    pub inserted: u64,
    pub updated: u64,
    pub deleted: u64,
    pub unchanged: u64,
    /// Models in this set that the price book could not price.
    pub unpriced_models: Vec<String>,
}

/// Replaces the stored buckets of `set` with `rows`. Call it inside a
/// transaction; rows with equal dimensions are summed.
///
/// Unchanged buckets stay as they are, where they are (hot or archived).
/// A changed or vanished bucket's old version is kept as superseded; a
/// changed bucket of an archived day comes back to the hot table. When a
/// complete day that was already stored changes, the change is recorded
/// as a revision.
pub async fn replace_day(
    db: &impl ConnectionTrait,
    set: DaySet<'_>,
    rows: Vec<BucketRow>,
    run_id: Option<i64>,
    book: &PriceBook,
) -> Result<ReplaceOutcome> {
    let merged = merge(rows);
    let day = midnight(set.day);
    let content_hash = digest::hash(merged.iter().map(|(dims, counts)| (day, dims, counts)));
    let key = DayKey {
        connection_id: set.connection_id,
        usage_type: set.usage_type,
        day,
        series: Series::Daily,
    };
    let mut outcome = ReplaceOutcome::default();
    if digest::unchanged(db, key, &content_hash, merged.len(), async || {
        stored_count(db, &set).await
    })
    .await?
    {
        outcome.unchanged = merged.len() as u64;
        return Ok(outcome);
    }
    let rows = merged.len();
    let outcome = write_day(db, set, merged, run_id, book).await?;
    digest::store(db, key, content_hash, rows).await?;
    Ok(outcome)
}

/// Rows with equal dimensions summed.
pub(crate) fn merge(rows: Vec<BucketRow>) -> HashMap<Dimensions, Counts> {
    let mut merged: HashMap<Dimensions, Counts> = HashMap::new();
    for row in rows {
        merged.entry(row.dims).or_default().add(&row.counts);
    }
    merged
}

/// [`replace_day`] once the content is known to differ (or to have no
/// digest): compares bucket by bucket and writes what changed.
async fn write_day(
    db: &impl ConnectionTrait,
    set: DaySet<'_>,
    merged: HashMap<Dimensions, Counts>,
    run_id: Option<i64>,
    book: &PriceBook,
) -> Result<ReplaceOutcome> {
    let mut stored = stored_buckets(db, &set).await?;
    let had_rows = !stored.is_empty();
    let writer = Writer {
        set,
        book,
        run_id,
        now: Utc::now(),
    };
    let mut outcome = ReplaceOutcome::default();
    let mut plan = Plan::default();
    for (dims, counts) in merged {
        let old = stored.remove(&dims);
        if let Some((old, _)) = &old
            && Counts::of(old) == counts
        {
            // Unchanged usage keeps the price it was stored with.
            outcome.unchanged += 1;
            continue;
        }
        let (row, cost) = writer.row(&dims, counts, &mut outcome);
        plan.change.count(&counts, cost, 1);
        match old {
            Some((old, table)) => {
                outcome.updated += 1;
                plan.change.changed += 1;
                plan.replace(old, table, row);
            }
            None => {
                outcome.inserted += 1;
                plan.change.added += 1;
                plan.fresh.push(row);
            }
        }
    }
    for (old, table) in stored.into_values() {
        outcome.deleted += 1;
        plan.change.removed += 1;
        plan.remove(old, table);
    }
    if plan.is_empty() {
        return Ok(outcome);
    }
    let change = plan.change;
    plan.apply(db, writer.now, run_id).await?;
    rollup::rebuild(db, midnight(set.day), midnight(next_day(set.day))).await?;
    // Today's bucket grows all day: only a complete day is restated.
    if had_rows && set.day < writer.now.date_naive() {
        revisions::record(db, &set, run_id, writer.now, &change).await?;
    }
    Ok(outcome)
}

/// The writes one [`replace_day`] call makes, gathered first so each kind
/// is one statement (or a few) and old versions are kept before they go.
#[derive(Default)]
struct Plan {
    fresh: Vec<ActiveModel>,
    updates: Vec<ActiveModel>,
    /// Old versions to keep, by table.
    superseded: Vec<(i64, Table)>,
    /// Rows to delete, by table.
    gone: Vec<(i64, Table)>,
    change: Change,
}

impl Plan {
    fn replace(&mut self, old: Model, table: Table, mut row: ActiveModel) {
        self.change.count(&Counts::of(&old), old.cost_micros, -1);
        self.superseded.push((old.id, table));
        match table {
            Table::Hot => {
                row.id = Set(old.id);
                self.updates.push(row);
            }
            Table::Archive => {
                self.gone.push((old.id, table));
                self.fresh.push(row);
            }
        }
    }

    fn remove(&mut self, old: Model, table: Table) {
        self.change.count(&Counts::of(&old), old.cost_micros, -1);
        self.superseded.push((old.id, table));
        self.gone.push((old.id, table));
    }

    fn is_empty(&self) -> bool {
        self.fresh.is_empty() && self.updates.is_empty() && self.gone.is_empty()
    }

    async fn apply(
        self,
        db: &impl ConnectionTrait,
        now: DateTime<Utc>,
        run_id: Option<i64>,
    ) -> Result<()> {
        for table in [Table::Hot, Table::Archive] {
            let ids = |list: &[(i64, Table)]| -> Vec<i64> {
                list.iter()
                    .filter(|(_, t)| *t == table)
                    .map(|(id, _)| *id)
                    .collect()
            };
            revisions::supersede(db, table, &ids(&self.superseded), now, run_id).await?;
            for chunk in ids(&self.gone).chunks(INSERT_CHUNK) {
                let ids = chunk.iter().copied();
                match table {
                    Table::Hot => {
                        usage_bucket::Entity::delete_many()
                            .filter(Column::Id.is_in(ids))
                            .exec(db)
                            .await?
                    }
                    Table::Archive => {
                        usage_bucket_archive::Entity::delete_many()
                            .filter(usage_bucket_archive::Column::Id.is_in(ids))
                            .exec(db)
                            .await?
                    }
                };
            }
        }
        for row in self.updates {
            row.update(db).await?;
        }
        for chunk in self.fresh.chunks(INSERT_CHUNK) {
            usage_bucket::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(db)
                .await?;
        }
        Ok(())
    }
}

/// Rows per multi-row INSERT: a bucket binds about 50 values, and SQLite
/// takes at most 32,766 per statement.
const INSERT_CHUNK: usize = 500;

/// How many buckets `set` holds, hot and archived.
async fn stored_count(db: &impl ConnectionTrait, set: &DaySet<'_>) -> Result<u64> {
    let mut select = Query::select();
    select
        .expr(Expr::col(Column::Id).count())
        .from(usage_bucket::Entity)
        .and_where(Expr::col(Column::ConnectionId).eq(set.connection_id))
        .and_where(Expr::col(Column::UsageType).eq(set.usage_type))
        .and_where(Expr::col(Column::WindowStart).eq(midnight(set.day)));
    let mut total = 0;
    for query in
        archive::statements::<usage_bucket::Entity, usage_bucket_archive::Entity>(select, true)
    {
        if let Some(row) = db.query_one(&query).await? {
            total += u64::try_from(row.try_get_by_index::<i64>(0)?).unwrap_or(0);
        }
    }
    Ok(total)
}

/// The stored buckets of `set`, hot and archived, by their dimensions.
pub(crate) async fn stored_buckets(
    db: &impl ConnectionTrait,
    set: &DaySet<'_>,
) -> Result<HashMap<Dimensions, (Model, Table)>> {
    let select = usage_bucket::Entity::find()
        .filter(Column::ConnectionId.eq(set.connection_id))
        .filter(Column::UsageType.eq(set.usage_type))
        .filter(Column::WindowStart.eq(midnight(set.day)));
    let mut stored = HashMap::new();
    let statements = archive::statements::<usage_bucket::Entity, usage_bucket_archive::Entity>(
        select.into_query(),
        true,
    );
    for (query, table) in statements.into_iter().zip([Table::Hot, Table::Archive]) {
        for row in db.query_all(&query).await? {
            let model = Model::from_query_result(&row, "")?;
            stored.insert(dimensions_of(&model), (model, table));
        }
    }
    Ok(stored)
}

/// What every bucket written by one [`replace_day`] call shares.
pub(crate) struct Writer<'a> {
    pub(crate) set: DaySet<'a>,
    pub(crate) book: &'a PriceBook,
    pub(crate) run_id: Option<i64>,
    pub(crate) now: DateTime<Utc>,
}

impl Writer<'_> {
    /// Prices a new or changed bucket into a new row (no id) and its cost.
    pub(crate) fn row(
        &self,
        dims: &Dimensions,
        counts: Counts,
        outcome: &mut ReplaceOutcome,
    ) -> (ActiveModel, Option<i64>) {
        let priced = price(self.book, &self.set, dims, &counts);
        if priced == Priced::Unpriced
            && TOKEN_PRICED_TYPES.contains(&self.set.usage_type)
            && !outcome.unpriced_models.contains(&dims.model)
        {
            outcome.unpriced_models.push(dims.model.clone());
        }
        let mut row = new_row(&self.set, dims);
        counts.write(&mut row);
        row.cost_micros = Set(priced.micros());
        row.cost_estimated = Set(priced.estimated());
        row.price_version_id = Set(priced.version_id());
        row.ingested_at = Set(self.now);
        row.run_id = Set(self.run_id);
        (row, priced.micros())
    }
}

/// What a stored bucket costs with the book as it stands now (the price in
/// effect on the bucket's day).
pub fn reprice(book: &PriceBook, bucket: &Model) -> Priced {
    let set = DaySet {
        connection_id: bucket.connection_id,
        provider: bucket.provider,
        usage_type: &bucket.usage_type,
        day: bucket.window_start.date_naive(),
    };
    price(book, &set, &dimensions_of(bucket), &Counts::of(bucket))
}

fn price(book: &PriceBook, set: &DaySet<'_>, dims: &Dimensions, counts: &Counts) -> Priced {
    if !TOKEN_PRICED_TYPES.contains(&set.usage_type) || dims.model.is_empty() {
        return Priced::Unpriced;
    }
    let ctx = Context {
        provider: set.provider.as_str(),
        model: &dims.model,
        day: set.day,
        service_tier: &dims.service_tier,
        batch: dims.batch == Batch::Batch,
        context_window: &dims.context_window,
    };
    book.price(&ctx, &counts.tokens())
}

fn new_row(set: &DaySet<'_>, dims: &Dimensions) -> ActiveModel {
    ActiveModel {
        connection_id: Set(set.connection_id),
        provider: Set(set.provider),
        usage_type: Set(set.usage_type.to_owned()),
        window_start: Set(midnight(set.day)),
        window_end: Set(midnight(next_day(set.day))),
        project_id: Set(dims.project_id.clone()),
        api_key_id: Set(dims.api_key_id.clone()),
        user_id: Set(dims.user_id.clone()),
        model: Set(dims.model.clone()),
        batch: Set(dims.batch),
        service_tier: Set(dims.service_tier.clone()),
        context_window: Set(dims.context_window.clone()),
        inference_geo: Set(dims.inference_geo.clone()),
        image_size: Set(dims.image_size.clone()),
        image_source: Set(dims.image_source.clone()),
        context_level: Set(dims.context_level.clone()),
        vector_store_id: Set(dims.vector_store_id.clone()),
        ..Default::default()
    }
}

pub(crate) fn dimensions_of(model: &Model) -> Dimensions {
    Dimensions {
        project_id: model.project_id.clone(),
        api_key_id: model.api_key_id.clone(),
        user_id: model.user_id.clone(),
        model: model.model.clone(),
        batch: model.batch,
        service_tier: model.service_tier.clone(),
        context_window: model.context_window.clone(),
        inference_geo: model.inference_geo.clone(),
        image_size: model.image_size.clone(),
        image_source: model.image_source.clone(),
        context_level: model.context_level.clone(),
        vector_store_id: model.vector_store_id.clone(),
    }
}
