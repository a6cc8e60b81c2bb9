use entity::usage_bucket_archive::Column as C;

// The hot table's dedupe key, so a restore can never create a second
// bucket for the same (connection, type, day, dimensions).
crate::create::create_table_migration!(
    entity::usage_bucket_archive::Entity,
    [
        Index::create()
            .name("ux_usage_bucket_archive_key")
            .table(entity::usage_bucket_archive::Entity)
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
            .name("ix_usage_bucket_archive_window")
            .table(entity::usage_bucket_archive::Entity)
            .col(C::WindowStart)
            .col(C::Provider)
            .to_owned(),
    ]
);
