//! `/api/v1/activities`

mod output;

pub use output::{ActivityDto, DateSpanDto, ObjectiveDto, ParticipantsDto, ParticipationDto};

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use gloact_domain::ActivityId;
use gloact_domain::activity::{ActivityKind, ActivityPatch, ActivityStatus, NewActivity, Pillar};
use gloact_domain::value::{Code, District};
use gloact_persistence::Db;
use gloact_persistence::activities::ActivityFilter;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::common::{PageDto, created, ok_with_etag};
use super::csv::{self, ActivityCsvRow, CsvPaging, Representation};
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};
use crate::input::IfMatch;
use crate::input::activities::{ActivityPatchDto, NewActivityDto};
use crate::input::fields::{parse_date, query_value};
use crate::input::paging::page_request;
use crate::service;

/// Filters and paging of the activity list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActivityListQuery {
    /// Only activities of the programme with this code.
    pub programme: Option<String>,
    /// Only the parts of this activity (e.g. the meetings of a consultation).
    pub parent_id: Option<Uuid>,
    /// Only this kind.
    #[param(value_type = Option<ActivityKind>)]
    pub kind: Option<String>,
    /// Only this pillar.
    #[param(value_type = Option<Pillar>)]
    pub pillar: Option<String>,
    /// Only this status.
    #[param(value_type = Option<ActivityStatus>)]
    pub status: Option<String>,
    /// Only those the organization with this code takes part in.
    pub organization: Option<String>,
    /// Only those in this district.
    pub district: Option<String>,
    /// Only those planned to end on or after this day (YYYY-MM-DD).
    #[param(value_type = Option<NaiveDate>)]
    pub from: Option<String>,
    /// Only those planned to start on or before this day (YYYY-MM-DD).
    #[param(value_type = Option<NaiveDate>)]
    pub to: Option<String>,
    /// The `next_cursor` of the previous page.
    pub after: Option<String>,
    /// Items per page, 1 to 500 (default 50).
    pub limit: Option<u32>,
    /// Only rows changed after this change number, deleted ones as tombstones, in change order.
    pub changed_after: Option<i64>,
}

/// Lists the activities the caller may see, each with what hangs off it.
#[utoipa::path(tag = "activities", params(ActivityListQuery), responses(
        (status = 200, description = "A page of activities. As JSON by default; as CSV (one row per activity, a header row first) when `Accept` prefers text/csv: with `limit`, that page (the next in `X-Next-Cursor`); without, the whole list, streamed", content(
            (PageDto<ActivityDto> = "application/json"),
            (Vec<ActivityCsvRow> = "text/csv"),
        ), headers(
            ("X-Next-Cursor" = String, description = "CSV with `limit` only: the `after` of the next page, absent on the last"),
            ("Content-Disposition" = String, description = "CSV only: `attachment; filename=\"activities.csv\"`"),
        )),
        (status = 400, description = "Malformed request; also `changed_after` with `Accept: text/csv` (code `changed_after_not_in_csv`: delta sync is JSON only)", body = Problem, content_type = "application/problem+json"),
        (status = 406, description = "`Accept` allows neither application/json nor text/csv (code `not_acceptable`)", body = Problem, content_type = "application/problem+json"),
))]
#[get("/activities")]
pub async fn list_activities(
    req: HttpRequest,
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    query: web::Query<ActivityListQuery>,
) -> Result<HttpResponse, ApiError> {
    let representation = Representation::negotiate(&req)?;
    let filter = ActivityFilter {
        programme: query_value("programme", query.programme.as_deref(), Code::parse)?,
        parent_id: query.parent_id.map(ActivityId),
        kind: query_value("kind", query.kind.as_deref(), str::parse)?,
        pillar: query_value("pillar", query.pillar.as_deref(), str::parse)?,
        status: query_value("status", query.status.as_deref(), str::parse)?,
        organization: query_value("organization", query.organization.as_deref(), Code::parse)?,
        district: query_value("district", query.district.as_deref(), District::parse)?,
        from: query_value("from", query.from.as_deref(), parse_date)?,
        to: query_value("to", query.to.as_deref(), parse_date)?,
    };
    if representation == Representation::Csv {
        let paging = CsvPaging::new(query.after.as_deref(), query.limit, query.changed_after)?;
        return csv::respond::<ActivityCsvRow, _, _, _>(paging, move |page| {
            let (db, caller, filter) = (db.clone(), caller.clone(), filter.clone());
            async move { service::activities::list(&db, &caller, &filter, &page).await }
        })
        .await;
    }
    let page = page_request(query.after.as_deref(), query.limit, query.changed_after)?;
    let page = service::activities::list(&db, &caller, &filter, &page).await?;
    Ok(csv::json_list(&PageDto::from_page(page, ActivityDto::from)))
}

/// Gets one activity with its participations, objectives and follow-up actions.
#[utoipa::path(tag = "activities", responses((status = 200, description = "The activity", body = ActivityDto)))]
#[get("/activities/{id}")]
pub async fn get_activity(
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let detail = service::activities::get(&db, &caller, ActivityId(*id)).await?;
    let meta = detail.activity.meta;
    Ok(ok_with_etag(&meta, &ActivityDto::from(detail)))
}

/// Creates an activity with its participations and objectives (UNODC; IOM where it implements).
#[utoipa::path(tag = "activities", request_body = NewActivityDto, responses((status = 201, description = "Created", body = ActivityDto)))]
#[post("/activities")]
pub async fn create_activity(
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    body: web::Json<NewActivityDto>,
) -> Result<HttpResponse, ApiError> {
    let new = NewActivity::try_from(body.into_inner())?;
    let detail = service::activities::create(&db, &caller, &new).await?;
    let meta = detail.activity.meta;
    let location = format!("/api/v1/activities/{}", detail.activity.id);
    Ok(created(&meta, location, &ActivityDto::from(detail)))
}

/// Updates an activity (UNODC; IOM where it implements) at the version in `If-Match`.
#[utoipa::path(
    tag = "activities",
    params(IfMatch),
    request_body = ActivityPatchDto,
    responses((status = 200, description = "Updated", body = ActivityDto))
)]
#[patch("/activities/{id}")]
pub async fn update_activity(
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
    body: web::Json<ActivityPatchDto>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let version = if_match.version()?;
    let patch = ActivityPatch::try_from(body.into_inner())?;
    let detail = service::activities::update(&db, &caller, ActivityId(*id), version, patch).await?;
    let meta = detail.activity.meta;
    Ok(ok_with_etag(&meta, &ActivityDto::from(detail)))
}

/// Deletes an activity (UNODC) at the version in `If-Match`; it stays as a tombstone in delta sync.
#[utoipa::path(
    tag = "activities",
    params(IfMatch),
    responses((status = 204, description = "Deleted"))
)]
#[delete("/activities/{id}")]
pub async fn delete_activity(
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let version = if_match.version()?;
    service::activities::delete(&db, &caller, ActivityId(*id), version).await?;
    Ok(HttpResponse::NoContent().finish())
}
