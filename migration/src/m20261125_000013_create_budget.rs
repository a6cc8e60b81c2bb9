//! Creates `budget`: spending limits per scope and period.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = Table::create()
            .table(Budget::Table)
            .col(
                ColumnDef::new(Budget::Id)
                    .big_integer()
                    .not_null()
                    .auto_increment()
                    .primary_key(),
            )
            .col(ColumnDef::new(Budget::Name).string().not_null())
            .col(ColumnDef::new(Budget::Scope).string().not_null())
            .col(ColumnDef::new(Budget::ScopeValue).string().not_null())
            .col(ColumnDef::new(Budget::Provider).string().not_null())
            .col(ColumnDef::new(Budget::Period).string().not_null())
            .col(
                ColumnDef::new(Budget::AmountMicros)
                    .big_integer()
                    .not_null(),
            )
            .col(ColumnDef::new(Budget::Thresholds).string().not_null())
            .col(ColumnDef::new(Budget::Enabled).boolean().not_null())
            .col(
                ColumnDef::new(Budget::CreatedAt)
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .col(
                ColumnDef::new(Budget::UpdatedAt)
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .to_owned();
        crate::create::table(manager, table, vec![]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::create::drop(manager, Budget::Table).await
    }
}

#[derive(DeriveIden)]
enum Budget {
    Table,
    Id,
    Name,
    Scope,
    ScopeValue,
    Provider,
    Period,
    AmountMicros,
    Thresholds,
    Enabled,
    CreatedAt,
    UpdatedAt,
}
