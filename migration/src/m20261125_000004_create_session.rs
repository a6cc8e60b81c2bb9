use entity::session::Column as C;

crate::create::create_table_migration!(
    entity::session::Entity,
    [Index::create()
        .name("ix_session_user_started")
        .table(entity::session::Entity)
        .col(C::UserId)
        .col(C::StartedAt)
        .to_owned()]
);
