//! The bookkeeping every mutable row carries, and what is left of a deleted one.

use chrono::{DateTime, Utc};

/// When a row was made and last changed, its version (the ETag) and its change number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowMeta {
    /// When the row was created.
    pub created_at: DateTime<Utc>,
    /// When the row last changed.
    pub updated_at: DateTime<Utc>,
    /// Starts at 1, grows by one on every change; a write must name the version it read.
    pub version: i32,
    /// Position in the one change sequence of the database; grows on every change.
    pub change_seq: i64,
}

/// What delta sync reports of a deleted row: that it is gone, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tombstone<Id> {
    /// The deleted row.
    pub id: Id,
    /// The change number of the deletion.
    pub change_seq: i64,
    /// When it was deleted.
    pub deleted_at: DateTime<Utc>,
}
