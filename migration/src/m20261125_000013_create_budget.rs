crate::create::create_table_migration!(entity::budget::Entity, []);
