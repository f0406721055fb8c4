//! `/api/v1/follow-up-actions`

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use gloact_domain::follow_up::{
    FollowUpAction, FollowUpChanges, FollowUpStatus, NewFollowUpAction,
};
use gloact_domain::value::Code;
use gloact_domain::{ActivityId, FollowUpActionId};
use gloact_persistence::Db;
use gloact_persistence::follow_ups::FollowUpFilter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::common::{PageDto, created, ok_with_etag};
use super::csv::{self, CsvPaging, FollowUpCsvRow, Representation};
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};
use crate::input::IfMatch;
use crate::input::fields::query_value;
use crate::input::follow_ups::{FollowUpPatchDto, NewFollowUpDto};
use crate::input::paging::page_request;
use crate::service;

/// A follow-up action agreed at an activity.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = FollowUpAction)]
pub struct FollowUpDto {
    /// Chosen by the server when the action is added (a UUIDv7, so id order is creation order).
    pub id: Uuid,
    /// The activity it came from.
    pub activity_id: Uuid,
    /// The owner's id.
    pub owner_id: Uuid,
    /// The owner's code.
    #[schema(example = "UNODC-BGD")]
    pub owner: String,
    /// What is to be done.
    pub title: String,
    /// More detail.
    pub description: Option<String>,
    /// By when.
    pub due_date: Option<NaiveDate>,
    /// Where it stands.
    pub status: FollowUpStatus,
    /// Version (the ETag).
    pub version: i32,
    /// Change number of its last change.
    pub change_seq: i64,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<FollowUpAction> for FollowUpDto {
    fn from(f: FollowUpAction) -> Self {
        Self {
            id: f.id.0,
            activity_id: f.activity_id.0,
            owner_id: f.owner_id.0,
            owner: f.owner_code.to_string(),
            title: f.title.as_str().to_owned(),
            description: f.description.map(|d| d.as_str().to_owned()),
            due_date: f.due_date,
            status: f.status,
            version: f.meta.version,
            change_seq: f.meta.change_seq,
            created_at: f.meta.created_at,
            updated_at: f.meta.updated_at,
        }
    }
}

/// Filters and paging of the follow-up list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FollowUpListQuery {
    /// Only those from this activity.
    pub activity_id: Option<Uuid>,
    /// Only those owned by the organization with this code.
    pub owner: Option<String>,
    /// Only this status.
    #[param(value_type = Option<FollowUpStatus>)]
    pub status: Option<String>,
    /// The `next_cursor` of the previous page.
    pub after: Option<String>,
    /// Items per page, 1 to 500 (default 50).
    pub limit: Option<u32>,
    /// Only rows changed after this change number, deleted ones as tombstones, in change order.
    pub changed_after: Option<i64>,
}

/// Lists the follow-up actions the caller may see.
#[utoipa::path(tag = "follow-up actions", params(FollowUpListQuery), responses(
        (status = 200, description = "A page of follow-up actions. As JSON by default; as CSV (one row per follow-up action, a header row first) when `Accept` prefers text/csv: with `limit`, that page (the next in `X-Next-Cursor`); without, the whole list, streamed", content(
            (PageDto<FollowUpDto> = "application/json"),
            (Vec<FollowUpCsvRow> = "text/csv"),
        ), headers(
            ("X-Next-Cursor" = String, description = "CSV with `limit` only: the `after` of the next page, absent on the last"),
            ("Content-Disposition" = String, description = "CSV only: `attachment; filename=\"follow-up-actions.csv\"`"),
        )),
        (status = 400, description = "Malformed request; also `changed_after` with `Accept: text/csv` (code `changed_after_not_in_csv`: delta sync is JSON only)", body = Problem, content_type = "application/problem+json"),
        (status = 406, description = "`Accept` allows neither application/json nor text/csv (code `not_acceptable`)", body = Problem, content_type = "application/problem+json"),
))]
#[get("/follow-up-actions")]
pub async fn list_follow_up_actions(
    req: HttpRequest,
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    query: web::Query<FollowUpListQuery>,
) -> Result<HttpResponse, ApiError> {
    let representation = Representation::negotiate(&req)?;
    let filter = FollowUpFilter {
        activity_id: query.activity_id.map(ActivityId),
        owner: query_value("owner", query.owner.as_deref(), Code::parse)?,
        status: query_value("status", query.status.as_deref(), str::parse)?,
    };
    if representation == Representation::Csv {
        let paging = CsvPaging::new(query.after.as_deref(), query.limit, query.changed_after)?;
        return csv::respond::<FollowUpCsvRow, _, _, _>(paging, move |page| {
            let (db, caller, filter) = (db.clone(), caller.clone(), filter.clone());
            async move { service::follow_ups::list(&db, &caller, &filter, &page).await }
        })
        .await;
    }
    let page = page_request(query.after.as_deref(), query.limit, query.changed_after)?;
    let page = service::follow_ups::list(&db, &caller, &filter, &page).await?;
    Ok(csv::json_list(&PageDto::from_page(page, FollowUpDto::from)))
}

/// Gets one follow-up action.
#[utoipa::path(tag = "follow-up actions", responses((status = 200, description = "The follow-up action", body = FollowUpDto)))]
#[get("/follow-up-actions/{id}")]
pub async fn get_follow_up_action(
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let action = service::follow_ups::get(&db, &caller, FollowUpActionId(*id)).await?;
    Ok(ok_with_etag(
        &action.meta,
        &FollowUpDto::from(action.clone()),
    ))
}

/// Creates a follow-up action (UNODC).
#[utoipa::path(tag = "follow-up actions", request_body = NewFollowUpDto, responses((status = 201, description = "Created", body = FollowUpDto)))]
#[post("/follow-up-actions")]
pub async fn create_follow_up_action(
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    body: web::Json<NewFollowUpDto>,
) -> Result<HttpResponse, ApiError> {
    let new = NewFollowUpAction::try_from(body.into_inner())?;
    let action = service::follow_ups::create(&db, &caller, &new).await?;
    let location = format!("/api/v1/follow-up-actions/{}", action.id);
    Ok(created(
        &action.meta,
        location,
        &FollowUpDto::from(action.clone()),
    ))
}

/// Updates a follow-up action (UNODC; IOM and government their own) at the version in `If-Match`.
#[utoipa::path(
    tag = "follow-up actions",
    params(IfMatch),
    request_body = FollowUpPatchDto,
    responses((status = 200, description = "Updated", body = FollowUpDto))
)]
#[patch("/follow-up-actions/{id}")]
pub async fn update_follow_up_action(
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
    body: web::Json<FollowUpPatchDto>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let version = if_match.version()?;
    let changes = FollowUpChanges::try_from(body.into_inner())?;
    let action =
        service::follow_ups::update(&db, &caller, FollowUpActionId(*id), version, &changes).await?;
    Ok(ok_with_etag(
        &action.meta,
        &FollowUpDto::from(action.clone()),
    ))
}
