//! Archived provider usage buckets: the columns and ids of `usage_bucket`,
//! moved here by the archival job once older than the retention window.

// The original id is kept, so ids are unique across hot and archive.
crate::usage_bucket::usage_bucket_table!(
    "usage_bucket_archive",
    primary_key,
    auto_increment = false
);
