//! Programmes: everyone reads.

use gloact_domain::policy::{Action, Resource};
use gloact_domain::programme::Programme;
use gloact_domain::{Actor, ProgrammeId};
use gloact_persistence::{Db, Page, PageRequest, programmes};

use super::{ServiceResult, authorize};

/// A page of programmes.
pub async fn list(
    db: &Db,
    actor: &Actor,
    page: &PageRequest,
) -> ServiceResult<Page<Programme, ProgrammeId>> {
    authorize(actor, Resource::Programme, Action::Read)?;
    Ok(programmes::list(db, page).await?)
}

/// One programme.
pub async fn get(db: &Db, actor: &Actor, id: ProgrammeId) -> ServiceResult<Programme> {
    authorize(actor, Resource::Programme, Action::Read)?;
    Ok(programmes::get(db, id).await?)
}
