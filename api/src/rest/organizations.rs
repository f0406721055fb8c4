//! `/api/v1/organizations`

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use gloact_domain::OrganizationId;
use gloact_domain::organization::{
    NewOrganization, Organization, OrganizationChanges, OrganizationKind,
};
use gloact_domain::value::CountryCode;
use gloact_persistence::Db;
use gloact_persistence::organizations::OrganizationFilter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::common::{PageDto, created, ok_with_etag};
use super::csv::{self, CsvPaging, OrganizationCsvRow, Representation};
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};
use crate::input::IfMatch;
use crate::input::fields::query_value;
use crate::input::organizations::{NewOrganizationDto, OrganizationPatchDto};
use crate::input::paging::page_request;
use crate::service;

/// An organization.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Organization)]
pub struct OrganizationDto {
    /// Chosen by the server when the organization is added (a UUIDv7, so id order is the order they
    /// were added).
    pub id: Uuid,
    /// Its stable code.
    #[schema(example = "UNODC-BGD")]
    pub code: String,
    /// Its full name.
    #[schema(example = "UNODC Programme Office in Bangladesh")]
    pub name: String,
    /// What sort of body it is.
    pub kind: OrganizationKind,
    /// ISO 3166-1 alpha-3 country code.
    #[schema(example = "BGD")]
    pub country: String,
    /// The organization it belongs to.
    pub parent_id: Option<Uuid>,
    /// Its IATI organisation identifier.
    pub iati_ref: Option<String>,
    /// Version, also sent as the ETag; name it in `If-Match` to update.
    pub version: i32,
    /// Change number of its last change, for delta sync.
    pub change_seq: i64,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<Organization> for OrganizationDto {
    fn from(o: Organization) -> Self {
        Self {
            id: o.id.0,
            code: o.code.to_string(),
            name: o.name.as_str().to_owned(),
            kind: o.kind,
            country: o.country.as_str().to_owned(),
            parent_id: o.parent_id.map(|p| p.0),
            iati_ref: o.iati_ref.map(|r| r.as_str().to_owned()),
            version: o.meta.version,
            change_seq: o.meta.change_seq,
            created_at: o.meta.created_at,
            updated_at: o.meta.updated_at,
        }
    }
}

/// Filters and paging of the organization list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OrganizationListQuery {
    /// Only this kind.
    #[param(value_type = Option<OrganizationKind>)]
    pub kind: Option<String>,
    /// Only this country (ISO 3166-1 alpha-3).
    pub country: Option<String>,
    /// The `next_cursor` of the previous page.
    pub after: Option<String>,
    /// Items per page, 1 to 500 (default 50).
    pub limit: Option<u32>,
    /// Only rows changed after this change number, deleted ones as tombstones, in change order.
    pub changed_after: Option<i64>,
}

/// Lists organizations.
#[utoipa::path(tag = "organizations", params(OrganizationListQuery), responses(
        (status = 200, description = "A page of organizations. As JSON by default; as CSV (one row per organization, a header row first) when `Accept` prefers text/csv: with `limit`, that page (the next in `X-Next-Cursor`); without, the whole list, streamed", content(
            (PageDto<OrganizationDto> = "application/json"),
            (Vec<OrganizationCsvRow> = "text/csv"),
        ), headers(
            ("X-Next-Cursor" = String, description = "CSV with `limit` only: the `after` of the next page, absent on the last"),
            ("Content-Disposition" = String, description = "CSV only: `attachment; filename=\"organizations.csv\"`"),
        )),
        (status = 400, description = "Malformed request; also `changed_after` with `Accept: text/csv` (code `changed_after_not_in_csv`: delta sync is JSON only)", body = Problem, content_type = "application/problem+json"),
        (status = 406, description = "`Accept` allows neither application/json nor text/csv (code `not_acceptable`)", body = Problem, content_type = "application/problem+json"),
))]
#[get("/organizations")]
pub async fn list_organizations(
    req: HttpRequest,
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    query: web::Query<OrganizationListQuery>,
) -> Result<HttpResponse, ApiError> {
    let representation = Representation::negotiate(&req)?;
    let filter = OrganizationFilter {
        kind: query_value("kind", query.kind.as_deref(), str::parse)?,
        country: query_value("country", query.country.as_deref(), CountryCode::parse)?,
    };
    if representation == Representation::Csv {
        let paging = CsvPaging::new(query.after.as_deref(), query.limit, query.changed_after)?;
        return csv::respond::<OrganizationCsvRow, _, _, _>(paging, move |page| {
            let (db, caller, filter) = (db.clone(), caller.clone(), filter.clone());
            async move { service::organizations::list(&db, &caller, &filter, &page).await }
        })
        .await;
    }
    let page = page_request(query.after.as_deref(), query.limit, query.changed_after)?;
    let page = service::organizations::list(&db, &caller, &filter, &page).await?;
    Ok(csv::json_list(&PageDto::from_page(
        page,
        OrganizationDto::from,
    )))
}

/// Gets one organization.
#[utoipa::path(tag = "organizations", responses((status = 200, description = "The organization; its version is in the ETag", body = OrganizationDto)))]
#[get("/organizations/{id}")]
pub async fn get_organization(
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let organization = service::organizations::get(&db, &caller, OrganizationId(*id)).await?;
    Ok(ok_with_etag(
        &organization.meta,
        &OrganizationDto::from(organization.clone()),
    ))
}

/// Creates an organization (UNODC).
#[utoipa::path(tag = "organizations", request_body = NewOrganizationDto, responses((status = 201, description = "Created", body = OrganizationDto)))]
#[post("/organizations")]
pub async fn create_organization(
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    body: web::Json<NewOrganizationDto>,
) -> Result<HttpResponse, ApiError> {
    let new = NewOrganization::try_from(body.into_inner())?;
    let organization = service::organizations::create(&db, &caller, &new).await?;
    let location = format!("/api/v1/organizations/{}", organization.id);
    Ok(created(
        &organization.meta,
        location,
        &OrganizationDto::from(organization.clone()),
    ))
}

/// Updates an organization (UNODC) at the version named in `If-Match`.
#[utoipa::path(
    tag = "organizations",
    params(IfMatch),
    request_body = OrganizationPatchDto,
    responses((status = 200, description = "Updated", body = OrganizationDto))
)]
#[patch("/organizations/{id}")]
pub async fn update_organization(
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
    body: web::Json<OrganizationPatchDto>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let version = if_match.version()?;
    let changes = OrganizationChanges::try_from(body.into_inner())?;
    let organization =
        service::organizations::update(&db, &caller, OrganizationId(*id), version, &changes)
            .await?;
    Ok(ok_with_etag(
        &organization.meta,
        &OrganizationDto::from(organization.clone()),
    ))
}
