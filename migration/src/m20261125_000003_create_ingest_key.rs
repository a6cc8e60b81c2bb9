crate::create::create_table_migration!(entity::ingest_key::Entity, []);
