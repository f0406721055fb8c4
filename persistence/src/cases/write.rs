//! Versioned writes of cases and their referrals.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use gloact_domain::case::{
    Case, CaseChanges, Consent, NewCase, NewReferral, ReferralStatus, TraffickingEvent,
};
use gloact_domain::policy::CaseScope;
use gloact_domain::value::{Code, CountryCode, District, Narrative};
use uuid::Uuid;

use super::identity::seal_identity;
use super::read::find;
use crate::audit::{Audit, Entry, append};
use crate::db::Db;
use crate::error::StoreError;
use crate::organizations::id_by_code;
use crate::schema::{case_event, case_identity, case_referral, victim_case};
use crate::sealed::SealingKey;

/// Opens a case for `organization`, with its events, referrals and (sealed) identity.
pub async fn create(
    db: &Db,
    new: &NewCase,
    opened_by: &str,
    organization: &Code,
    key: &SealingKey,
    audit: &Audit,
) -> Result<Case, StoreError> {
    let id = Uuid::now_v7();
    let mut conn = db.conn().await?;
    conn.transaction(async |conn| {
        let organization_id = id_by_code(conn, "organization", organization).await?;
        diesel::insert_into(victim_case::table)
            .values((
                victim_case::id.eq(id),
                victim_case::organization_id.eq(organization_id),
                victim_case::opened_by.eq(opened_by),
                victim_case::identified_on.eq(new.identified_on),
                victim_case::district.eq(new.district.as_str()),
                victim_case::sex.eq(new.subject.sex.as_str()),
                victim_case::age_band.eq(new.subject.age_band.as_str()),
                victim_case::citizenship.eq(new.subject.citizenship.as_str()),
                victim_case::exploitation.eq(new.exploitation.as_str()),
                victim_case::means_of_control.eq(means_of_control(&new.means_of_control)),
                victim_case::recruitment.eq(new.recruitment.method.as_str()),
                victim_case::recruiter_relation.eq(new.recruitment.recruiter_relation.as_str()),
                victim_case::consent.eq(new.consent.0),
                victim_case::status.eq(new.status.as_str()),
            ))
            .execute(conn)
            .await?;
        insert_events(conn, id, &new.events).await?;
        let mut entries = vec![Entry::new("create", "case", id)];
        for (i, referral) in new.referrals.iter().enumerate() {
            let referral_id = insert_referral(
                conn,
                id,
                (organization, organization_id),
                &format!("referrals[{i}].to_organization"),
                referral,
                opened_by,
            )
            .await?;
            entries.push(Entry::new("create", "case_referral", referral_id));
        }
        if let Some(identity) = &new.identity {
            seal_identity(conn, id, identity, key).await?;
            entries.push(Entry::new("create", "case_identity", id));
        }
        append(conn, audit, entries).await?;
        find(conn, &CaseScope::All, id).await
    })
    .await
}

pub(super) fn means_of_control(
    set: &BTreeSet<gloact_domain::case::MeansOfControl>,
) -> Vec<&'static str> {
    set.iter().map(|m| m.as_str()).collect()
}

async fn insert_events(
    conn: &mut AsyncPgConnection,
    case_id: Uuid,
    events: &[TraffickingEvent],
) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = events
        .iter()
        .zip(0..)
        .map(|(e, position): (&TraffickingEvent, i32)| {
            (
                case_event::id.eq(Uuid::now_v7()),
                case_event::case_id.eq(case_id),
                case_event::position.eq(position),
                case_event::stage.eq(e.stage.as_str()),
                case_event::place.eq(e.place.as_str()),
                case_event::country.eq(e.country.as_str()),
                case_event::occurred_on.eq(e.occurred_on),
            )
        })
        .collect();
    diesel::insert_into(case_event::table)
        .values(rows)
        .execute(conn)
        .await?;
    Ok(())
}

async fn insert_referral(
    conn: &mut AsyncPgConnection,
    case_id: Uuid,
    (from_organization, from_organization_id): (&Code, Uuid),
    field: &str,
    referral: &NewReferral,
    referred_by: &str,
) -> Result<Uuid, StoreError> {
    let to_organization_id = id_by_code(conn, field, &referral.to_organization).await?;
    // Codes name organizations one to one, so the rule on codes is the rule on rows.
    referral
        .check_from(from_organization)
        .map_err(|e| StoreError::invalid(field, e))?;
    let id = Uuid::now_v7();
    diesel::insert_into(case_referral::table)
        .values((
            case_referral::id.eq(id),
            case_referral::case_id.eq(case_id),
            case_referral::from_organization_id.eq(from_organization_id),
            case_referral::to_organization_id.eq(to_organization_id),
            case_referral::service.eq(referral.service.as_str()),
            case_referral::status.eq(ReferralStatus::Proposed.as_str()),
            case_referral::note.eq(referral.note.as_ref().map(Narrative::as_str)),
            case_referral::referred_by.eq(referred_by),
        ))
        .execute(conn)
        .await?;
    Ok(id)
}

/// Locks a live case for a write at the version the writer read.
pub(super) async fn current_for_write(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    expected_version: Option<i32>,
) -> Result<Case, StoreError> {
    crate::db::lock_row(conn, "victim_case", id).await?;
    let case = find(conn, &CaseScope::All, id).await?;
    if let Some(expected) = expected_version {
        StoreError::check_version(case.meta.version, expected)?;
    }
    Ok(case)
}

/// A change to what hangs off a case is a change to the case: its version and change number move.
pub(super) async fn touch(conn: &mut AsyncPgConnection, id: Uuid) -> Result<(), StoreError> {
    diesel::update(victim_case::table.filter(victim_case::id.eq(id)))
        .set(victim_case::updated_at.eq(diesel::dsl::now))
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(AsChangeset)]
#[diesel(table_name = victim_case)]
struct CaseChangeset<'a> {
    identified_on: Option<NaiveDate>,
    district: Option<&'a str>,
    sex: Option<&'static str>,
    age_band: Option<&'static str>,
    citizenship: Option<&'a str>,
    exploitation: Option<&'static str>,
    means_of_control: Option<Vec<&'static str>>,
    recruitment: Option<&'static str>,
    recruiter_relation: Option<&'static str>,
    consent: Option<bool>,
    status: Option<&'static str>,
}

/// Changes a case at the version the writer read. Withdrawn consent erases the stored identity in
/// the same transaction. Unscoped, like every write and identity read here: the service layer
/// decides who may call them.
pub async fn update(
    db: &Db,
    id: Uuid,
    expected_version: i32,
    changes: &CaseChanges,
    audit: &Audit,
) -> Result<Case, StoreError> {
    let mut conn = db.conn().await?;
    conn.transaction(async |conn| {
        let current = current_for_write(conn, id, Some(expected_version)).await?;
        let fields = changes.fields();
        if changes.is_empty() {
            // The service answers an empty change as a read before it gets here; there is no
            // changeset to write.
            return Ok(current);
        }
        let changeset = CaseChangeset {
            identified_on: changes.identified_on,
            district: changes.district.as_ref().map(District::as_str),
            sex: changes.sex.map(|v| v.as_str()),
            age_band: changes.age_band.map(|v| v.as_str()),
            citizenship: changes.citizenship.as_ref().map(CountryCode::as_str),
            exploitation: changes.exploitation.map(|v| v.as_str()),
            means_of_control: changes.means_of_control.as_ref().map(means_of_control),
            recruitment: changes.recruitment.map(|v| v.as_str()),
            recruiter_relation: changes.recruiter_relation.map(|v| v.as_str()),
            consent: changes.consent.map(|c| c.0),
            status: changes.status.map(|v| v.as_str()),
        };
        diesel::update(victim_case::table.filter(victim_case::id.eq(id)))
            .set((changeset, victim_case::updated_at.eq(diesel::dsl::now)))
            .execute(conn)
            .await?;
        if let Some(events) = &changes.events {
            diesel::delete(case_event::table.filter(case_event::case_id.eq(id)))
                .execute(conn)
                .await?;
            insert_events(conn, id, events).await?;
        }
        let mut entries = vec![Entry::new("update", "case", id).changing(fields)];
        if changes.consent == Some(Consent(false)) && current.has_identity {
            diesel::delete(case_identity::table.filter(case_identity::case_id.eq(id)))
                .execute(conn)
                .await?;
            entries.push(Entry::new("erase", "case_identity", id));
        }
        append(conn, audit, entries).await?;
        find(conn, &CaseScope::All, id).await
    })
    .await
}

/// Adds a referral from `from_organization` to a case that `scope` may see.
pub async fn add_referral(
    db: &Db,
    scope: &CaseScope,
    case_id: Uuid,
    from_organization: &Code,
    referral: &NewReferral,
    referred_by: &str,
    audit: &Audit,
) -> Result<Case, StoreError> {
    let mut conn = db.conn().await?;
    conn.transaction(async |conn| {
        find(conn, scope, case_id).await?;
        let from_id = id_by_code(conn, "organization", from_organization).await?;
        let id = insert_referral(
            conn,
            case_id,
            (from_organization, from_id),
            "to_organization",
            referral,
            referred_by,
        )
        .await?;
        touch(conn, case_id).await?;
        append(conn, audit, vec![Entry::new("create", "case_referral", id)]).await?;
        find(conn, scope, case_id).await
    })
    .await
}

/// Moves a referral of a case to `status`, at the case's version the writer read.
pub async fn set_referral_status(
    db: &Db,
    case_id: Uuid,
    referral_id: Uuid,
    expected_version: i32,
    status: ReferralStatus,
    audit: &Audit,
) -> Result<Case, StoreError> {
    let mut conn = db.conn().await?;
    conn.transaction(async |conn| {
        current_for_write(conn, case_id, Some(expected_version)).await?;
        let current: String = case_referral::table
            .filter(case_referral::id.eq(referral_id))
            .filter(case_referral::case_id.eq(case_id))
            .select(case_referral::status)
            .first(conn)
            .await?;
        let current: ReferralStatus = current.parse()?;
        if !current
            .moves_to(status)
            .map_err(|e| StoreError::invalid("status", e))?
        {
            // A retried change: nothing to write, but the case goes out, a read on the trail.
            append(conn, audit, vec![Entry::new("read", "case", case_id)]).await?;
            return find(conn, &CaseScope::All, case_id).await;
        }
        let changed = diesel::update(
            case_referral::table
                .filter(case_referral::id.eq(referral_id))
                .filter(case_referral::case_id.eq(case_id)),
        )
        .set((
            case_referral::status.eq(status.as_str()),
            case_referral::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        touch(conn, case_id).await?;
        append(
            conn,
            audit,
            vec![Entry::new("update", "case_referral", referral_id).changing(vec!["status"])],
        )
        .await?;
        find(conn, &CaseScope::All, case_id).await
    })
    .await
}
