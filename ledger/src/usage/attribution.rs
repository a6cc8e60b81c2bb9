//! The attribution ledger: app-reported chat interactions joined to the
//! provider's buckets at one grain (provider, day, project, API key, model,
//! service tier), so every token and dollar is matched, provider-only (the
//! apps did not report it), or app-only (the provider did not bill it).
//!
//! Per grain key: matched = min(provider, app); the rest of each side is
//! provider-only or app-only. So, per day and in total,
//! matched + provider-only = provider total and matched + app-only = app
//! total. A key present on both sides with different numbers is counted
//! as a mismatch.
use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::{interaction, interaction_archive, usage_bucket, usage_bucket_archive};
use futures_util::TryStreamExt;
use sea_orm::sea_query::{Alias, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryResult, QuerySelect, QueryTrait,
    StreamTrait,
};

use crate::Result;
use crate::archive;
use crate::dates::DayRange;
use crate::db::sum_i64;
use crate::tracking::InteractionKind;
use crate::usage::buckets::TOKEN_PRICED_TYPES;

/// The grain both sides are joined at.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Grain {
    pub provider: String,
    pub day: NaiveDate,
    pub project_id: String,
    pub api_key_id: String,
    pub model: String,
    pub service_tier: String,
}

/// Tokens (input + output) and cost in micro-USD.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Amount {
    pub tokens: i64,
    pub micros: i64,
}

impl Amount {
    /// Checked: stored rows stay far inside i64 (see `tracking::input`),
    /// and a sum past it is an error, never a wrapped total.
    fn add(&mut self, other: Amount) -> Result<()> {
        self.tokens = self
            .tokens
            .checked_add(other.tokens)
            .ok_or_else(too_large)?;
        self.micros = self
            .micros
            .checked_add(other.micros)
            .ok_or_else(too_large)?;
        Ok(())
    }
    fn min(self, other: Amount) -> Amount {
        Amount {
            tokens: self.tokens.min(other.tokens),
            micros: self.micros.min(other.micros),
        }
    }
    fn minus(self, other: Amount) -> Amount {
        Amount {
            tokens: self.tokens - other.tokens,
            micros: self.micros - other.micros,
        }
    }
}

/// One row of the ledger (per day, or per day and group).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttributionRow {
    pub day: NaiveDate,
    /// The grouped dimensions; fields not grouped by are `None`.
    pub group: GroupKey,
    pub provider_total: Amount,
    pub app_total: Amount,
    pub matched: Amount,
    pub provider_only: Amount,
    pub app_only: Amount,
    /// Grain keys reported by both sides with different numbers.
    pub mismatched_keys: i64,
}

impl AttributionRow {
    /// Adds another row's amounts (for totals over days or groups); an
    /// error when a total would leave the i64 range.
    pub fn add(&mut self, other: &AttributionRow) -> Result<()> {
        self.provider_total.add(other.provider_total)?;
        self.app_total.add(other.app_total)?;
        self.matched.add(other.matched)?;
        self.provider_only.add(other.provider_only)?;
        self.app_only.add(other.app_only)?;
        self.mismatched_keys += other.mismatched_keys;
        Ok(())
    }
}

fn too_large() -> crate::Error {
    crate::error::invalid(format!(
        "the attribution totals of this range exceed {}; ask for a shorter range",
        i64::MAX
    ))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dimension {
    Provider,
    Project,
    ApiKey,
    Model,
    ServiceTier,
}

pub type GroupKey = BTreeMap<Dimension, String>;

fn group_of(grain: &Grain, dims: &[Dimension]) -> GroupKey {
    dims.iter()
        .map(|d| {
            let value = match d {
                Dimension::Provider => &grain.provider,
                Dimension::Project => &grain.project_id,
                Dimension::ApiKey => &grain.api_key_id,
                Dimension::Model => &grain.model,
                Dimension::ServiceTier => &grain.service_tier,
            };
            (*d, value.clone())
        })
        .collect()
}

/// Apps often do not report the tier; the provider then billed its default.
fn app_tier(provider: &str, tier: &str) -> String {
    match (provider, tier) {
        ("openai", "") => "default".to_owned(),
        ("anthropic", "") => "standard".to_owned(),
        _ => tier.to_owned(),
    }
}

pub async fn attribution(
    db: &(impl ConnectionTrait + StreamTrait),
    range: DayRange,
    group_by: &[Dimension],
) -> Result<Vec<AttributionRow>> {
    let provider = provider_side(db, range).await?;
    let app = app_side(db, range).await?;
    let mut keys: Vec<&Grain> = provider.keys().chain(app.keys()).collect();
    keys.sort();
    keys.dedup();

    let mut rows: BTreeMap<(NaiveDate, GroupKey), AttributionRow> = BTreeMap::new();
    for grain in keys {
        let p = provider.get(grain).copied().unwrap_or_default();
        let a = app.get(grain).copied().unwrap_or_default();
        let matched = p.min(a);
        let group = group_of(grain, group_by);
        let row = rows
            .entry((grain.day, group.clone()))
            .or_insert_with(|| AttributionRow {
                day: grain.day,
                group,
                ..AttributionRow::default()
            });
        row.provider_total.add(p)?;
        row.app_total.add(a)?;
        row.matched.add(matched)?;
        row.provider_only.add(p.minus(matched))?;
        row.app_only.add(a.minus(matched))?;
        let both = provider.contains_key(grain) && app.contains_key(grain);
        row.mismatched_keys += i64::from(both && p != a);
    }
    Ok(rows.into_values().collect())
}

/// Token-priced provider buckets, summed per grain key.
async fn provider_side(
    db: &impl ConnectionTrait,
    range: DayRange,
) -> Result<BTreeMap<Grain, Amount>> {
    let query = provider_query(range);
    let archived = archive::includes::<usage_bucket_archive::Entity>(
        db,
        usage_bucket_archive::Column::WindowStart,
        None,
        Some(range.from),
    )
    .await?;
    let mut rows = Vec::new();
    for query in
        archive::statements::<usage_bucket::Entity, usage_bucket_archive::Entity>(query, archived)
    {
        rows.extend(db.query_all(&query).await?);
    }
    let mut out = BTreeMap::new();
    for row in rows {
        let (grain, amount) = provider_grain(&row)?;
        out.entry(grain)
            .or_insert_with(Amount::default)
            .add(amount)?;
    }
    Ok(out)
}

/// The token-priced buckets of `range` summed per bucket window and the
/// other grain columns; days are taken from the windows afterwards.
fn provider_query(range: DayRange) -> SelectStatement {
    use usage_bucket::Column as C;
    let (start, end) = range.bounds();
    let mut query = Query::select();
    query
        .from(usage_bucket::Entity)
        .columns([
            C::Provider,
            C::WindowStart,
            C::ProjectId,
            C::ApiKeyId,
            C::Model,
            C::ServiceTier,
        ])
        .and_where(C::WindowStart.gte(start))
        .and_where(C::WindowStart.lt(end))
        .and_where(C::UsageType.is_in(TOKEN_PRICED_TYPES.iter().copied()))
        .expr_as(
            sum_i64("input_tokens + output_tokens"),
            Alias::new("tokens"),
        )
        .expr_as(sum_i64("COALESCE(cost_micros, 0)"), Alias::new("micros"));
    for column in [
        C::Provider,
        C::WindowStart,
        C::ProjectId,
        C::ApiKeyId,
        C::Model,
        C::ServiceTier,
    ] {
        query.group_by_col(column);
    }
    query
}

/// One row of [`provider_query`] as its grain key and amount.
fn provider_grain(row: &QueryResult) -> Result<(Grain, Amount)> {
    let start: DateTime<Utc> = row.try_get("", "window_start")?;
    let grain = Grain {
        provider: row.try_get("", "provider")?,
        day: start.date_naive(),
        project_id: row.try_get("", "project_id")?,
        api_key_id: row.try_get("", "api_key_id")?,
        model: row.try_get("", "model")?,
        service_tier: row.try_get("", "service_tier")?,
    };
    let amount = Amount {
        tokens: row.try_get("", "tokens")?,
        micros: row.try_get("", "micros")?,
    };
    Ok((grain, amount))
}

/// App-reported chat interactions, summed per grain key. Streamed, so a
/// long range does not hold every interaction in memory.
async fn app_side<C>(db: &C, range: DayRange) -> Result<BTreeMap<Grain, Amount>>
where
    C: ConnectionTrait + StreamTrait,
{
    use interaction::Column as Col;
    let (start, end) = range.bounds();
    let query = interaction::Entity::find()
        .select_only()
        .columns([
            Col::OccurredAt,
            Col::Provider,
            Col::ProjectId,
            Col::ApiKeyId,
            Col::Model,
            Col::ServiceTier,
            Col::InputTokens,
            Col::OutputTokens,
            Col::AiTokensMicros,
        ])
        .filter(Col::Kind.eq(InteractionKind::Chat.as_str()))
        .filter(Col::OccurredAt.gte(start))
        .filter(Col::OccurredAt.lt(end))
        .into_query();
    let archived = archive::includes::<interaction_archive::Entity>(
        db,
        interaction_archive::Column::OccurredAt,
        None,
        Some(range.from),
    )
    .await?;
    let mut out = BTreeMap::new();
    for query in
        archive::statements::<interaction::Entity, interaction_archive::Entity>(query, archived)
    {
        let mut stream = std::pin::pin!(db.stream(&query).await?);
        while let Some(row) = stream.try_next().await? {
            let at: DateTime<Utc> = row.try_get("", "occurred_at")?;
            let provider: String = row.try_get("", "provider")?;
            let tier: String = row.try_get("", "service_tier")?;
            let grain = Grain {
                day: at.date_naive(),
                service_tier: app_tier(&provider, &tier),
                provider,
                project_id: row.try_get("", "project_id")?,
                api_key_id: row.try_get("", "api_key_id")?,
                model: row.try_get("", "model")?,
            };
            let input: i64 = row.try_get("", "input_tokens")?;
            let output: i64 = row.try_get("", "output_tokens")?;
            let micros: Option<i64> = row.try_get("", "ai_tokens_micros")?;
            out.entry(grain)
                .or_insert_with(Amount::default)
                .add(Amount {
                    tokens: input.checked_add(output).ok_or_else(too_large)?,
                    micros: micros.unwrap_or(0),
                })?;
        }
    }
    Ok(out)
}
