//! Reading provider usage: the daily series behind every chart, raw
//! buckets, and the values offered in filter dropdowns.
pub mod anomalies;
pub mod anomaly_alerts;
pub mod attribution;
pub mod buckets;
pub mod closes;
pub mod digest;
pub mod hours;
pub mod local;
pub mod revision_alerts;
pub mod revisions;
pub mod rollup;
pub mod stats;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use entity::usage_bucket::{self, Column as C};
use entity::usage_bucket_archive as archived;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, IntoIden, Order, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait,
};

use entity::enums::{Batch, ProviderKind};

use crate::archive;
use crate::dates::DayRange;
use crate::db::sum_i64;
use crate::error::{Result, invalid};
use crate::page::{Cursor, Page, PageRequest};
use crate::usage::buckets::{TOKEN_PRICED_TYPES, token_priced_sql};

/// A dimension to group daily usage by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dimension {
    Provider,
    Project,
    ApiKey,
    User,
    Model,
    ServiceTier,
    Batch,
}

impl Dimension {
    pub const ALL: [Dimension; 7] = [
        Self::Provider,
        Self::Project,
        Self::ApiKey,
        Self::User,
        Self::Model,
        Self::ServiceTier,
        Self::Batch,
    ];

    fn column(self) -> C {
        match self {
            Self::Provider => C::Provider,
            Self::Project => C::ProjectId,
            Self::ApiKey => C::ApiKeyId,
            Self::User => C::UserId,
            Self::Model => C::Model,
            Self::ServiceTier => C::ServiceTier,
            Self::Batch => C::Batch,
        }
    }
}

#[derive(Debug, Clone)]
pub struct UsageFilter {
    pub range: DayRange,
    pub providers: Vec<ProviderKind>,
    pub project_ids: Vec<String>,
    pub api_key_ids: Vec<String>,
    pub user_ids: Vec<String>,
    pub models: Vec<String>,
    pub service_tiers: Vec<String>,
    pub batch: Option<bool>,
    /// Search the archive too: `Some` is the client's choice; `None`
    /// searches it whenever it can hold rows of the range.
    pub include_archived: Option<bool>,
    /// Answer as the ledger stood at that moment (restated rows in their
    /// version of then, later arrivals left out).
    pub as_of: Option<revisions::AsOf>,
}

impl UsageFilter {
    pub fn new(range: DayRange) -> Self {
        Self {
            range,
            providers: vec![],
            project_ids: vec![],
            api_key_ids: vec![],
            user_ids: vec![],
            models: vec![],
            service_tiers: vec![],
            batch: None,
            include_archived: None,
            as_of: None,
        }
    }

    async fn archived(&self, db: &impl ConnectionTrait) -> Result<bool> {
        archive::includes::<archived::Entity>(
            db,
            archived::Column::WindowStart,
            self.include_archived,
            Some(self.range.from),
        )
        .await
    }

    /// The dimensions the filter restricts.
    fn dimensions(&self) -> BTreeSet<Dimension> {
        let mut dims = BTreeSet::new();
        for (dim, used) in [
            (Dimension::Provider, !self.providers.is_empty()),
            (Dimension::Project, !self.project_ids.is_empty()),
            (Dimension::ApiKey, !self.api_key_ids.is_empty()),
            (Dimension::User, !self.user_ids.is_empty()),
            (Dimension::Model, !self.models.is_empty()),
            (Dimension::ServiceTier, !self.service_tiers.is_empty()),
            (Dimension::Batch, self.batch.is_some()),
        ] {
            if used {
                dims.insert(dim);
            }
        }
        dims
    }

    /// The rollup grain that answers this filter grouped by `group_by`:
    /// one that keeps every dimension involved. None when no grain does,
    /// or when the client asked to leave the archive out (rollups sum hot
    /// and archived buckets alike).
    fn grain(&self, group_by: &BTreeSet<Dimension>) -> Option<rollup::Grain> {
        // Rollups hold the current view of hot and archived rows alike.
        if self.include_archived == Some(false) || self.as_of.is_some() {
            return None;
        }
        let needed: BTreeSet<Dimension> = self.dimensions().union(group_by).copied().collect();
        rollup::grain_for(&needed)
    }

    /// The statements that sum `sums` under this filter, per day and
    /// `group_by` group when `by_day`: one on the rollup when a grain
    /// answers, else one on the hot buckets and, when needed, one on the
    /// archived ones. Either way the table is named `usage_bucket`.
    async fn sum_statements(
        &self,
        db: &impl ConnectionTrait,
        group_by: &BTreeSet<Dimension>,
        by_day: bool,
        sums: &[Sum],
    ) -> Result<Vec<SelectStatement>> {
        let grain = self.grain(group_by);
        let mut query = match grain {
            Some(grain) => rollup::select(grain, sums.iter().map(|sum| sum.sql().0)),
            None => {
                let mut query = Query::select();
                query.from(usage_bucket::Entity);
                sum_buckets(&mut query, sums);
                query
            }
        };
        query.cond_where(self.condition()?);
        if by_day {
            query.column(C::WindowStart).group_by_col(C::WindowStart);
            for dim in group_by {
                query.column(dim.column()).group_by_col(dim.column());
            }
        }
        if grain.is_some() {
            return Ok(vec![query]);
        }
        if let Some(as_of) = self.as_of {
            return Ok(as_of.statements(query));
        }
        let archived = self.archived(db).await?;
        Ok(archive::statements::<usage_bucket::Entity, archived::Entity>(query, archived))
    }

    /// The filter as SQL, after the text rules: each list holds at most
    /// [`crate::text::MAX_FILTER_VALUES`] values, each [`crate::text::plain`]
    /// (PostgreSQL would refuse a NUL that SQLite matches).
    fn condition(&self) -> Result<Condition> {
        let (start, end) = self.range.bounds();
        self.condition_between(start, end)
    }

    /// [`condition`](Self::condition) with window starts in `start..end`
    /// instead of the range's UTC days.
    fn condition_between(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Condition> {
        for (what, values) in [
            ("projectIds", &self.project_ids),
            ("apiKeyIds", &self.api_key_ids),
            ("userIds", &self.user_ids),
            ("models", &self.models),
            ("serviceTiers", &self.service_tiers),
        ] {
            crate::text::plain_list(what, values)?;
        }
        let mut cond = Condition::all()
            .add(C::WindowStart.gte(start))
            .add(C::WindowStart.lt(end));
        if !self.providers.is_empty() {
            cond = cond.add(C::Provider.is_in(self.providers.iter().copied()));
        }
        for (column, values) in [
            (C::ProjectId, &self.project_ids),
            (C::ApiKeyId, &self.api_key_ids),
            (C::UserId, &self.user_ids),
            (C::Model, &self.models),
            (C::ServiceTier, &self.service_tiers),
        ] {
            if !values.is_empty() {
                cond = cond.add(column.is_in(values.iter().map(String::as_str)));
            }
        }
        if let Some(batch) = self.batch {
            cond = cond.add(C::Batch.eq(Batch::from(Some(batch))));
        }
        Ok(cond)
    }
}

/// The group of a row: `None` for dimensions not grouped by.
pub type GroupKey = BTreeMap<Dimension, String>;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub input_tokens: i64,
    pub input_cached_tokens: i64,
    pub input_cache_write_tokens: i64,
    pub output_tokens: i64,
    pub input_audio_tokens: i64,
    pub output_audio_tokens: i64,
    pub num_model_requests: i64,
    /// Sum of priced buckets' costs, micro-USD.
    pub cost_micros: i64,
    /// Token-priced buckets without a price: their cost is unknown, not zero.
    pub unpriced_buckets: i64,
    pub estimated_buckets: i64,
}

impl Totals {
    /// These totals as a read of only `sums` holds them: the others zero.
    pub fn only(&self, sums: &[Sum]) -> Totals {
        let mut whole = self.clone();
        let mut part = Totals::default();
        for sum in sums {
            *sum.slot(&mut part) = *sum.slot(&mut whole);
        }
        part
    }

    pub fn add(&mut self, other: &Totals) {
        self.input_tokens += other.input_tokens;
        self.input_cached_tokens += other.input_cached_tokens;
        self.input_cache_write_tokens += other.input_cache_write_tokens;
        self.output_tokens += other.output_tokens;
        self.input_audio_tokens += other.input_audio_tokens;
        self.output_audio_tokens += other.output_audio_tokens;
        self.num_model_requests += other.num_model_requests;
        self.cost_micros += other.cost_micros;
        self.unpriced_buckets += other.unpriced_buckets;
        self.estimated_buckets += other.estimated_buckets;
    }
}

/// One of [`Totals`]' sums. A reader names the sums it shows, and the
/// statements sum only those (a year by model reads thousands of rows, and
/// every summed column costs on each): the others stay zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Sum {
    InputTokens,
    InputCachedTokens,
    InputCacheWriteTokens,
    OutputTokens,
    InputAudioTokens,
    OutputAudioTokens,
    NumModelRequests,
    CostMicros,
    UnpricedBuckets,
    EstimatedBuckets,
}

impl Sum {
    pub const ALL: [Sum; 10] = [
        Self::InputTokens,
        Self::InputCachedTokens,
        Self::InputCacheWriteTokens,
        Self::OutputTokens,
        Self::InputAudioTokens,
        Self::OutputAudioTokens,
        Self::NumModelRequests,
        Self::CostMicros,
        Self::UnpricedBuckets,
        Self::EstimatedBuckets,
    ];

    /// Its column (rollup and statement alias) and what it sums over a
    /// bucket: [`rollup::SUMS`] lists them in this enum's order.
    fn sql(self) -> (&'static str, &'static str) {
        rollup::SUMS[self as usize]
    }

    fn slot(self, totals: &mut Totals) -> &mut i64 {
        match self {
            Self::InputTokens => &mut totals.input_tokens,
            Self::InputCachedTokens => &mut totals.input_cached_tokens,
            Self::InputCacheWriteTokens => &mut totals.input_cache_write_tokens,
            Self::OutputTokens => &mut totals.output_tokens,
            Self::InputAudioTokens => &mut totals.input_audio_tokens,
            Self::OutputAudioTokens => &mut totals.output_audio_tokens,
            Self::NumModelRequests => &mut totals.num_model_requests,
            Self::CostMicros => &mut totals.cost_micros,
            Self::UnpricedBuckets => &mut totals.unpriced_buckets,
            Self::EstimatedBuckets => &mut totals.estimated_buckets,
        }
    }
}

/// Adds each of `sums`, summed over the buckets the query reads, to its
/// columns (before any other column: rows are read by position).
fn sum_buckets(query: &mut SelectStatement, sums: &[Sum]) {
    let priced = token_priced_sql();
    for sum in sums {
        let (alias, expr) = sum.sql();
        query.expr_as(
            sum_i64(&expr.replace("{priced}", &priced)),
            Alias::new(alias),
        );
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyRow {
    pub day: NaiveDate,
    pub group: GroupKey,
    pub totals: Totals,
}

/// One row per day and group, days without usage filled with zeros (for
/// every group seen in the range), ordered by day then group. Only `sums`
/// are summed; the rest of each row's totals stay zero.
pub async fn daily_usage(
    db: &impl ConnectionTrait,
    filter: &UsageFilter,
    group_by: &[Dimension],
    sums: &[Sum],
) -> Result<Vec<DailyRow>> {
    let dims: BTreeSet<Dimension> = group_by.iter().copied().collect();
    let mut found = Found::new();
    for query in filter.sum_statements(db, &dims, true, sums).await? {
        for row in db.query_all(&query).await? {
            add_row(&mut found, &row, &dims, sums, DateTime::date_naive)?;
        }
    }
    Ok(fill(filter.range, &dims, found))
}

/// Summed totals per day and group, as read.
type Found = BTreeMap<(NaiveDate, GroupKey), Totals>;

/// Adds one summed row (per window start and group) to the day `day_of`
/// its window start falls on. The row's columns are `sums`, the window
/// start, then `dims` in order.
fn add_row(
    found: &mut Found,
    row: &sea_orm::QueryResult,
    dims: &BTreeSet<Dimension>,
    sums: &[Sum],
    day_of: impl Fn(&DateTime<Utc>) -> NaiveDate,
) -> Result<()> {
    let start: DateTime<Utc> = row.try_get_by_index(sums.len())?;
    let mut group = GroupKey::new();
    for (i, dim) in dims.iter().enumerate() {
        group.insert(*dim, row.try_get_by_index::<String>(sums.len() + 1 + i)?);
    }
    found
        .entry((day_of(&start), group))
        .or_default()
        .add(&read_totals(row, sums)?);
    Ok(())
}

/// One row per day of `range` and group seen, zeros where nothing was found.
fn fill(range: DayRange, dims: &BTreeSet<Dimension>, found: Found) -> Vec<DailyRow> {
    let groups: BTreeSet<GroupKey> = if dims.is_empty() {
        BTreeSet::from([GroupKey::new()])
    } else {
        let distinct: BTreeSet<&GroupKey> = found.keys().map(|(_, group)| group).collect();
        distinct.into_iter().cloned().collect()
    };
    let mut rows = Vec::with_capacity(range.len() * groups.len());
    // `found` is in (day, group) order, the order rows are made in: one pass
    // merges them (a sum on a day outside `range` is passed over).
    let mut found = found.into_iter().peekable();
    for day in range.days() {
        for group in &groups {
            while found
                .next_if(|((d, g), _)| (*d, g) < (day, group))
                .is_some()
            {}
            let totals = found
                .next_if(|((d, g), _)| *d == day && g == group)
                .map(|(_, totals)| totals)
                .unwrap_or_default();
            rows.push(DailyRow {
                day,
                group: group.clone(),
                totals,
            });
        }
    }
    rows
}

/// The statements [`daily_usage`] runs for `filter`, `group_by` and `sums`, for
/// benchmarks to `EXPLAIN` exactly what the server executes.
pub async fn daily_usage_statements(
    db: &impl ConnectionTrait,
    filter: &UsageFilter,
    group_by: &[Dimension],
    sums: &[Sum],
) -> Result<Vec<SelectStatement>> {
    let dims: BTreeSet<Dimension> = group_by.iter().copied().collect();
    filter.sum_statements(db, &dims, true, sums).await
}

/// Totals over the whole filter, for summaries.
pub async fn totals(db: &impl ConnectionTrait, filter: &UsageFilter) -> Result<Totals> {
    let mut sum = Totals::default();
    let sums = Sum::ALL;
    for query in filter
        .sum_statements(db, &BTreeSet::new(), false, &sums)
        .await?
    {
        if let Some(row) = db.query_one(&query).await? {
            sum.add(&read_totals(&row, &sums)?);
        }
    }
    Ok(sum)
}

/// The row's first columns, `sums` in order; the other totals zero.
fn read_totals(row: &sea_orm::QueryResult, sums: &[Sum]) -> Result<Totals> {
    let mut totals = Totals::default();
    for (i, sum) in sums.iter().enumerate() {
        *sum.slot(&mut totals) = row.try_get_by_index(i)?;
    }
    Ok(totals)
}

/// Raw buckets in window order.
pub async fn list_buckets(
    db: &impl ConnectionTrait,
    filter: &UsageFilter,
    page: &PageRequest,
) -> Result<Page<usage_bucket::Model>> {
    let mut query = usage_bucket::Entity::find().filter(filter.condition()?);
    if let Some(after) = &page.after {
        let at =
            DateTime::from_timestamp_micros(after.at).ok_or_else(|| invalid("malformed cursor"))?;
        let id: i64 = after.id.parse().map_err(|_| invalid("malformed cursor"))?;
        query = query.filter(
            Condition::any().add(C::WindowStart.gt(at)).add(
                Expr::col(C::WindowStart)
                    .eq(at)
                    .and(Expr::col(C::Id).gt(id)),
            ),
        );
    }
    let query = query
        .order_by(C::WindowStart, Order::Asc)
        .order_by(C::Id, Order::Asc)
        .limit(page.first + 1);
    // Each table gives its first+1 rows; the first+1 of the merge are the page.
    let mut rows = match filter.as_of {
        Some(as_of) => {
            let mut rows = Vec::new();
            for query in as_of.statements(query.into_query()) {
                for row in db.query_all(&query).await? {
                    rows.push(usage_bucket::Model::from_query_result(&row, "")?);
                }
            }
            rows
        }
        None => {
            archive::models::<usage_bucket::Entity, archived::Entity>(
                db,
                query,
                filter.archived(db).await?,
            )
            .await?
        }
    };
    rows.sort_by_key(|b| (b.window_start, b.id));
    Ok(Page::from_rows(rows, page.first, |b| Cursor {
        at: b.window_start.timestamp_micros(),
        id: b.id.to_string(),
    }))
}

/// Distinct non-empty values per dimension, for dropdowns.
#[derive(Debug, Clone, Default)]
pub struct FilterOptions {
    pub providers: Vec<ProviderKind>,
    pub project_ids: Vec<String>,
    pub api_key_ids: Vec<String>,
    pub user_ids: Vec<String>,
    pub models: Vec<String>,
    pub service_tiers: Vec<String>,
}

pub async fn filter_options(
    db: &impl ConnectionTrait,
    range: Option<DayRange>,
) -> Result<FilterOptions> {
    // Each dimension's values come from the smallest rollup grain that
    // keeps it: a few rows per day instead of every bucket (archived days
    // included, as the rollups hold them).
    let distinct = async |dim: Dimension| -> Result<Vec<String>> {
        let grain = rollup::grain_for(&BTreeSet::from([dim]))
            .ok_or_else(|| crate::Error::Internal(format!("no rollup grain keeps {dim:?}")))?;
        let column = dim.column();
        let mut query = Query::select();
        query
            .from_as(
                entity::usage_rollup::Entity,
                usage_bucket::Entity.into_iden(),
            )
            .column(column)
            .distinct()
            .and_where(Expr::col(rollup::GRAIN_COLUMN).eq(grain.id))
            .and_where(column.ne(""))
            .order_by(column, Order::Asc);
        if let Some(range) = range {
            let (start, end) = range.bounds();
            query
                .and_where(C::WindowStart.gte(start))
                .and_where(C::WindowStart.lt(end));
        }
        db.query_all(&query)
            .await?
            .iter()
            .map(|row| Ok(row.try_get_by_index::<String>(0)?))
            .collect()
    };
    Ok(FilterOptions {
        providers: distinct(Dimension::Provider)
            .await?
            .iter()
            .map(|p| p.parse())
            .collect::<Result<_, _>>()?,
        project_ids: distinct(Dimension::Project).await?,
        api_key_ids: distinct(Dimension::ApiKey).await?,
        user_ids: distinct(Dimension::User).await?,
        models: distinct(Dimension::Model).await?,
        service_tiers: distinct(Dimension::ServiceTier).await?,
    })
}

/// Input + output tokens of token-priced buckets that have no price.
pub async fn unpriced_tokens(db: &impl ConnectionTrait, range: DayRange) -> Result<i64> {
    let mut query = rollup::select(rollup::GRAINS[0], ["unpriced_tokens"]);
    let (start, end) = range.bounds();
    query
        .and_where(C::WindowStart.gte(start))
        .and_where(C::WindowStart.lt(end));
    match db.query_one(&query).await? {
        Some(row) => Ok(row.try_get_by_index::<i64>(0)?),
        None => Ok(0),
    }
}

/// Models seen in token-priced buckets without a price.
pub async fn unpriced_models(db: &impl ConnectionTrait) -> Result<Vec<(String, String)>> {
    Ok(usage_bucket::Entity::find()
        .select_only()
        .column(C::Provider)
        .column(C::Model)
        .distinct()
        .filter(C::CostMicros.is_null())
        .filter(C::Model.ne(""))
        .filter(C::UsageType.is_in(TOKEN_PRICED_TYPES.iter().copied()))
        .order_by_asc(C::Provider)
        .order_by_asc(C::Model)
        .into_tuple()
        .all(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use chrono::Datelike;

    use super::*;

    #[test]
    fn each_sum_has_its_own_column_and_field() {
        let names = Sum::ALL.map(|sum| sum.sql().0);
        let fields = [
            "input_tokens",
            "input_cached_tokens",
            "input_cache_write_tokens",
            "output_tokens",
            "input_audio_tokens",
            "output_audio_tokens",
            "num_model_requests",
            "cost_micros",
            "unpriced_buckets",
            "estimated_buckets",
        ];
        assert_eq!(names, fields);
        // Written 1..=10 through the slots and read back: two sums sharing
        // a field would read back the later value twice.
        let mut totals = Totals::default();
        for (value, sum) in (1..).zip(Sum::ALL) {
            *sum.slot(&mut totals) = value;
        }
        let read = Sum::ALL.map(|sum| *sum.slot(&mut totals));
        assert_eq!(read, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(totals.only(&Sum::ALL), totals);
        let part = totals.only(&[Sum::CostMicros]);
        assert_eq!((part.cost_micros, part.input_tokens), (8, 0));
    }

    #[test]
    fn fill_puts_each_sum_on_its_day_and_group_and_zeros_elsewhere() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 3, d).expect("a March day");
        let group = |model: &str| GroupKey::from([(Dimension::Model, model.to_owned())]);
        let sum = |tokens: i64| Totals {
            input_tokens: tokens,
            ..Totals::default()
        };
        let found = Found::from([
            ((day(1), group("a")), sum(1)), // before the range
            ((day(3), group("a")), sum(3)),
            ((day(4), group("b")), sum(4)),
            ((day(6), group("b")), sum(6)), // after it
        ]);
        let range = DayRange::new(day(2), day(5)).expect("a range");
        let dims = BTreeSet::from([Dimension::Model]);
        let rows: Vec<(u32, String, i64)> = fill(range, &dims, found)
            .into_iter()
            .map(|r| {
                let model = r.group[&Dimension::Model].clone();
                (r.day.day(), model, r.totals.input_tokens)
            })
            .collect();
        let expected: Vec<(u32, String, i64)> = [
            (2, "a", 0),
            (2, "b", 0),
            (3, "a", 3),
            (3, "b", 0),
            (4, "a", 0),
            (4, "b", 4),
            (5, "a", 0),
            (5, "b", 0),
        ]
        .into_iter()
        .map(|(d, m, t)| (d, m.to_owned(), t))
        .collect();
        assert_eq!(rows, expected);
    }
}
