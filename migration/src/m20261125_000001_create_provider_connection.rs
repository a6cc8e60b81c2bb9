//! Creates `provider_connection`: the provider accounts ingestion pulls from.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = Table::create()
            .table(ProviderConnection::Table)
            .col(
                ColumnDef::new(ProviderConnection::Id)
                    .big_integer()
                    .not_null()
                    .auto_increment()
                    .primary_key(),
            )
            .col(
                ColumnDef::new(ProviderConnection::Name)
                    .string()
                    .not_null()
                    .unique_key(),
            )
            .col(
                ColumnDef::new(ProviderConnection::Provider)
                    .string()
                    .not_null(),
            )
            .col(
                ColumnDef::new(ProviderConnection::IsDemo)
                    .boolean()
                    .not_null(),
            )
            .col(ColumnDef::new(ProviderConnection::KeyCiphertext).string())
            .col(
                ColumnDef::new(ProviderConnection::KeyFingerprint)
                    .string()
                    .not_null(),
            )
            .col(ColumnDef::new(ProviderConnection::BaseUrl).string())
            .col(ColumnDef::new(ProviderConnection::CompleteThrough).date())
            .col(
                ColumnDef::new(ProviderConnection::CreatedAt)
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .to_owned();
        crate::create::table(manager, table, vec![]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::create::drop(manager, ProviderConnection::Table).await
    }
}

#[derive(DeriveIden)]
enum ProviderConnection {
    Table,
    Id,
    Name,
    Provider,
    IsDemo,
    KeyCiphertext,
    KeyFingerprint,
    BaseUrl,
    CompleteThrough,
    CreatedAt,
}
