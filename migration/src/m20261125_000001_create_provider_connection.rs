crate::create::create_table_migration!(entity::provider_connection::Entity, []);
