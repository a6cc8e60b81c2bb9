//! Local-time days and re-ingestion without writes (issue 15):
//! `usage_hour` holds hourly buckets (the columns of `usage_bucket`,
//! migration 2, with one-hour windows) for connections that ingest them,
//! `usage_day_digest` the content hash of each stored day set so an
//! identical re-ingest compares one hash instead of every row, and
//! `provider_connection.hourly_buckets` says which connections pull hours.
use sea_orm_migration::prelude::*;

use crate::m20261125_000002_create_usage_bucket::{UsageBucket, columns_after_id};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::create::table(manager, hour_table(), hour_indexes()).await?;
        crate::create::table(manager, digest_table(), vec![]).await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ProviderConnection::Table)
                    .add_column(
                        ColumnDef::new(ProviderConnection::HourlyBuckets)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ProviderConnection::Table)
                    .drop_column(ProviderConnection::HourlyBuckets)
                    .to_owned(),
            )
            .await?;
        crate::create::drop(manager, UsageDayDigest::Table).await?;
        crate::create::drop(manager, UsageHour::Table).await
    }
}

fn hour_table() -> TableCreateStatement {
    let mut hours = Table::create()
        .table(UsageHour::Table)
        .col(
            ColumnDef::new(UsageBucket::Id)
                .big_integer()
                .not_null()
                .auto_increment()
                .primary_key(),
        )
        .to_owned();
    for column in columns_after_id() {
        hours.col(column);
    }
    hours
}

fn hour_indexes() -> Vec<IndexCreateStatement> {
    vec![
        // Replacing a day's hours finds them by this prefix.
        Index::create()
            .name("ix_usage_hour_set")
            .table(UsageHour::Table)
            .col(UsageBucket::ConnectionId)
            .col(UsageBucket::UsageType)
            .col(UsageBucket::WindowStart)
            .to_owned(),
        Index::create()
            .name("ix_usage_hour_window")
            .table(UsageHour::Table)
            .col(UsageBucket::WindowStart)
            .col(UsageBucket::Provider)
            .to_owned(),
    ]
}

fn digest_table() -> TableCreateStatement {
    Table::create()
        .table(UsageDayDigest::Table)
        .col(
            ColumnDef::new(UsageDayDigest::ConnectionId)
                .big_integer()
                .not_null(),
        )
        .col(
            ColumnDef::new(UsageDayDigest::UsageType)
                .string()
                .not_null(),
        )
        .col(
            ColumnDef::new(UsageDayDigest::Day)
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(ColumnDef::new(UsageDayDigest::Width).string().not_null())
        .col(
            ColumnDef::new(UsageDayDigest::ContentHash)
                .string()
                .not_null(),
        )
        .col(
            ColumnDef::new(UsageDayDigest::Rows)
                .big_integer()
                .not_null(),
        )
        .col(
            ColumnDef::new(UsageDayDigest::CheckedAt)
                .timestamp_with_time_zone()
                .not_null(),
        )
        .primary_key(
            Index::create()
                .col(UsageDayDigest::ConnectionId)
                .col(UsageDayDigest::UsageType)
                .col(UsageDayDigest::Day)
                .col(UsageDayDigest::Width),
        )
        .to_owned()
}

#[derive(DeriveIden, Clone, Copy)]
enum UsageHour {
    #[sea_orm(iden = "usage_hour")]
    Table,
}

#[derive(DeriveIden, Clone, Copy)]
enum UsageDayDigest {
    #[sea_orm(iden = "usage_day_digest")]
    Table,
    ConnectionId,
    UsageType,
    Day,
    Width,
    ContentHash,
    Rows,
    CheckedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ProviderConnection {
    Table,
    HourlyBuckets,
}
