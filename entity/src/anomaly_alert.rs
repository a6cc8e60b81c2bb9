//! An unusual day of one project, API key or model
//! (`ledger::usage::anomalies`), raised once and delivered to the webhooks
//! as a `usage.anomaly` event.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "anomaly_alert")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub day: Date,
    /// `project`, `api_key` or `model`.
    pub dimension: String,
    pub value: String,
    pub cost_micros: i64,
    /// The baseline's median.
    pub baseline_micros: i64,
    /// The baseline's median absolute deviation.
    pub deviation_micros: i64,
    pub z_score: Option<f64>,
    pub created_at: DateTimeUtc,
    /// Set once every webhook accepted it (at once when there was none).
    pub delivered_at: Option<DateTimeUtc>,
    /// Delivery rounds that failed.
    pub attempts: i32,
    pub last_error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
