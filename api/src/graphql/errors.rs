//! GraphQL errors carry the same stable `code` as REST's problem documents, in `extensions`;
//! internal causes are logged, never sent.

use async_graphql::{Error, ErrorExtensions, Value};

use crate::error::ApiError;
use crate::service::ServiceError;

/// The GraphQL error of a transport error: the problem's detail (or title) as the message, and
/// `code`, `status`, the invalid fields and the current version in `extensions`.
pub fn api_error(error: ApiError) -> Error {
    if let ApiError::Internal(cause) = &error {
        tracing::error!(%cause, "internal error");
    }
    let problem = error.problem();
    let message = problem.detail.clone().unwrap_or(problem.title.clone());
    Error::new(message).extend_with(|_, extensions| {
        extensions.set("code", problem.code.as_str());
        extensions.set("status", problem.status);
        if !problem.errors.is_empty()
            && let Ok(fields) = serde_json::to_value(&problem.errors)
            && let Ok(fields) = Value::from_json(fields)
        {
            extensions.set("errors", fields);
        }
        if let Some(current) = problem.current_version {
            extensions.set("currentVersion", current);
        }
    })
}

/// The GraphQL error of a service error, coded as REST codes it.
pub fn service_error(error: ServiceError) -> Error {
    api_error(ApiError::from(error))
}

/// A GraphQL error with a code of its own (limits, the endpoint).
pub fn coded(code: &'static str, message: impl Into<String>) -> Error {
    Error::new(message).extend_with(|_, extensions| extensions.set("code", code))
}

/// Turns service results into GraphQL results.
pub trait OrGraphqlError<T> {
    /// The value, or the error coded as REST codes it.
    fn gql(self) -> async_graphql::Result<T>;
}

impl<T> OrGraphqlError<T> for Result<T, ServiceError> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(service_error)
    }
}

impl<T> OrGraphqlError<T> for Result<T, ApiError> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(api_error)
    }
}

/// A lookup by id: a row that isn't there, or that the caller may not know of, is `null`, as
/// REST's 404; every other error stays an error.
pub fn found<T>(result: Result<T, ServiceError>) -> async_graphql::Result<Option<T>> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(ServiceError::Store(gloact_persistence::StoreError::NotFound)) => Ok(None),
        Err(other) => Err(service_error(other)),
    }
}
