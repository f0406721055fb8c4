//! The CSV rows of the programme list.

use chrono::{DateTime, NaiveDate, Utc};
use gloact_domain::programme::Programme;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::CsvList;
use crate::rest::programmes::ProgrammeDto;

/// A row of `GET /programmes` as CSV (`Accept: text/csv`): the fields of the JSON item, its
/// lists of codes in one cell each, separated by `;`. Absent values are empty cells.
///
/// Columns, in order: `id, code, title, start_date, end_date, countries, iati_identifier, funders,
/// implementers, version, change_seq, created_at, updated_at`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgrammeCsvRow {
    /// As `id` in JSON.
    pub id: Uuid,
    /// As `code` in JSON.
    pub code: String,
    /// As `title` in JSON.
    pub title: String,
    /// As `start_date` in JSON.
    pub start_date: NaiveDate,
    /// As `end_date` in JSON.
    pub end_date: NaiveDate,
    /// `countries` in JSON, separated by `;`.
    #[schema(example = "BGD")]
    pub countries: String,
    /// As `iati_identifier` in JSON.
    pub iati_identifier: Option<String>,
    /// `funders` in JSON (organization codes), separated by `;`.
    #[schema(example = "EU-DEL-BGD")]
    pub funders: String,
    /// `implementers` in JSON (organization codes), separated by `;`.
    #[schema(example = "UNODC-BGD;IOM-BGD")]
    pub implementers: String,
    /// As `version` in JSON.
    pub version: i32,
    /// As `change_seq` in JSON.
    pub change_seq: i64,
    /// As `created_at` in JSON (RFC 3339).
    pub created_at: DateTime<Utc>,
    /// As `updated_at` in JSON (RFC 3339).
    pub updated_at: DateTime<Utc>,
}

impl From<ProgrammeDto> for ProgrammeCsvRow {
    fn from(p: ProgrammeDto) -> Self {
        Self {
            id: p.id,
            code: p.code,
            title: p.title,
            start_date: p.start_date,
            end_date: p.end_date,
            countries: p.countries.join(";"),
            iati_identifier: p.iati_identifier,
            funders: p.funders.join(";"),
            implementers: p.implementers.join(";"),
            version: p.version,
            change_seq: p.change_seq,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

impl CsvList for ProgrammeCsvRow {
    type Item = Programme;
    const FILE_NAME: &'static str = "programmes.csv";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "code",
        "title",
        "start_date",
        "end_date",
        "countries",
        "iati_identifier",
        "funders",
        "implementers",
        "version",
        "change_seq",
        "created_at",
        "updated_at",
    ];

    fn rows(item: Programme) -> Vec<Self> {
        vec![ProgrammeDto::from(item).into()]
    }
}
