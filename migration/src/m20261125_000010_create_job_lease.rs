//! Creates `job_lease`: one lease per scheduled job.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = Table::create()
            .table(JobLease::Table)
            .col(
                ColumnDef::new(JobLease::Name)
                    .string()
                    .not_null()
                    .primary_key(),
            )
            .col(ColumnDef::new(JobLease::Holder).string().not_null())
            .col(
                ColumnDef::new(JobLease::ExpiresAt)
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .to_owned();
        crate::create::table(manager, table, vec![]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::create::drop(manager, JobLease::Table).await
    }
}

#[derive(DeriveIden)]
enum JobLease {
    Table,
    Name,
    Holder,
    ExpiresAt,
}
