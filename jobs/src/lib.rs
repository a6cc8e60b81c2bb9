//! Domain logic of CogniTrack: everything that is not request handling.
//! Resolvers, the CLI and scheduled jobs all call into this crate.

pub mod archive;
pub mod attribution;
pub mod billing;
pub mod buckets;
pub mod dates;
pub mod db;
pub mod demo;
pub mod error;
pub mod keys;
pub mod money;
pub mod page;
pub mod pricing;
pub mod reconciliation;
pub mod reports;
pub mod reprice;
pub mod stats;
pub mod tracking;
pub mod unit_rates;
pub mod usage;

pub use error::{Error, Result};

// Provider ingestion (issue 3).
pub mod connections;
pub mod ingest;
pub mod lease;
pub mod providers;
pub mod simulator;

// Budgets and alerts (issue 4).
pub mod budgets;

// Provider inventory (names for ids).
pub mod inventory;

// CSV parity with provider dashboard exports (issue 5).
pub mod parity;
