//! Provider usage: the daily series, raw buckets and dropdown values.
use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::enums::{Batch, ProviderKind};
use entity::usage_bucket;
use ledger::money::micros_to_usd;
use ledger::page::PageRequest;
use ledger::usage::revisions::{self, AsOf};
use ledger::usage::{self as domain, Dimension, local};
use rust_decimal::Decimal;

use super::daily_rows::{self, DailyRows};
use super::types::{BatchMode, BigInt, Date, Provider, connection, day_range, optional_range};
use super::{principal, state};
use crate::error::ApiResult;

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum UsageDimension {
    Project,
    ApiKey,
    User,
    Model,
    ServiceTier,
    Batch,
    Provider,
}

impl From<UsageDimension> for Dimension {
    fn from(d: UsageDimension) -> Self {
        match d {
            UsageDimension::Project => Dimension::Project,
            UsageDimension::ApiKey => Dimension::ApiKey,
            UsageDimension::User => Dimension::User,
            UsageDimension::Model => Dimension::Model,
            UsageDimension::ServiceTier => Dimension::ServiceTier,
            UsageDimension::Batch => Dimension::Batch,
            UsageDimension::Provider => Dimension::Provider,
        }
    }
}

/// Which usage to count. `from` and `to` are UTC days (`YYYY-MM-DD`), both included.
/// Each id list holds at most 1,000 values, each at most 200 bytes with no
/// control characters (U+0000–U+001F, U+007F–U+009F); others are refused
/// with `BAD_USER_INPUT`.
#[derive(InputObject, Clone)]
pub struct UsageFilter {
    pub from: Date,
    pub to: Date,
    pub providers: Option<Vec<Provider>>,
    pub project_ids: Option<Vec<String>>,
    pub api_key_ids: Option<Vec<String>>,
    pub user_ids: Option<Vec<String>>,
    pub models: Option<Vec<String>>,
    pub service_tiers: Option<Vec<String>>,
    pub batch: Option<bool>,
    /// Search archived rows too. Default (null): the archive is searched
    /// whenever it can hold rows of the range (the range starts on or before
    /// its newest row; no range: whenever it is not empty), so answers are the
    /// same before and after archival. `false`: recent (hot) rows only.
    pub include_archived: Option<bool>,
    /// Answer as the ledger stood at this moment: rows a later ingestion
    /// restated in their version of then, later arrivals left out. The same
    /// question with the same `asOf` always gets the same answer. A moment
    /// in the future is `BAD_USER_INPUT`.
    pub as_of: Option<DateTime<Utc>>,
}

impl UsageFilter {
    fn to_domain(&self) -> ApiResult<domain::UsageFilter> {
        let mut filter = domain::UsageFilter::new(day_range(self.from, self.to)?);
        filter.providers = self.providers.iter().flatten().map(|&p| p.into()).collect();
        filter.project_ids = self.project_ids.clone().unwrap_or_default();
        filter.api_key_ids = self.api_key_ids.clone().unwrap_or_default();
        filter.user_ids = self.user_ids.clone().unwrap_or_default();
        filter.models = self.models.clone().unwrap_or_default();
        filter.service_tiers = self.service_tiers.clone().unwrap_or_default();
        filter.batch = self.batch;
        filter.include_archived = self.include_archived;
        filter.as_of = self.as_of.map(|at| AsOf::new(at, Utc::now())).transpose()?;
        Ok(filter)
    }
}

/// The group a daily row belongs to; fields not grouped by are null, and a
/// dimension the provider did not report is the empty string.
#[derive(SimpleObject, Default)]
pub struct UsageGroup {
    pub provider: Option<Provider>,
    pub project_id: Option<String>,
    pub api_key_id: Option<String>,
    pub user_id: Option<String>,
    pub model: Option<String>,
    pub service_tier: Option<String>,
    pub batch: Option<BatchMode>,
}

/// Usage of one day (and group): a UTC day, or a local one when asked
/// with a time zone.
#[derive(SimpleObject)]
pub struct DailyUsage {
    pub date: Date,
    pub group: UsageGroup,
    /// All input: uncached, cache reads and cache writes.
    pub input_tokens: BigInt,
    pub input_cached_tokens: BigInt,
    pub input_cache_write_tokens: BigInt,
    pub output_tokens: BigInt,
    pub input_audio_tokens: BigInt,
    pub output_audio_tokens: BigInt,
    pub num_model_requests: BigInt,
    /// Exact USD; null when some usage in the row has no price (see `unpricedBuckets`).
    pub cost_usd: Option<Decimal>,
    /// The priced part of the cost, always present.
    pub priced_cost_usd: Decimal,
    pub unpriced_buckets: i64,
    /// True when a tiered price was applied to an average request (OpenAI reports no per-request sizes).
    pub cost_estimated: bool,
}

impl UsageGroup {
    /// Stored values read back; a provider or batch value that names no
    /// variant means a damaged row, which is an error, not a guess.
    fn of(key: domain::GroupKey) -> ApiResult<Self> {
        let mut group = UsageGroup::default();
        for (dim, value) in key {
            let slot = match dim {
                Dimension::Provider => {
                    group.provider = Some(value.parse::<ProviderKind>()?.into());
                    continue;
                }
                Dimension::Batch => {
                    group.batch = Some(value.parse::<Batch>()?.into());
                    continue;
                }
                Dimension::Project => &mut group.project_id,
                Dimension::ApiKey => &mut group.api_key_id,
                Dimension::User => &mut group.user_id,
                Dimension::Model => &mut group.model,
                Dimension::ServiceTier => &mut group.service_tier,
            };
            *slot = Some(value);
        }
        Ok(group)
    }
}

impl DailyUsage {
    pub(super) fn of(row: domain::DailyRow) -> ApiResult<Self> {
        let group = UsageGroup::of(row.group)?;
        let t = row.totals;
        let priced = micros_to_usd(t.cost_micros);
        Ok(Self {
            date: row.day.into(),
            group,
            input_tokens: t.input_tokens.into(),
            input_cached_tokens: t.input_cached_tokens.into(),
            input_cache_write_tokens: t.input_cache_write_tokens.into(),
            output_tokens: t.output_tokens.into(),
            input_audio_tokens: t.input_audio_tokens.into(),
            output_audio_tokens: t.output_audio_tokens.into(),
            num_model_requests: t.num_model_requests.into(),
            cost_usd: (t.unpriced_buckets == 0).then_some(priced),
            priced_cost_usd: priced,
            unpriced_buckets: t.unpriced_buckets,
            cost_estimated: t.estimated_buckets > 0,
        })
    }
}

/// One provider-reported bucket, as stored.
#[derive(SimpleObject)]
pub struct UsageBucket {
    pub id: i64,
    pub connection_id: i64,
    pub provider: Provider,
    pub usage_type: String,
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    pub project_id: String,
    pub api_key_id: String,
    pub user_id: String,
    pub model: String,
    pub batch: BatchMode,
    pub service_tier: String,
    pub context_window: String,
    pub input_tokens: BigInt,
    pub input_cached_tokens: BigInt,
    pub input_cache_write_tokens: BigInt,
    pub input_uncached_tokens: BigInt,
    pub input_audio_tokens: BigInt,
    pub output_tokens: BigInt,
    pub output_audio_tokens: BigInt,
    pub num_model_requests: BigInt,
    pub num_requests: BigInt,
    pub web_search_requests: BigInt,
    pub images: BigInt,
    pub characters: BigInt,
    pub seconds: BigInt,
    pub usage_bytes: BigInt,
    pub num_sessions: BigInt,
    /// Null when the model has no price.
    pub cost_usd: Option<Decimal>,
    pub priced: bool,
    pub cost_estimated: bool,
    pub price_version_id: Option<i64>,
    pub ingested_at: DateTime<Utc>,
}

impl From<usage_bucket::Model> for UsageBucket {
    fn from(b: usage_bucket::Model) -> Self {
        Self {
            id: b.id,
            connection_id: b.connection_id,
            provider: b.provider.into(),
            usage_type: b.usage_type,
            window_start: b.window_start,
            window_end: b.window_end,
            project_id: b.project_id,
            api_key_id: b.api_key_id,
            user_id: b.user_id,
            model: b.model,
            batch: b.batch.into(),
            service_tier: b.service_tier,
            context_window: b.context_window,
            input_tokens: b.input_tokens.into(),
            input_cached_tokens: b.input_cached_tokens.into(),
            input_cache_write_tokens: b.input_cache_write_tokens.into(),
            input_uncached_tokens: b.input_uncached_tokens.into(),
            input_audio_tokens: (b.input_audio_tokens + b.input_cached_audio_tokens).into(),
            output_tokens: b.output_tokens.into(),
            output_audio_tokens: b.output_audio_tokens.into(),
            num_model_requests: b.num_model_requests.into(),
            num_requests: b.num_requests.into(),
            web_search_requests: b.web_search_requests.into(),
            images: b.images.into(),
            characters: b.characters.into(),
            seconds: b.seconds.into(),
            usage_bytes: b.usage_bytes.into(),
            num_sessions: b.num_sessions.into(),
            cost_usd: b.cost_micros.map(micros_to_usd),
            priced: b.cost_micros.is_some(),
            cost_estimated: b.cost_estimated,
            price_version_id: b.price_version_id,
            ingested_at: b.ingested_at,
        }
    }
}

/// A provider restated a complete day the ledger had stored: what changed
/// for one connection and usage type, new minus old. The replaced buckets
/// stay answerable through `asOf`.
#[derive(SimpleObject)]
pub struct UsageRevision {
    pub id: i64,
    pub connection_id: i64,
    pub provider: Provider,
    pub usage_type: String,
    pub date: Date,
    pub revised_at: DateTime<Utc>,
    /// The ingestion run that found the change.
    pub run_id: Option<i64>,
    pub buckets_added: i64,
    pub buckets_changed: i64,
    pub buckets_removed: i64,
    pub input_tokens_delta: BigInt,
    pub input_cached_tokens_delta: BigInt,
    pub output_tokens_delta: BigInt,
    pub num_model_requests_delta: BigInt,
    pub cost_usd_delta: Decimal,
}

impl From<entity::usage_revision::Model> for UsageRevision {
    fn from(r: entity::usage_revision::Model) -> Self {
        Self {
            id: r.id,
            connection_id: r.connection_id,
            provider: r.provider.into(),
            usage_type: r.usage_type,
            date: Date(r.day),
            revised_at: r.revised_at,
            run_id: r.run_id,
            buckets_added: r.buckets_added,
            buckets_changed: r.buckets_changed,
            buckets_removed: r.buckets_removed,
            input_tokens_delta: r.input_tokens_delta.into(),
            input_cached_tokens_delta: r.input_cached_tokens_delta.into(),
            output_tokens_delta: r.output_tokens_delta.into(),
            num_model_requests_delta: r.num_model_requests_delta.into(),
            cost_usd_delta: micros_to_usd(r.cost_micros_delta),
        }
    }
}

/// Distinct values present in stored usage, for filter dropdowns.
#[derive(SimpleObject)]
pub struct FilterOptions {
    pub providers: Vec<Provider>,
    pub project_ids: Vec<String>,
    pub api_key_ids: Vec<String>,
    pub user_ids: Vec<String>,
    pub models: Vec<String>,
    pub service_tiers: Vec<String>,
    /// Hourly buckets are stored: `dailyUsage(timezone:)` can count local days.
    pub hourly_data: bool,
}

#[derive(Default)]
pub struct UsageQuery;

#[Object]
impl UsageQuery {
    /// One row per day (and per group), days without usage as zeros. Days
    /// are UTC days unless `timezone` (an IANA name such as
    /// `Europe/Berlin`) asks for local days: those are summed from hourly
    /// buckets, and a range whose days have none that agree with the daily
    /// buckets is refused (BAD_USER_INPUT), never answered in shifted UTC.
    #[graphql(
        complexity = "crate::limits::cost::ranged(filter.from.0, filter.to.0, group_by.as_ref().map_or(0, Vec::len), child_complexity)"
    )]
    async fn daily_usage(
        &self,
        ctx: &Context<'_>,
        filter: UsageFilter,
        group_by: Option<Vec<UsageDimension>>,
        timezone: Option<String>,
    ) -> ApiResult<DailyRows> {
        principal(ctx).viewer()?;
        let dims: Vec<Dimension> = group_by
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect();
        let db = &state(ctx)?.db;
        let filter = filter.to_domain()?;
        let zone = timezone.as_deref().map(local::zone).transpose()?;
        let sums = daily_rows::sums(ctx);
        let rows = match zone {
            Some(zone) => local::daily_usage(db, &filter, &dims, &sums, zone).await?,
            None => domain::daily_usage(db, &filter, &dims, &sums).await?,
        };
        let rows = rows
            .into_iter()
            .map(DailyUsage::of)
            .collect::<ApiResult<_>>()?;
        Ok(DailyRows::new(ctx, rows))
    }

    /// The stored provider buckets, in window order.
    #[graphql(complexity = "crate::limits::cost::paged(first, child_complexity)")]
    async fn usage_buckets(
        &self,
        ctx: &Context<'_>,
        filter: UsageFilter,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<String, UsageBucket>> {
        principal(ctx).viewer()?;
        let page = PageRequest::new(first, after.as_deref())?;
        let found = domain::list_buckets(&state(ctx)?.db, &filter.to_domain()?, &page).await?;
        Ok(connection(found, page.after.is_some(), UsageBucket::from))
    }

    /// Restatements of the days `from`..`to` (UTC, both included), by day
    /// then time; at most 10,000.
    #[graphql(complexity = "crate::limits::cost::ranged(from.0, to.0, 0, child_complexity)")]
    async fn usage_revisions(
        &self,
        ctx: &Context<'_>,
        from: Date,
        to: Date,
        providers: Option<Vec<Provider>>,
    ) -> ApiResult<Vec<UsageRevision>> {
        principal(ctx).viewer()?;
        let providers: Vec<ProviderKind> =
            providers.into_iter().flatten().map(Into::into).collect();
        let found = revisions::list(&state(ctx)?.db, day_range(from, to)?, &providers).await?;
        Ok(found.into_iter().map(UsageRevision::from).collect())
    }

    /// Values for the dashboard's dropdowns, optionally limited to a day range.
    #[graphql(
        complexity = "crate::limits::cost::optional_range(from.map(|d| d.0), to.map(|d| d.0), child_complexity)"
    )]
    async fn filter_options(
        &self,
        ctx: &Context<'_>,
        from: Option<Date>,
        to: Option<Date>,
    ) -> ApiResult<FilterOptions> {
        principal(ctx).viewer()?;
        let range = optional_range(from, to)?;
        let db = &state(ctx)?.db;
        let o = domain::filter_options(db, range).await?;
        Ok(FilterOptions {
            providers: o.providers.into_iter().map(Into::into).collect(),
            project_ids: o.project_ids,
            api_key_ids: o.api_key_ids,
            user_ids: o.user_ids,
            models: o.models,
            service_tiers: o.service_tiers,
            hourly_data: ledger::usage::hours::any(db).await?,
        })
    }
}
