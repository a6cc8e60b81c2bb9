crate::create::create_table_migration!(entity::ingestion_run::Entity, []);
