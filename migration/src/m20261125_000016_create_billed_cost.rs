use entity::billed_cost::Column as C;

crate::create::create_table_migration!(
    entity::billed_cost::Entity,
    [
        Index::create()
            .name("ux_billed_cost_key")
            .table(entity::billed_cost::Entity)
            .col(C::ConnectionId)
            .col(C::Day)
            .col(C::ProjectId)
            .col(C::ApiKeyId)
            .col(C::LineItem)
            .col(C::Model)
            .unique()
            .to_owned(),
        Index::create()
            .name("ix_billed_cost_day")
            .table(entity::billed_cost::Entity)
            .col(C::Day)
            .col(C::Provider)
            .to_owned(),
    ]
);
