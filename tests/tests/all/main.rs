//! One integration-test binary (one link), many modules.
mod auth;
mod budgets;
mod cli;
mod connections;
mod cron;
mod ingestion;
mod inventory;
mod pricing;
mod queries;
mod reconciliation;
mod run_ingestion;
mod schema;
mod sums;
mod tracking;
