//! Creates `anomaly_alert`: unusual days, raised once per day, dimension
//! and value, and delivered as `usage.anomaly` webhook events.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let micros =
            |column: AnomalyAlert| ColumnDef::new(column).big_integer().not_null().to_owned();
        let table = Table::create()
            .table(AnomalyAlert::Table)
            .col(
                ColumnDef::new(AnomalyAlert::Id)
                    .big_integer()
                    .not_null()
                    .auto_increment()
                    .primary_key(),
            )
            .col(ColumnDef::new(AnomalyAlert::Day).date().not_null())
            .col(ColumnDef::new(AnomalyAlert::Dimension).string().not_null())
            .col(ColumnDef::new(AnomalyAlert::Value).string().not_null())
            .col(micros(AnomalyAlert::CostMicros))
            .col(micros(AnomalyAlert::BaselineMicros))
            .col(micros(AnomalyAlert::DeviationMicros))
            .col(ColumnDef::new(AnomalyAlert::ZScore).double())
            .col(
                ColumnDef::new(AnomalyAlert::CreatedAt)
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .col(ColumnDef::new(AnomalyAlert::DeliveredAt).timestamp_with_time_zone())
            .col(ColumnDef::new(AnomalyAlert::Attempts).integer().not_null())
            .col(ColumnDef::new(AnomalyAlert::LastError).string())
            .to_owned();
        manager.create_table(table).await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_anomaly_alert_day_value")
                    .table(AnomalyAlert::Table)
                    .col(AnomalyAlert::Day)
                    .col(AnomalyAlert::Dimension)
                    .col(AnomalyAlert::Value)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AnomalyAlert::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum AnomalyAlert {
    Table,
    Id,
    Day,
    Dimension,
    Value,
    CostMicros,
    BaselineMicros,
    DeviationMicros,
    ZScore,
    CreatedAt,
    DeliveredAt,
    Attempts,
    LastError,
}
