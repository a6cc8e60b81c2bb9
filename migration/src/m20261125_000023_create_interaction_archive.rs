use entity::interaction_archive::Column as C;

// Same idempotency key as the hot table: a key is stored once across the
// move and a restore.
crate::create::create_table_migration!(
    entity::interaction_archive::Entity,
    [
        Index::create()
            .name("ux_interaction_archive_idempotency")
            .table(entity::interaction_archive::Entity)
            .col(C::IngestKeyId)
            .col(C::IdempotencyKey)
            .unique()
            .to_owned(),
        Index::create()
            .name("ix_interaction_archive_session")
            .table(entity::interaction_archive::Entity)
            .col(C::SessionId)
            .col(C::OccurredAt)
            .to_owned(),
        Index::create()
            .name("ix_interaction_archive_occurred")
            .table(entity::interaction_archive::Entity)
            .col(C::OccurredAt)
            .to_owned(),
    ]
);
