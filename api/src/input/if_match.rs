//! `If-Match`: the version of a row its writer read, required by every versioned write.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::{ObjectBuilder, Required, Type};

use crate::error::ApiError;

/// The version named by the request's `If-Match`: one strong ETag as we send them (`"3"`).
/// Writes require it, so that nobody overwrites a change they have not seen; weak tags and `*`
/// can't say which version the client read. Missing, the request is a 428; malformed, a 400.
///
/// As a handler's argument it reads the header; in `#[utoipa::path(params(IfMatch))]` it
/// documents it. Its extraction never fails: the handler asks for [`IfMatch::version`] first
/// thing, so that a bad token (401) or body (400) is answered before a missing `If-Match`, in
/// whatever order actix finishes extracting the arguments.
#[derive(Debug)]
pub struct IfMatch(Result<i32, ApiError>);

impl IfMatch {
    /// The version named, or why the header doesn't name one.
    pub fn version(self) -> Result<i32, ApiError> {
        self.0
    }

    fn of(req: &HttpRequest) -> Result<i32, ApiError> {
        let value = req
            .headers()
            .get(header::IF_MATCH)
            .ok_or(ApiError::PreconditionRequired)?;
        value
            .to_str()
            .ok()
            .map(str::trim)
            .and_then(|t| t.strip_prefix('"'))
            .and_then(|t| t.strip_suffix('"'))
            .and_then(|t| t.parse::<i32>().ok())
            .filter(|v| *v > 0)
            .ok_or_else(|| {
                ApiError::bad_request(
                    "invalid_if_match",
                    "If-Match must be the ETag of the version read, e.g. \"3\"",
                )
            })
    }
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self(Self::of(req))))
    }
}

impl utoipa::IntoParams for IfMatch {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![
            ParameterBuilder::new()
                .name("If-Match")
                .parameter_in(ParameterIn::Header)
                .required(Required::True)
                .description(Some(
                    "ETag of the version read, e.g. \"3\" (for a case's referrals and identity, \
                     the case's; for an indicator's actuals, the indicator's)",
                ))
                .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                .build(),
        ]
    }
}
