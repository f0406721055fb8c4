//! What clients send, whichever transport brings it. REST deserializes its JSON bodies into the
//! write inputs here and GraphQL converts its input objects into the same ones, so both parse
//! through one set of rules into the same domain values, with the same field errors; paging and
//! field parsing are shared the same way. `If-Match` is REST's alone.

pub mod activities;
pub mod cases;
pub mod field_reports;
pub mod fields;
pub mod follow_ups;
mod if_match;
pub mod imports;
pub mod indicators;
pub mod organizations;
pub mod paging;
pub mod spreadsheet;

pub use if_match::IfMatch;
