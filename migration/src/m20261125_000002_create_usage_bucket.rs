use entity::usage_bucket::Column as C;

// The one dedupe key: every dimension is NOT NULL (missing = ''), so the
// index is a plain one and ON CONFLICT works on both backends.
crate::create::create_table_migration!(
    entity::usage_bucket::Entity,
    [
        Index::create()
            .name("ux_usage_bucket_key")
            .table(entity::usage_bucket::Entity)
            .col(C::ConnectionId)
            .col(C::UsageType)
            .col(C::WindowStart)
            .col(C::ProjectId)
            .col(C::ApiKeyId)
            .col(C::UserId)
            .col(C::Model)
            .col(C::Batch)
            .col(C::ServiceTier)
            .col(C::ContextWindow)
            .col(C::InferenceGeo)
            .col(C::ImageSize)
            .col(C::ImageSource)
            .col(C::ContextLevel)
            .col(C::VectorStoreId)
            .unique()
            .to_owned(),
        Index::create()
            .name("ix_usage_bucket_window")
            .table(entity::usage_bucket::Entity)
            .col(C::WindowStart)
            .col(C::Provider)
            .to_owned(),
    ]
);
