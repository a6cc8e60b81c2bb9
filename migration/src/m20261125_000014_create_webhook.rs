//! Creates `webhook`: the endpoints that receive budget alerts.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = Table::create()
            .table(Webhook::Table)
            .col(
                ColumnDef::new(Webhook::Id)
                    .big_integer()
                    .not_null()
                    .auto_increment()
                    .primary_key(),
            )
            .col(ColumnDef::new(Webhook::Name).string().not_null())
            .col(ColumnDef::new(Webhook::Url).string().not_null())
            .col(ColumnDef::new(Webhook::Secret).string().not_null())
            .col(
                ColumnDef::new(Webhook::CreatedAt)
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .to_owned();
        crate::create::table(manager, table, vec![]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::create::drop(manager, Webhook::Table).await
    }
}

#[derive(DeriveIden)]
enum Webhook {
    Table,
    Id,
    Name,
    Url,
    Secret,
    CreatedAt,
}
