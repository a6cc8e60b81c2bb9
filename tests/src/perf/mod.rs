//! The issue #10 measuring tools: a bulk data generator and a load
//! benchmark that drives the real `cognitrack serve` over loopback and sets
//! every figure beside the same work done straight on the database.
pub mod backfill;
pub mod bulk;
pub mod explain;
pub mod generate;
pub mod measure;
pub mod mock;
pub mod reads;
pub mod report;
pub mod run;
pub mod server;
pub mod shape;
pub mod writes;

use crate::app::Backend;

/// The store a URL points at.
pub fn backend_of(url: &str) -> Backend {
    if url.starts_with("postgres") {
        Backend::Postgres
    } else {
        Backend::Sqlite
    }
}
