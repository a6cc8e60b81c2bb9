//! Creates `parity_report`: stored-vs-CSV comparisons.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = Table::create()
            .table(ParityReport::Table)
            .col(
                ColumnDef::new(ParityReport::Id)
                    .big_integer()
                    .not_null()
                    .auto_increment()
                    .primary_key(),
            )
            .col(ColumnDef::new(ParityReport::Provider).string().not_null())
            .col(ColumnDef::new(ParityReport::RangeStart).date().not_null())
            .col(ColumnDef::new(ParityReport::RangeEnd).date().not_null())
            .col(
                ColumnDef::new(ParityReport::WithinTolerance)
                    .boolean()
                    .not_null(),
            )
            .col(
                ColumnDef::new(ParityReport::CreatedAt)
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .col(ColumnDef::new(ParityReport::Summary).json().not_null())
            .to_owned();
        crate::create::table(manager, table, vec![]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::create::drop(manager, ParityReport::Table).await
    }
}

#[derive(DeriveIden)]
enum ParityReport {
    Table,
    Id,
    Provider,
    RangeStart,
    RangeEnd,
    WithinTolerance,
    CreatedAt,
    Summary,
}
