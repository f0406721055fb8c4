//! The audit trail, for UNODC administrators.

use gloact_domain::policy::{Action, Resource};
use gloact_persistence::Db;
use gloact_persistence::audit::{self, AuditEvent, AuditFilter};

use super::{Caller, ServiceResult, authorize};

/// Events after `after_seq` matching the filter, oldest first; and whether more follow.
pub async fn list(
    db: &Db,
    caller: &Caller,
    filter: &AuditFilter,
    after_seq: Option<i64>,
    limit: u16,
) -> ServiceResult<(Vec<AuditEvent>, bool)> {
    authorize(&caller.actor, Resource::AuditEvent, Action::Read)?;
    Ok(audit::list(db, filter, after_seq, limit).await?)
}
