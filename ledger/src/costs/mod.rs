//! What providers bill, and how it compares with what the ledger computes.

pub mod billed;
pub mod reconciliation;
