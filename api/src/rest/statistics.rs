//! `/api/v1/statistics`: aggregate counts with small-cell protection.

use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use gloact_domain::statistics::{CaseDimension, ReportDimension, SMALL_CELL, Table};
use gloact_persistence::Db;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::input::fields::{parse_date, query_value};
use crate::service;

/// One cell of a table.
#[derive(Debug, Serialize, ToSchema)]
pub struct CellDto {
    /// What it counts (a month, a district, a sex, …).
    pub key: String,
    /// The count; absent when withheld.
    pub count: Option<u64>,
    /// Whether the count is withheld: under the threshold, or able to reveal one that is.
    pub suppressed: bool,
}

/// A one-way table of counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatisticsTable {
    /// What the cells count by.
    pub by: ReportDimension,
    /// `reports`, or `victims` for the dimensions of identified victims.
    pub counts: &'static str,
    /// The cells, in key order.
    pub cells: Vec<CellDto>,
    /// The total; absent when it would reveal a withheld cell.
    pub total: Option<u64>,
    /// Whether every count is exact (UNODC and IOM with the `stats:exact` scope).
    pub exact: bool,
    /// Counts under this are withheld when the table is not exact.
    pub threshold: u64,
}

/// What to count by, and when.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatisticsQuery {
    /// What to count by.
    #[param(value_type = ReportDimension)]
    pub by: String,
    /// From this day (YYYY-MM-DD).
    #[param(value_type = Option<chrono::NaiveDate>)]
    pub from: Option<String>,
    /// To this day, included.
    #[param(value_type = Option<chrono::NaiveDate>)]
    pub to: Option<String>,
}

/// Field reports counted by one dimension. Every role may ask; counts under 11, and any that
/// would let one be computed back, are withheld unless the caller sees exact statistics.
#[utoipa::path(tag = "statistics", params(StatisticsQuery), responses((status = 200, description = "A one-way table", body = StatisticsTable)))]
#[get("/statistics/field-reports")]
pub async fn get_field_report_statistics(
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    query: web::Query<StatisticsQuery>,
) -> Result<HttpResponse, ApiError> {
    let by: ReportDimension = query_value("by", Some(query.by.as_str()), str::parse)?
        .ok_or_else(|| ApiError::bad_request("invalid_query", "by is required"))?;
    let (from, to) = date_range(query.from.as_deref(), query.to.as_deref())?;
    let (table, exact) = service::statistics::field_reports(&db, &caller, by, from, to).await?;
    Ok(HttpResponse::Ok().json(StatisticsTable {
        by,
        counts: if by.counts_victims() {
            "victims"
        } else {
            "reports"
        },
        cells: cells(table.cells),
        total: table.total,
        exact,
        threshold: SMALL_CELL,
    }))
}

/// The optional first and last day of a statistics query.
fn date_range(
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(Option<NaiveDate>, Option<NaiveDate>), ApiError> {
    Ok((
        query_value("from", from, parse_date)?,
        query_value("to", to, parse_date)?,
    ))
}

fn cells(cells: Vec<gloact_domain::statistics::Cell>) -> Vec<CellDto> {
    cells
        .into_iter()
        .map(|c| CellDto {
            key: c.key,
            count: c.count,
            suppressed: c.suppressed,
        })
        .collect()
}

/// A one-way table of victim-assistance cases.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseStatisticsTable {
    /// What the cells count by.
    pub by: CaseDimension,
    /// The cells, in key order.
    pub cells: Vec<CellDto>,
    /// The total; absent when it would reveal a withheld cell.
    pub total: Option<u64>,
    /// Whether every count is exact (UNODC and IOM with the `stats:exact` scope).
    pub exact: bool,
    /// Counts under this are withheld when the table is not exact.
    pub threshold: u64,
}

/// What to count cases by, and when.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CaseStatisticsQuery {
    /// What to count by.
    #[param(value_type = CaseDimension)]
    pub by: String,
    /// Identified from this day (YYYY-MM-DD; exact statistics only).
    #[param(value_type = Option<chrono::NaiveDate>)]
    pub from: Option<String>,
    /// Identified up to this day, included (exact statistics only).
    #[param(value_type = Option<chrono::NaiveDate>)]
    pub to: Option<String>,
}

/// Victim-assistance cases counted by one dimension. Every role may ask, the EU included; counts
/// under 11, and any that would let one be computed back, are withheld unless the caller sees
/// exact statistics.
#[utoipa::path(tag = "statistics", params(CaseStatisticsQuery), responses((status = 200, description = "A one-way table", body = CaseStatisticsTable)))]
#[get("/statistics/cases")]
pub async fn get_case_statistics(
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    query: web::Query<CaseStatisticsQuery>,
) -> Result<HttpResponse, ApiError> {
    let by: CaseDimension = query_value("by", Some(query.by.as_str()), str::parse)?
        .ok_or_else(|| ApiError::bad_request("invalid_query", "by is required"))?;
    let (from, to) = date_range(query.from.as_deref(), query.to.as_deref())?;
    let (table, exact): (Table, bool) =
        service::statistics::cases(&db, &caller, by, from, to).await?;
    Ok(HttpResponse::Ok().json(CaseStatisticsTable {
        by,
        cells: cells(table.cells),
        total: table.total,
        exact,
        threshold: SMALL_CELL,
    }))
}
