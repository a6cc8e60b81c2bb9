//! One integration-test binary (one link), many modules.
mod ingestion;
