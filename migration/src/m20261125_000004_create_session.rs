//! Creates `session`: application sessions reported through the tracking API.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create().table(Session::Table).to_owned();
        for column in columns() {
            table.col(column);
        }
        crate::create::table(
            manager,
            table,
            vec![
                Index::create()
                    .name("ix_session_user_started")
                    .table(Session::Table)
                    .col(Session::UserId)
                    .col(Session::StartedAt)
                    .to_owned(),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::create::drop(manager, Session::Table).await
    }
}

/// Every column of `session` as this migration creates them.
/// `session_archive` (migration 22) copies them, so this list is
/// shipped history too: never edit it, add a migration.
pub(crate) fn columns() -> Vec<ColumnDef> {
    vec![
        ColumnDef::new(Session::Id)
            .string()
            .not_null()
            .primary_key()
            .to_owned(),
        ColumnDef::new(Session::IngestKeyId)
            .big_integer()
            .not_null()
            .to_owned(),
        ColumnDef::new(Session::UserId)
            .string()
            .not_null()
            .to_owned(),
        ColumnDef::new(Session::ExternalId).string().to_owned(),
        ColumnDef::new(Session::StartedAt)
            .timestamp_with_time_zone()
            .not_null()
            .to_owned(),
        ColumnDef::new(Session::EndedAt)
            .timestamp_with_time_zone()
            .to_owned(),
        ColumnDef::new(Session::Metadata).json().to_owned(),
        ColumnDef::new(Session::InteractionCount)
            .big_integer()
            .not_null()
            .to_owned(),
        ColumnDef::new(Session::TotalCostMicros)
            .big_integer()
            .not_null()
            .to_owned(),
        ColumnDef::new(Session::CreatedAt)
            .timestamp_with_time_zone()
            .not_null()
            .to_owned(),
    ]
}

#[derive(DeriveIden)]
pub(crate) enum Session {
    Table,
    Id,
    IngestKeyId,
    UserId,
    ExternalId,
    StartedAt,
    EndedAt,
    Metadata,
    InteractionCount,
    TotalCostMicros,
    CreatedAt,
}
