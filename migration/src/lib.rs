//! Schema history. One change per file, additive only: never edit a
//! migration that has shipped, add a new one.
//!
//! Each migration spells out its columns and indexes and never reads the
//! entities, so a later entity change cannot alter what an old migration
//! creates; `tests/drift.rs` checks the migrated schema against the entities.
pub use sea_orm_migration::prelude::*;

mod create;
mod m20261125_000001_create_provider_connection;
mod m20261125_000002_create_usage_bucket;
mod m20261125_000003_create_ingest_key;
mod m20261125_000004_create_session;
mod m20261125_000005_create_interaction;
mod m20261125_000006_create_interaction_daily;
mod m20261125_000007_create_ingestion_run;
mod m20261125_000008_create_price_version;
mod m20261125_000009_create_model_price;
mod m20261125_000010_create_job_lease;
mod m20261125_000011_create_parity_report;
mod m20261125_000012_create_inventory_item;
mod m20261125_000013_create_budget;
mod m20261125_000014_create_webhook;
mod m20261125_000015_create_budget_alert;
mod m20261125_000016_create_billed_cost;
mod m20261125_000017_create_reconciliation_report;
mod m20261125_000018_create_unit_rate;
mod m20261125_000019_create_parity_file;
mod m20261125_000021_create_usage_bucket_archive;
mod m20261125_000022_create_session_archive;
mod m20261125_000023_create_interaction_archive;
mod m20261126_000024_index_session_external_id;
mod m20261130_000025_session_total_tokens;
mod m20261130_000026_create_anomaly_alert;
mod m20261130_000027_create_usage_rollup;
mod m20261130_000028_tracking_speed;
mod m20261130_000029_create_usage_revisions;
mod m20261130_000030_create_period_close;
mod m20261201_000031_archive_superseded;
mod m20261201_000032_create_usage_hour;

pub struct Migrator;

#[sea_orm_migration::async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_create_provider_connection::Migration),
            Box::new(m20261125_000002_create_usage_bucket::Migration),
            Box::new(m20261125_000003_create_ingest_key::Migration),
            Box::new(m20261125_000004_create_session::Migration),
            Box::new(m20261125_000005_create_interaction::Migration),
            Box::new(m20261125_000006_create_interaction_daily::Migration),
            Box::new(m20261125_000007_create_ingestion_run::Migration),
            Box::new(m20261125_000008_create_price_version::Migration),
            Box::new(m20261125_000009_create_model_price::Migration),
            Box::new(m20261125_000010_create_job_lease::Migration),
            Box::new(m20261125_000011_create_parity_report::Migration),
            Box::new(m20261125_000012_create_inventory_item::Migration),
            Box::new(m20261125_000013_create_budget::Migration),
            Box::new(m20261125_000014_create_webhook::Migration),
            Box::new(m20261125_000015_create_budget_alert::Migration),
            Box::new(m20261125_000016_create_billed_cost::Migration),
            Box::new(m20261125_000017_create_reconciliation_report::Migration),
            Box::new(m20261125_000018_create_unit_rate::Migration),
            Box::new(m20261125_000019_create_parity_file::Migration),
            Box::new(m20261125_000021_create_usage_bucket_archive::Migration),
            Box::new(m20261125_000022_create_session_archive::Migration),
            Box::new(m20261125_000023_create_interaction_archive::Migration),
            Box::new(m20261126_000024_index_session_external_id::Migration),
            Box::new(m20261130_000025_session_total_tokens::Migration),
            Box::new(m20261130_000026_create_anomaly_alert::Migration),
            Box::new(m20261130_000027_create_usage_rollup::Migration),
            Box::new(m20261130_000028_tracking_speed::Migration),
            Box::new(m20261130_000029_create_usage_revisions::Migration),
            Box::new(m20261130_000030_create_period_close::Migration),
            Box::new(m20261201_000031_archive_superseded::Migration),
            Box::new(m20261201_000032_create_usage_hour::Migration),
        ]
    }
}
