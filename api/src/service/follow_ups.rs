//! Follow-up actions: read as their activities; UNODC writes; owners update their own.

use gloact_domain::FollowUpActionId;
use gloact_domain::activity::Visibility;
use gloact_domain::follow_up::{FollowUpAction, FollowUpChanges, NewFollowUpAction};
use gloact_domain::policy::{Action, ActivityScope, Grant, Resource, may_reassign_follow_up};
use gloact_persistence::follow_ups::{self, FollowUpFilter};
use gloact_persistence::{Db, Page, PageRequest};

use super::{
    Caller, ServiceError, ServiceResult, audit_restricted_activity_reads, authorize, check_version,
};

/// A page of the follow-up actions the caller may see.
pub async fn list(
    db: &Db,
    caller: &Caller,
    filter: &FollowUpFilter,
    page: &PageRequest,
) -> ServiceResult<Page<FollowUpAction, FollowUpActionId>> {
    let actor = &caller.actor;
    authorize(actor, Resource::FollowUpAction, Action::Read)?;
    let page = follow_ups::list(db, &ActivityScope::of(actor), filter, page).await?;
    record_reads(db, caller, &page.items).await?;
    Ok(page)
}

/// How many follow-up actions the caller may see match the filter.
pub async fn count(db: &Db, caller: &Caller, filter: &FollowUpFilter) -> ServiceResult<i64> {
    let actor = &caller.actor;
    authorize(actor, Resource::FollowUpAction, Action::Read)?;
    Ok(follow_ups::count(db, &ActivityScope::of(actor), filter).await?)
}

/// The ids of the actions of restricted activities among those served.
fn restricted(served: &[FollowUpAction]) -> Vec<String> {
    served
        .iter()
        .filter(|a| a.activity_visibility == Visibility::Restricted)
        .map(|a| a.id.to_string())
        .collect()
}

/// Puts the caller's read of these rows on the audit trail, for those of restricted activities
/// (queued: see [`audit_restricted_activity_reads`]).
async fn record_reads(db: &Db, caller: &Caller, read: &[FollowUpAction]) -> ServiceResult<()> {
    audit_restricted_activity_reads(db, caller, "follow_up_action", restricted(read)).await
}

/// One follow-up action the caller may see.
pub async fn get(db: &Db, caller: &Caller, id: FollowUpActionId) -> ServiceResult<FollowUpAction> {
    let actor = &caller.actor;
    authorize(actor, Resource::FollowUpAction, Action::Read)?;
    let action = follow_ups::get(db, &ActivityScope::of(actor), id).await?;
    record_reads(db, caller, std::slice::from_ref(&action)).await?;
    Ok(action)
}

/// A new follow-up action.
pub async fn create(
    db: &Db,
    caller: &Caller,
    new: &NewFollowUpAction,
) -> ServiceResult<FollowUpAction> {
    let actor = &caller.actor;
    authorize(actor, Resource::FollowUpAction, Action::Create)?;
    Ok(follow_ups::create(db, &ActivityScope::of(actor), new, &caller.audit_identity()).await?)
}

/// Changes to a follow-up action at the version the caller read. An empty change writes nothing.
pub async fn update(
    db: &Db,
    caller: &Caller,
    id: FollowUpActionId,
    version: i32,
    changes: &FollowUpChanges,
) -> ServiceResult<FollowUpAction> {
    let actor = &caller.actor;
    let granted = authorize(actor, Resource::FollowUpAction, Action::Update)?;
    let scope = ActivityScope::of(actor);
    let current = follow_ups::get(db, &scope, id).await?;
    check_version(current.meta.version, version)?;
    if granted == Grant::IfOwner && current.owner_code != actor.organization {
        return Err(ServiceError::Forbidden(format!(
            "only its owner ({}) may update this follow-up action",
            current.owner_code
        )));
    }
    if changes.owner.is_some() && !may_reassign_follow_up(actor) {
        return Err(ServiceError::Forbidden(
            "only UNODC may hand a follow-up action to another organization".into(),
        ));
    }
    if *changes == FollowUpChanges::default() {
        // Nothing written, but the action goes out: a read like any other.
        record_reads(db, caller, std::slice::from_ref(&current)).await?;
        return Ok(current);
    }
    Ok(follow_ups::update(db, &scope, id, version, changes, &caller.audit_identity()).await?)
}
