//! Budgets: a USD limit per UTC day or calendar month for the whole
//! organisation or one project, API key, user or model, with percent
//! thresholds that raise alerts once per period, delivered to signed
//! webhooks.
//!
//! Spend is provider-reported usage (`usage_bucket.cost_micros`), the same
//! figure the usage views show. Tracked interactions are not added: they
//! record the same provider calls from the application's side, so adding
//! them would count that spend twice.
use chrono::{NaiveDate, Utc};
use entity::budget::{self, ActiveModel, Column, Entity, Model};
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};

mod evaluate;
mod period;

pub use evaluate::{
    ALERT_EVENT, AlertStatus, EvaluationReport, LATE_DATA_DAYS, MAX_DELIVERY_ATTEMPTS,
    alert_payload, alert_status, alerts, delivered_webhooks, evaluate,
};
pub use period::{PeriodWindow, forecast_micros, window};

use crate::dates::DayRange;
use crate::error::{Error, Result, invalid};
use crate::money::usd_to_micros;
use crate::page::{IdOrder, Page, PageRequest, by_id};
use crate::providers::ProviderKind;
use crate::usage::{UsageFilter, totals};
pub use entity::budget::Thresholds;
pub use entity::enums::{BudgetPeriod, BudgetScope, ProviderScope};

/// Thresholds a budget gets when none are given.
pub const DEFAULT_THRESHOLDS: [i32; 3] = [50, 80, 100];
/// Highest threshold accepted: 10x the amount is far past any useful alert.
pub const MAX_THRESHOLD_PCT: i32 = 1000;
pub const MAX_THRESHOLDS: usize = 10;

/// A new budget as an admin sends it; validated by [`create`].
#[derive(Debug, Clone)]
pub struct NewBudget {
    pub name: String,
    pub scope: BudgetScope,
    /// Required for every scope but `org`, where it must be empty.
    pub scope_value: Option<String>,
    /// `None`: every provider.
    pub provider: Option<ProviderKind>,
    pub period: BudgetPeriod,
    pub amount_usd: Decimal,
    /// Percents of the amount; [`DEFAULT_THRESHOLDS`] when `None`.
    pub thresholds: Option<Vec<i32>>,
    pub enabled: Option<bool>,
}

/// The fields a budget may change. Scope, provider and period are fixed:
/// alerts already raised belong to what the budget counted, so counting
/// something else is a new budget.
#[derive(Debug, Clone, Default)]
pub struct BudgetUpdate {
    pub name: Option<String>,
    pub amount_usd: Option<Decimal>,
    pub thresholds: Option<Vec<i32>>,
    pub enabled: Option<bool>,
}

pub async fn create(db: &impl ConnectionTrait, input: NewBudget) -> Result<Model> {
    let name = validate_name(&input.name)?;
    let scope = input.scope;
    let scope_value = input.scope_value.unwrap_or_default().trim().to_owned();
    match scope {
        BudgetScope::Org if !scope_value.is_empty() => {
            return Err(invalid("an org budget takes no scope value"));
        }
        BudgetScope::Org => {}
        _ if scope_value.is_empty() => {
            return Err(invalid(format!(
                "a {} budget needs a scope value (the {} id)",
                scope.as_str(),
                scope.as_str()
            )));
        }
        _ => crate::text::plain("the scope value", &scope_value)?,
    }
    let amount_micros = validate_amount(input.amount_usd)?;
    let thresholds =
        validate_thresholds(input.thresholds.as_deref().unwrap_or(&DEFAULT_THRESHOLDS))?;
    let now = Utc::now();
    Ok(ActiveModel {
        name: Set(name),
        scope: Set(scope),
        scope_value: Set(scope_value),
        provider: Set(ProviderScope::from(input.provider)),
        period: Set(input.period),
        amount_micros: Set(amount_micros),
        thresholds: Set(thresholds),
        enabled: Set(input.enabled.unwrap_or(true)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Changes a budget; every field is validated before anything is written.
pub async fn update(db: &impl ConnectionTrait, id: i64, change: BudgetUpdate) -> Result<Model> {
    let name = change.name.as_deref().map(validate_name).transpose()?;
    let amount = change.amount_usd.map(validate_amount).transpose()?;
    let thresholds = change
        .thresholds
        .as_deref()
        .map(validate_thresholds)
        .transpose()?;
    let found = get(db, id).await?;
    let mut row = ActiveModel::from(found);
    if let Some(name) = name {
        row.name = Set(name);
    }
    if let Some(amount) = amount {
        row.amount_micros = Set(amount);
    }
    if let Some(thresholds) = thresholds {
        row.thresholds = Set(thresholds);
    }
    if let Some(enabled) = change.enabled {
        row.enabled = Set(enabled);
    }
    row.updated_at = Set(Utc::now());
    Ok(row.update(db).await?)
}

/// Deletes a budget. Its alerts stay in the history (they carry the
/// budget's name), and undelivered ones are still delivered.
pub async fn delete(db: &impl ConnectionTrait, id: i64) -> Result<()> {
    let deleted = Entity::delete_by_id(id).exec(db).await?;
    if deleted.rows_affected == 0 {
        return Err(Error::NotFound(format!("budget {id}")));
    }
    Ok(())
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> Result<Model> {
    Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| Error::NotFound(format!("budget {id}")))
}

/// Budgets in creation order.
pub async fn list(db: &impl ConnectionTrait, page: &PageRequest) -> Result<Page<Model>> {
    by_id(db, Entity::find(), Column::Id, IdOrder::Oldest, page, |r| {
        r.id
    })
    .await
}

/// The thresholds of a stored budget, ascending.
pub fn thresholds_of(budget: &budget::Model) -> Vec<i32> {
    budget.thresholds.0.clone()
}

/// Where a budget stands in the period that contains a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetStatus {
    pub window: PeriodWindow,
    /// The last day counted: the evaluated day, or the period's last day.
    pub as_of: NaiveDate,
    pub spend_micros: i64,
    pub forecast_micros: i64,
    pub amount_micros: i64,
    /// Token-priced buckets in scope without a price: their cost is
    /// unknown, so the spend may be understated.
    pub unpriced_buckets: i64,
    /// The thresholds the spend has reached, ascending.
    pub crossed: Vec<i32>,
}

impl BudgetStatus {
    /// Spend as a percent of the amount, two decimals, rounded down so a
    /// threshold never shows as reached before it is.
    pub fn percent_used(&self) -> Decimal {
        percent(self.spend_micros, self.amount_micros)
    }

    pub fn forecast_percent(&self) -> Decimal {
        percent(self.forecast_micros, self.amount_micros)
    }
}

pub(crate) fn percent(part: i64, whole: i64) -> Decimal {
    if whole <= 0 {
        return Decimal::ZERO;
    }
    // i64 * 100 fits in Decimal's 96-bit mantissa, so these cannot fail;
    // the fallback only keeps the function total.
    Decimal::from(part)
        .checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|p| p.checked_div(Decimal::from(whole)))
        .map(|p| p.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::ToZero))
        .unwrap_or(Decimal::MAX)
}

/// True when `spend` has reached `pct` percent of `amount`, in exact integers.
pub fn reached(spend_micros: i64, amount_micros: i64, pct: i32) -> bool {
    i128::from(spend_micros) * 100 >= i128::from(pct) * i128::from(amount_micros)
}

/// Spend and forecast of `budget` in the period containing `day`, counting
/// usage from the period's first day through `day` (or the period's end).
pub async fn status(
    db: &impl ConnectionTrait,
    budget: &budget::Model,
    day: NaiveDate,
) -> Result<BudgetStatus> {
    let window = period::window(budget.period, day);
    let as_of = day.min(window.end);
    let mut filter = UsageFilter::new(DayRange::new(window.start, as_of)?);
    filter.providers = budget.provider.provider().into_iter().collect();
    let value = vec![budget.scope_value.clone()];
    match budget.scope {
        BudgetScope::Org => {}
        BudgetScope::Project => filter.project_ids = value,
        BudgetScope::ApiKey => filter.api_key_ids = value,
        BudgetScope::User => filter.user_ids = value,
        BudgetScope::Model => filter.models = value,
    }
    let sums = totals(db, &filter).await?;
    let spend = sums.cost_micros;
    let crossed = thresholds_of(budget)
        .into_iter()
        .filter(|pct| reached(spend, budget.amount_micros, *pct))
        .collect();
    Ok(BudgetStatus {
        forecast_micros: forecast_micros(spend, window, as_of),
        window,
        as_of,
        spend_micros: spend,
        amount_micros: budget.amount_micros,
        unpriced_buckets: sums.unpriced_buckets,
        crossed,
    })
}

fn validate_name(name: &str) -> Result<String> {
    crate::text::name("the name", name)
}

fn validate_amount(usd: Decimal) -> Result<i64> {
    match usd_to_micros(usd) {
        Some(micros) if micros > 0 => Ok(micros),
        Some(_) => Err(invalid(format!(
            "the budget amount must be positive, got {usd}"
        ))),
        None => Err(invalid(format!("the budget amount {usd} is too large"))),
    }
}

/// Sorted, deduplicated, each in 1..=1000.
fn validate_thresholds(thresholds: &[i32]) -> Result<Thresholds> {
    if thresholds.is_empty() {
        return Err(invalid("give at least one threshold"));
    }
    if let Some(bad) = thresholds
        .iter()
        .find(|t| !(1..=MAX_THRESHOLD_PCT).contains(*t))
    {
        return Err(invalid(format!(
            "threshold {bad} is outside 1..={MAX_THRESHOLD_PCT} percent"
        )));
    }
    let mut sorted = thresholds.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.len() > MAX_THRESHOLDS {
        return Err(invalid(format!(
            "at most {MAX_THRESHOLDS} thresholds per budget"
        )));
    }
    Ok(Thresholds(sorted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_are_validated_sorted_and_deduped() {
        assert_eq!(
            validate_thresholds(&[100, 50, 80, 50]).expect("valid"),
            Thresholds(vec![50, 80, 100])
        );
        assert!(validate_thresholds(&[]).is_err());
        assert!(validate_thresholds(&[0]).is_err());
        assert!(validate_thresholds(&[1001]).is_err());
        assert!(validate_thresholds(&[-5]).is_err());
        assert_eq!(
            validate_thresholds(&[1, 1000]).expect("valid"),
            Thresholds(vec![1, 1000])
        );
    }

    #[test]
    fn amounts_must_be_positive() {
        assert_eq!(
            validate_amount(Decimal::new(1050, 2)).expect("valid"),
            10_500_000
        );
        assert!(validate_amount(Decimal::ZERO).is_err());
        assert!(validate_amount(Decimal::new(-1, 0)).is_err());
        // Rounds to zero micro-dollars: not a usable budget.
        assert!(validate_amount(Decimal::new(1, 9)).is_err());
    }

    #[test]
    fn scopes_parse_from_their_stored_names() {
        assert_eq!("api_key".parse(), Ok(BudgetScope::ApiKey));
        assert_eq!("org".parse(), Ok(BudgetScope::Org));
        assert!("team".parse::<BudgetScope>().is_err());
    }

    #[test]
    fn thresholds_are_reached_exactly() {
        // 80 % of $10 is exactly $8.
        assert!(reached(8_000_000, 10_000_000, 80));
        assert!(!reached(7_999_999, 10_000_000, 80));
        assert!(reached(i64::MAX, i64::MAX, 100));
        assert_eq!(percent(7_999_999, 10_000_000).to_string(), "79.99");
        assert_eq!(percent(1, 0), Decimal::ZERO);
    }
}
