//! Creates `parity_file`: the CSV files the watched parity folder processed.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = Table::create()
            .table(ParityFile::Table)
            .col(
                ColumnDef::new(ParityFile::Id)
                    .big_integer()
                    .not_null()
                    .auto_increment()
                    .primary_key(),
            )
            .col(ColumnDef::new(ParityFile::FileName).string().not_null())
            .col(ColumnDef::new(ParityFile::ContentHash).string().not_null())
            .col(ColumnDef::new(ParityFile::ReportId).big_integer())
            .col(ColumnDef::new(ParityFile::Error).string())
            .col(
                ColumnDef::new(ParityFile::ProcessedAt)
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .to_owned();
        crate::create::table(
            manager,
            table,
            vec![
                // One row per (file name, content): replicas scanning the same folder
                // claim a file with ON CONFLICT DO NOTHING against this index, so each
                // version of a file is compared once.
                Index::create()
                    .name("ux_parity_file_once")
                    .table(ParityFile::Table)
                    .col(ParityFile::FileName)
                    .col(ParityFile::ContentHash)
                    .unique()
                    .to_owned(),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::create::drop(manager, ParityFile::Table).await
    }
}

#[derive(DeriveIden)]
enum ParityFile {
    Table,
    Id,
    FileName,
    ContentHash,
    ReportId,
    Error,
    ProcessedAt,
}
