//! `POST /api/v1/oauth/token`: OAuth2 client credentials (RFC 6749 section 4.4) for partner
//! systems. Its errors follow RFC 6749 section 5.2, as OAuth2 clients expect, not problem+json.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use gloact_domain::Scopes;
use gloact_persistence::Db;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::TokenService;
use crate::config::Settings;
use crate::service::access::{self, ClientTokenError};
use crate::telemetry::RequestId;

/// A token request (`application/x-www-form-urlencoded`).
#[derive(Debug, ToSchema)]
#[schema(as = TokenRequest)]
#[allow(
    dead_code,
    reason = "documents the form; the handler reads the pairs itself"
)]
pub struct TokenRequestForm {
    /// `client_credentials`.
    grant_type: String,
    /// The client's id (or in HTTP Basic authentication).
    client_id: Option<String>,
    /// The client's secret (or in HTTP Basic authentication).
    client_secret: Option<String>,
    /// Scopes asked for, space-separated; all the client may have when absent.
    scope: Option<String>,
}

/// A token (RFC 6749 section 5.1).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// The bearer token.
    access_token: String,
    /// `Bearer`.
    token_type: &'static str,
    /// Seconds until it expires.
    expires_in: i64,
    /// The scopes it carries, space-separated.
    scope: String,
}

/// A refusal (RFC 6749 section 5.2).
#[derive(Debug, Serialize, ToSchema)]
pub struct OAuthError {
    /// `invalid_request`, `invalid_client`, `unsupported_grant_type` or `invalid_scope`.
    error: &'static str,
    /// What is wrong.
    error_description: String,
}

fn refuse(error: &'static str, description: impl Into<String>) -> HttpResponse {
    let body = OAuthError {
        error,
        error_description: description.into(),
    };
    let mut response = if error == "invalid_client" {
        HttpResponse::Unauthorized()
    } else {
        HttpResponse::BadRequest()
    };
    if error == "invalid_client" {
        response.insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"gloact\""));
    }
    response
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(body)
}

/// Client credentials from HTTP Basic authentication (RFC 6749 section 2.3.1), if present.
fn basic_credentials(req: &HttpRequest) -> Option<(String, String)> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// Gets a token for a partner client by client credentials.
#[utoipa::path(
    tag = "access",
    request_body(content = TokenRequestForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "A bearer token bound to the client's role, organization and scopes", body = TokenResponse),
        (status = 400, description = "invalid_request, unsupported_grant_type or invalid_scope", body = OAuthError),
        (status = 401, description = "invalid_client: unknown, disabled, or a wrong secret", body = OAuthError),
    )
)]
#[post("/oauth/token")]
pub async fn create_token(
    req: HttpRequest,
    body: web::Bytes,
    db: web::Data<Db>,
    tokens: web::Data<TokenService>,
    settings: web::Data<Settings>,
) -> HttpResponse {
    let form_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    if !form_type {
        return refuse(
            "invalid_request",
            "send the request as application/x-www-form-urlencoded",
        );
    }
    let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) else {
        return refuse("invalid_request", "the form could not be read");
    };
    let field = |name: &str| {
        let mut values = pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str());
        match (values.next(), values.next()) {
            (first, None) => Ok(first),
            _ => Err(format!("{name} is given more than once")),
        }
    };
    let (grant_type, form_id, form_secret, scope) = match (
        field("grant_type"),
        field("client_id"),
        field("client_secret"),
        field("scope"),
    ) {
        (Ok(g), Ok(i), Ok(s), Ok(sc)) => (g, i, s, sc),
        (Err(e), ..) | (_, Err(e), ..) | (_, _, Err(e), _) | (.., Err(e)) => {
            return refuse("invalid_request", e);
        }
    };
    match grant_type {
        None => return refuse("invalid_request", "grant_type is required"),
        Some("client_credentials") => {}
        Some(other) => {
            return refuse(
                "unsupported_grant_type",
                format!("{other} is not supported; use client_credentials"),
            );
        }
    }
    let (client_id, secret) = match (basic_credentials(&req), form_id, form_secret) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            return refuse(
                "invalid_request",
                "send the client's credentials once: in Basic authentication or in the form",
            );
        }
        (Some(credentials), None, None) => credentials,
        (None, Some(id), Some(secret)) => (id.to_owned(), secret.to_owned()),
        _ => return refuse("invalid_client", "client_id and client_secret are required"),
    };
    let Ok(requested) = Scopes::parse(scope.unwrap_or_default()) else {
        return refuse(
            "invalid_scope",
            "unknown scope; the scopes are pii, stats:exact and admin",
        );
    };
    let ttl = chrono::Duration::seconds(
        i64::try_from(settings.auth.client_token_ttl_secs).unwrap_or(900),
    );
    let request_id = RequestId::of(&req);
    let request = access::TokenRequest {
        client_id: &client_id,
        secret: &secret,
        scopes: &requested,
        request_id: &request_id,
    };
    match access::issue_client_token(&db, &tokens, &request, ttl).await {
        Ok(issued) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(TokenResponse {
                access_token: issued.access_token,
                token_type: "Bearer",
                expires_in: issued.expires_in,
                scope: issued.scopes.to_scope_string(),
            }),
        Err(ClientTokenError::InvalidClient) => {
            refuse("invalid_client", "client authentication failed")
        }
        Err(ClientTokenError::InvalidScope(why)) => refuse("invalid_scope", why),
        Err(ClientTokenError::Busy(_)) => {
            actix_web::ResponseError::error_response(&crate::error::ApiError::Unavailable)
        }
        Err(ClientTokenError::Store(error)) => {
            actix_web::ResponseError::error_response(&crate::error::ApiError::from(error))
        }
        Err(ClientTokenError::Mint(cause)) => {
            actix_web::ResponseError::error_response(&crate::error::ApiError::internal(cause))
        }
    }
}
