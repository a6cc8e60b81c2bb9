//! Creates `usage_bucket_archive`: the columns of `usage_bucket` (migration
//! 2), but the original id is kept rather than generated.
use sea_orm_migration::prelude::*;

use crate::m20261125_000002_create_usage_bucket::{UsageBucket, columns_after_id};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create()
            .table(UsageBucketArchive::Table)
            .col(
                ColumnDef::new(UsageBucket::Id)
                    .big_integer()
                    .not_null()
                    .primary_key(),
            )
            .to_owned();
        for column in columns_after_id() {
            table.col(column);
        }
        crate::create::table(
            manager,
            table,
            vec![
                // The hot table's dedupe key, so a restore can never create a second
                // bucket for the same (connection, type, day, dimensions).
                Index::create()
                    .name("ux_usage_bucket_archive_key")
                    .table(UsageBucketArchive::Table)
                    .col(UsageBucket::ConnectionId)
                    .col(UsageBucket::UsageType)
                    .col(UsageBucket::WindowStart)
                    .col(UsageBucket::ProjectId)
                    .col(UsageBucket::ApiKeyId)
                    .col(UsageBucket::UserId)
                    .col(UsageBucket::Model)
                    .col(UsageBucket::Batch)
                    .col(UsageBucket::ServiceTier)
                    .col(UsageBucket::ContextWindow)
                    .col(UsageBucket::InferenceGeo)
                    .col(UsageBucket::ImageSize)
                    .col(UsageBucket::ImageSource)
                    .col(UsageBucket::ContextLevel)
                    .col(UsageBucket::VectorStoreId)
                    .unique()
                    .to_owned(),
                Index::create()
                    .name("ix_usage_bucket_archive_window")
                    .table(UsageBucketArchive::Table)
                    .col(UsageBucket::WindowStart)
                    .col(UsageBucket::Provider)
                    .to_owned(),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::create::drop(manager, UsageBucketArchive::Table).await
    }
}

#[derive(DeriveIden)]
enum UsageBucketArchive {
    Table,
}
