//! Indexes the sessions page (issue 10): every order it offers (newest,
//! most expensive, most tokens), alone, for one user, or within a range of
//! start times, reads its first rows from an index instead of sorting the
//! table. On `session` and `session_archive` alike, since a page reads
//! both. The order-by-cost and -tokens indexes of migration 25 are
//! prefixes of the new ones, which replace them.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: [&str; 2] = ["session", "session_archive"];

/// (name suffix, columns). The start time at the end of the cost and
/// tokens indexes lets a range be checked in the index while it is read in
/// order, without fetching the rows it skips.
const INDEXES: [(&str, &[&str]); 5] = [
    ("started_id", &["started_at", "id"]),
    ("user_cost", &["user_id", "total_cost_micros", "id"]),
    ("user_tokens", &["user_id", "total_tokens", "id"]),
    ("cost_started", &["total_cost_micros", "id", "started_at"]),
    ("tokens_started", &["total_tokens", "id", "started_at"]),
];

/// Migration 25's indexes on `session`, superseded by `*_cost_started`
/// and `*_tokens_started`.
const REPLACED: [(&str, &str); 2] = [
    ("ix_session_cost", "total_cost_micros"),
    ("ix_session_tokens", "total_tokens"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            for (suffix, columns) in INDEXES {
                let mut index = Index::create()
                    .name(format!("ix_{table}_{suffix}"))
                    .table(Alias::new(table))
                    .to_owned();
                for column in columns {
                    index.col(Alias::new(*column));
                }
                manager.create_index(index).await?;
            }
        }
        for (name, _) in REPLACED {
            manager
                .drop_index(
                    Index::drop()
                        .name(name)
                        .table(Alias::new("session"))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, column) in REPLACED {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Alias::new("session"))
                        .col(Alias::new(column))
                        .col(Alias::new("id"))
                        .to_owned(),
                )
                .await?;
        }
        for table in TABLES {
            for (suffix, _) in INDEXES {
                manager
                    .drop_index(
                        Index::drop()
                            .name(format!("ix_{table}_{suffix}"))
                            .table(Alias::new(table))
                            .to_owned(),
                    )
                    .await?;
            }
        }
        Ok(())
    }
}
