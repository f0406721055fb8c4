//! Victim-assistance cases: UNODC and IOM keep them; the government makes referrals and reads the
//! cases it referred or received; the EU sees statistics only. Who the person is is read only by
//! UNODC and IOM with the `pii` scope, and every such read is on the record.

use gloact_domain::case::{Case, CaseChanges, Identity, NewCase, NewReferral, ReferralStatus};
use gloact_domain::policy::{Action, CaseScope, Grant, Resource};
use gloact_persistence::cases::{self, CaseFilter};
use gloact_persistence::sealed::SealingKey;
use gloact_persistence::{Db, Page, PageRequest};
use uuid::Uuid;

use super::{
    Caller, ServiceError, ServiceResult, audit_restricted_reads, authorize, check_version,
};

/// A page of the cases the caller may see; every read is on the record.
pub async fn list(
    db: &Db,
    caller: &Caller,
    filter: &CaseFilter,
    page: &PageRequest,
) -> ServiceResult<Page<Case, Uuid>> {
    authorize(&caller.actor, Resource::Case, Action::Read)?;
    let page = cases::list(db, &CaseScope::of(&caller.actor), filter, page).await?;
    let ids = page.items.iter().map(|c| c.id.to_string()).collect();
    audit_restricted_reads(db, caller, "case", ids).await?;
    Ok(page)
}

/// How many of the cases the caller may see match the filter (what it could count by reading
/// them all).
pub async fn count(db: &Db, caller: &Caller, filter: &CaseFilter) -> ServiceResult<i64> {
    authorize(&caller.actor, Resource::Case, Action::Read)?;
    Ok(cases::count(db, &CaseScope::of(&caller.actor), filter).await?)
}

/// One case the caller may see.
pub async fn get(db: &Db, caller: &Caller, id: Uuid) -> ServiceResult<Case> {
    authorize(&caller.actor, Resource::Case, Action::Read)?;
    let case = cases::get(db, &CaseScope::of(&caller.actor), id).await?;
    audit_restricted_reads(db, caller, "case", vec![id.to_string()]).await?;
    Ok(case)
}

/// Opens a case. The government opens one only to refer it (with at least one referral, and no
/// identifying fields); identifying fields need the `pii` scope.
pub async fn create(
    db: &Db,
    caller: &Caller,
    key: &SealingKey,
    new: &NewCase,
) -> ServiceResult<Case> {
    let actor = &caller.actor;
    let granted = authorize(actor, Resource::Case, Action::Create)?;
    if granted == Grant::IfReferring && new.referrals.is_empty() {
        return Err(ServiceError::Forbidden(
            "the government role opens a case only to refer it: give at least one referral".into(),
        ));
    }
    if new.identity.is_some() {
        authorize(actor, Resource::CaseIdentity, Action::Create)?;
    }
    Ok(cases::create(
        db,
        new,
        &actor.subject,
        &actor.organization,
        key,
        &caller.audit_identity(),
    )
    .await?)
}

/// Changes a case at the version the caller read (UNODC and IOM). Consent governs the identity
/// (withdrawing it erases the identity), so changing it needs the `pii` scope as well. An empty
/// change writes nothing.
pub async fn update(
    db: &Db,
    caller: &Caller,
    id: Uuid,
    version: i32,
    changes: &CaseChanges,
) -> ServiceResult<Case> {
    authorize(&caller.actor, Resource::Case, Action::Update)?;
    if changes.consent.is_some() {
        authorize(&caller.actor, Resource::CaseIdentity, Action::Update)?;
    }
    if changes.is_empty() {
        // Nothing written, but the case goes out: a read like any other.
        let current = cases::get(db, &CaseScope::of(&caller.actor), id).await?;
        check_version(current.meta.version, version)?;
        audit_restricted_reads(db, caller, "case", vec![id.to_string()]).await?;
        return Ok(current);
    }
    Ok(cases::update(db, id, version, changes, &caller.audit_identity()).await?)
}

/// Refers the person of a case the caller may see to another organization, from the caller's own.
pub async fn refer(
    db: &Db,
    caller: &Caller,
    id: Uuid,
    referral: &NewReferral,
) -> ServiceResult<Case> {
    let actor = &caller.actor;
    authorize(actor, Resource::Case, Action::Create)?;
    Ok(cases::add_referral(
        db,
        &CaseScope::of(actor),
        id,
        &actor.organization,
        referral,
        &actor.subject,
        &caller.audit_identity(),
    )
    .await?)
}

/// Moves a referral to a new status, at the case's version the caller read (UNODC and IOM).
pub async fn set_referral_status(
    db: &Db,
    caller: &Caller,
    id: Uuid,
    referral_id: Uuid,
    version: i32,
    status: ReferralStatus,
) -> ServiceResult<Case> {
    authorize(&caller.actor, Resource::Case, Action::Update)?;
    Ok(cases::set_referral_status(
        db,
        id,
        referral_id,
        version,
        status,
        &caller.audit_identity(),
    )
    .await?)
}

/// Who the person of a case is: for UNODC and IOM with the `pii` scope. The read is recorded
/// before the data goes out, whether or not an identity is stored.
pub async fn identity(
    db: &Db,
    caller: &Caller,
    key: &SealingKey,
    id: Uuid,
) -> ServiceResult<Option<Identity>> {
    authorize(&caller.actor, Resource::CaseIdentity, Action::Read)?;
    let identity = cases::identity(db, id, key).await?;
    audit_restricted_reads(db, caller, "case_identity", vec![id.to_string()]).await?;
    Ok(identity)
}

/// Stores or replaces who the person of a case is (the person consented), at the case's version.
pub async fn put_identity(
    db: &Db,
    caller: &Caller,
    key: &SealingKey,
    id: Uuid,
    version: i32,
    identity: &Identity,
) -> ServiceResult<Case> {
    authorize(&caller.actor, Resource::CaseIdentity, Action::Update)?;
    Ok(cases::put_identity(db, id, version, identity, key, &caller.audit_identity()).await?)
}

/// Erases who the person of a case is, at the case's version.
pub async fn erase_identity(
    db: &Db,
    caller: &Caller,
    id: Uuid,
    version: i32,
) -> ServiceResult<Case> {
    authorize(&caller.actor, Resource::CaseIdentity, Action::Delete)?;
    Ok(cases::erase_identity(db, id, version, &caller.audit_identity()).await?)
}
