//! Creates `price_version`: the versions of the price book.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = Table::create()
            .table(PriceVersion::Table)
            .col(
                ColumnDef::new(PriceVersion::Id)
                    .big_integer()
                    .not_null()
                    .auto_increment()
                    .primary_key(),
            )
            .col(ColumnDef::new(PriceVersion::Source).string().not_null())
            .col(
                ColumnDef::new(PriceVersion::ContentHash)
                    .string()
                    .not_null()
                    .unique_key(),
            )
            .col(
                ColumnDef::new(PriceVersion::FetchedAt)
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .col(ColumnDef::new(PriceVersion::Data).string())
            .to_owned();
        crate::create::table(manager, table, vec![]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::create::drop(manager, PriceVersion::Table).await
    }
}

#[derive(DeriveIden)]
enum PriceVersion {
    Table,
    Id,
    Source,
    ContentHash,
    FetchedAt,
    Data,
}
