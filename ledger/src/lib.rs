//! The CogniTrack ledger: everything CogniTrack knows about usage and cost,
//! independent of how it is asked (GraphQL, CLI) or when it runs (the
//! scheduler in `jobs`). Grouped by area:
//!
//! - [`usage`]: provider usage buckets, daily queries, stats, attribution
//! - [`tracking`]: application sessions and interactions, ingest keys
//! - [`pricing`]: the versioned price book, overrides, unit rates, repricing
//! - [`costs`]: billed costs and billed-vs-computed reconciliation
//! - [`providers`]: provider API clients, connections, inventory
//! - [`ingest`]: the ingestion engine that turns provider days into buckets
//! - [`budgets`], [`notify`]: budgets, alerts and signed webhooks
//! - [`parity`]: provider CSV exports checked against the ledger
//! - [`archive`]: moving old rows to the archive tables and back
//! - [`otlp`]: OpenTelemetry spans read into tracked interactions
//!
//! Shared primitives: [`dates`], [`db`], [`money`], [`page`], [`text`], [`error`].

pub mod archive;
pub mod budgets;
pub mod costs;
pub mod dates;
pub mod db;
pub mod error;
pub mod ingest;
pub mod money;
pub mod notify;
pub mod otlp;
pub mod page;
pub mod parity;
pub mod pricing;
pub mod providers;
pub mod text;
pub mod tracking;
pub mod usage;

pub use error::{Error, Result};
