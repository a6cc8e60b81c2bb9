//! The subcommands of the `cognitrack` binary, one module each.
pub mod archive;
pub mod ingest;
pub mod ingest_key;
pub mod job;
pub mod parity;
pub mod pricing;
pub mod serve;
pub mod token;
