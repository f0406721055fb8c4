//! Programmes: everyone reads.

use gloact_domain::ProgrammeId;
use gloact_domain::policy::{Action, Resource};
use gloact_domain::programme::Programme;
use gloact_persistence::{Db, Page, PageRequest, programmes};

use super::{Caller, ServiceResult, authorize};

/// A page of programmes.
pub async fn list(
    db: &Db,
    caller: &Caller,
    page: &PageRequest,
) -> ServiceResult<Page<Programme, ProgrammeId>> {
    let actor = &caller.actor;
    authorize(actor, Resource::Programme, Action::Read)?;
    Ok(programmes::list(db, page).await?)
}

/// One programme.
pub async fn get(db: &Db, caller: &Caller, id: ProgrammeId) -> ServiceResult<Programme> {
    let actor = &caller.actor;
    authorize(actor, Resource::Programme, Action::Read)?;
    Ok(programmes::get(db, id).await?)
}
