//! Creates `unit_rate`: the rates of the non-token parts of interactions.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = Table::create()
            .table(UnitRate::Table)
            .col(
                ColumnDef::new(UnitRate::Id)
                    .big_integer()
                    .not_null()
                    .auto_increment()
                    .primary_key(),
            )
            .col(
                ColumnDef::new(UnitRate::EffectiveFrom)
                    .date()
                    .not_null()
                    .unique_key(),
            )
            .col(ColumnDef::new(UnitRate::DbOpNanos).big_integer().not_null())
            .col(
                ColumnDef::new(UnitRate::ApiCallMicros)
                    .big_integer()
                    .not_null(),
            )
            .col(
                ColumnDef::new(UnitRate::ComputeSecondMicros)
                    .big_integer()
                    .not_null(),
            )
            .col(ColumnDef::new(UnitRate::CreatedBy).string().not_null())
            .col(
                ColumnDef::new(UnitRate::CreatedAt)
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .to_owned();
        crate::create::table(manager, table, vec![]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::create::drop(manager, UnitRate::Table).await
    }
}

#[derive(DeriveIden)]
enum UnitRate {
    Table,
    Id,
    EffectiveFrom,
    DbOpNanos,
    ApiCallMicros,
    ComputeSecondMicros,
    CreatedBy,
    CreatedAt,
}
