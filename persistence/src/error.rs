//! The one error of the storage layer: diesel's and the pool's errors mapped once, here.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// What can go wrong in storage, in terms the service layer can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row does not exist, is deleted, or is outside the caller's scope.
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the write; `constraint` names it.
    #[error("conflicts with an existing row ({constraint})")]
    Conflict {
        /// The violated constraint, e.g. `organization_code_key`.
        constraint: String,
    },
    /// A code given in the input names nothing.
    #[error("{field}: no such {what} '{code}'")]
    UnknownReference {
        /// The input field.
        field: String,
        /// What was looked for.
        what: &'static str,
        /// The code that matched nothing.
        code: String,
    },
    /// A value breaks a rule that only the stored data can check (e.g. a cycle of parents).
    #[error("{field}: {message}")]
    Invalid {
        /// The input field.
        field: String,
        /// Stable code of the rule.
        code: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The row changed since the caller read it.
    #[error("version {expected} is stale, the row is at version {current}")]
    StaleVersion {
        /// The version the caller named.
        expected: i32,
        /// The row's current version.
        current: i32,
    },
    /// The database can't be reached or is overloaded; worth retrying.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A stored value no longer parses into its domain type.
    #[error("stored row does not parse: {0}")]
    Corrupt(String),
    /// Anything else: a bug or a broken invariant.
    #[error("storage error: {0}")]
    Internal(String),
}

impl StoreError {
    /// Refuses a write at `expected` when the row is at `current`: the caller has not seen the
    /// latest change.
    pub fn check_version(current: i32, expected: i32) -> Result<(), StoreError> {
        if current != expected {
            return Err(StoreError::StaleVersion { expected, current });
        }
        Ok(())
    }
}

impl From<DieselError> for StoreError {
    fn from(error: DieselError) -> Self {
        match error {
            DieselError::NotFound => Self::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                Self::Conflict {
                    constraint: info.constraint_name().unwrap_or("unique").to_owned(),
                }
            }
            DieselError::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                info,
            ) => Self::Unavailable(info.message().to_owned()),
            DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, info) => {
                Self::Unavailable(info.message().to_owned())
            }
            // diesel names no kind for these, so the server's message tells them: a statement
            // timeout (57014) and a deadlock (40P01) are worth a retry.
            DieselError::DatabaseError(_, ref info)
                if info.message().contains("canceling statement")
                    || info.message().contains("deadlock detected") =>
            {
                Self::Unavailable(info.message().to_owned())
            }
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for StoreError {
    fn from(error: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        Self::Unavailable(error.to_string())
    }
}

impl From<gloact_domain::ValueError> for StoreError {
    fn from(error: gloact_domain::ValueError) -> Self {
        Self::Corrupt(error.to_string())
    }
}
