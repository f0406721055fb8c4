//! Liveness and readiness for orchestrators and load balancers.

use actix_web::{HttpResponse, get, web};
use gloact_persistence::Db;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;

/// The state of the service.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// The process is up.
#[utoipa::path(tag = "operations", responses((status = 200, description = "Alive", body = Health)))]
#[get("/health/live")]
pub async fn get_liveness() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// The process can serve: the database answers.
#[utoipa::path(tag = "operations", responses((status = 200, description = "Ready", body = Health), (status = 503, description = "The database does not answer", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/health/ready")]
pub async fn get_readiness(db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    db.ping().await?;
    Ok(HttpResponse::Ok().json(Health { status: "ok" }))
}
