//! Creates `inventory_item`: named provider objects per connection.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = Table::create()
            .table(InventoryItem::Table)
            .col(
                ColumnDef::new(InventoryItem::Id)
                    .big_integer()
                    .not_null()
                    .auto_increment()
                    .primary_key(),
            )
            .col(
                ColumnDef::new(InventoryItem::ConnectionId)
                    .big_integer()
                    .not_null(),
            )
            .col(ColumnDef::new(InventoryItem::Provider).string().not_null())
            .col(ColumnDef::new(InventoryItem::Kind).string().not_null())
            .col(
                ColumnDef::new(InventoryItem::ExternalId)
                    .string()
                    .not_null(),
            )
            .col(ColumnDef::new(InventoryItem::Name).string().not_null())
            .col(ColumnDef::new(InventoryItem::ParentId).string().not_null())
            .col(ColumnDef::new(InventoryItem::OwnerId).string().not_null())
            .col(ColumnDef::new(InventoryItem::OwnerName).string().not_null())
            .col(ColumnDef::new(InventoryItem::Status).string().not_null())
            .col(
                ColumnDef::new(InventoryItem::RefreshedAt)
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .to_owned();
        crate::create::table(
            manager,
            table,
            vec![
                // One row per provider object and connection; a refresh upserts on this key.
                Index::create()
                    .name("ux_inventory_item_key")
                    .table(InventoryItem::Table)
                    .col(InventoryItem::ConnectionId)
                    .col(InventoryItem::Kind)
                    .col(InventoryItem::ExternalId)
                    .unique()
                    .to_owned(),
                Index::create()
                    .name("ix_inventory_item_provider_kind")
                    .table(InventoryItem::Table)
                    .col(InventoryItem::Provider)
                    .col(InventoryItem::Kind)
                    .to_owned(),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::create::drop(manager, InventoryItem::Table).await
    }
}

#[derive(DeriveIden)]
enum InventoryItem {
    Table,
    Id,
    ConnectionId,
    Provider,
    Kind,
    ExternalId,
    Name,
    ParentId,
    OwnerId,
    OwnerName,
    Status,
    RefreshedAt,
}
