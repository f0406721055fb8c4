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

/// How many programmes there are.
pub async fn count(db: &Db, caller: &Caller) -> ServiceResult<i64> {
    authorize(&caller.actor, Resource::Programme, Action::Read)?;
    Ok(programmes::count(db).await?)
}

/// The programmes with these ids, in one batch; unknown ids are left out.
pub async fn get_many(
    db: &Db,
    caller: &Caller,
    ids: &[ProgrammeId],
) -> ServiceResult<Vec<Programme>> {
    authorize(&caller.actor, Resource::Programme, Action::Read)?;
    Ok(programmes::get_many(db, ids).await?)
}

/// One programme.
pub async fn get(db: &Db, caller: &Caller, id: ProgrammeId) -> ServiceResult<Programme> {
    let actor = &caller.actor;
    authorize(actor, Resource::Programme, Action::Read)?;
    Ok(programmes::get(db, id).await?)
}
