//! `/api/v1/indicators`

use actix_web::{HttpRequest, HttpResponse, get, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use gloact_domain::indicator::{Actual, IndicatorDetail, IndicatorPeriod, Measure, ResultLevel};
use gloact_domain::value::{Code, Figure};
use gloact_domain::{IndicatorId, IndicatorPeriodId};
use gloact_persistence::Db;
use gloact_persistence::indicators::IndicatorFilter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::common::{PageDto, ok_with_etag};
use super::csv::{self, CsvPaging, IndicatorCsvRow, Representation};
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};
use crate::input::IfMatch;
use crate::input::fields::query_value;
use crate::input::indicators::ActualDto;
use crate::input::paging::page_request;
use crate::service;

/// An indicator of the results framework with its periods.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Indicator)]
pub struct IndicatorDto {
    /// Chosen by the server that stored it (a UUIDv7); indicators are not created over the API.
    pub id: Uuid,
    /// The programme it measures.
    pub programme_id: Uuid,
    /// Its code, unique within the programme.
    #[schema(example = "OUT-1.1")]
    pub code: String,
    /// What it measures.
    pub title: String,
    /// Outcome or output.
    pub result_level: ResultLevel,
    /// Unit or percentage.
    pub measure: Measure,
    /// The value before the programme.
    pub baseline_value: Option<f64>,
    /// The year of the baseline.
    pub baseline_year: Option<i32>,
    /// Whether actuals are broken down by sex.
    pub disaggregated_by_sex: bool,
    /// Its reporting periods, in date order.
    pub periods: Vec<IndicatorPeriodDto>,
    /// Version (the ETag); changes when a period changes.
    pub version: i32,
    /// Change number of its last change.
    pub change_seq: i64,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// One reporting period of an indicator.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = IndicatorPeriod)]
pub struct IndicatorPeriodDto {
    /// Chosen by the server (a UUIDv7): the `period_id` of `PUT
    /// /indicators/{id}/periods/{period_id}/actual`.
    pub id: Uuid,
    /// First day.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
    /// What the programme aims for.
    pub target: Option<f64>,
    /// What was reached.
    pub actual: Option<f64>,
    /// What was reached among women.
    pub actual_female: Option<f64>,
    /// What was reached among men.
    pub actual_male: Option<f64>,
    /// Version of the period; writes go by the indicator's version (its ETag).
    pub version: i32,
    /// Change number of its last change.
    pub change_seq: i64,
}

impl From<IndicatorPeriod> for IndicatorPeriodDto {
    fn from(p: IndicatorPeriod) -> Self {
        Self {
            id: p.id.0,
            start: p.period.start(),
            end: p.period.end(),
            target: p.target.map(Figure::get),
            actual: p.actual.map(Figure::get),
            actual_female: p.actual_female.map(Figure::get),
            actual_male: p.actual_male.map(Figure::get),
            version: p.meta.version,
            change_seq: p.meta.change_seq,
        }
    }
}

impl From<IndicatorDetail> for IndicatorDto {
    fn from(d: IndicatorDetail) -> Self {
        let i = d.indicator;
        Self {
            id: i.id.0,
            programme_id: i.programme_id.0,
            code: i.code.to_string(),
            title: i.title.as_str().to_owned(),
            result_level: i.result_level,
            measure: i.measure,
            baseline_value: i.baseline_value.map(Figure::get),
            baseline_year: i.baseline_year,
            disaggregated_by_sex: i.disaggregated_by_sex,
            periods: d
                .periods
                .into_iter()
                .map(IndicatorPeriodDto::from)
                .collect(),
            version: i.meta.version,
            change_seq: i.meta.change_seq,
            created_at: i.meta.created_at,
            updated_at: i.meta.updated_at,
        }
    }
}

/// Filters and paging of the indicator list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IndicatorListQuery {
    /// Only indicators of the programme with this code.
    pub programme: Option<String>,
    /// Only this level of the results chain.
    #[param(value_type = Option<ResultLevel>)]
    pub result_level: Option<String>,
    /// The `next_cursor` of the previous page.
    pub after: Option<String>,
    /// Items per page, 1 to 500 (default 50).
    pub limit: Option<u32>,
    /// Only rows changed after this change number, deleted ones as tombstones, in change order.
    pub changed_after: Option<i64>,
}

/// Lists indicators with their periods.
#[utoipa::path(tag = "indicators", params(IndicatorListQuery), responses(
        (status = 200, description = "A page of indicators. As JSON by default; as CSV (one row per reporting period, a header row first) when `Accept` prefers text/csv: with `limit`, that page (the next in `X-Next-Cursor`); without, the whole list, streamed", content(
            (PageDto<IndicatorDto> = "application/json"),
            (Vec<IndicatorCsvRow> = "text/csv"),
        ), headers(
            ("X-Next-Cursor" = String, description = "CSV with `limit` only: the `after` of the next page, absent on the last"),
            ("Content-Disposition" = String, description = "CSV only: `attachment; filename=\"indicators.csv\"`"),
        )),
        (status = 400, description = "Malformed request; also `changed_after` with `Accept: text/csv` (code `changed_after_not_in_csv`: delta sync is JSON only)", body = Problem, content_type = "application/problem+json"),
        (status = 406, description = "`Accept` allows neither application/json nor text/csv (code `not_acceptable`)", body = Problem, content_type = "application/problem+json"),
))]
#[get("/indicators")]
pub async fn list_indicators(
    req: HttpRequest,
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    query: web::Query<IndicatorListQuery>,
) -> Result<HttpResponse, ApiError> {
    let representation = Representation::negotiate(&req)?;
    let filter = IndicatorFilter {
        programme: query_value("programme", query.programme.as_deref(), Code::parse)?,
        result_level: query_value("result_level", query.result_level.as_deref(), str::parse)?,
    };
    if representation == Representation::Csv {
        let paging = CsvPaging::new(query.after.as_deref(), query.limit, query.changed_after)?;
        return csv::respond::<IndicatorCsvRow, _, _, _>(paging, move |page| {
            let (db, caller, filter) = (db.clone(), caller.clone(), filter.clone());
            async move { service::indicators::list(&db, &caller, &filter, &page).await }
        })
        .await;
    }
    let page = page_request(query.after.as_deref(), query.limit, query.changed_after)?;
    let page = service::indicators::list(&db, &caller, &filter, &page).await?;
    Ok(csv::json_list(&PageDto::from_page(
        page,
        IndicatorDto::from,
    )))
}

/// Gets one indicator with its periods.
#[utoipa::path(tag = "indicators", responses((status = 200, description = "The indicator", body = IndicatorDto)))]
#[get("/indicators/{id}")]
pub async fn get_indicator(
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let detail = service::indicators::get(&db, &caller, IndicatorId(*id)).await?;
    let meta = detail.indicator.meta;
    Ok(ok_with_etag(&meta, &IndicatorDto::from(detail)))
}

/// Records the actual of a period (UNODC) at the indicator's version in `If-Match` (the ETag of
/// `GET /indicators/{id}`: a period's figures are part of its indicator).
#[utoipa::path(
    tag = "indicators",
    params(IfMatch),
    request_body = ActualDto,
    responses((status = 200, description = "The indicator with the period's new actual", body = IndicatorDto, headers(("ETag" = String, description = "The indicator's new version"))))
)]
#[put("/indicators/{id}/periods/{period_id}/actual")]
pub async fn record_indicator_actual(
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<ActualDto>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let version = if_match.version()?;
    let (id, period_id) = path.into_inner();
    let actual = Actual::try_from(body.into_inner())?;
    let detail = service::indicators::record_actual(
        &db,
        &caller,
        IndicatorId(id),
        IndicatorPeriodId(period_id),
        version,
        &actual,
    )
    .await?;
    let meta = detail.indicator.meta;
    Ok(ok_with_etag(&meta, &IndicatorDto::from(detail)))
}
