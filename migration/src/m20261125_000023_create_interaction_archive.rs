//! Creates `interaction_archive`: the columns of `interaction` (migration 5).
use sea_orm_migration::prelude::*;

use crate::m20261125_000005_create_interaction::{Interaction, columns};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create().table(InteractionArchive::Table).to_owned();
        for column in columns() {
            table.col(column);
        }
        crate::create::table(
            manager,
            table,
            vec![
                // Same idempotency key as the hot table: a key is stored once across the
                // move and a restore.
                Index::create()
                    .name("ux_interaction_archive_idempotency")
                    .table(InteractionArchive::Table)
                    .col(Interaction::IngestKeyId)
                    .col(Interaction::IdempotencyKey)
                    .unique()
                    .to_owned(),
                Index::create()
                    .name("ix_interaction_archive_session")
                    .table(InteractionArchive::Table)
                    .col(Interaction::SessionId)
                    .col(Interaction::OccurredAt)
                    .to_owned(),
                Index::create()
                    .name("ix_interaction_archive_occurred")
                    .table(InteractionArchive::Table)
                    .col(Interaction::OccurredAt)
                    .to_owned(),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::create::drop(manager, InteractionArchive::Table).await
    }
}

#[derive(DeriveIden)]
enum InteractionArchive {
    Table,
}
