//! Creating, changing and deleting activities: each in one transaction.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use gloact_domain::activity::{
    ActivityChanges, ActivityDetail, ActivityKind, ActivityStatus, NewActivity, ParticipantCounts,
    Pillar, Visibility,
};
use gloact_domain::policy::ActivityScope;
use gloact_domain::value::{District, Location, Narrative, Title};
use gloact_domain::{ActivityId, ObjectiveId, ParticipationId};

use crate::audit::{Audit, Entry, append};
use crate::db::Db;
use crate::error::{Conflict, StoreError};
use crate::schema::{activity, follow_up_action, objective, participation};
use crate::sight;

use super::find;
use super::rows::{ActivityChangeset, NewActivityRow, db_count};

/// Stores a new activity with its participations and objectives, in one transaction.
pub async fn create(
    db: &Db,
    scope: &ActivityScope,
    new: &NewActivity,
    audit: &Audit,
) -> Result<ActivityDetail, StoreError> {
    let mut conn = db.conn().await?;
    conn.transaction(async |conn| create_in(conn, scope, new, audit).await)
        .await
}

/// [`create`] in the caller's transaction (of an import, say).
pub async fn create_in(
    conn: &mut AsyncPgConnection,
    scope: &ActivityScope,
    new: &NewActivity,
    audit: &Audit,
) -> Result<ActivityDetail, StoreError> {
    let programme_id = crate::programmes::id_by_code(conn, "programme", &new.programme).await?;
    if let Some(parent) = new.parent_id {
        let row = activity::table
            .filter(activity::id.eq(parent.0))
            .filter(activity::deleted_at.is_null())
            .filter(activity::programme_id.eq(programme_id))
            .select(activity::visibility);
        // Held to the commit, so that the parent can't turn restricted (or go) between this
        // check and the new part's insert: see `check_nesting`. A locking query can't be
        // boxed: the scope's condition is added as it is, or not at all.
        let found: Option<String> = match crate::scope::activity_visible(scope) {
            Some(condition) => row.filter(condition).for_share().first(conn).await,
            None => row.for_share().first(conn).await,
        }
        .optional()?;
        let parent_visibility: Visibility = found
            .ok_or_else(|| StoreError::UnknownReference {
                field: "parent_id".into(),
                what: "activity of this programme",
                code: parent.to_string(),
            })?
            .parse()?;
        new.visibility
            .check_nesting(Some(parent_visibility), false)
            .map_err(|e| StoreError::invalid("visibility", e))?;
    }
    let id = ActivityId::new();
    let counts = new.participants.get();
    diesel::insert_into(activity::table)
        .values(NewActivityRow {
            id: id.0,
            programme_id,
            parent_id: new.parent_id.map(|p| p.0),
            code: new.code.as_str(),
            title: new.title.as_str(),
            description: new.description.as_ref().map(Narrative::as_str),
            kind: new.kind.as_str(),
            pillar: new.pillar.as_str(),
            status: new.status.as_str(),
            visibility: new.visibility.as_str(),
            planned_start: new.planned.start(),
            planned_end: new.planned.end(),
            actual_start: new.actual.start(),
            actual_end: new.actual.end(),
            location: new.location.as_ref().map(Location::as_str),
            district: new.district.as_ref().map(District::as_str),
            participants_female: db_count(counts.female),
            participants_male: db_count(counts.male),
            participants_other: db_count(counts.other),
            judges: db_count(counts.judges),
            prosecutors: db_count(counts.prosecutors),
            law_enforcement: db_count(counts.law_enforcement),
            officials: db_count(counts.officials),
            civil_society: db_count(counts.civil_society),
        })
        .execute(conn)
        .await?;
    let mut participations = Vec::with_capacity(new.participations.len());
    for (i, p) in new.participations.iter().enumerate() {
        let organization_id = crate::organizations::id_by_code(
            conn,
            &format!("participations[{i}].organization"),
            &p.organization,
        )
        .await?;
        participations.push((
            participation::id.eq(ParticipationId::new().0),
            participation::activity_id.eq(id.0),
            participation::organization_id.eq(organization_id),
            participation::role.eq(p.role.as_str()),
        ));
    }
    diesel::insert_into(participation::table)
        .values(&participations)
        .execute(conn)
        .await?;
    let objectives: Vec<_> = new
        .objectives
        .iter()
        .map(|o| {
            (
                objective::id.eq(ObjectiveId::new().0),
                objective::activity_id.eq(id.0),
                objective::description.eq(o.description.as_str()),
                objective::achieved.eq(o.achieved),
                objective::evidence.eq(o.evidence.as_ref().map(Narrative::as_str)),
            )
        })
        .collect();
    diesel::insert_into(objective::table)
        .values(&objectives)
        .execute(conn)
        .await?;
    append(conn, audit, vec![Entry::new("create", "activity", id)]).await?;
    find(conn, scope, id).await
}

/// What a write decides on, of the activity it locks.
struct Locked {
    /// Its parent as stored, whether or not the caller may see it: for the nesting rule only,
    /// never to be shown.
    parent_id: Option<uuid::Uuid>,
    visibility: Visibility,
}

/// Locks a live activity the caller may see for the rest of the transaction, at the version the
/// caller read: one `SELECT … FOR UPDATE`. Every change moves the version, so at that version
/// the activity's own columns are as the caller read them (its parent and parts are not
/// locked).
async fn lock_at(
    conn: &mut AsyncPgConnection,
    scope: &ActivityScope,
    id: ActivityId,
    expected_version: i32,
) -> Result<Locked, StoreError> {
    let row = activity::table
        .filter(activity::id.eq(id.0))
        .filter(activity::deleted_at.is_null())
        .select((activity::version, activity::parent_id, activity::visibility));
    // A locking query can't be boxed: the scope's condition is added as it is, or not at all.
    let found: Option<(i32, Option<uuid::Uuid>, String)> =
        match crate::scope::activity_visible(scope) {
            Some(condition) => row.filter(condition).for_update().first(conn).await,
            None => row.for_update().first(conn).await,
        }
        .optional()?;
    let (version, parent_id, visibility) = found.ok_or(StoreError::NotFound)?;
    StoreError::check_version(version, expected_version)?;
    Ok(Locked {
        parent_id,
        visibility: visibility.parse()?,
    })
}

/// Applies changes to an activity at the version the caller read.
pub async fn update(
    db: &Db,
    scope: &ActivityScope,
    id: ActivityId,
    expected_version: i32,
    changes: &ActivityChanges,
    audit: &Audit,
) -> Result<ActivityDetail, StoreError> {
    let mut conn = db.conn().await?;
    conn.transaction(async |conn| {
        update_in(conn, scope, id, expected_version, changes, audit).await
    })
    .await
}

/// [`update`] in the caller's transaction (of an import, say).
pub async fn update_in(
    conn: &mut AsyncPgConnection,
    scope: &ActivityScope,
    id: ActivityId,
    expected_version: i32,
    changes: &ActivityChanges,
    audit: &Audit,
) -> Result<ActivityDetail, StoreError> {
    let counts = changes.participants.as_ref().map(ParticipantCounts::get);
    let changeset = ActivityChangeset {
        title: changes.title.as_ref().map(Title::as_str),
        description: changes
            .description
            .as_ref()
            .map(|d| d.as_ref().map(Narrative::as_str)),
        kind: changes.kind.map(ActivityKind::as_str),
        pillar: changes.pillar.map(Pillar::as_str),
        status: changes.status.map(ActivityStatus::as_str),
        visibility: changes.visibility.map(Visibility::as_str),
        planned_start: changes.planned.map(|s| s.start()),
        planned_end: changes.planned.map(|s| s.end()),
        actual_start: changes.actual.map(|s| s.start()),
        actual_end: changes.actual.map(|s| s.end()),
        location: changes
            .location
            .as_ref()
            .map(|l| l.as_ref().map(Location::as_str)),
        district: changes
            .district
            .as_ref()
            .map(|d| d.as_ref().map(District::as_str)),
        participants_female: counts.map(|c| db_count(c.female)),
        participants_male: counts.map(|c| db_count(c.male)),
        participants_other: counts.map(|c| db_count(c.other)),
        judges: counts.map(|c| db_count(c.judges)),
        prosecutors: counts.map(|c| db_count(c.prosecutors)),
        law_enforcement: counts.map(|c| db_count(c.law_enforcement)),
        officials: counts.map(|c| db_count(c.officials)),
        civil_society: counts.map(|c| db_count(c.civil_society)),
        updated_at: Utc::now(),
    };
    let current = lock_at(conn, scope, id, expected_version).await?;
    if let Some(visibility) = changes.visibility {
        check_nesting(conn, id, current.parent_id, visibility).await?;
    }
    diesel::update(activity::table.filter(activity::id.eq(id.0)))
        .set(&changeset)
        .execute(conn)
        .await?;
    if changes.visibility.is_some_and(|v| v != current.visibility) {
        // Its follow-up actions are seen as it is: they change with it, so that delta sync
        // brings them back to those who see them again (and their activity's visibility,
        // which they show, to everyone).
        diesel::update(
            follow_up_action::table
                .filter(follow_up_action::activity_id.eq(id.0))
                .filter(follow_up_action::deleted_at.is_null()),
        )
        .set(follow_up_action::updated_at.eq(Utc::now()))
        .execute(conn)
        .await?;
    }
    if current.visibility == Visibility::Public
        && changes.visibility == Some(Visibility::Restricted)
    {
        // Those not taking part lose sight of it: their copies are told to drop it.
        sight::record_restricted(conn, id).await?;
    }
    append(
        conn,
        audit,
        vec![Entry::new("update", "activity", id).changing(changes.changed_fields())],
    )
    .await?;
    find(conn, scope, id).await
}

/// A new visibility must keep public parts out of restricted activities, both ways. Called with
/// the activity locked `FOR UPDATE`; its parent is read `FOR SHARE`, as `create` reads a new
/// part's parent. So of two writers deciding on the same pair (a parent turning restricted, a
/// part being made or turning public) the second waits for the first to commit and then sees
/// what it wrote: the parent's visibility, or the public part (each statement reads what has
/// committed by its start).
async fn check_nesting(
    conn: &mut AsyncPgConnection,
    id: ActivityId,
    parent_id: Option<uuid::Uuid>,
    visibility: Visibility,
) -> Result<(), StoreError> {
    let parent = match parent_id {
        Some(parent_id) => Some(
            activity::table
                .filter(activity::id.eq(parent_id))
                .select(activity::visibility)
                .for_share()
                .first::<String>(conn)
                .await?
                .parse()?,
        ),
        None => None,
    };
    let public_parts: i64 = activity::table
        .filter(activity::parent_id.eq(id.0))
        .filter(activity::deleted_at.is_null())
        .filter(activity::visibility.eq(Visibility::Public.as_str()))
        .count()
        .get_result(conn)
        .await?;
    visibility
        .check_nesting(parent, public_parts > 0)
        .map_err(|e| StoreError::invalid("visibility", e))
}

/// Deletes an activity at the version the caller read, with its follow-up actions. Deletes are
/// soft: the rows stay as tombstones for delta sync. Its participations stay too, so that the
/// organizations that took part still see the tombstone. Refused while it has live parts.
pub async fn delete(
    db: &Db,
    scope: &ActivityScope,
    id: ActivityId,
    expected_version: i32,
    audit: &Audit,
) -> Result<(), StoreError> {
    let mut conn = db.conn().await?;
    conn.transaction(async |conn| {
        lock_at(conn, scope, id, expected_version).await?;
        let live_parts: i64 = activity::table
            .filter(activity::parent_id.eq(id.0))
            .filter(activity::deleted_at.is_null())
            .count()
            .get_result(conn)
            .await?;
        if live_parts > 0 {
            return Err(StoreError::Conflict(Conflict::HasParts));
        }
        diesel::update(activity::table.filter(activity::id.eq(id.0)))
            .set(activity::deleted_at.eq(diesel::dsl::now))
            .execute(conn)
            .await?;
        append(conn, audit, vec![Entry::new("delete", "activity", id)]).await?;
        crate::follow_ups::delete_of_activity(conn, id).await
    })
    .await
}
