//! The GLO.ACT domain: entities, typed ids, values parsed at the edge, and the access policy.
//!
//! Nothing here does IO. A value of a type from this crate is valid by construction: the
//! transport layer parses raw input into these types (collecting every field's error at once) and
//! the layers below never check again.

pub mod activity;
pub mod actor;
pub mod case;
pub mod change;
pub mod client;
pub mod field_report;
pub mod follow_up;
pub mod htcds;
pub mod iati;
pub mod id;
pub mod indicator;
pub mod organization;
pub mod policy;
pub mod programme;
pub mod spreadsheet;
pub mod statistics;
pub mod validation;
pub mod value;

mod wire_enum;

pub use actor::{Actor, Role, Scope, Scopes};
pub use change::{RowMeta, Tombstone};
pub use id::*;
pub use validation::{FieldError, ValueError, Violations};
