use entity::session_archive::Column as C;

crate::create::create_table_migration!(
    entity::session_archive::Entity,
    [
        Index::create()
            .name("ix_session_archive_user_started")
            .table(entity::session_archive::Entity)
            .col(C::UserId)
            .col(C::StartedAt)
            .to_owned(),
        // Reads ask for the newest archived start to decide whether the
        // archive can hold rows of a range; restores select by start.
        Index::create()
            .name("ix_session_archive_started")
            .table(entity::session_archive::Entity)
            .col(C::StartedAt)
            .to_owned(),
    ]
);
