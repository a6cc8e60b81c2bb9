use entity::interaction_daily::Column as C;

crate::create::create_table_migration!(
    entity::interaction_daily::Entity,
    [Index::create()
        .name("ux_interaction_daily_key")
        .table(entity::interaction_daily::Entity)
        .col(C::Day)
        .col(C::UserId)
        .col(C::Kind)
        .col(C::Provider)
        .col(C::Model)
        .unique()
        .to_owned()]
);
