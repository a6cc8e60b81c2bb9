use entity::inventory_item::Column as C;

// One row per provider object and connection; a refresh upserts on this key.
crate::create::create_table_migration!(
    entity::inventory_item::Entity,
    [
        Index::create()
            .name("ux_inventory_item_key")
            .table(entity::inventory_item::Entity)
            .col(C::ConnectionId)
            .col(C::Kind)
            .col(C::ExternalId)
            .unique()
            .to_owned(),
        Index::create()
            .name("ix_inventory_item_provider_kind")
            .table(entity::inventory_item::Entity)
            .col(C::Provider)
            .col(C::Kind)
            .to_owned(),
    ]
);
