//! Adds `total_tokens` (input + output tokens of the session's
//! interactions) to `session` and `session_archive`, filled from the
//! interactions already stored, and indexes the session orders the
//! sessions page offers (by cost, by tokens).
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: [(&str, &str); 2] = [
    ("session", "interaction"),
    ("session_archive", "interaction_archive"),
];
const INDEXES: [(&str, &str); 2] = [
    ("ix_session_cost", "total_cost_micros"),
    ("ix_session_tokens", "total_tokens"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (sessions, interactions) in TABLES {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(sessions))
                        .add_column(
                            ColumnDef::new(Alias::new("total_tokens"))
                                .big_integer()
                                .not_null()
                                .default(0),
                        )
                        .to_owned(),
                )
                .await?;
            // Archived sessions keep their interactions in the archive
            // (they move together), so each table sums its own.
            manager
                .get_connection()
                .execute_unprepared(&format!(
                    "UPDATE {sessions} SET total_tokens = COALESCE((SELECT SUM(i.input_tokens + i.output_tokens) \
                     FROM {interactions} i WHERE i.session_id = {sessions}.id), 0)"
                ))
                .await?;
        }
        for (name, column) in INDEXES {
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
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, _) in INDEXES {
            manager
                .drop_index(
                    Index::drop()
                        .name(name)
                        .table(Alias::new("session"))
                        .to_owned(),
                )
                .await?;
        }
        for (sessions, _) in TABLES {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(sessions))
                        .drop_column(Alias::new("total_tokens"))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
