//! Shared steps of the table-creating migrations.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{EntityTrait, Schema};

/// Creates the table of `entity` as the entity defines it at this point in
/// history, plus the given indexes.
pub async fn table<E: EntityTrait>(
    manager: &SchemaManager<'_>,
    entity: E,
    indexes: Vec<IndexCreateStatement>,
) -> Result<(), DbErr> {
    let schema = Schema::new(manager.get_database_backend());
    manager
        .create_table(schema.create_table_from_entity(entity))
        .await?;
    for index in indexes {
        manager.create_index(index).await?;
    }
    Ok(())
}

pub async fn drop<E: EntityTrait + Default>(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .drop_table(Table::drop().table(E::default()).to_owned())
        .await
}

/// Declares a migration that creates one entity's table with its indexes.
macro_rules! create_table_migration {
    ($entity:path, [$($index:expr),* $(,)?]) => {
        use sea_orm_migration::prelude::*;

        #[derive(DeriveMigrationName)]
        pub struct Migration;

        #[sea_orm_migration::async_trait::async_trait]
        impl MigrationTrait for Migration {
            async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
                crate::create::table(manager, <$entity>::default(), vec![$($index),*]).await
            }

            async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
                crate::create::drop::<$entity>(manager).await
            }
        }
    };
}
pub(crate) use create_table_migration;
