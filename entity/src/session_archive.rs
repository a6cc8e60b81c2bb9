//! Archived sessions: the columns and ids of `session`, moved here together
//! with all their interactions by the archival job.

// The original id is kept, so ids are unique across hot and archive.
crate::session::session_table!("session_archive", primary_key, auto_increment = false);
