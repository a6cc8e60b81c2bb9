crate::create::create_table_migration!(entity::unit_rate::Entity, []);
