//! Programmes: GLO.ACT-Bangladesh and its siblings in other countries.

use crate::change::RowMeta;
use crate::id::ProgrammeId;
use crate::value::{Code, CountryCode, IatiRef, Period, Title};
use crate::wire_enum::wire_enum;

wire_enum! {
    /// How an organization stands in a programme.
    pub enum PartnerRole {
        /// Pays for it.
        Funder => "funder",
        /// Carries it out.
        Implementer => "implementer",
    }
}

/// A programme as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Programme {
    /// Chosen by the server that stored it (a UUIDv7); programmes are not created over the API.
    pub id: ProgrammeId,
    /// Its stable code, e.g. `GLOACT-BGD`.
    pub code: Code,
    /// One line of at most 300 characters, trimmed; never blank.
    pub title: Title,
    /// When it runs.
    pub period: Period,
    /// The countries it works in.
    pub countries: Vec<CountryCode>,
    /// Its IATI activity identifier.
    pub iati_identifier: Option<IatiRef>,
    /// Codes of the organizations that fund it.
    pub funders: Vec<Code>,
    /// Codes of the organizations that implement it.
    pub implementers: Vec<Code>,
    /// Bookkeeping.
    pub meta: RowMeta,
}
