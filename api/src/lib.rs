//! Request handling and wiring: configuration, CLI, the axum router, the
//! GraphQL schema and authentication. Domain logic lives in `ledger`, the
//! scheduled jobs in `jobs`.

pub mod auth;
pub mod bulk;
pub mod cli;
pub mod commands;
pub mod config;
pub mod cron;
pub mod dashboard;
pub mod error;
pub mod export;
pub mod graphql;
pub mod limits;
pub mod ops;
pub mod otlp;
pub mod progress;
pub mod router;
pub mod state;
