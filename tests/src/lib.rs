//! Shared support for the end-to-end tests: booting the real router on port
//! 0 against a fresh database, and a local mock provider server.
pub mod app;
pub mod buckets;
pub mod cli;
pub mod mock_provider;
pub mod otlp;
pub mod perf;
pub mod providers;
pub mod webhook_receiver;
