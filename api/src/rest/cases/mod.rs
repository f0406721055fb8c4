//! `/api/v1/cases`: victim-assistance cases (HTCDS), their referrals, and — apart — who the
//! person is.

mod output;

pub use output::{CaseDto, ReferralDto};

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use gloact_domain::Violations;
use gloact_domain::case::{
    Case, CaseChanges, CaseStatus, Identity, NewCase, NewReferral, ReferralStatus, check_not_empty,
};
use gloact_persistence::Db;
use gloact_persistence::cases::CaseFilter;
use gloact_persistence::sealed::SealingKey;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::common::{PageDto, created, from_json, ok_with_etag};
use super::idempotency::{self, Carries};
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::input::IfMatch;
use crate::input::cases::{
    CasePatchDto, IdentityDto, NewCaseDto, NewReferralDto, ReferralStatusDto,
};
use crate::input::fields::query_value;
use crate::input::paging::page_request;
use crate::service;

/// Filters and paging of the case list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CaseListQuery {
    /// Only cases in this status.
    #[param(value_type = Option<CaseStatus>)]
    pub status: Option<String>,
    /// The `next_cursor` of the previous page.
    pub after: Option<String>,
    /// Items per page, 1 to 500 (default 50).
    pub limit: Option<u32>,
    /// Only cases changed after this change number, in change order.
    pub changed_after: Option<i64>,
}

/// `200` with the case and its ETag.
fn case_ok(case: Case) -> HttpResponse {
    let meta = case.meta;
    ok_with_etag(&meta, &CaseDto::from(case))
}

/// `201` with the case, its ETag and its location.
fn case_created(case: Case) -> HttpResponse {
    let meta = case.meta;
    let location = format!("/api/v1/cases/{}", case.id);
    created(&meta, location, &CaseDto::from(case))
}

/// Lists the cases the caller may see: all for UNODC and IOM, those referred by or to its
/// organization for the government, none for the EU (403). Every read is on the record.
#[utoipa::path(tag = "cases", params(CaseListQuery), responses((status = 200, description = "A page of cases", body = PageDto<CaseDto>)))]
#[get("/cases")]
pub async fn list_cases(
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    query: web::Query<CaseListQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = page_request(query.after.as_deref(), query.limit, query.changed_after)?;
    let filter = CaseFilter {
        status: query_value("status", query.status.as_deref(), str::parse)?,
    };
    let page = service::cases::list(&db, &caller, &filter, &page).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, CaseDto::from)))
}

/// Opens a case (UNODC, IOM; the government only to refer it, without identifying fields).
/// Identifying fields need the person's consent and the `pii` scope.
#[utoipa::path(
    tag = "cases",
    request_body = NewCaseDto,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the first request under a key runs, a retry gets its answer again (with `Idempotent-Replayed: true`).")),
    responses((status = 201, description = "Opened", body = CaseDto))
)]
#[post("/cases")]
pub async fn create_case(
    req: HttpRequest,
    db: web::Data<Db>,
    key: web::Data<SealingKey>,
    Authenticated(caller): Authenticated,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    idempotency::once(
        &req,
        &db,
        &key,
        &caller,
        &body,
        Carries::Row("case"),
        async {
            let dto: NewCaseDto = from_json(body.clone())?;
            let new = NewCase::try_from(dto)?;
            let case = service::cases::create(&db, &caller, &key, &new).await?;
            Ok(case_created(case))
        },
    )
    .await
}

/// Gets one case the caller may see.
#[utoipa::path(tag = "cases", responses((status = 200, description = "The case", body = CaseDto)))]
#[get("/cases/{id}")]
pub async fn get_case(
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let case = service::cases::get(&db, &caller, *id).await?;
    Ok(case_ok(case))
}

/// Changes a case (UNODC, IOM) at the version in `If-Match`.
#[utoipa::path(
    tag = "cases",
    params(IfMatch),
    request_body = CasePatchDto,
    responses((status = 200, description = "Changed", body = CaseDto))
)]
#[patch("/cases/{id}")]
pub async fn update_case(
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
    body: web::Json<CasePatchDto>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let version = if_match.version()?;
    let changes = CaseChanges::try_from(body.into_inner())?;
    let case = service::cases::update(&db, &caller, *id, version, &changes).await?;
    Ok(case_ok(case))
}

/// Refers the person of a case the caller may see to another organization, from the caller's.
#[utoipa::path(tag = "cases", request_body = NewReferralDto, responses((status = 201, description = "Referred: the case with the new referral", body = CaseDto)))]
#[post("/cases/{id}/referrals")]
pub async fn create_case_referral(
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
    body: web::Json<NewReferralDto>,
) -> Result<HttpResponse, ApiError> {
    let referral = NewReferral::try_from(body.into_inner())?;
    let case = service::cases::refer(&db, &caller, *id, &referral).await?;
    Ok(case_created(case))
}

/// Moves a referral to a new status (UNODC, IOM), at the case's version in `If-Match`.
#[utoipa::path(
    tag = "cases",
    params(IfMatch),
    request_body = ReferralStatusDto,
    responses((status = 200, description = "Changed: the case", body = CaseDto))
)]
#[patch("/cases/{id}/referrals/{referral_id}")]
pub async fn update_case_referral(
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<ReferralStatusDto>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let version = if_match.version()?;
    let (id, referral_id) = path.into_inner();
    let status: ReferralStatus = body
        .status
        .parse()
        .map_err(|e| Violations::single("status", e))?;
    let case =
        service::cases::set_referral_status(&db, &caller, id, referral_id, version, status).await?;
    Ok(case_ok(case))
}

/// Who the person of a case is: UNODC and IOM with the `pii` scope only; every read is on the
/// record. 404 when none is stored.
#[utoipa::path(tag = "cases", responses((status = 200, description = "The identifying fields", body = IdentityDto)))]
#[get("/cases/{id}/identity")]
pub async fn get_case_identity(
    db: web::Data<Db>,
    key: web::Data<SealingKey>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    match service::cases::identity(&db, &caller, &key, *id).await? {
        Some(identity) => Ok(HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .json(IdentityDto::from(identity))),
        None => Err(ApiError::NotFound),
    }
}

/// Stores or replaces who the person of a case is (UNODC and IOM with `pii`; the person must
/// have consented), at the case's version in `If-Match`.
#[utoipa::path(
    tag = "cases",
    params(IfMatch),
    request_body = IdentityDto,
    responses((status = 200, description = "Stored: the case", body = CaseDto))
)]
#[put("/cases/{id}/identity")]
pub async fn put_case_identity(
    db: web::Data<Db>,
    key: web::Data<SealingKey>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
    body: web::Json<IdentityDto>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let version = if_match.version()?;
    let identity = check_not_empty(Identity::try_from(body.into_inner())?)?;
    let case = service::cases::put_identity(&db, &caller, &key, *id, version, &identity).await?;
    Ok(case_ok(case))
}

/// Erases who the person of a case is (UNODC and IOM with `pii`), at the case's version in
/// `If-Match`.
#[utoipa::path(
    tag = "cases",
    params(IfMatch),
    responses((status = 200, description = "Erased: the case", body = CaseDto))
)]
#[delete("/cases/{id}/identity")]
pub async fn delete_case_identity(
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let version = if_match.version()?;
    let case = service::cases::erase_identity(&db, &caller, *id, version).await?;
    Ok(case_ok(case))
}
