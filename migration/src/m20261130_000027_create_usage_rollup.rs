//! Creates `usage_rollup`: provider usage summed per UTC day at a few
//! coarse grains (see `ledger::usage::rollup`). The table starts empty; the
//! service fills it from the stored buckets when it starts, because the
//! grains are the ledger's to define, not this migration's.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::create::table(manager, table(), indexes()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::create::drop(manager, UsageRollup::Table).await
    }
}

fn table() -> TableCreateStatement {
    let text = |column: UsageRollup| ColumnDef::new(column).string().not_null().to_owned();
    let sum = |column: UsageRollup| ColumnDef::new(column).big_integer().not_null().to_owned();
    let mut table = Table::create()
        .table(UsageRollup::Table)
        .col(
            ColumnDef::new(UsageRollup::Id)
                .big_integer()
                .not_null()
                .auto_increment()
                .primary_key(),
        )
        .col(ColumnDef::new(UsageRollup::Grain).integer().not_null())
        .col(
            ColumnDef::new(UsageRollup::WindowStart)
                .timestamp_with_time_zone()
                .not_null(),
        )
        .to_owned();
    for column in [
        UsageRollup::Provider,
        UsageRollup::ProjectId,
        UsageRollup::ApiKeyId,
        UsageRollup::UserId,
        UsageRollup::Model,
        UsageRollup::Batch,
        UsageRollup::ServiceTier,
    ] {
        table.col(text(column));
    }
    for column in [
        UsageRollup::InputTokens,
        UsageRollup::InputCachedTokens,
        UsageRollup::InputCacheWriteTokens,
        UsageRollup::OutputTokens,
        UsageRollup::InputAudioTokens,
        UsageRollup::OutputAudioTokens,
        UsageRollup::NumModelRequests,
        UsageRollup::CostMicros,
        UsageRollup::UnpricedBuckets,
        UsageRollup::EstimatedBuckets,
        UsageRollup::UnpricedTokens,
        UsageRollup::Buckets,
    ] {
        table.col(sum(column));
    }
    table
}

fn indexes() -> Vec<IndexCreateStatement> {
    // A read finds its grain's days; one filtered by project (the filter
    // dashboards use most, on the grains with most rows) its projects'
    // days. No more: every ingestion rewrites its day's rows.
    let index = |name: &str, column: Option<UsageRollup>| {
        let mut index = Index::create()
            .name(name)
            .table(UsageRollup::Table)
            .col(UsageRollup::Grain)
            .to_owned();
        if let Some(column) = column {
            index.col(column);
        }
        index.col(UsageRollup::WindowStart).to_owned()
    };
    vec![
        index("ix_usage_rollup_day", None),
        index("ix_usage_rollup_project", Some(UsageRollup::ProjectId)),
        Index::create()
            .name("ix_usage_rollup_window")
            .table(UsageRollup::Table)
            .col(UsageRollup::WindowStart)
            .to_owned(),
    ]
}

#[derive(DeriveIden, Clone, Copy)]
enum UsageRollup {
    Table,
    Id,
    Grain,
    WindowStart,
    Provider,
    ProjectId,
    ApiKeyId,
    UserId,
    Model,
    Batch,
    ServiceTier,
    InputTokens,
    InputCachedTokens,
    InputCacheWriteTokens,
    OutputTokens,
    InputAudioTokens,
    OutputAudioTokens,
    NumModelRequests,
    CostMicros,
    UnpricedBuckets,
    EstimatedBuckets,
    UnpricedTokens,
    Buckets,
}
