//! Creates `model_price`: admin price overrides per model and start date.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = Table::create()
            .table(ModelPrice::Table)
            .col(
                ColumnDef::new(ModelPrice::Id)
                    .big_integer()
                    .not_null()
                    .auto_increment()
                    .primary_key(),
            )
            .col(ColumnDef::new(ModelPrice::Provider).string().not_null())
            .col(ColumnDef::new(ModelPrice::Model).string().not_null())
            .col(ColumnDef::new(ModelPrice::EffectiveFrom).date().not_null())
            .col(ColumnDef::new(ModelPrice::InputMtok).string().not_null())
            .col(
                ColumnDef::new(ModelPrice::CachedInputMtok)
                    .string()
                    .not_null(),
            )
            .col(
                ColumnDef::new(ModelPrice::CacheWriteMtok)
                    .string()
                    .not_null(),
            )
            .col(ColumnDef::new(ModelPrice::OutputMtok).string().not_null())
            .col(ColumnDef::new(ModelPrice::CreatedBy).string().not_null())
            .col(
                ColumnDef::new(ModelPrice::CreatedAt)
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .to_owned();
        crate::create::table(
            manager,
            table,
            vec![
                Index::create()
                    .name("ux_model_price_key")
                    .table(ModelPrice::Table)
                    .col(ModelPrice::Provider)
                    .col(ModelPrice::Model)
                    .col(ModelPrice::EffectiveFrom)
                    .unique()
                    .to_owned(),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::create::drop(manager, ModelPrice::Table).await
    }
}

#[derive(DeriveIden)]
enum ModelPrice {
    Table,
    Id,
    Provider,
    Model,
    EffectiveFrom,
    InputMtok,
    CachedInputMtok,
    CacheWriteMtok,
    OutputMtok,
    CreatedBy,
    CreatedAt,
}
