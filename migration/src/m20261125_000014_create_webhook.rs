crate::create::create_table_migration!(entity::webhook::Entity, []);
