//! The one transport error, rendered as RFC 9457 `application/problem+json` with a stable `code`.
//! Internal causes are logged here and never sent.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use gloact_domain::{FieldError, Violations};
use gloact_persistence::{Conflict, StoreError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::TokenError;
use crate::service::ServiceError;

/// The media type of problem details.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem detail.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem: `urn:gloact:problem:<code>`.
    #[serde(rename = "type")]
    #[schema(example = "urn:gloact:problem:validation_failed")]
    pub kind: String,
    /// A short summary of the kind of problem.
    #[schema(example = "Some fields are invalid")]
    pub title: String,
    /// The HTTP status.
    #[schema(example = 422)]
    pub status: u16,
    /// What went wrong this time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Stable machine-readable code; clients branch on this.
    #[schema(example = "validation_failed")]
    pub code: String,
    /// The invalid fields, for `validation_failed`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The current version of the row, for `version_mismatch`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i32>,
    /// The invalid rows of a sheet, for `import_invalid`, in row order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub row_errors: Vec<RowError>,
}

/// A problem with one row (or one cell) of an uploaded sheet.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct RowError {
    /// The row number as the spreadsheet shows it: the header is row 1.
    #[schema(example = 7)]
    pub row: usize,
    /// The column, by its header; `null` when the problem is the row's as a whole.
    #[schema(example = "participants_female")]
    pub column: Option<String>,
    /// Stable machine-readable code.
    #[schema(example = "invalid_count")]
    pub code: String,
    /// What is wrong.
    pub detail: String,
}

/// What a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is malformed: body, query, path or header.
    #[error("{detail}")]
    BadRequest {
        /// Stable code.
        code: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// Fields are invalid.
    #[error("invalid fields")]
    Validation(Violations),
    /// No valid token.
    #[error("{0}")]
    Unauthorized(#[from] TokenError),
    /// A valid token without the right.
    #[error("{0}")]
    Forbidden(String),
    /// Nothing there, or nothing the caller may know about.
    #[error("not found")]
    NotFound,
    /// Conflicts with the current state.
    #[error("{detail}")]
    Conflict {
        /// Stable code.
        code: &'static str,
        /// What conflicts.
        detail: String,
    },
    /// `If-Match` names a version that is no longer current.
    #[error("stale version")]
    VersionMismatch {
        /// The row's current version.
        current: i32,
    },
    /// The body is larger than the server accepts.
    #[error("payload too large")]
    PayloadTooLarge,
    /// The body is not of a type the route takes; says which it takes.
    #[error("unsupported media type")]
    UnsupportedMediaType(&'static str),
    /// Rows of an uploaded sheet are invalid: nothing was written.
    #[error("invalid rows")]
    ImportInvalid(Vec<RowError>),
    /// `Accept` allows none of the representations served (JSON, and CSV for lists).
    #[error("not acceptable")]
    NotAcceptable,
    /// An `Idempotency-Key` already used for a different request.
    #[error("idempotency key reused")]
    IdempotencyKeyReused,
    /// A write without `If-Match`.
    #[error("If-Match required")]
    PreconditionRequired,
    /// The caller holds as much of a shared resource as one caller may.
    #[error("{detail}")]
    TooManyRequests {
        /// Stable code.
        code: &'static str,
        /// What the caller holds too much of.
        detail: String,
    },
    /// The database is unavailable; retry later.
    #[error("service unavailable")]
    Unavailable,
    /// A bug. The cause is logged, not sent.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    /// A bad request with a code and a detail.
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::BadRequest {
            code,
            detail: detail.into(),
        }
    }

    /// An internal error; `cause` is logged when the response is built.
    pub fn internal(cause: impl Into<String>) -> Self {
        Self::Internal(cause.into())
    }

    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest { code, .. }
            | Self::Conflict { code, .. }
            | Self::TooManyRequests { code, .. } => code,
            Self::Validation(_) => "validation_failed",
            Self::Unauthorized(TokenError::Missing) => "token_missing",
            Self::Unauthorized(TokenError::Expired) => "token_expired",
            Self::Unauthorized(TokenError::NotYetValid) => "token_not_yet_valid",
            Self::Unauthorized(TokenError::Invalid) => "token_invalid",
            Self::Unauthorized(TokenError::Revoked) => "token_revoked",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound => "not_found",
            Self::VersionMismatch { .. } => "version_mismatch",
            Self::PreconditionRequired => "if_match_required",
            Self::IdempotencyKeyReused => "idempotency_key_reused",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType(_) => "unsupported_media_type",
            Self::ImportInvalid(_) => "import_invalid",
            Self::NotAcceptable => "not_acceptable",
            Self::Unavailable => "unavailable",
            Self::Internal(_) => "internal",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            Self::BadRequest { .. } => "The request is malformed",
            Self::Validation(_) => "Some fields are invalid",
            Self::Unauthorized(_) => "Authentication required",
            Self::Forbidden(_) => "Not allowed",
            Self::NotFound => "Not found",
            Self::Conflict { .. } => "Conflict with the current state",
            Self::VersionMismatch { .. } => "The resource has changed",
            Self::PreconditionRequired => "If-Match required",
            Self::IdempotencyKeyReused => "Idempotency key reused",
            Self::PayloadTooLarge => "Payload too large",
            Self::UnsupportedMediaType(_) => "Unsupported media type",
            Self::ImportInvalid(_) => "Some rows are invalid",
            Self::NotAcceptable => "Not acceptable",
            Self::TooManyRequests { .. } => "Too many requests",
            Self::Unavailable => "Service unavailable",
            Self::Internal(_) => "Internal error",
        }
    }

    /// What went wrong this time, for the problem's `detail`.
    pub fn detail(&self) -> Option<String> {
        match self {
            Self::BadRequest { detail, .. }
            | Self::Conflict { detail, .. }
            | Self::TooManyRequests { detail, .. } => Some(detail.clone()),
            Self::Validation(v) => Some(v.to_string()),
            Self::Unauthorized(e) => Some(e.to_string()),
            Self::Forbidden(why) => Some(why.clone()),
            Self::NotFound => None,
            Self::VersionMismatch { current } => Some(format!(
                "the resource is at version {current}; read it again and retry with If-Match: \"{current}\""
            )),
            Self::PreconditionRequired => {
                Some("send If-Match with the ETag of the version you read".into())
            }
            Self::PayloadTooLarge => {
                Some("the request body is larger than the server accepts".into())
            }
            Self::UnsupportedMediaType(accepted) => Some(format!("send the body as {accepted}")),
            Self::ImportInvalid(rows) => Some(match rows.len() {
                1 => "1 problem in the sheet; nothing was written".to_owned(),
                crate::input::spreadsheet::MAX_PROBLEMS.. => format!(
                    "{} problems or more in the sheet, the first of them listed; nothing was written",
                    crate::input::spreadsheet::MAX_PROBLEMS
                ),
                n => format!("{n} problems in the sheet; nothing was written"),
            }),
            Self::NotAcceptable => Some(
                "lists are served as application/json, or as text/csv when Accept prefers it"
                    .into(),
            ),
            Self::IdempotencyKeyReused => {
                Some("this Idempotency-Key was used for a different request: use a new key".into())
            }
            Self::Unavailable => Some("the database is unavailable; retry later".into()),
            Self::Internal(_) => None,
        }
    }

    /// The problem document of this error.
    pub fn problem(&self) -> Problem {
        Problem {
            kind: format!("urn:gloact:problem:{}", self.code()),
            title: self.title().into(),
            status: self.status_code().as_u16(),
            detail: self.detail(),
            code: self.code().into(),
            errors: match self {
                Self::Validation(v) => v.errors().to_vec(),
                _ => Vec::new(),
            },
            current_version: match self {
                Self::VersionMismatch { current } => Some(*current),
                _ => None,
            },
            row_errors: match self {
                Self::ImportInvalid(rows) => rows.clone(),
                _ => Vec::new(),
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::VersionMismatch { .. } => StatusCode::PRECONDITION_FAILED,
            Self::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            Self::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::ImportInvalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::NotAcceptable => StatusCode::NOT_ACCEPTABLE,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(cause) = self {
            tracing::error!(%cause, "internal error");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        match self {
            Self::Unauthorized(e) => {
                let error = if *e == TokenError::Missing {
                    ""
                } else {
                    ", error=\"invalid_token\""
                };
                response.insert_header((
                    header::WWW_AUTHENTICATE,
                    format!("Bearer realm=\"gloact\"{error}"),
                ));
            }
            Self::Unavailable => {
                response.insert_header((header::RETRY_AFTER, "5"));
            }
            _ => {}
        }
        response.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

impl From<Violations> for ApiError {
    fn from(violations: Violations) -> Self {
        Self::Validation(violations)
    }
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::Forbidden(why) => Self::Forbidden(why),
            ServiceError::Invalid(violations) => Self::Validation(violations),
            ServiceError::Store(store) => store.into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => Self::NotFound,
            StoreError::Conflict(conflict) => {
                let (code, detail) = match conflict {
                    Conflict::OrganizationCode => {
                        ("duplicate_code", "an organization with this code exists")
                    }
                    Conflict::ActivityCode => (
                        "duplicate_code",
                        "the programme has an activity with this code",
                    ),
                    Conflict::Participation => (
                        "duplicate_participation",
                        "the organization takes part in this role already",
                    ),
                    Conflict::ReportIdReused => (
                        "report_id_reused",
                        "a different report was received under this id: resend with a new id",
                    ),
                    Conflict::HasParts => (
                        "has_parts",
                        "the activity has parts (e.g. meetings); delete them first",
                    ),
                    Conflict::Unique(_) => ("conflict", "conflicts with an existing resource"),
                };
                Self::Conflict {
                    code,
                    detail: detail.into(),
                }
            }
            StoreError::UnknownReference { field, what, code } => {
                Self::Validation(Violations::single(
                    &field,
                    gloact_domain::ValueError::new(
                        "unknown_reference",
                        format!("no {what} '{code}'"),
                    ),
                ))
            }
            StoreError::Invalid {
                field,
                code,
                message,
            } => Self::Validation(Violations::single(
                &field,
                gloact_domain::ValueError::new(code, message),
            )),
            StoreError::StaleVersion { current, .. } => Self::VersionMismatch { current },
            StoreError::Unavailable(cause) => {
                tracing::warn!(%cause, "database unavailable");
                Self::Unavailable
            }
            StoreError::Corrupt(cause) | StoreError::Internal(cause) => Self::Internal(cause),
        }
    }
}
