//! A spending limit in USD over a UTC day or calendar month, for the whole
//! organisation or one project, API key, user or model.
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{ArrayType, Nullable, ValueType, ValueTypeErr};
use sea_orm::{ColIdx, QueryResult, TryGetError, TryGetable};

use crate::enums::{BudgetPeriod, BudgetScope, ProviderScope};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "budget")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub scope: BudgetScope,
    /// The project, key, user or model id; `''` for `org`.
    pub scope_value: String,
    pub provider: ProviderScope,
    pub period: BudgetPeriod,
    pub amount_micros: i64,
    pub thresholds: Thresholds,
    pub enabled: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Ascending percents of the amount at which alerts are raised, stored
/// comma-separated (`50,80,100`).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Thresholds(pub Vec<i32>);

impl Thresholds {
    fn encode(&self) -> String {
        let parts: Vec<String> = self.0.iter().map(i32::to_string).collect();
        parts.join(",")
    }

    /// Parts that are not numbers are skipped: a hand-edited row must not
    /// make the budget unreadable.
    fn decode(text: &str) -> Self {
        Self(
            text.split(',')
                .filter_map(|part| part.trim().parse().ok())
                .collect(),
        )
    }
}

impl From<Thresholds> for Value {
    fn from(thresholds: Thresholds) -> Self {
        Value::String(Some(thresholds.encode()))
    }
}

impl TryGetable for Thresholds {
    fn try_get_by<I: ColIdx>(res: &QueryResult, index: I) -> Result<Self, TryGetError> {
        String::try_get_by(res, index).map(|text| Thresholds::decode(&text))
    }
}

impl ValueType for Thresholds {
    fn try_from(v: Value) -> Result<Self, ValueTypeErr> {
        <String as ValueType>::try_from(v).map(|text| Thresholds::decode(&text))
    }

    fn type_name() -> String {
        "Thresholds".to_owned()
    }

    fn array_type() -> ArrayType {
        ArrayType::String
    }

    fn column_type() -> ColumnType {
        ColumnType::String(StringLen::None)
    }
}

impl Nullable for Thresholds {
    fn null() -> Value {
        Value::String(None)
    }
}
