use entity::parity_file::Column as C;

// One row per (file name, content): replicas scanning the same folder
// claim a file with ON CONFLICT DO NOTHING against this index, so each
// version of a file is compared once.
crate::create::create_table_migration!(
    entity::parity_file::Entity,
    [Index::create()
        .name("ux_parity_file_once")
        .table(entity::parity_file::Entity)
        .col(C::FileName)
        .col(C::ContentHash)
        .unique()
        .to_owned()]
);
