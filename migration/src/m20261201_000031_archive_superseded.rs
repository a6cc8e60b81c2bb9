//! Three changes of issue 15:
//! - `usage_bucket_superseded_archive`: the columns of
//!   `usage_bucket_superseded` (migration 29), its `version_id` kept rather
//!   than generated, so archival can move a day's replaced versions with
//!   its buckets;
//! - `period_close.open_scope`: `period:provider` (`*` for every provider)
//!   while a close is open, NULL once reopened, under a unique index, so two
//!   concurrent `closePeriod` calls cannot both write a close. A column
//!   rather than a partial index over (period, provider): the provider is
//!   NULL for "every provider" and a unique index treats NULLs as distinct;
//! - `parity_report.as_of`: the moment a comparison read the ledger as of.
use sea_orm_migration::prelude::*;

use crate::m20261125_000002_create_usage_bucket::{UsageBucket, columns_after_id};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::create::table(manager, superseded_archive(), vec![window_index()]).await?;
        manager
            .alter_table(
                Table::alter()
                    .table(PeriodClose::Table)
                    .add_column(ColumnDef::new(PeriodClose::OpenScope).string())
                    .to_owned(),
            )
            .await?;
        // Closes written before the guard: the oldest open close of each
        // (period, scope) takes the key. A duplicate that an earlier race
        // left open stays listed but unkeyed, rather than failing the
        // upgrade over data nobody can fix from here.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE period_close SET open_scope = period || ':' || COALESCE(provider, '*') \
                 WHERE reopened_at IS NULL AND id = (SELECT MIN(p.id) FROM period_close p \
                 WHERE p.reopened_at IS NULL AND p.period = period_close.period \
                 AND COALESCE(p.provider, '*') = COALESCE(period_close.provider, '*'))",
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_period_close_open_scope")
                    .table(PeriodClose::Table)
                    .col(PeriodClose::OpenScope)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ParityReport::Table)
                    .add_column(ColumnDef::new(ParityReport::AsOf).timestamp_with_time_zone())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ParityReport::Table)
                    .drop_column(ParityReport::AsOf)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ux_period_close_open_scope")
                    .table(PeriodClose::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(PeriodClose::Table)
                    .drop_column(PeriodClose::OpenScope)
                    .to_owned(),
            )
            .await?;
        crate::create::drop(manager, UsageBucketSupersededArchive::Table).await
    }
}

fn superseded_archive() -> TableCreateStatement {
    let mut table = Table::create()
        .table(UsageBucketSupersededArchive::Table)
        .col(
            ColumnDef::new(UsageBucketSupersededArchive::VersionId)
                .big_integer()
                .not_null()
                .primary_key(),
        )
        .col(ColumnDef::new(UsageBucket::Id).big_integer().not_null())
        .to_owned();
    for column in columns_after_id() {
        table.col(column);
    }
    table
        .col(
            ColumnDef::new(UsageBucketSupersededArchive::SupersededAt)
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(ColumnDef::new(UsageBucketSupersededArchive::SupersededByRunId).big_integer());
    table
}

/// What an as-of read and a restore look rows up by, as on the hot table.
fn window_index() -> IndexCreateStatement {
    Index::create()
        .name("ix_usage_bucket_superseded_archive_window")
        .table(UsageBucketSupersededArchive::Table)
        .col(UsageBucket::WindowStart)
        .col(UsageBucketSupersededArchive::SupersededAt)
        .to_owned()
}

#[derive(DeriveIden, Clone, Copy)]
enum UsageBucketSupersededArchive {
    #[sea_orm(iden = "usage_bucket_superseded_archive")]
    Table,
    VersionId,
    SupersededAt,
    SupersededByRunId,
}

#[derive(DeriveIden, Clone, Copy)]
enum PeriodClose {
    Table,
    OpenScope,
}

#[derive(DeriveIden, Clone, Copy)]
enum ParityReport {
    Table,
    AsOf,
}
