//! Creates `budget_alert`: budget thresholds crossed, once per period.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    // A table definition: one line per column and index.
    #[allow(clippy::too_many_lines)]
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = Table::create()
            .table(BudgetAlert::Table)
            .col(
                ColumnDef::new(BudgetAlert::Id)
                    .big_integer()
                    .not_null()
                    .auto_increment()
                    .primary_key(),
            )
            .col(
                ColumnDef::new(BudgetAlert::BudgetId)
                    .big_integer()
                    .not_null(),
            )
            .col(ColumnDef::new(BudgetAlert::BudgetName).string().not_null())
            .col(ColumnDef::new(BudgetAlert::Scope).string().not_null())
            .col(ColumnDef::new(BudgetAlert::ScopeValue).string().not_null())
            .col(ColumnDef::new(BudgetAlert::Provider).string().not_null())
            .col(ColumnDef::new(BudgetAlert::Period).string().not_null())
            .col(ColumnDef::new(BudgetAlert::PeriodStart).date().not_null())
            .col(
                ColumnDef::new(BudgetAlert::ThresholdPct)
                    .integer()
                    .not_null(),
            )
            .col(
                ColumnDef::new(BudgetAlert::SpendMicros)
                    .big_integer()
                    .not_null(),
            )
            .col(
                ColumnDef::new(BudgetAlert::ForecastMicros)
                    .big_integer()
                    .not_null(),
            )
            .col(
                ColumnDef::new(BudgetAlert::AmountMicros)
                    .big_integer()
                    .not_null(),
            )
            .col(
                ColumnDef::new(BudgetAlert::CreatedAt)
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .col(ColumnDef::new(BudgetAlert::DeliveredAt).timestamp_with_time_zone())
            .col(ColumnDef::new(BudgetAlert::DeliveredTo).string().not_null())
            .col(ColumnDef::new(BudgetAlert::Attempts).integer().not_null())
            .col(ColumnDef::new(BudgetAlert::LastError).string())
            .col(ColumnDef::new(BudgetAlert::ClaimedUntil).timestamp_with_time_zone())
            .to_owned();
        crate::create::table(
            manager,
            table,
            vec![
                // One alert per (budget, period, threshold): re-runs and concurrent
                // evaluators insert with ON CONFLICT DO NOTHING against this index.
                Index::create()
                    .name("ux_budget_alert_once")
                    .table(BudgetAlert::Table)
                    .col(BudgetAlert::BudgetId)
                    .col(BudgetAlert::PeriodStart)
                    .col(BudgetAlert::ThresholdPct)
                    .unique()
                    .to_owned(),
                Index::create()
                    .name("ix_budget_alert_delivered")
                    .table(BudgetAlert::Table)
                    .col(BudgetAlert::DeliveredAt)
                    .to_owned(),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::create::drop(manager, BudgetAlert::Table).await
    }
}

#[derive(DeriveIden)]
enum BudgetAlert {
    Table,
    Id,
    BudgetId,
    BudgetName,
    Scope,
    ScopeValue,
    Provider,
    Period,
    PeriodStart,
    ThresholdPct,
    SpendMicros,
    ForecastMicros,
    AmountMicros,
    CreatedAt,
    DeliveredAt,
    DeliveredTo,
    Attempts,
    LastError,
    ClaimedUntil,
}
