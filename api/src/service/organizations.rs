//! Organizations: everyone reads, UNODC writes.

use gloact_domain::organization::{NewOrganization, Organization, OrganizationChanges};
use gloact_domain::policy::{Action, Resource};
use gloact_domain::{Actor, OrganizationId};
use gloact_persistence::organizations::{self, OrganizationFilter};
use gloact_persistence::{Db, Page, PageRequest};

use super::{ServiceResult, authorize, check_version};

/// A page of organizations.
pub async fn list(
    db: &Db,
    actor: &Actor,
    filter: &OrganizationFilter,
    page: &PageRequest,
) -> ServiceResult<Page<Organization, OrganizationId>> {
    authorize(actor, Resource::Organization, Action::Read)?;
    Ok(organizations::list(db, filter, page).await?)
}

/// One organization.
pub async fn get(db: &Db, actor: &Actor, id: OrganizationId) -> ServiceResult<Organization> {
    authorize(actor, Resource::Organization, Action::Read)?;
    Ok(organizations::get(db, id).await?)
}

/// A new organization.
pub async fn create(db: &Db, actor: &Actor, new: &NewOrganization) -> ServiceResult<Organization> {
    authorize(actor, Resource::Organization, Action::Create)?;
    Ok(organizations::create(db, new).await?)
}

/// Changes to an organization at the version the caller read.
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: OrganizationId,
    version: i32,
    changes: &OrganizationChanges,
) -> ServiceResult<Organization> {
    authorize(actor, Resource::Organization, Action::Update)?;
    if *changes == OrganizationChanges::default() {
        // Nothing to write: the version stays, but a stale copy is still reported.
        let current = organizations::get(db, id).await?;
        check_version(current.meta.version, version)?;
        return Ok(current);
    }
    Ok(organizations::update(db, id, version, changes).await?)
}
