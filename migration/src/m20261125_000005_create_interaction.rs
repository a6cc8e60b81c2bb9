use entity::interaction::Column as C;

// NULL idempotency keys are distinct in a unique index on both backends,
// which is exactly "no key, no dedupe".
crate::create::create_table_migration!(
    entity::interaction::Entity,
    [
        Index::create()
            .name("ux_interaction_idempotency")
            .table(entity::interaction::Entity)
            .col(C::IngestKeyId)
            .col(C::IdempotencyKey)
            .unique()
            .to_owned(),
        Index::create()
            .name("ix_interaction_session")
            .table(entity::interaction::Entity)
            .col(C::SessionId)
            .col(C::OccurredAt)
            .to_owned(),
    ]
);
