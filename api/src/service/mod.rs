//! The one service layer under REST and GraphQL: authorize → validate → persist.
//! Transports parse input into domain values and render the results; every decision about who
//! may do what is made here, from the policy in `gloact_domain::policy`.

pub mod access;
pub mod activities;
pub mod audit;
pub mod cases;
pub mod exports;
pub mod field_reports;
pub mod follow_ups;
pub mod iati;
pub mod imports;
pub mod indicators;
pub mod organizations;
pub mod programmes;
pub mod statistics;

use gloact_domain::Actor;
use gloact_domain::Violations;
use gloact_domain::policy::{Action, Grant, Resource, grant, required_scope};
use gloact_persistence::StoreError;
use gloact_persistence::audit::Audit;

/// Who calls, and in which request: what every service operation needs to decide and to leave
/// a trace.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The verified caller.
    pub actor: Actor,
    /// The request's id (`x-request-id`).
    pub request_id: String,
}

impl Caller {
    /// The caller as the audit trail records it.
    pub fn audit_identity(&self) -> Audit {
        Audit {
            actor: self.actor.subject.clone(),
            role: self.actor.role.as_str().to_owned(),
            organization: self.actor.organization.to_string(),
            request_id: Some(self.request_id.clone()),
        }
    }
}

/// Why an operation was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The caller may not do this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The input breaks a rule that needs the stored state to check.
    #[error("{0}")]
    Invalid(Violations),
    /// Storage failed or refused.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<Violations> for ServiceError {
    fn from(violations: Violations) -> Self {
        Self::Invalid(violations)
    }
}

/// The result of a service call.
pub type ServiceResult<T> = Result<T, ServiceError>;

/// What the policy grants the caller for this resource and action; refuses outright when it
/// grants nothing.
fn authorize(actor: &Actor, resource: Resource, action: Action) -> ServiceResult<Grant> {
    if let Some(scope) = required_scope(resource)
        && !actor.scopes.contains(scope)
    {
        return Err(ServiceError::Forbidden(format!(
            "this needs a token with the {scope} scope"
        )));
    }
    match grant(actor.role, resource, action) {
        Grant::Denied => Err(ServiceError::Forbidden(format!(
            "the {} role may not {action} {}s",
            actor.role,
            resource.as_str().replace('_', " ")
        ))),
        granted => Ok(granted),
    }
}

/// Refuses a write at a version that is no longer current. Services check this against the
/// same read they base their decisions on (who owns the row, which status it can reach), so a
/// decision is never made on a state the caller has not seen; storage checks it again in the
/// write's transaction.
fn check_version(current: i32, expected: i32) -> ServiceResult<()> {
    Ok(StoreError::check_version(current, expected)?)
}

/// Records reads of restricted rows before the data goes out: one event per request, naming the
/// row (or the rows of a page).
async fn audit_restricted_reads(
    db: &gloact_persistence::Db,
    caller: &Caller,
    resource_type: &'static str,
    restricted_ids: Vec<String>,
) -> ServiceResult<()> {
    audit_reads(db, caller, resource_type, restricted_ids, false).await
}

/// Records reads of restricted activities (and what hangs off them) as
/// [`audit_restricted_reads`] does, but through the replica's queue of read events: written in
/// batches a moment later, so that readers don't wait on a commit each nor queue behind each
/// other's.
/// Identities, cases and field reports stay with [`audit_restricted_reads`].
async fn audit_restricted_activity_reads(
    db: &gloact_persistence::Db,
    caller: &Caller,
    resource_type: &'static str,
    restricted_ids: Vec<String>,
) -> ServiceResult<()> {
    audit_reads(db, caller, resource_type, restricted_ids, true).await
}

/// One event for the restricted rows a request read (none when it read none), written at once
/// or `queued`.
async fn audit_reads(
    db: &gloact_persistence::Db,
    caller: &Caller,
    resource_type: &'static str,
    restricted_ids: Vec<String>,
    queued: bool,
) -> ServiceResult<()> {
    use gloact_persistence::audit::{self, Entry};
    let entry = match restricted_ids.as_slice() {
        [] => return Ok(()),
        [one] => Entry::new("read", resource_type, one),
        _ => Entry::many("read", resource_type, restricted_ids),
    };
    let audit_identity = caller.audit_identity();
    if queued {
        audit::record_read(db, &audit_identity, vec![entry]).await?;
    } else {
        audit::record(db, &audit_identity, vec![entry]).await?;
    }
    Ok(())
}
