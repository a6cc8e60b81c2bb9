//! One integration-test binary (one link), many modules.
mod archive;
mod attribution;
mod auth;
mod budgets;
mod cli;
mod connections;
mod cron;
mod ingestion;
mod inventory;
mod parity;
mod pricing;
mod queries;
mod reconciliation;
mod run_ingestion;
mod schema;
mod sums;
mod tracking;
