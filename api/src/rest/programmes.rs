//! `/api/v1/programmes`

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, NaiveDate, Utc};
use gloact_domain::ProgrammeId;
use gloact_domain::programme::Programme;
use gloact_persistence::Db;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::common::{PageDto, ok_with_etag};
use super::csv::{self, CsvPaging, ProgrammeCsvRow, Representation};
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};
use crate::input::paging::page_request;
use crate::service;

/// A programme.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Programme)]
pub struct ProgrammeDto {
    /// Chosen by the server that stored it (a UUIDv7); programmes are not created over the API.
    pub id: Uuid,
    /// Its stable code.
    #[schema(example = "GLOACT-BGD")]
    pub code: String,
    /// One line of at most 300 characters, trimmed; never blank.
    pub title: String,
    /// First day.
    pub start_date: NaiveDate,
    /// Last day.
    pub end_date: NaiveDate,
    /// Countries it works in (ISO 3166-1 alpha-3).
    pub countries: Vec<String>,
    /// Its IATI activity identifier.
    pub iati_identifier: Option<String>,
    /// Codes of the organizations funding it.
    pub funders: Vec<String>,
    /// Codes of the organizations implementing it.
    pub implementers: Vec<String>,
    /// Version (the ETag).
    pub version: i32,
    /// Change number of its last change.
    pub change_seq: i64,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<Programme> for ProgrammeDto {
    fn from(p: Programme) -> Self {
        Self {
            id: p.id.0,
            code: p.code.to_string(),
            title: p.title.as_str().to_owned(),
            start_date: p.period.start(),
            end_date: p.period.end(),
            countries: p.countries.iter().map(|c| c.as_str().to_owned()).collect(),
            iati_identifier: p.iati_identifier.map(|i| i.as_str().to_owned()),
            funders: p.funders.iter().map(ToString::to_string).collect(),
            implementers: p.implementers.iter().map(ToString::to_string).collect(),
            version: p.meta.version,
            change_seq: p.meta.change_seq,
            created_at: p.meta.created_at,
            updated_at: p.meta.updated_at,
        }
    }
}

/// Paging of the programme list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProgrammeListQuery {
    /// The `next_cursor` of the previous page.
    pub after: Option<String>,
    /// Items per page, 1 to 500 (default 50).
    pub limit: Option<u32>,
    /// Only rows changed after this change number, deleted ones as tombstones, in change order.
    pub changed_after: Option<i64>,
}

/// Lists programmes.
#[utoipa::path(tag = "programmes", params(ProgrammeListQuery), responses(
        (status = 200, description = "A page of programmes. As JSON by default; as CSV (one row per programme, a header row first) when `Accept` prefers text/csv: with `limit`, that page (the next in `X-Next-Cursor`); without, the whole list, streamed", content(
            (PageDto<ProgrammeDto> = "application/json"),
            (Vec<ProgrammeCsvRow> = "text/csv"),
        ), headers(
            ("X-Next-Cursor" = String, description = "CSV with `limit` only: the `after` of the next page, absent on the last"),
            ("Content-Disposition" = String, description = "CSV only: `attachment; filename=\"programmes.csv\"`"),
        )),
        (status = 400, description = "Malformed request; also `changed_after` with `Accept: text/csv` (code `changed_after_not_in_csv`: delta sync is JSON only)", body = Problem, content_type = "application/problem+json"),
        (status = 406, description = "`Accept` allows neither application/json nor text/csv (code `not_acceptable`)", body = Problem, content_type = "application/problem+json"),
))]
#[get("/programmes")]
pub async fn list_programmes(
    req: HttpRequest,
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    query: web::Query<ProgrammeListQuery>,
) -> Result<HttpResponse, ApiError> {
    if Representation::negotiate(&req)? == Representation::Csv {
        let paging = CsvPaging::new(query.after.as_deref(), query.limit, query.changed_after)?;
        return csv::respond::<ProgrammeCsvRow, _, _, _>(paging, move |page| {
            let (db, caller) = (db.clone(), caller.clone());
            async move { service::programmes::list(&db, &caller, &page).await }
        })
        .await;
    }
    let page = page_request(query.after.as_deref(), query.limit, query.changed_after)?;
    let page = service::programmes::list(&db, &caller, &page).await?;
    Ok(csv::json_list(&PageDto::from_page(
        page,
        ProgrammeDto::from,
    )))
}

/// Gets one programme.
#[utoipa::path(tag = "programmes", responses((status = 200, description = "The programme", body = ProgrammeDto)))]
#[get("/programmes/{id}")]
pub async fn get_programme(
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let programme = service::programmes::get(&db, &caller, ProgrammeId(*id)).await?;
    Ok(ok_with_etag(
        &programme.meta,
        &ProgrammeDto::from(programme.clone()),
    ))
}
