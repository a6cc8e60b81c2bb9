//! Shared steps of the table-creating migrations. Each migration spells out
//! its own columns and indexes: nothing here reads the entities, whose later
//! changes must never alter what an old migration creates.
use sea_orm_migration::prelude::*;

/// Creates `table`, then `indexes` in order.
pub async fn table(
    manager: &SchemaManager<'_>,
    table: TableCreateStatement,
    indexes: Vec<IndexCreateStatement>,
) -> Result<(), DbErr> {
    manager.create_table(table).await?;
    for index in indexes {
        manager.create_index(index).await?;
    }
    Ok(())
}

/// Drops `table` with its indexes.
pub async fn drop(manager: &SchemaManager<'_>, table: impl IntoIden) -> Result<(), DbErr> {
    manager
        .drop_table(Table::drop().table(table).to_owned())
        .await
}
