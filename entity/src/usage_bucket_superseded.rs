//! Versions of provider usage buckets that a later ingestion (a provider's
//! restatement) or a reprice replaced: every column of `usage_bucket` as
//! it stood, kept so the ledger can answer as of any past moment. `id` is
//! the bucket's id (one bucket may have several superseded versions).
crate::usage_bucket::usage_bucket_table!(@ "usage_bucket_superseded", [], {
    #[sea_orm(primary_key)]
    pub version_id: i64,
    /// When this version stopped being the current one.
    pub superseded_at: DateTimeUtc,
    /// The ingestion run that replaced it; NULL for a reprice.
    pub superseded_by_run_id: Option<i64>,
});
