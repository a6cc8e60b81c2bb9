//! One integration-test binary (one link), many modules.
// A scenario test reads top to bottom as one story; the 60-line limit is
// for production code.
#![allow(clippy::too_many_lines)]
mod anomalies;
mod archive;
mod attribution;
mod auth;
mod budgets;
mod bulk;
mod checkpoints;
mod cli;
mod closes;
mod connections;
mod cron;
mod daily_sums;
mod export;
mod headers;
mod hourly;
mod ingestion;
mod input_rules;
mod inventory;
mod limits;
mod operations;
mod otlp;
mod otlp_clients;
mod parity;
mod pricing;
mod queries;
mod reconciliation;
mod reliability;
mod replicas;
mod revisions;
mod rollups;
mod run_ingestion;
mod schema;
mod store_sockets;
mod sums;
mod tracking;
