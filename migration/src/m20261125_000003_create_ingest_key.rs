//! Creates `ingest_key`: tracking keys, stored as their SHA-256.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = Table::create()
            .table(IngestKey::Table)
            .col(
                ColumnDef::new(IngestKey::Id)
                    .big_integer()
                    .not_null()
                    .auto_increment()
                    .primary_key(),
            )
            .col(ColumnDef::new(IngestKey::Name).string().not_null())
            .col(
                ColumnDef::new(IngestKey::KeyHash)
                    .string()
                    .not_null()
                    .unique_key(),
            )
            .col(ColumnDef::new(IngestKey::Prefix).string().not_null())
            .col(
                ColumnDef::new(IngestKey::CreatedAt)
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .col(ColumnDef::new(IngestKey::RevokedAt).timestamp_with_time_zone())
            .to_owned();
        crate::create::table(manager, table, vec![]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::create::drop(manager, IngestKey::Table).await
    }
}

#[derive(DeriveIden)]
enum IngestKey {
    Table,
    Id,
    Name,
    KeyHash,
    Prefix,
    CreatedAt,
    RevokedAt,
}
