crate::create::create_table_migration!(entity::price_version::Entity, []);
