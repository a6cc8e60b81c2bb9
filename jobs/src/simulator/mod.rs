//! Owned by the ingestion work (issue 3).
