//! The CSV rows of the field report list.

use chrono::{DateTime, Utc};
use gloact_domain::field_report::{FieldReport, FieldReportKind, ReviewStatus};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::CsvList;
use crate::rest::field_reports::FieldReportDto;

/// A row of `GET /field-reports` as CSV (`Accept: text/csv`): the fields of the JSON item, for
/// the same callers (the EU reads none) with the same redaction (`activity_id` only where the
/// caller may see the activity), `gps` flattened and `payload` as its JSON object in one cell.
/// Absent values are empty cells.
///
/// Columns, in order: `id, kind, occurred_at, received_at, reporter, organization, district,
/// gps_latitude, gps_longitude, gps_accuracy_m, activity_id, narrative, payload, review_status,
/// review_reason, version, change_seq`.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldReportCsvRow {
    /// As `id` in JSON.
    pub id: Uuid,
    /// As `kind` in JSON.
    pub kind: FieldReportKind,
    /// As `occurred_at` in JSON (RFC 3339).
    pub occurred_at: DateTime<Utc>,
    /// As `received_at` in JSON (RFC 3339).
    pub received_at: DateTime<Utc>,
    /// As `reporter` in JSON.
    pub reporter: String,
    /// As `organization` in JSON: the sending organization's code.
    pub organization: String,
    /// As `district` in JSON.
    pub district: String,
    /// `gps.latitude` in JSON.
    pub gps_latitude: Option<f64>,
    /// `gps.longitude` in JSON.
    pub gps_longitude: Option<f64>,
    /// `gps.accuracy_m` in JSON.
    pub gps_accuracy_m: Option<f64>,
    /// As `activity_id` in JSON.
    pub activity_id: Option<Uuid>,
    /// As `narrative` in JSON.
    pub narrative: Option<String>,
    /// `payload` in JSON, as compact JSON (its `kind` included).
    #[schema(example = r#"{"kind":"incident","persons_involved":3}"#)]
    pub payload: String,
    /// As `review_status` in JSON.
    pub review_status: ReviewStatus,
    /// As `review_reason` in JSON.
    pub review_reason: Option<String>,
    /// As `version` in JSON.
    pub version: i32,
    /// As `change_seq` in JSON.
    pub change_seq: i64,
}

impl From<FieldReportDto> for FieldReportCsvRow {
    fn from(r: FieldReportDto) -> Self {
        Self {
            id: r.id,
            kind: r.kind,
            occurred_at: r.occurred_at,
            received_at: r.received_at,
            reporter: r.reporter,
            organization: r.organization,
            district: r.district,
            gps_latitude: r.gps.as_ref().map(|g| g.latitude),
            gps_longitude: r.gps.as_ref().map(|g| g.longitude),
            gps_accuracy_m: r.gps.as_ref().map(|g| g.accuracy_m),
            activity_id: r.activity_id,
            narrative: r.narrative,
            // A payload is plain data (strings, numbers, booleans): it always serialises.
            payload: serde_json::to_string(&r.payload).unwrap_or_default(),
            review_status: r.review_status,
            review_reason: r.review_reason,
            version: r.version,
            change_seq: r.change_seq,
        }
    }
}

impl CsvList for FieldReportCsvRow {
    type Item = FieldReport;
    const FILE_NAME: &'static str = "field-reports.csv";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "kind",
        "occurred_at",
        "received_at",
        "reporter",
        "organization",
        "district",
        "gps_latitude",
        "gps_longitude",
        "gps_accuracy_m",
        "activity_id",
        "narrative",
        "payload",
        "review_status",
        "review_reason",
        "version",
        "change_seq",
    ];

    fn rows(item: FieldReport) -> Vec<Self> {
        vec![FieldReportDto::from(item).into()]
    }
}
