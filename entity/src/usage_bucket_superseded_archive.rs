//! Archived superseded versions: the columns of `usage_bucket_superseded`,
//! moved here by the archival job with the buckets of their day, so an
//! as-of answer reads the same before and after archival.

// The original version id is kept, so version ids are unique across hot
// and archive.
crate::usage_bucket::usage_bucket_table!(@ "usage_bucket_superseded_archive", [], {
    #[sea_orm(primary_key, auto_increment = false)]
    pub version_id: i64,
    /// When this version stopped being the current one.
    pub superseded_at: DateTimeUtc,
    /// The ingestion run that replaced it; NULL for a reprice.
    pub superseded_by_run_id: Option<i64>,
});
