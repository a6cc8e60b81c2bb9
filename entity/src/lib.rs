//! SeaORM entities: the table shapes of the ledger, nothing else.
//!
//! Missing provider dimensions are stored as `''`, never NULL, so one plain
//! unique index dedupes rows on SQLite and PostgreSQL alike. Stored enums
//! are typed ([`enums`]) and keep the strings the columns always held.

pub mod billed_cost;
pub mod enums;
pub mod ingest_key;
pub mod ingestion_run;
pub mod interaction;
pub mod interaction_daily;
pub mod inventory_item;
pub mod job_lease;
pub mod model_price;
pub mod parity_file;
pub mod parity_report;
pub mod price_version;
pub mod provider_connection;
pub mod reconciliation_report;
pub mod session;
pub mod unit_rate;
pub mod usage_bucket;
pub mod usage_revision;
pub mod usage_rollup;

// Budgets and alerts (issue 4).
pub mod anomaly_alert;
pub mod budget;
pub mod budget_alert;
pub mod webhook;

// Archival (issue 5): same columns and ids as the hot tables.
pub mod interaction_archive;
pub mod session_archive;
pub mod usage_bucket_archive;

// Revisions and closes (issue 15): replaced versions of buckets, what
// changed, and months frozen by finance.
pub mod period_close;
pub mod period_close_line;
pub mod usage_bucket_superseded;
pub mod usage_bucket_superseded_archive;

// Local-time days (issue 15): hourly buckets, and each stored day set's
// content hash.
pub mod usage_day_digest;
pub mod usage_hour;
