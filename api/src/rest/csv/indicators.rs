//! The CSV rows of the indicator list.

use chrono::{DateTime, NaiveDate, Utc};
use gloact_domain::indicator::{IndicatorDetail, Measure, ResultLevel};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::CsvList;
use crate::rest::indicators::IndicatorDto;

/// A row of `GET /indicators` as CSV (`Accept: text/csv`): one row per reporting period, the
/// indicator's fields repeated on each; an indicator without periods has one row with empty
/// period cells. A period has no version of its own to write by: `version` is the indicator's
/// (the `If-Match` of `PUT /indicators/{id}/periods/{period_id}/actual`).
///
/// Columns, in order: `indicator_id, programme_id, code, title, result_level, measure,
/// baseline_value, baseline_year, disaggregated_by_sex, period_id, period_start, period_end,
/// target, actual, actual_female, actual_male, version, change_seq, created_at, updated_at`.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorCsvRow {
    /// `id` of the indicator in JSON.
    pub indicator_id: Uuid,
    /// As `programme_id` in JSON.
    pub programme_id: Uuid,
    /// As `code` in JSON.
    pub code: String,
    /// As `title` in JSON.
    pub title: String,
    /// As `result_level` in JSON.
    pub result_level: ResultLevel,
    /// As `measure` in JSON.
    pub measure: Measure,
    /// As `baseline_value` in JSON.
    pub baseline_value: Option<f64>,
    /// As `baseline_year` in JSON.
    pub baseline_year: Option<i32>,
    /// As `disaggregated_by_sex` in JSON (`true` or `false`).
    pub disaggregated_by_sex: bool,
    /// `periods[].id` in JSON.
    pub period_id: Option<Uuid>,
    /// `periods[].start` in JSON.
    pub period_start: Option<NaiveDate>,
    /// `periods[].end` in JSON.
    pub period_end: Option<NaiveDate>,
    /// `periods[].target` in JSON.
    pub target: Option<f64>,
    /// `periods[].actual` in JSON.
    pub actual: Option<f64>,
    /// `periods[].actual_female` in JSON.
    pub actual_female: Option<f64>,
    /// `periods[].actual_male` in JSON.
    pub actual_male: Option<f64>,
    /// The indicator's `version` in JSON (its ETag).
    pub version: i32,
    /// The indicator's `change_seq` in JSON.
    pub change_seq: i64,
    /// The indicator's `created_at` in JSON (RFC 3339).
    pub created_at: DateTime<Utc>,
    /// The indicator's `updated_at` in JSON (RFC 3339).
    pub updated_at: DateTime<Utc>,
}

impl CsvList for IndicatorCsvRow {
    type Item = IndicatorDetail;
    const FILE_NAME: &'static str = "indicators.csv";
    const COLUMNS: &'static [&'static str] = &[
        "indicator_id",
        "programme_id",
        "code",
        "title",
        "result_level",
        "measure",
        "baseline_value",
        "baseline_year",
        "disaggregated_by_sex",
        "period_id",
        "period_start",
        "period_end",
        "target",
        "actual",
        "actual_female",
        "actual_male",
        "version",
        "change_seq",
        "created_at",
        "updated_at",
    ];

    fn rows(item: IndicatorDetail) -> Vec<Self> {
        let mut i = IndicatorDto::from(item);
        let periods = std::mem::take(&mut i.periods);
        let row = |period: Option<&crate::rest::indicators::IndicatorPeriodDto>| Self {
            indicator_id: i.id,
            programme_id: i.programme_id,
            code: i.code.clone(),
            title: i.title.clone(),
            result_level: i.result_level,
            measure: i.measure,
            baseline_value: i.baseline_value,
            baseline_year: i.baseline_year,
            disaggregated_by_sex: i.disaggregated_by_sex,
            period_id: period.map(|p| p.id),
            period_start: period.map(|p| p.start),
            period_end: period.map(|p| p.end),
            target: period.and_then(|p| p.target),
            actual: period.and_then(|p| p.actual),
            actual_female: period.and_then(|p| p.actual_female),
            actual_male: period.and_then(|p| p.actual_male),
            version: i.version,
            change_seq: i.change_seq,
            created_at: i.created_at,
            updated_at: i.updated_at,
        };
        if periods.is_empty() {
            vec![row(None)]
        } else {
            periods.iter().map(|p| row(Some(p))).collect()
        }
    }
}
