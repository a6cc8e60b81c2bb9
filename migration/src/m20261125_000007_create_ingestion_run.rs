//! Creates `ingestion_run`: telemetry of each ingestion run.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    // A table definition: one line per column and index.
    #[allow(clippy::too_many_lines)]
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = Table::create()
            .table(IngestionRun::Table)
            .col(
                ColumnDef::new(IngestionRun::Id)
                    .big_integer()
                    .not_null()
                    .auto_increment()
                    .primary_key(),
            )
            .col(ColumnDef::new(IngestionRun::Label).string().not_null())
            .col(ColumnDef::new(IngestionRun::Provider).string().not_null())
            .col(ColumnDef::new(IngestionRun::ConnectionId).big_integer())
            .col(ColumnDef::new(IngestionRun::RangeStart).date().not_null())
            .col(ColumnDef::new(IngestionRun::RangeEnd).date().not_null())
            .col(ColumnDef::new(IngestionRun::Status).string().not_null())
            .col(ColumnDef::new(IngestionRun::DryRun).boolean().not_null())
            .col(
                ColumnDef::new(IngestionRun::StartedAt)
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .col(ColumnDef::new(IngestionRun::FinishedAt).timestamp_with_time_zone())
            .col(
                ColumnDef::new(IngestionRun::DurationMs)
                    .big_integer()
                    .not_null(),
            )
            .col(
                ColumnDef::new(IngestionRun::Windows)
                    .big_integer()
                    .not_null(),
            )
            .col(ColumnDef::new(IngestionRun::Pages).big_integer().not_null())
            .col(
                ColumnDef::new(IngestionRun::RowsInserted)
                    .big_integer()
                    .not_null(),
            )
            .col(
                ColumnDef::new(IngestionRun::RowsUpdated)
                    .big_integer()
                    .not_null(),
            )
            .col(
                ColumnDef::new(IngestionRun::RowsDeleted)
                    .big_integer()
                    .not_null(),
            )
            .col(
                ColumnDef::new(IngestionRun::Retries)
                    .big_integer()
                    .not_null(),
            )
            .col(
                ColumnDef::new(IngestionRun::RateLimited)
                    .big_integer()
                    .not_null(),
            )
            .col(ColumnDef::new(IngestionRun::Issues).json().not_null())
            .to_owned();
        crate::create::table(manager, table, vec![]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::create::drop(manager, IngestionRun::Table).await
    }
}

#[derive(DeriveIden)]
enum IngestionRun {
    Table,
    Id,
    Label,
    Provider,
    ConnectionId,
    RangeStart,
    RangeEnd,
    Status,
    DryRun,
    StartedAt,
    FinishedAt,
    DurationMs,
    Windows,
    Pages,
    RowsInserted,
    RowsUpdated,
    RowsDeleted,
    Retries,
    RateLimited,
    Issues,
}
