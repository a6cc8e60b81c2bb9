//! Archived interactions, with their cost breakdown: the columns and ids of
//! `interaction`, moved here together with their session.

// The original id is kept, so ids are unique across hot and archive.
crate::interaction::interaction_table!("interaction_archive", primary_key, auto_increment = false);
