crate::create::create_table_migration!(entity::job_lease::Entity, []);
