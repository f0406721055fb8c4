//! Activities: everyone reads what their scope shows; UNODC writes; IOM writes where it
//! implements.

use gloact_domain::activity::{
    ActivityChanges, ActivityDetail, ActivityPatch, NewActivity, Visibility,
};
use gloact_domain::policy::{Action, ActivityScope, Grant, Resource, may_set_visibility};
use gloact_domain::{ActivityId, Actor};
use gloact_persistence::activities::aggregates::{self, ActivityDimension, ParticipantTotals};
use gloact_persistence::activities::{self, ActivityFilter};
use gloact_persistence::{Db, Page, PageRequest};

use super::{
    Caller, ServiceError, ServiceResult, audit_restricted_activity_reads, authorize, check_version,
};

/// A page of the activities the caller may see.
pub async fn list(
    db: &Db,
    caller: &Caller,
    filter: &ActivityFilter,
    page: &PageRequest,
) -> ServiceResult<Page<ActivityDetail, ActivityId>> {
    let actor = &caller.actor;
    authorize(actor, Resource::Activity, Action::Read)?;
    let page = activities::list(db, &ActivityScope::of(actor), filter, page).await?;
    record_reads(db, caller, &page.items).await?;
    Ok(page)
}

/// One activity the caller may see.
pub async fn get(db: &Db, caller: &Caller, id: ActivityId) -> ServiceResult<ActivityDetail> {
    let actor = &caller.actor;
    authorize(actor, Resource::Activity, Action::Read)?;
    let detail = activities::get(db, &ActivityScope::of(actor), id).await?;
    record_reads(db, caller, std::slice::from_ref(&detail)).await?;
    Ok(detail)
}

/// How many activities the caller may see match the filter.
pub async fn count(db: &Db, caller: &Caller, filter: &ActivityFilter) -> ServiceResult<i64> {
    let actor = &caller.actor;
    authorize(actor, Resource::Activity, Action::Read)?;
    Ok(activities::count(db, &ActivityScope::of(actor), filter).await?)
}

/// The activities with these ids that the caller may see (others are left out, as if they did
/// not exist), in one batch: what GraphQL's loaders ask for.
pub async fn get_many(
    db: &Db,
    caller: &Caller,
    ids: &[ActivityId],
) -> ServiceResult<Vec<ActivityDetail>> {
    let actor = &caller.actor;
    authorize(actor, Resource::Activity, Action::Read)?;
    let found = activities::get_many(db, &ActivityScope::of(actor), ids).await?;
    record_reads(db, caller, &found).await?;
    Ok(found)
}

/// The parts (e.g. meetings) of these activities that the caller may see, in one batch.
pub async fn parts_of(
    db: &Db,
    caller: &Caller,
    parents: &[ActivityId],
) -> ServiceResult<Vec<ActivityDetail>> {
    let actor = &caller.actor;
    authorize(actor, Resource::Activity, Action::Read)?;
    let found = activities::parts_of(db, &ActivityScope::of(actor), parents).await?;
    record_reads(db, caller, &found).await?;
    Ok(found)
}

/// The activities the caller may see that match the filter, counted by one dimension. Counts
/// of activities describe the work plan, not people, so they are exact; what the caller may
/// not see is not counted.
pub async fn counts_by(
    db: &Db,
    caller: &Caller,
    filter: &ActivityFilter,
    dimension: ActivityDimension,
) -> ServiceResult<Vec<(String, i64)>> {
    let actor = &caller.actor;
    authorize(actor, Resource::Activity, Action::Read)?;
    Ok(aggregates::counts_by(db, &ActivityScope::of(actor), filter, dimension).await?)
}

/// The participants of the activities the caller may see that match the filter, summed.
pub async fn participant_totals(
    db: &Db,
    caller: &Caller,
    filter: &ActivityFilter,
) -> ServiceResult<ParticipantTotals> {
    let actor = &caller.actor;
    authorize(actor, Resource::Activity, Action::Read)?;
    Ok(aggregates::participant_totals(db, &ActivityScope::of(actor), filter).await?)
}

/// The ids of the restricted activities among those served.
fn restricted(served: &[ActivityDetail]) -> Vec<String> {
    served
        .iter()
        .filter(|d| d.activity.visibility == Visibility::Restricted)
        .map(|d| d.activity.id.to_string())
        .collect()
}

/// Puts the caller's read of these rows on the audit trail, for those of restricted activities
/// (queued: see [`audit_restricted_activity_reads`]).
async fn record_reads(db: &Db, caller: &Caller, read: &[ActivityDetail]) -> ServiceResult<()> {
    audit_restricted_activity_reads(db, caller, "activity", restricted(read)).await
}

/// A new activity with its participations and objectives.
pub async fn create(db: &Db, caller: &Caller, new: &NewActivity) -> ServiceResult<ActivityDetail> {
    let actor = &caller.actor;
    let granted = authorize(actor, Resource::Activity, Action::Create)?;
    may_create(actor, granted, new)?;
    Ok(activities::create(db, &ActivityScope::of(actor), new, &caller.audit_identity()).await?)
}

/// Whether a caller granted creation may create this activity: a role that writes only where
/// its organization implements must list itself as implementing, and only UNODC makes an
/// activity public.
pub(super) fn may_create(actor: &Actor, granted: Grant, new: &NewActivity) -> ServiceResult<()> {
    if granted == Grant::IfImplementing && !new.implemented_by(&actor.organization) {
        return Err(ServiceError::Forbidden(format!(
            "the {} role may create only activities that its organization ({}) implements: list it in participations with role implementing",
            actor.role, actor.organization
        )));
    }
    if new.visibility == Visibility::Public && !may_set_visibility(actor) {
        return Err(ServiceError::Forbidden(
            "only UNODC makes an activity public".into(),
        ));
    }
    Ok(())
}

/// Whether a caller granted updates may make this change to the activity as read: a role that
/// writes only where its organization implements must implement it, and only UNODC decides
/// who may see it.
pub(super) fn may_update(
    actor: &Actor,
    granted: Grant,
    current: &ActivityDetail,
    patch: &ActivityPatch,
) -> ServiceResult<()> {
    if granted == Grant::IfImplementing && !current.implemented_by(&actor.organization) {
        return Err(ServiceError::Forbidden(format!(
            "{} does not implement this activity",
            actor.organization
        )));
    }
    if patch.visibility.is_some() && !may_set_visibility(actor) {
        return Err(ServiceError::Forbidden(
            "only UNODC decides who may see an activity".into(),
        ));
    }
    Ok(())
}

/// Changes to an activity at the version the caller read. An empty change writes nothing.
pub async fn update(
    db: &Db,
    caller: &Caller,
    id: ActivityId,
    version: i32,
    patch: ActivityPatch,
) -> ServiceResult<ActivityDetail> {
    let actor = &caller.actor;
    let granted = authorize(actor, Resource::Activity, Action::Update)?;
    let scope = ActivityScope::of(actor);
    let current = activities::get(db, &scope, id).await?;
    check_version(current.activity.meta.version, version)?;
    may_update(actor, granted, &current, &patch)?;
    let changes = current.activity.apply(patch)?;
    if changes == ActivityChanges::default() {
        // Nothing written, but the activity goes out: a read like any other.
        record_reads(db, caller, std::slice::from_ref(&current)).await?;
        return Ok(current);
    }
    Ok(activities::update(db, &scope, id, version, &changes, &caller.audit_identity()).await?)
}

/// Deletes an activity, at the version the caller read.
pub async fn delete(db: &Db, caller: &Caller, id: ActivityId, version: i32) -> ServiceResult<()> {
    let actor = &caller.actor;
    authorize(actor, Resource::Activity, Action::Delete)?;
    Ok(activities::delete(
        db,
        &ActivityScope::of(actor),
        id,
        version,
        &caller.audit_identity(),
    )
    .await?)
}
