//! PostgreSQL storage for GLO.ACT: migrations, row types, queries that return domain types, the
//! change feed and the demo seed.
//!
//! Every query that reads activities or what hangs off them takes an
//! [`gloact_domain::policy::ActivityScope`], so a row the caller may not see is never loaded.

/// The [`gloact_domain::RowMeta`] of a row read with the bookkeeping columns every table has
/// (`created_at`, `updated_at`, `version`, `change_seq`).
macro_rules! row_meta {
    ($row:expr) => {
        gloact_domain::RowMeta {
            created_at: $row.created_at,
            updated_at: $row.updated_at,
            version: $row.version,
            change_seq: $row.change_seq,
        }
    };
}

pub mod activities;
pub mod attachments;
pub mod audit;
pub mod batch;
pub mod cases;
pub mod clients;
mod db;
mod error;
pub mod field_reports;
pub mod follow_ups;
pub mod gate;
pub mod htcds;
pub mod idempotency;
pub mod indicators;
pub mod organizations;
pub mod page;
pub mod programmes;
pub mod revocations;
mod schema;
mod scope;
pub mod sealed;
pub mod seed;
mod sight;
pub mod statistics;

pub use db::{Db, DbSettings, migrate, migrations_fingerprint, pending_migrations, revert_all};
pub use error::{Conflict, StoreError};
pub use page::{Cursor, Page, PageError, PageRequest};
