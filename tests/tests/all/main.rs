//! One integration-test binary (one link), many modules.
mod auth;
mod ingestion;
mod pricing;
mod queries;
mod run_ingestion;
mod schema;
mod tracking;
