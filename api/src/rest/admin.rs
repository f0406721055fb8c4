//! `/api/v1/admin`: administration for UNODC with the `admin` scope.

use actix_web::{HttpResponse, get, post, web};
use gloact_persistence::Cursor;
use gloact_persistence::audit::{AuditEvent, AuditFilter};
use utoipa::IntoParams;

use gloact_domain::value::Narrative;
use gloact_domain::{ValueError, Violations};

use crate::input::fields::{check_opt, check_time, query_text};
use crate::input::paging::{encode_cursor, seq_page};
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

/// Revokes a token: it gets 401 from the next request on here, within about a second on every
/// other replica.
#[utoipa::path(tag = "access", request_body = NewRevocation, responses((status = 204, description = "Revoked (revoking twice changes nothing)")))]
#[post("/admin/revocations")]
pub async fn create_revocation(
    db: web::Data<gloact_persistence::Db>,
    settings: web::Data<Settings>,
    Authenticated(caller): Authenticated,
    body: web::Json<NewRevocation>,
) -> Result<HttpResponse, ApiError> {
    let NewRevocation { jti, reason } = body.into_inner();
    let mut v = Violations::default();
    if jti.is_empty() || jti.len() > 200 || jti.chars().any(char::is_control) {
        v.add(
            "jti",
            ValueError::new(
                "invalid_jti",
                "must be 1 to 200 characters, none of them control characters",
            ),
        );
    }
    let reason = check_opt(&mut v, "reason", reason.as_deref(), Narrative::parse)
        .map(|r| r.as_str().to_owned());
    v.into_result()?;
    let max_ttl = chrono::Duration::seconds(
        i64::try_from(settings.auth.max_token_ttl_secs).unwrap_or(i64::MAX / 2),
    );
    service::access::revoke(&db, &caller, &jti, reason, max_ttl).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// An event of the audit trail.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct AuditEventDto {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When.
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    /// Who: a token's subject, or `cli:<user>`.
    pub actor: String,
    /// In which role.
    pub role: String,
    /// For which organization.
    pub organization: String,
    /// What: `create`, `update`, `delete`, `read`, `review` (of a field report), `erase` and
    /// `reseal` (of an identity), `issue`, `revoke`, `disable`, `export` (an HTCDS release).
    pub action: String,
    /// To what kind of resource: `organization`, `activity`, `follow_up_action`,
    /// `indicator_period`, `field_report`, `attachment`, `case`, `case_referral`,
    /// `case_identity`, `token`, `client`, `htcds_release` (its id `exact` or `k_anonymous`).
    pub resource_type: String,
    /// To which one.
    pub resource_id: Option<String>,
    /// To which ones, for a read of several (a page).
    pub resource_ids: Vec<String>,
    /// In which request (`x-request-id`).
    pub request_id: Option<String>,
    /// The fields a write changed.
    pub changed_fields: Vec<String>,
    /// The hash of the event before.
    pub prev_hash: String,
    /// SHA-256 over this event and `prev_hash`.
    pub hash: String,
}

impl From<AuditEvent> for AuditEventDto {
    fn from(e: AuditEvent) -> Self {
        Self {
            seq: e.seq,
            occurred_at: e.occurred_at,
            actor: e.actor,
            role: e.role,
            organization: e.organization,
            action: e.action,
            resource_type: e.resource_type,
            resource_id: e.resource_id,
            resource_ids: e.resource_ids,
            request_id: e.request_id,
            changed_fields: e.changed_fields,
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}

/// A page of audit events.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct AuditPage {
    /// Events, oldest first.
    pub items: Vec<AuditEventDto>,
    /// Pass as `after` for the next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Filters and paging of the audit trail.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only events by this subject.
    pub actor: Option<String>,
    /// Only this action.
    pub action: Option<String>,
    /// Only events about this kind of resource: `organization`, `activity`, `follow_up_action`,
    /// `indicator_period`, `field_report`, `attachment`, `case`, `case_referral`,
    /// `case_identity`, `token`, `client`, `htcds_release`.
    pub resource_type: Option<String>,
    /// Only events about this resource (alone or in a page that was read).
    pub resource_id: Option<String>,
    /// Only events of this request.
    pub request_id: Option<String>,
    /// Only events at or after this time (RFC 3339).
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    /// Only events before this time (RFC 3339).
    pub to: Option<chrono::DateTime<chrono::Utc>>,
    /// The `next_cursor` of the previous page.
    pub after: Option<String>,
    /// Events per page, 1 to 500 (default 50).
    pub limit: Option<u32>,
}

/// Reads the audit trail (UNODC with the `admin` scope).
#[utoipa::path(tag = "access", params(AuditQuery), responses((status = 200, description = "A page of events, oldest first", body = AuditPage)))]
#[get("/admin/audit-events")]
pub async fn list_audit_events(
    db: web::Data<gloact_persistence::Db>,
    Authenticated(caller): Authenticated,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let (after, limit) = seq_page(query.after.as_deref(), query.limit)?;
    let filter = AuditFilter {
        actor: query_text("actor", query.actor.as_deref())?,
        action: query_text("action", query.action.as_deref())?,
        resource_type: query_text("resource_type", query.resource_type.as_deref())?,
        resource_id: query_text("resource_id", query.resource_id.as_deref())?,
        request_id: query_text("request_id", query.request_id.as_deref())?,
        from: query
            .from
            .map(check_time)
            .transpose()
            .map_err(|e| ApiError::bad_request("invalid_query", format!("from: {e}")))?,
        to: query
            .to
            .map(check_time)
            .transpose()
            .map_err(|e| ApiError::bad_request("invalid_query", format!("to: {e}")))?,
    };
    let (events, more) = service::audit::list(&db, &caller, &filter, after, limit).await?;
    let next_cursor = match (more, events.last()) {
        (true, Some(last)) => Some(encode_cursor(Cursor::Change(last.seq))),
        _ => None,
    };
    Ok(HttpResponse::Ok().json(AuditPage {
        items: events.into_iter().map(AuditEventDto::from).collect(),
        next_cursor,
    }))
}
