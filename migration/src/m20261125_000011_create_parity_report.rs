crate::create::create_table_migration!(entity::parity_report::Entity, []);
