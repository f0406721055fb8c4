//! The one error of the storage layer: diesel's and the pool's errors mapped once, here.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// What can go wrong in storage, in terms the service layer can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row does not exist, is deleted, or is outside the caller's scope.
    #[error("not found")]
    NotFound,
    /// The write conflicts with a stored row: a unique key, or a state that forbids it.
    #[error("conflicts with an existing row ({0:?})")]
    Conflict(Conflict),
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

/// What a refused write conflicts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    /// An organization with this code exists.
    OrganizationCode,
    /// The programme has a live activity with this code.
    ActivityCode,
    /// The organization takes part in the activity in this role already.
    Participation,
    /// A different field report was received under this id.
    ReportIdReused,
    /// The activity has live parts (e.g. meetings), so it can't be deleted.
    HasParts,
    /// Another unique constraint, named.
    Unique(String),
}

impl Conflict {
    /// The conflict a unique constraint of the schema stands for.
    fn of_constraint(name: &str) -> Self {
        match name {
            "organization_code_key" => Self::OrganizationCode,
            "activity_programme_code_key" => Self::ActivityCode,
            "participation_key" => Self::Participation,
            other => Self::Unique(other.to_owned()),
        }
    }
}

impl StoreError {
    /// A domain rule, checked against stored data, refused the value of `field`.
    pub fn invalid(field: &str, error: gloact_domain::ValueError) -> Self {
        Self::Invalid {
            field: field.to_owned(),
            code: error.code,
            message: error.message,
        }
    }

    /// Refuses a write at `expected` when the row is at `current`: the caller has not seen the
    /// latest change.
    pub fn check_version(current: i32, expected: i32) -> Result<(), StoreError> {
        if current != expected {
            return Err(StoreError::StaleVersion { expected, current });
        }
        Ok(())
    }
}

/// What PostgreSQL says of a failure that is over when the server is back or the moment passes.
const RETRYABLE: [&str; 6] = [
    "canceling statement",
    "deadlock detected",
    "terminating connection due to administrator command",
    "terminating connection because of crash of another server process",
    "the database system is starting up",
    "the database system is shutting down",
];

impl From<DieselError> for StoreError {
    fn from(error: DieselError) -> Self {
        match error {
            DieselError::NotFound => Self::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => Self::Conflict(
                Conflict::of_constraint(info.constraint_name().unwrap_or("unique")),
            ),
            DieselError::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                info,
            ) => Self::Unavailable(info.message().to_owned()),
            DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, info) => {
                Self::Unavailable(info.message().to_owned())
            }
            // diesel names no kind for these, so the server's message tells them: a statement
            // timeout (57014), a deadlock (40P01), and a server going down or coming back
            // (57P01 administrator shutdown, 57P02 crash of another process, 57P03 starting or
            // shutting down) are worth a retry.
            DieselError::DatabaseError(_, ref info)
                if RETRYABLE.iter().any(|m| info.message().contains(m)) =>
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

#[cfg(test)]
mod tests {
    use super::*;

    fn server_says(message: &str) -> StoreError {
        DieselError::DatabaseError(DatabaseErrorKind::Unknown, Box::new(message.to_owned())).into()
    }

    #[test]
    fn a_server_going_down_or_coming_back_is_worth_a_retry() {
        for message in [
            "terminating connection due to administrator command",
            "terminating connection because of crash of another server process",
            "the database system is starting up",
            "the database system is shutting down",
            "canceling statement due to statement timeout",
            "deadlock detected",
        ] {
            assert!(
                matches!(server_says(message), StoreError::Unavailable(_)),
                "{message}"
            );
        }
        assert!(matches!(
            server_says("column \"x\" does not exist"),
            StoreError::Internal(_)
        ));
    }
}
