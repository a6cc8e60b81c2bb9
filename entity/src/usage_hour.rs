//! One provider-reported hourly usage bucket: the columns of
//! `usage_bucket` with a one-hour window. Stored for connections that
//! ingest hours, so usage can be summed into local-time days.
crate::usage_bucket::usage_bucket_table!("usage_hour", primary_key);
