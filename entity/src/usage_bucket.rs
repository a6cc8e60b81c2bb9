//! One provider-reported usage bucket: one UTC day, one usage type, one
//! combination of dimensions, for one provider connection.

/// The table's shape, shared with `usage_bucket_archive` so the two can never drift:
/// the archival job moves rows between them column for column.
macro_rules! usage_bucket_table {
    ($table:tt, $($key:tt)*) => {
        $crate::usage_bucket::usage_bucket_table!(@ $table, [#[sea_orm($($key)*)]], {});
    };
    // `id` with the given attributes, then the extra fields after all others.
    (@ $table:tt, [$($id_attr:tt)*], { $($extra:tt)* }) => {
        use sea_orm::entity::prelude::*;

        use $crate::enums::{Batch, ProviderKind};

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = $table)]
        pub struct Model {
            $($id_attr)*
            pub id: i64,
            pub connection_id: i64,
            pub provider: ProviderKind,
            /// completions, embeddings, moderations, images, audio_speeches,
            /// audio_transcriptions, vector_stores, code_interpreter_sessions,
            /// web_search_calls, file_search_calls, messages.
            pub usage_type: String,
            pub window_start: DateTimeUtc,
            pub window_end: DateTimeUtc,
            pub project_id: String,
            pub api_key_id: String,
            pub user_id: String,
            pub model: String,
            pub batch: Batch,
            pub service_tier: String,
            pub context_window: String,
            pub inference_geo: String,
            pub image_size: String,
            pub image_source: String,
            pub context_level: String,
            pub vector_store_id: String,
            pub input_tokens: i64,
            pub input_cached_tokens: i64,
            pub input_cache_write_tokens: i64,
            pub input_cache_write_5m_tokens: i64,
            pub input_cache_write_1h_tokens: i64,
            pub input_uncached_tokens: i64,
            pub input_text_tokens: i64,
            pub input_cached_text_tokens: i64,
            pub input_audio_tokens: i64,
            pub input_cached_audio_tokens: i64,
            pub input_image_tokens: i64,
            pub input_cached_image_tokens: i64,
            pub output_tokens: i64,
            pub output_text_tokens: i64,
            pub output_audio_tokens: i64,
            pub output_image_tokens: i64,
            pub num_model_requests: i64,
            pub num_requests: i64,
            pub web_search_requests: i64,
            pub images: i64,
            pub characters: i64,
            pub seconds: i64,
            pub usage_bytes: i64,
            pub num_sessions: i64,
            /// Computed cost in micro-USD; NULL when the model has no price.
            pub cost_micros: Option<i64>,
            /// True when the cost is an approximation (tiered price on an average request).
            pub cost_estimated: bool,
            pub price_version_id: Option<i64>,
            pub ingested_at: DateTimeUtc,
            pub run_id: Option<i64>,
            $($extra)*
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    };
}

pub(crate) use usage_bucket_table;

usage_bucket_table!("usage_bucket", primary_key);
