//! One budget threshold crossed in one period: raised once (a unique index
//! on budget, period and threshold) and delivered to the webhooks.
use sea_orm::entity::prelude::*;

use crate::enums::{BudgetPeriod, BudgetScope, ProviderScope};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "budget_alert")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// No foreign key: the history outlives a deleted budget.
    pub budget_id: i64,
    /// The budget as it was when the alert was raised, so the history and
    /// late deliveries read without the budget row.
    pub budget_name: String,
    pub scope: BudgetScope,
    pub scope_value: String,
    pub provider: ProviderScope,
    pub period: BudgetPeriod,
    /// First UTC day of the period (the day, or the 1st of the month).
    pub period_start: Date,
    pub threshold_pct: i32,
    pub spend_micros: i64,
    pub forecast_micros: i64,
    pub amount_micros: i64,
    pub created_at: DateTimeUtc,
    /// Set once every webhook that existed when the alert was raised has
    /// it (immediately when there was none).
    pub delivered_at: Option<DateTimeUtc>,
    /// Ids of the webhooks that accepted the alert, comma-separated, so a
    /// retry never re-sends to one that already has it.
    pub delivered_to: String,
    /// HTTP attempts over all runs.
    pub attempts: i32,
    pub last_error: Option<String>,
    /// A delivering evaluator holds the alert until then, so concurrent
    /// evaluators never send it twice.
    pub claimed_until: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
