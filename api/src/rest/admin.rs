//! `/api/v1/admin`: administration for UNODC with the `admin` scope.

use actix_web::{HttpResponse, post, web};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::Authenticated;
use crate::config::Settings;
use crate::error::ApiError;
use crate::service;

/// A token to revoke.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRevocation {
    /// The token's `jti`.
    #[schema(example = "5d0c2c5e-7b0e-4a51-9d62-3f0f2f0c9b1a")]
    pub jti: String,
    /// Why, for the record.
    pub reason: Option<String>,
}

/// Revokes a token: from the next request on it gets 401 on every replica.
#[utoipa::path(tag = "access", request_body = NewRevocation, responses((status = 204, description = "Revoked (revoking twice changes nothing)")))]
#[post("/admin/revocations")]
pub async fn create_revocation(
    db: web::Data<gloact_persistence::Db>,
    settings: web::Data<Settings>,
    Authenticated(actor): Authenticated,
    body: web::Json<NewRevocation>,
) -> Result<HttpResponse, ApiError> {
    let NewRevocation { jti, reason } = body.into_inner();
    if jti.is_empty() || jti.len() > 200 {
        return Err(gloact_domain::Violations::single(
            "jti",
            gloact_domain::ValueError::new("invalid_jti", "must be 1 to 200 characters"),
        )
        .into());
    }
    let max_ttl = chrono::Duration::seconds(
        i64::try_from(settings.auth.max_token_ttl_secs).unwrap_or(i64::MAX / 2),
    );
    service::access::revoke(&db, &actor, &jti, reason, max_ttl).await?;
    Ok(HttpResponse::NoContent().finish())
}
