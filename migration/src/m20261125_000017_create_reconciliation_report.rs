crate::create::create_table_migration!(entity::reconciliation_report::Entity, []);
