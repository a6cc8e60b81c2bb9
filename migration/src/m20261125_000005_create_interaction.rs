//! Creates `interaction`: the priced events inside a session.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create().table(Interaction::Table).to_owned();
        for column in columns() {
            table.col(column);
        }
        crate::create::table(
            manager,
            table,
            vec![
                // NULL idempotency keys are distinct in a unique index on both backends,
                // which is exactly "no key, no dedupe".
                Index::create()
                    .name("ux_interaction_idempotency")
                    .table(Interaction::Table)
                    .col(Interaction::IngestKeyId)
                    .col(Interaction::IdempotencyKey)
                    .unique()
                    .to_owned(),
                Index::create()
                    .name("ix_interaction_session")
                    .table(Interaction::Table)
                    .col(Interaction::SessionId)
                    .col(Interaction::OccurredAt)
                    .to_owned(),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::create::drop(manager, Interaction::Table).await
    }
}

/// Every column of `interaction` as this migration creates them.
/// `interaction_archive` (migration 23) copies them, so this list is
/// shipped history too: never edit it, add a migration.
// A table definition: one line per column.
#[allow(clippy::too_many_lines)]
pub(crate) fn columns() -> Vec<ColumnDef> {
    vec![
        ColumnDef::new(Interaction::Id)
            .string()
            .not_null()
            .primary_key()
            .to_owned(),
        ColumnDef::new(Interaction::SessionId)
            .string()
            .not_null()
            .to_owned(),
        ColumnDef::new(Interaction::IngestKeyId)
            .big_integer()
            .not_null()
            .to_owned(),
        ColumnDef::new(Interaction::Kind)
            .string()
            .not_null()
            .to_owned(),
        ColumnDef::new(Interaction::OccurredAt)
            .timestamp_with_time_zone()
            .not_null()
            .to_owned(),
        ColumnDef::new(Interaction::DurationMs)
            .big_integer()
            .to_owned(),
        ColumnDef::new(Interaction::Status)
            .string()
            .not_null()
            .to_owned(),
        ColumnDef::new(Interaction::Provider)
            .string()
            .not_null()
            .to_owned(),
        ColumnDef::new(Interaction::Model)
            .string()
            .not_null()
            .to_owned(),
        ColumnDef::new(Interaction::ProjectId)
            .string()
            .not_null()
            .to_owned(),
        ColumnDef::new(Interaction::ApiKeyId)
            .string()
            .not_null()
            .to_owned(),
        ColumnDef::new(Interaction::ServiceTier)
            .string()
            .not_null()
            .to_owned(),
        ColumnDef::new(Interaction::Batch)
            .boolean()
            .not_null()
            .to_owned(),
        ColumnDef::new(Interaction::InputTokens)
            .big_integer()
            .not_null()
            .to_owned(),
        ColumnDef::new(Interaction::CachedInputTokens)
            .big_integer()
            .not_null()
            .to_owned(),
        ColumnDef::new(Interaction::CacheWriteTokens)
            .big_integer()
            .not_null()
            .to_owned(),
        ColumnDef::new(Interaction::OutputTokens)
            .big_integer()
            .not_null()
            .to_owned(),
        ColumnDef::new(Interaction::DbOps)
            .big_integer()
            .not_null()
            .to_owned(),
        ColumnDef::new(Interaction::ApiCalls)
            .big_integer()
            .not_null()
            .to_owned(),
        ColumnDef::new(Interaction::ComputeMs)
            .big_integer()
            .not_null()
            .to_owned(),
        ColumnDef::new(Interaction::AiTokensMicros)
            .big_integer()
            .to_owned(),
        ColumnDef::new(Interaction::DbOpsMicros)
            .big_integer()
            .not_null()
            .to_owned(),
        ColumnDef::new(Interaction::ApiCallsMicros)
            .big_integer()
            .not_null()
            .to_owned(),
        ColumnDef::new(Interaction::ComputeMicros)
            .big_integer()
            .not_null()
            .to_owned(),
        ColumnDef::new(Interaction::ExplicitMicros)
            .big_integer()
            .not_null()
            .to_owned(),
        ColumnDef::new(Interaction::TotalMicros)
            .big_integer()
            .to_owned(),
        ColumnDef::new(Interaction::PriceVersionId)
            .big_integer()
            .to_owned(),
        ColumnDef::new(Interaction::IdempotencyKey)
            .string()
            .to_owned(),
        ColumnDef::new(Interaction::PayloadHash)
            .string()
            .not_null()
            .to_owned(),
        ColumnDef::new(Interaction::Metadata).json().to_owned(),
        ColumnDef::new(Interaction::CreatedAt)
            .timestamp_with_time_zone()
            .not_null()
            .to_owned(),
    ]
}

#[derive(DeriveIden)]
pub(crate) enum Interaction {
    Table,
    Id,
    SessionId,
    IngestKeyId,
    Kind,
    OccurredAt,
    DurationMs,
    Status,
    Provider,
    Model,
    ProjectId,
    ApiKeyId,
    ServiceTier,
    Batch,
    InputTokens,
    CachedInputTokens,
    CacheWriteTokens,
    OutputTokens,
    DbOps,
    ApiCalls,
    ComputeMs,
    AiTokensMicros,
    DbOpsMicros,
    ApiCallsMicros,
    ComputeMicros,
    ExplicitMicros,
    TotalMicros,
    PriceVersionId,
    IdempotencyKey,
    PayloadHash,
    Metadata,
    CreatedAt,
}
