//! Creates `billed_cost`: what the providers' costs APIs billed.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = Table::create()
            .table(BilledCost::Table)
            .col(
                ColumnDef::new(BilledCost::Id)
                    .big_integer()
                    .not_null()
                    .auto_increment()
                    .primary_key(),
            )
            .col(
                ColumnDef::new(BilledCost::ConnectionId)
                    .big_integer()
                    .not_null(),
            )
            .col(ColumnDef::new(BilledCost::Provider).string().not_null())
            .col(ColumnDef::new(BilledCost::Day).date().not_null())
            .col(ColumnDef::new(BilledCost::ProjectId).string().not_null())
            .col(ColumnDef::new(BilledCost::ApiKeyId).string().not_null())
            .col(ColumnDef::new(BilledCost::LineItem).string().not_null())
            .col(ColumnDef::new(BilledCost::Model).string().not_null())
            .col(ColumnDef::new(BilledCost::AmountUsd).string().not_null())
            .col(
                ColumnDef::new(BilledCost::AmountMicros)
                    .big_integer()
                    .not_null(),
            )
            .col(ColumnDef::new(BilledCost::RunId).big_integer())
            .to_owned();
        crate::create::table(
            manager,
            table,
            vec![
                Index::create()
                    .name("ux_billed_cost_key")
                    .table(BilledCost::Table)
                    .col(BilledCost::ConnectionId)
                    .col(BilledCost::Day)
                    .col(BilledCost::ProjectId)
                    .col(BilledCost::ApiKeyId)
                    .col(BilledCost::LineItem)
                    .col(BilledCost::Model)
                    .unique()
                    .to_owned(),
                Index::create()
                    .name("ix_billed_cost_day")
                    .table(BilledCost::Table)
                    .col(BilledCost::Day)
                    .col(BilledCost::Provider)
                    .to_owned(),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::create::drop(manager, BilledCost::Table).await
    }
}

#[derive(DeriveIden)]
enum BilledCost {
    Table,
    Id,
    ConnectionId,
    Provider,
    Day,
    ProjectId,
    ApiKeyId,
    LineItem,
    Model,
    AmountUsd,
    AmountMicros,
    RunId,
}
