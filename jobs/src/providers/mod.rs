//! Provider ingestion (issue 3): in progress.
