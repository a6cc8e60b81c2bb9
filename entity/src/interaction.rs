//! One priced event inside a session: a model call, db work, an API call or
//! an explicit cost.

/// The table's shape, shared with `interaction_archive` so the two can never drift:
/// the archival job moves rows between them column for column.
macro_rules! interaction_table {
    ($table:tt, $($key:tt)*) => {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = $table)]
        pub struct Model {
            #[sea_orm($($key)*)]
            pub id: String,
            pub session_id: String,
            pub ingest_key_id: i64,
            /// CHAT | DB | API | COST_EVENT
            pub kind: String,
            pub occurred_at: DateTimeUtc,
            pub duration_ms: Option<i64>,
            pub status: String,
            pub provider: String,
            pub model: String,
            pub project_id: String,
            pub api_key_id: String,
            pub service_tier: String,
            pub batch: bool,
            pub input_tokens: i64,
            pub cached_input_tokens: i64,
            pub cache_write_tokens: i64,
            pub output_tokens: i64,
            pub db_ops: i64,
            pub api_calls: i64,
            pub compute_ms: i64,
            /// NULL when the model has no price: unpriced is never shown as $0.
            pub ai_tokens_micros: Option<i64>,
            pub db_ops_micros: i64,
            pub api_calls_micros: i64,
            pub compute_micros: i64,
            /// An explicit cost reported by a COST_EVENT.
            pub explicit_micros: i64,
            pub total_micros: Option<i64>,
            pub price_version_id: Option<i64>,
            pub idempotency_key: Option<String>,
            /// SHA-256 of the canonical input, to tell a retry from a conflicting reuse of a key.
            pub payload_hash: String,
            pub metadata: Option<Json>,
            pub created_at: DateTimeUtc,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    };
}

pub(crate) use interaction_table;

interaction_table!("interaction", primary_key, auto_increment = false);
