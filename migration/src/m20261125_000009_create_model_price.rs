use entity::model_price::Column as C;

crate::create::create_table_migration!(
    entity::model_price::Entity,
    [Index::create()
        .name("ux_model_price_key")
        .table(entity::model_price::Entity)
        .col(C::Provider)
        .col(C::Model)
        .col(C::EffectiveFrom)
        .unique()
        .to_owned()]
);
