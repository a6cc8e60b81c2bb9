//! A CSV file the watched parity folder has processed, remembered by name
//! and content hash so each version of a file is compared once.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "parity_file")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The file name inside the watched folder (no directory).
    pub file_name: String,
    /// Hex SHA-256 of the file's bytes.
    pub content_hash: String,
    /// The report stored for it; NULL while processing or when it failed.
    pub report_id: Option<i64>,
    /// Why the file could not be compared (malformed CSV, no range, …).
    pub error: Option<String>,
    pub processed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
