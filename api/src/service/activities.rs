//! Activities: everyone reads what their scope shows; UNODC writes; IOM writes where it
//! implements.

use gloact_domain::activity::{ActivityChanges, ActivityDetail, ActivityPatch, NewActivity};
use gloact_domain::policy::{Action, ActivityScope, Grant, Resource};
use gloact_domain::{ActivityId, Actor};
use gloact_persistence::activities::{self, ActivityFilter};
use gloact_persistence::{Db, Page, PageRequest};

use super::{ServiceError, ServiceResult, authorize, check_version};

/// A page of the activities the caller may see.
pub async fn list(
    db: &Db,
    actor: &Actor,
    filter: &ActivityFilter,
    page: &PageRequest,
) -> ServiceResult<Page<ActivityDetail, ActivityId>> {
    authorize(actor, Resource::Activity, Action::Read)?;
    Ok(activities::list(db, &ActivityScope::of(actor), filter, page).await?)
}

/// One activity the caller may see.
pub async fn get(db: &Db, actor: &Actor, id: ActivityId) -> ServiceResult<ActivityDetail> {
    authorize(actor, Resource::Activity, Action::Read)?;
    Ok(activities::get(db, &ActivityScope::of(actor), id).await?)
}

/// A new activity with its participations and objectives.
pub async fn create(db: &Db, actor: &Actor, new: &NewActivity) -> ServiceResult<ActivityDetail> {
    if authorize(actor, Resource::Activity, Action::Create)? == Grant::IfImplementing
        && !new.implemented_by(&actor.organization)
    {
        return Err(ServiceError::Forbidden(format!(
            "the {} role may create only activities that its organization ({}) implements: list it in participations with role implementing",
            actor.role, actor.organization
        )));
    }
    Ok(activities::create(db, &ActivityScope::of(actor), new).await?)
}

/// Changes to an activity at the version the caller read. An empty change writes nothing.
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: ActivityId,
    version: i32,
    patch: ActivityPatch,
) -> ServiceResult<ActivityDetail> {
    let granted = authorize(actor, Resource::Activity, Action::Update)?;
    let scope = ActivityScope::of(actor);
    let current = activities::get(db, &scope, id).await?;
    check_version(current.activity.meta.version, version)?;
    if granted == Grant::IfImplementing && !current.implemented_by(&actor.organization) {
        return Err(ServiceError::Forbidden(format!(
            "{} does not implement this activity",
            actor.organization
        )));
    }
    let changes = current.activity.apply(patch)?;
    if changes == ActivityChanges::default() {
        return Ok(current);
    }
    Ok(activities::update(db, &scope, id, version, &changes).await?)
}

/// Deletes an activity, at the version the caller read.
pub async fn delete(db: &Db, actor: &Actor, id: ActivityId, version: i32) -> ServiceResult<()> {
    authorize(actor, Resource::Activity, Action::Delete)?;
    Ok(activities::delete(db, &ActivityScope::of(actor), id, version).await?)
}
