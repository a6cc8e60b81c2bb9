//! Subcommands of the `cognitrack` binary that live in their own module.
pub mod archive;
pub mod parity;
