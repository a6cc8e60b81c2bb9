//! Creates `usage_bucket_superseded` (replaced versions of buckets: the
//! columns of `usage_bucket`, migration 2, plus when and by which run they
//! were replaced) and `usage_revision` (what a restatement changed).
use sea_orm_migration::prelude::*;

use crate::m20261125_000002_create_usage_bucket::{UsageBucket, columns_after_id};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut superseded = Table::create()
            .table(UsageBucketSuperseded::Table)
            .col(
                ColumnDef::new(UsageBucketSuperseded::VersionId)
                    .big_integer()
                    .not_null()
                    .auto_increment()
                    .primary_key(),
            )
            .col(ColumnDef::new(UsageBucket::Id).big_integer().not_null())
            .to_owned();
        for column in columns_after_id() {
            superseded.col(column);
        }
        superseded
            .col(
                ColumnDef::new(UsageBucketSuperseded::SupersededAt)
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .col(ColumnDef::new(UsageBucketSuperseded::SupersededByRunId).big_integer());
        crate::create::table(
            manager,
            superseded,
            vec![
                Index::create()
                    .name("ix_usage_bucket_superseded_window")
                    .table(UsageBucketSuperseded::Table)
                    .col(UsageBucket::WindowStart)
                    .col(UsageBucketSuperseded::SupersededAt)
                    .to_owned(),
            ],
        )
        .await?;
        crate::create::table(manager, revision_table(), vec![revision_index()]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::create::drop(manager, UsageRevision::Table).await?;
        crate::create::drop(manager, UsageBucketSuperseded::Table).await
    }
}

fn revision_table() -> TableCreateStatement {
    let mut table = Table::create()
        .table(UsageRevision::Table)
        .col(
            ColumnDef::new(UsageRevision::Id)
                .big_integer()
                .not_null()
                .auto_increment()
                .primary_key(),
        )
        .col(
            ColumnDef::new(UsageRevision::ConnectionId)
                .big_integer()
                .not_null(),
        )
        .col(ColumnDef::new(UsageRevision::Provider).string().not_null())
        .col(ColumnDef::new(UsageRevision::UsageType).string().not_null())
        .col(ColumnDef::new(UsageRevision::Day).date().not_null())
        .col(
            ColumnDef::new(UsageRevision::RevisedAt)
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(ColumnDef::new(UsageRevision::RunId).big_integer())
        .to_owned();
    for column in [
        UsageRevision::BucketsAdded,
        UsageRevision::BucketsChanged,
        UsageRevision::BucketsRemoved,
        UsageRevision::InputTokensDelta,
        UsageRevision::InputCachedTokensDelta,
        UsageRevision::OutputTokensDelta,
        UsageRevision::NumModelRequestsDelta,
        UsageRevision::CostMicrosDelta,
    ] {
        table.col(ColumnDef::new(column).big_integer().not_null());
    }
    // The `usage.revised` webhook: pending until the budgets job delivers
    // it or finds it below the threshold.
    table
        .col(
            ColumnDef::new(UsageRevision::AlertState)
                .string()
                .not_null(),
        )
        .col(ColumnDef::new(UsageRevision::Attempts).integer().not_null())
        .col(ColumnDef::new(UsageRevision::DeliveredAt).timestamp_with_time_zone())
        .col(ColumnDef::new(UsageRevision::LastError).string());
    table
}

fn revision_index() -> IndexCreateStatement {
    Index::create()
        .name("ix_usage_revision_day")
        .table(UsageRevision::Table)
        .col(UsageRevision::Day)
        .to_owned()
}

#[derive(DeriveIden, Clone, Copy)]
enum UsageBucketSuperseded {
    #[sea_orm(iden = "usage_bucket_superseded")]
    Table,
    VersionId,
    SupersededAt,
    SupersededByRunId,
}

#[derive(DeriveIden, Clone, Copy)]
enum UsageRevision {
    Table,
    Id,
    ConnectionId,
    Provider,
    UsageType,
    Day,
    RevisedAt,
    RunId,
    BucketsAdded,
    BucketsChanged,
    BucketsRemoved,
    InputTokensDelta,
    InputCachedTokensDelta,
    OutputTokensDelta,
    NumModelRequestsDelta,
    CostMicrosDelta,
    AlertState,
    Attempts,
    DeliveredAt,
    LastError,
}
