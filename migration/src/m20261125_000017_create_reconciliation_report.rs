//! Creates `reconciliation_report`: billed-vs-computed comparisons.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = Table::create()
            .table(ReconciliationReport::Table)
            .col(
                ColumnDef::new(ReconciliationReport::Id)
                    .big_integer()
                    .not_null()
                    .auto_increment()
                    .primary_key(),
            )
            .col(
                ColumnDef::new(ReconciliationReport::RangeStart)
                    .date()
                    .not_null(),
            )
            .col(
                ColumnDef::new(ReconciliationReport::RangeEnd)
                    .date()
                    .not_null(),
            )
            .col(
                ColumnDef::new(ReconciliationReport::WithinTolerance)
                    .boolean()
                    .not_null(),
            )
            .col(
                ColumnDef::new(ReconciliationReport::BilledMicros)
                    .big_integer()
                    .not_null(),
            )
            .col(
                ColumnDef::new(ReconciliationReport::ComputedMicros)
                    .big_integer()
                    .not_null(),
            )
            .col(
                ColumnDef::new(ReconciliationReport::CreatedAt)
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .col(
                ColumnDef::new(ReconciliationReport::Findings)
                    .json()
                    .not_null(),
            )
            .to_owned();
        crate::create::table(manager, table, vec![]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::create::drop(manager, ReconciliationReport::Table).await
    }
}

#[derive(DeriveIden)]
enum ReconciliationReport {
    Table,
    Id,
    RangeStart,
    RangeEnd,
    WithinTolerance,
    BilledMicros,
    ComputedMicros,
    CreatedAt,
    Findings,
}
