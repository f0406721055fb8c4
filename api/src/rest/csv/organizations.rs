//! The CSV rows of the organization list.

use chrono::{DateTime, Utc};
use gloact_domain::organization::{Organization, OrganizationKind};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::CsvList;
use crate::rest::organizations::OrganizationDto;

/// A row of `GET /organizations` as CSV (`Accept: text/csv`): the fields of the JSON item.
/// Absent values are empty cells.
///
/// Columns, in order: `id, code, name, kind, country, parent_id, iati_ref, version, change_seq,
/// created_at, updated_at`.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationCsvRow {
    /// As `id` in JSON.
    pub id: Uuid,
    /// As `code` in JSON.
    pub code: String,
    /// As `name` in JSON.
    pub name: String,
    /// As `kind` in JSON.
    pub kind: OrganizationKind,
    /// As `country` in JSON (ISO 3166-1 alpha-3).
    pub country: String,
    /// As `parent_id` in JSON.
    pub parent_id: Option<Uuid>,
    /// As `iati_ref` in JSON.
    pub iati_ref: Option<String>,
    /// As `version` in JSON.
    pub version: i32,
    /// As `change_seq` in JSON.
    pub change_seq: i64,
    /// As `created_at` in JSON (RFC 3339).
    pub created_at: DateTime<Utc>,
    /// As `updated_at` in JSON (RFC 3339).
    pub updated_at: DateTime<Utc>,
}

impl From<OrganizationDto> for OrganizationCsvRow {
    fn from(o: OrganizationDto) -> Self {
        Self {
            id: o.id,
            code: o.code,
            name: o.name,
            kind: o.kind,
            country: o.country,
            parent_id: o.parent_id,
            iati_ref: o.iati_ref,
            version: o.version,
            change_seq: o.change_seq,
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

impl CsvList for OrganizationCsvRow {
    type Item = Organization;
    const FILE_NAME: &'static str = "organizations.csv";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "code",
        "name",
        "kind",
        "country",
        "parent_id",
        "iati_ref",
        "version",
        "change_seq",
        "created_at",
        "updated_at",
    ];

    fn rows(item: Organization) -> Vec<Self> {
        vec![OrganizationDto::from(item).into()]
    }
}
