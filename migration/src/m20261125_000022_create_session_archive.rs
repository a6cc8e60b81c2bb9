//! Creates `session_archive`: the columns of `session` (migration 4).
use sea_orm_migration::prelude::*;

use crate::m20261125_000004_create_session::{Session, columns};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create().table(SessionArchive::Table).to_owned();
        for column in columns() {
            table.col(column);
        }
        crate::create::table(
            manager,
            table,
            vec![
                Index::create()
                    .name("ix_session_archive_user_started")
                    .table(SessionArchive::Table)
                    .col(Session::UserId)
                    .col(Session::StartedAt)
                    .to_owned(),
                // Reads ask for the newest archived start to decide whether the
                // archive can hold rows of a range; restores select by start.
                Index::create()
                    .name("ix_session_archive_started")
                    .table(SessionArchive::Table)
                    .col(Session::StartedAt)
                    .to_owned(),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::create::drop(manager, SessionArchive::Table).await
    }
}

#[derive(DeriveIden)]
enum SessionArchive {
    Table,
}
