//! Organizations: everyone reads, UNODC writes.

use gloact_domain::OrganizationId;
use gloact_domain::organization::{NewOrganization, Organization, OrganizationChanges};
use gloact_domain::policy::{Action, Resource};
use gloact_persistence::organizations::{self, OrganizationFilter};
use gloact_persistence::{Db, Page, PageRequest};

use super::{Caller, ServiceResult, authorize, check_version};

/// A page of organizations.
pub async fn list(
    db: &Db,
    caller: &Caller,
    filter: &OrganizationFilter,
    page: &PageRequest,
) -> ServiceResult<Page<Organization, OrganizationId>> {
    let actor = &caller.actor;
    authorize(actor, Resource::Organization, Action::Read)?;
    Ok(organizations::list(db, filter, page).await?)
}

/// How many organizations match the filter.
pub async fn count(db: &Db, caller: &Caller, filter: &OrganizationFilter) -> ServiceResult<i64> {
    authorize(&caller.actor, Resource::Organization, Action::Read)?;
    Ok(organizations::count(db, filter).await?)
}

/// The organizations with these ids, in one batch; unknown ids are left out.
pub async fn get_many(
    db: &Db,
    caller: &Caller,
    ids: &[OrganizationId],
) -> ServiceResult<Vec<Organization>> {
    authorize(&caller.actor, Resource::Organization, Action::Read)?;
    Ok(organizations::get_many(db, ids).await?)
}

/// One organization.
pub async fn get(db: &Db, caller: &Caller, id: OrganizationId) -> ServiceResult<Organization> {
    let actor = &caller.actor;
    authorize(actor, Resource::Organization, Action::Read)?;
    Ok(organizations::get(db, id).await?)
}

/// A new organization.
pub async fn create(
    db: &Db,
    caller: &Caller,
    new: &NewOrganization,
) -> ServiceResult<Organization> {
    let actor = &caller.actor;
    authorize(actor, Resource::Organization, Action::Create)?;
    Ok(organizations::create(db, new, &caller.audit_identity()).await?)
}

/// Changes to an organization at the version the caller read.
pub async fn update(
    db: &Db,
    caller: &Caller,
    id: OrganizationId,
    version: i32,
    changes: &OrganizationChanges,
) -> ServiceResult<Organization> {
    let actor = &caller.actor;
    authorize(actor, Resource::Organization, Action::Update)?;
    if *changes == OrganizationChanges::default() {
        // Nothing to write: the version stays, but a stale copy is still reported.
        let current = organizations::get(db, id).await?;
        check_version(current.meta.version, version)?;
        return Ok(current);
    }
    Ok(organizations::update(db, id, version, changes, &caller.audit_identity()).await?)
}
