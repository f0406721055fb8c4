//! The caller of a request, as a handler argument: a missing or bad token is a 401, never an
//! anonymous caller.

use std::future::{Ready, ready};

use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use gloact_domain::Actor;

use super::TokenService;
use crate::error::ApiError;

/// A caller whose bearer token was verified.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Actor);

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(authenticate(req))
    }
}

fn authenticate(req: &HttpRequest) -> Result<Authenticated, ApiError> {
    let Some(tokens) = req.app_data::<web::Data<TokenService>>() else {
        return Err(ApiError::internal("token service missing from app data"));
    };
    // Tokens in URLs end up in logs and browser histories: only the header is accepted.
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or(super::TokenError::Missing)?;
    let value = header.to_str().map_err(|_| super::TokenError::Invalid)?;
    let (scheme, token) = value.split_once(' ').ok_or(super::TokenError::Invalid)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(super::TokenError::Invalid.into());
    }
    let actor = tokens.verify(token.trim())?;
    tracing::Span::current().record("sub", actor.subject.as_str());
    Ok(Authenticated(actor))
}
