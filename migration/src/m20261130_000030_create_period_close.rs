//! Creates `period_close` (a month closed by finance: who, when, and
//! whether it was reopened) and `period_close_line` (its usage frozen at
//! closing, per provider, project, API key and model).
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::create::table(manager, close_table(), vec![]).await?;
        crate::create::table(
            manager,
            line_table(),
            vec![
                Index::create()
                    .name("ix_period_close_line_close")
                    .table(PeriodCloseLine::Table)
                    .col(PeriodCloseLine::CloseId)
                    .to_owned(),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::create::drop(manager, PeriodCloseLine::Table).await?;
        crate::create::drop(manager, PeriodClose::Table).await
    }
}

fn id<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

fn close_table() -> TableCreateStatement {
    Table::create()
        .table(PeriodClose::Table)
        .col(id(PeriodClose::Id))
        .col(ColumnDef::new(PeriodClose::Period).string().not_null())
        .col(ColumnDef::new(PeriodClose::Provider).string())
        .col(ColumnDef::new(PeriodClose::FirstDay).date().not_null())
        .col(ColumnDef::new(PeriodClose::LastDay).date().not_null())
        .col(
            ColumnDef::new(PeriodClose::ClosedAt)
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(ColumnDef::new(PeriodClose::ClosedBy).string().not_null())
        .col(ColumnDef::new(PeriodClose::ReopenedAt).timestamp_with_time_zone())
        .col(ColumnDef::new(PeriodClose::ReopenedBy).string())
        .to_owned()
}

fn line_table() -> TableCreateStatement {
    let mut table = Table::create()
        .table(PeriodCloseLine::Table)
        .col(id(PeriodCloseLine::Id))
        .col(
            ColumnDef::new(PeriodCloseLine::CloseId)
                .big_integer()
                .not_null(),
        )
        .to_owned();
    for column in [
        PeriodCloseLine::Provider,
        PeriodCloseLine::ProjectId,
        PeriodCloseLine::ApiKeyId,
        PeriodCloseLine::Model,
    ] {
        table.col(ColumnDef::new(column).string().not_null());
    }
    for column in [
        PeriodCloseLine::InputTokens,
        PeriodCloseLine::InputCachedTokens,
        PeriodCloseLine::OutputTokens,
        PeriodCloseLine::NumModelRequests,
        PeriodCloseLine::CostMicros,
    ] {
        table.col(ColumnDef::new(column).big_integer().not_null());
    }
    table
}

#[derive(DeriveIden, Clone, Copy)]
enum PeriodClose {
    Table,
    Id,
    Period,
    Provider,
    FirstDay,
    LastDay,
    ClosedAt,
    ClosedBy,
    ReopenedAt,
    ReopenedBy,
}

#[derive(DeriveIden, Clone, Copy)]
enum PeriodCloseLine {
    Table,
    Id,
    CloseId,
    Provider,
    ProjectId,
    ApiKeyId,
    Model,
    InputTokens,
    InputCachedTokens,
    OutputTokens,
    NumModelRequests,
    CostMicros,
}
