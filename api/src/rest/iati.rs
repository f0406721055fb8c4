//! `/api/v1/iati`: the IATI 2.03 activity and organisation files (public rows only).

use actix_web::{FromRequest, HttpRequest, HttpResponse, get, http::header, web};
use gloact_domain::value::Code;
use gloact_persistence::Db;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Authenticated;
use crate::config::Settings;
use crate::error::ApiError;
use crate::service;

/// The programme to export.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IatiActivitiesQuery {
    /// The programme's code, e.g. `GLOACT-BGD`.
    pub programme: String,
}

/// The caller, or `None` when the IATI files are served without a token (`iati.public`) and
/// none was sent. A token sent is checked either way.
async fn caller(req: &HttpRequest, settings: &Settings) -> Result<Option<Authenticated>, ApiError> {
    if settings.iati.public && !req.headers().contains_key(header::AUTHORIZATION) {
        return Ok(None);
    }
    Ok(Some(Authenticated::extract(req).await?))
}

fn xml(body: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/xml; charset=utf-8")
        .body(body)
}

/// The IATI 2.03 activity file of a programme: the programme as an `iati-activity` with its
/// public activities as `related-activity` children and its results framework. Public rows
/// only, for every caller. Needs a token unless the server's `iati.public` setting is on.
#[utoipa::path(
    tag = "iati",
    params(IatiActivitiesQuery),
    responses(
        (status = 200, description = "An `iati-activities` file, IATI 2.03", body = String, content_type = "application/xml"),
        (status = 404, description = "No such programme", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/iati/activities.xml")]
pub async fn get_iati_activities(
    req: HttpRequest,
    db: web::Data<Db>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, actix_web::Error> {
    // The token first, then the query: a caller without a token learns nothing else.
    let caller = caller(&req, &settings).await?;
    let query = web::Query::<IatiActivitiesQuery>::extract(&req).await?;
    let programme = Code::parse(&query.programme).map_err(|_| ApiError::NotFound)?;
    let body = service::iati::activities_file(
        &db,
        caller.as_ref().map(|c| &c.0),
        &programme,
        chrono::Utc::now(),
    )
    .await
    .map_err(ApiError::from)?;
    Ok(xml(body))
}

/// The IATI 2.03 organisation file: every organization. Needs a token unless the server's
/// `iati.public` setting is on.
#[utoipa::path(
    tag = "iati",
    responses((status = 200, description = "An `iati-organisations` file, IATI 2.03", body = String, content_type = "application/xml"))
)]
#[get("/iati/organisations.xml")]
pub async fn get_iati_organisations(
    req: HttpRequest,
    db: web::Data<Db>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, ApiError> {
    let caller = caller(&req, &settings).await?;
    let body =
        service::iati::organisations_file(&db, caller.as_ref().map(|c| &c.0), chrono::Utc::now())
            .await?;
    Ok(xml(body))
}
