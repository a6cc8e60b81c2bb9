//! An application session reported through the tracking API.

/// The table's shape, shared with `session_archive` so the two can never drift:
/// the archival job moves rows between them column for column.
macro_rules! session_table {
    ($table:tt, $($key:tt)*) => {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = $table)]
        pub struct Model {
            #[sea_orm($($key)*)]
            pub id: String,
            pub ingest_key_id: i64,
            pub user_id: String,
            pub external_id: Option<String>,
            pub started_at: DateTimeUtc,
            pub ended_at: Option<DateTimeUtc>,
            pub metadata: Option<Json>,
            pub interaction_count: i64,
            /// Sum of the priced interactions' totals, micro-USD.
            pub total_cost_micros: i64,
            pub created_at: DateTimeUtc,
            /// Input plus output tokens of the interactions.
            pub total_tokens: i64,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    };
}

pub(crate) use session_table;

session_table!("session", primary_key, auto_increment = false);
