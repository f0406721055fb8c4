//! Activities with their participations and objectives: rows and queries, scoped in SQL by the
//! caller's [`ActivityScope`].

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use gloact_domain::activity::{
    Activity, ActivityChanges, ActivityDetail, ActivityKind, ActivityStatus, Headcount,
    NewActivity, Objective, ParticipantCounts, Participation, Pillar, Visibility,
};
use gloact_domain::policy::ActivityScope;
use gloact_domain::value::{Code, Count, DateSpan, District, Location, Narrative, Title};
use gloact_domain::{
    ActivityId, ObjectiveId, OrganizationId, ParticipationId, ProgrammeId, RowMeta,
};
use uuid::Uuid;

use crate::db::{Db, lock_changes};
use crate::error::StoreError;
use crate::page::{Page, PageRequest, RowKeys, paged};
use crate::schema::{activity, objective, organization, participation};
use crate::scope::{activity_visible, participating_in};

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = activity, check_for_backend(Pg))]
struct ActivityRow {
    id: Uuid,
    programme_id: Uuid,
    parent_id: Option<Uuid>,
    code: String,
    title: String,
    description: Option<String>,
    kind: String,
    pillar: String,
    status: String,
    visibility: String,
    planned_start: Option<NaiveDate>,
    planned_end: Option<NaiveDate>,
    actual_start: Option<NaiveDate>,
    actual_end: Option<NaiveDate>,
    location: Option<String>,
    district: Option<String>,
    participants_female: i32,
    participants_male: i32,
    participants_other: i32,
    judges: i32,
    prosecutors: i32,
    law_enforcement: i32,
    officials: i32,
    civil_society: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i32,
    change_seq: i64,
    deleted_at: Option<DateTime<Utc>>,
}

impl ActivityRow {
    fn keys(&self) -> RowKeys {
        RowKeys {
            id: self.id,
            change_seq: self.change_seq,
            deleted_at: self.deleted_at,
        }
    }
}

impl TryFrom<ActivityRow> for Activity {
    type Error = StoreError;

    fn try_from(row: ActivityRow) -> Result<Self, StoreError> {
        let count = |n: i32| Count::parse(i64::from(n));
        Ok(Activity {
            id: ActivityId(row.id),
            programme_id: ProgrammeId(row.programme_id),
            parent_id: row.parent_id.map(ActivityId),
            code: Code::parse(&row.code)?,
            title: Title::parse(&row.title)?,
            description: row
                .description
                .as_deref()
                .map(Narrative::parse)
                .transpose()?,
            kind: row.kind.parse()?,
            pillar: row.pillar.parse()?,
            status: row.status.parse()?,
            visibility: row.visibility.parse()?,
            planned: DateSpan::new(row.planned_start, row.planned_end)?,
            actual: DateSpan::new(row.actual_start, row.actual_end)?,
            location: row.location.as_deref().map(Location::parse).transpose()?,
            district: row.district.as_deref().map(District::parse).transpose()?,
            participants: ParticipantCounts::new(Headcount {
                female: count(row.participants_female)?,
                male: count(row.participants_male)?,
                other: count(row.participants_other)?,
                judges: count(row.judges)?,
                prosecutors: count(row.prosecutors)?,
                law_enforcement: count(row.law_enforcement)?,
                officials: count(row.officials)?,
                civil_society: count(row.civil_society)?,
            })?,
            meta: RowMeta {
                created_at: row.created_at,
                updated_at: row.updated_at,
                version: row.version,
                change_seq: row.change_seq,
            },
        })
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = participation, check_for_backend(Pg))]
struct ParticipationRow {
    id: Uuid,
    activity_id: Uuid,
    organization_id: Uuid,
    role: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i32,
    change_seq: i64,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = objective, check_for_backend(Pg))]
struct ObjectiveRow {
    id: Uuid,
    activity_id: Uuid,
    description: String,
    achieved: bool,
    evidence: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i32,
    change_seq: i64,
}

#[derive(Insertable)]
#[diesel(table_name = activity)]
struct NewActivityRow<'a> {
    id: Uuid,
    programme_id: Uuid,
    parent_id: Option<Uuid>,
    code: &'a str,
    title: &'a str,
    description: Option<&'a str>,
    kind: &'a str,
    pillar: &'a str,
    status: &'a str,
    visibility: &'a str,
    planned_start: Option<NaiveDate>,
    planned_end: Option<NaiveDate>,
    actual_start: Option<NaiveDate>,
    actual_end: Option<NaiveDate>,
    location: Option<&'a str>,
    district: Option<&'a str>,
    participants_female: i32,
    participants_male: i32,
    participants_other: i32,
    judges: i32,
    prosecutors: i32,
    law_enforcement: i32,
    officials: i32,
    civil_society: i32,
}

#[derive(AsChangeset)]
#[diesel(table_name = activity)]
struct ActivityChangeset<'a> {
    title: Option<&'a str>,
    description: Option<Option<&'a str>>,
    kind: Option<&'a str>,
    pillar: Option<&'a str>,
    status: Option<&'a str>,
    visibility: Option<&'a str>,
    planned_start: Option<Option<NaiveDate>>,
    planned_end: Option<Option<NaiveDate>>,
    actual_start: Option<Option<NaiveDate>>,
    actual_end: Option<Option<NaiveDate>>,
    location: Option<Option<&'a str>>,
    district: Option<Option<&'a str>>,
    participants_female: Option<i32>,
    participants_male: Option<i32>,
    participants_other: Option<i32>,
    judges: Option<i32>,
    prosecutors: Option<i32>,
    law_enforcement: Option<i32>,
    officials: Option<i32>,
    civil_society: Option<i32>,
    // Always set: diesel refuses an empty changeset. The trigger stamps the real time.
    updated_at: DateTime<Utc>,
}

/// Counts are at most [`Count::MAX`], which fits an `i32`.
fn db_count(count: Count) -> i32 {
    i32::try_from(count.get()).unwrap_or(i32::MAX)
}

diesel::define_sql_function! {
    /// SQL `coalesce` of two nullable dates.
    fn coalesce(first: diesel::sql_types::Nullable<diesel::sql_types::Date>, second: diesel::sql_types::Nullable<diesel::sql_types::Date>) -> diesel::sql_types::Nullable<diesel::sql_types::Date>;
}

/// Filters of the activity list.
#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    /// Only activities of the programme with this code.
    pub programme: Option<Code>,
    /// Only the parts of this activity (e.g. the meetings of a consultation).
    pub parent_id: Option<ActivityId>,
    /// Only this kind.
    pub kind: Option<ActivityKind>,
    /// Only this pillar.
    pub pillar: Option<Pillar>,
    /// Only this status.
    pub status: Option<ActivityStatus>,
    /// Only those the organization with this code takes part in.
    pub organization: Option<Code>,
    /// Only those in this district.
    pub district: Option<District>,
    /// Only those planned to end (or, with no planned end, to start) on or after this day.
    pub from: Option<NaiveDate>,
    /// Only those planned to start (or, with no planned start, to end) on or before this day.
    pub to: Option<NaiveDate>,
}

type BoxedActivities = activity::BoxedQuery<
    'static,
    Pg,
    diesel::dsl::SqlTypeOf<diesel::dsl::AsSelect<ActivityRow, Pg>>,
>;

/// Activities the caller may see, as a query to filter further.
fn visible(scope: &ActivityScope) -> BoxedActivities {
    let query = activity::table
        .select(ActivityRow::as_select())
        .into_boxed();
    match activity_visible(scope) {
        Some(condition) => query.filter(condition),
        None => query,
    }
}

/// Whether a live activity with this id exists and the caller may see it.
pub(crate) async fn is_visible(
    conn: &mut AsyncPgConnection,
    scope: &ActivityScope,
    id: ActivityId,
) -> Result<bool, StoreError> {
    let found = visible(scope)
        .filter(activity::id.eq(id.0))
        .filter(activity::deleted_at.is_null())
        .first::<ActivityRow>(conn)
        .await
        .optional()?;
    Ok(found.is_some())
}

/// Whether the organization with this code may see the activity whatever its role: the activity
/// is public or the organization takes part in it.
pub(crate) async fn is_public_or_joined_by(
    conn: &mut AsyncPgConnection,
    id: ActivityId,
    organization: &Code,
) -> Result<bool, StoreError> {
    is_visible(
        conn,
        &ActivityScope::PublicOrParticipating(organization.clone()),
        id,
    )
    .await
}

/// One page of the activities the caller may see, each with its participations, objectives and
/// follow-up actions (loaded for the whole page in three queries).
pub async fn list(
    db: &Db,
    scope: &ActivityScope,
    filter: &ActivityFilter,
    request: &PageRequest,
) -> Result<Page<ActivityDetail, ActivityId>, StoreError> {
    let mut conn = db.conn().await?;
    let mut query = visible(scope);
    if let Some(code) = &filter.programme {
        let programme_id = crate::programmes::id_by_code(&mut conn, "programme", code).await;
        match programme_id {
            Ok(id) => query = query.filter(activity::programme_id.eq(id)),
            // An unknown programme has no activities.
            Err(StoreError::UnknownReference { .. }) => {
                return Ok(Page {
                    items: vec![],
                    tombstones: vec![],
                    next: None,
                });
            }
            Err(other) => return Err(other),
        }
    }
    if let Some(parent) = filter.parent_id {
        query = query.filter(activity::parent_id.eq(parent.0));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(activity::kind.eq(kind.as_str()));
    }
    if let Some(pillar) = filter.pillar {
        query = query.filter(activity::pillar.eq(pillar.as_str()));
    }
    if let Some(status) = filter.status {
        query = query.filter(activity::status.eq(status.as_str()));
    }
    if let Some(org) = &filter.organization {
        query = query.filter(activity::id.eq_any(participating_in(org.as_str().to_owned())));
    }
    if let Some(district) = &filter.district {
        query = query.filter(activity::district.eq(district.as_str().to_owned()));
    }
    // A span open at one end counts from or to its known day; no planned day, no match.
    if let Some(from) = filter.from {
        query = query.filter(coalesce(activity::planned_end, activity::planned_start).ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(coalesce(activity::planned_start, activity::planned_end).le(to));
    }
    let rows: Vec<ActivityRow> = paged!(query, activity, request).load(&mut conn).await?;
    let live: Vec<Uuid> = rows
        .iter()
        .filter(|r| r.deleted_at.is_none())
        .map(|r| r.id)
        .collect();
    let mut children = Children::load(&mut conn, &live).await?;
    Page::from_rows(request, rows, ActivityRow::keys, |row| children.attach(row))
}

/// One activity the caller may see, with what hangs off it.
pub async fn get(
    db: &Db,
    scope: &ActivityScope,
    id: ActivityId,
) -> Result<ActivityDetail, StoreError> {
    let mut conn = db.conn().await?;
    find(&mut conn, scope, id).await
}

async fn find(
    conn: &mut AsyncPgConnection,
    scope: &ActivityScope,
    id: ActivityId,
) -> Result<ActivityDetail, StoreError> {
    let row: ActivityRow = visible(scope)
        .filter(activity::id.eq(id.0))
        .filter(activity::deleted_at.is_null())
        .first(conn)
        .await?;
    let mut children = Children::load(conn, &[row.id]).await?;
    children.attach(row)
}

/// The participations, objectives and follow-up actions of a set of activities, by activity.
struct Children {
    participations: HashMap<Uuid, Vec<Participation>>,
    objectives: HashMap<Uuid, Vec<Objective>>,
    follow_ups: HashMap<Uuid, Vec<gloact_domain::follow_up::FollowUpAction>>,
}

impl Children {
    async fn load(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> Result<Self, StoreError> {
        let mut children = Self {
            participations: HashMap::new(),
            objectives: HashMap::new(),
            follow_ups: HashMap::new(),
        };
        if ids.is_empty() {
            return Ok(children);
        }
        let participations: Vec<(ParticipationRow, String)> = participation::table
            .inner_join(organization::table)
            .filter(participation::activity_id.eq_any(ids))
            .filter(participation::deleted_at.is_null())
            .order(participation::id)
            .select((ParticipationRow::as_select(), organization::code))
            .load(conn)
            .await?;
        for (row, code) in participations {
            children
                .participations
                .entry(row.activity_id)
                .or_default()
                .push(Participation {
                    id: ParticipationId(row.id),
                    activity_id: ActivityId(row.activity_id),
                    organization_id: OrganizationId(row.organization_id),
                    organization_code: Code::parse(&code)?,
                    role: row.role.parse()?,
                    meta: RowMeta {
                        created_at: row.created_at,
                        updated_at: row.updated_at,
                        version: row.version,
                        change_seq: row.change_seq,
                    },
                });
        }
        let objectives: Vec<ObjectiveRow> = objective::table
            .filter(objective::activity_id.eq_any(ids))
            .filter(objective::deleted_at.is_null())
            .order(objective::id)
            .select(ObjectiveRow::as_select())
            .load(conn)
            .await?;
        for row in objectives {
            children
                .objectives
                .entry(row.activity_id)
                .or_default()
                .push(Objective {
                    id: ObjectiveId(row.id),
                    activity_id: ActivityId(row.activity_id),
                    description: Narrative::parse(&row.description)?,
                    achieved: row.achieved,
                    evidence: row.evidence.as_deref().map(Narrative::parse).transpose()?,
                    meta: RowMeta {
                        created_at: row.created_at,
                        updated_at: row.updated_at,
                        version: row.version,
                        change_seq: row.change_seq,
                    },
                });
        }
        for action in crate::follow_ups::of_activities(conn, ids).await? {
            children
                .follow_ups
                .entry(action.activity_id.0)
                .or_default()
                .push(action);
        }
        Ok(children)
    }

    fn attach(&mut self, row: ActivityRow) -> Result<ActivityDetail, StoreError> {
        let id = row.id;
        Ok(ActivityDetail {
            activity: Activity::try_from(row)?,
            participations: self.participations.remove(&id).unwrap_or_default(),
            objectives: self.objectives.remove(&id).unwrap_or_default(),
            follow_ups: self.follow_ups.remove(&id).unwrap_or_default(),
        })
    }
}

/// Stores a new activity with its participations and objectives, in one transaction.
pub async fn create(
    db: &Db,
    scope: &ActivityScope,
    new: &NewActivity,
) -> Result<ActivityDetail, StoreError> {
    let mut conn = db.conn().await?;
    conn.transaction(async |conn| {
        lock_changes(conn).await?;
        let programme_id = crate::programmes::id_by_code(conn, "programme", &new.programme).await?;
        if let Some(parent) = new.parent_id {
            let parent = visible(scope)
                .filter(activity::id.eq(parent.0))
                .filter(activity::deleted_at.is_null())
                .filter(activity::programme_id.eq(programme_id))
                .first::<ActivityRow>(conn)
                .await
                .optional()?
                .ok_or_else(|| StoreError::UnknownReference {
                    field: "parent_id".into(),
                    what: "activity of this programme",
                    code: parent.to_string(),
                })?;
            let parent_visibility: Visibility = parent.visibility.parse()?;
            if !new.visibility.may_be_part_of(parent_visibility) {
                return Err(public_part_of_restricted());
            }
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
        find(conn, scope, id).await
    })
    .await
}

fn public_part_of_restricted() -> StoreError {
    StoreError::Invalid {
        field: "visibility".into(),
        code: "public_part_of_restricted",
        message: "a public activity can't be part of a restricted one (its parent's id would show)"
            .into(),
    }
}

/// Checks the version the caller read against the stored one.
fn check_version(current: &ActivityDetail, expected: i32) -> Result<(), StoreError> {
    let current = current.activity.meta.version;
    if current != expected {
        return Err(StoreError::StaleVersion { expected, current });
    }
    Ok(())
}

/// Applies changes to an activity at the version the caller read.
pub async fn update(
    db: &Db,
    scope: &ActivityScope,
    id: ActivityId,
    expected_version: i32,
    changes: &ActivityChanges,
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
    let mut conn = db.conn().await?;
    conn.transaction(async |conn| {
        lock_changes(conn).await?;
        let current = find(conn, scope, id).await?;
        check_version(&current, expected_version)?;
        if let Some(visibility) = changes.visibility {
            check_nesting(conn, &current.activity, visibility).await?;
        }
        diesel::update(activity::table.filter(activity::id.eq(id.0)))
            .set(&changeset)
            .execute(conn)
            .await?;
        find(conn, scope, id).await
    })
    .await
}

/// A new visibility must keep public parts out of restricted activities, both ways.
async fn check_nesting(
    conn: &mut AsyncPgConnection,
    activity: &Activity,
    visibility: Visibility,
) -> Result<(), StoreError> {
    if let Some(parent_id) = activity.parent_id {
        let parent: String = activity::table
            .filter(activity::id.eq(parent_id.0))
            .select(activity::visibility)
            .first(conn)
            .await?;
        if !visibility.may_be_part_of(parent.parse()?) {
            return Err(public_part_of_restricted());
        }
    }
    let public_parts: i64 = activity::table
        .filter(activity::parent_id.eq(activity.id.0))
        .filter(activity::deleted_at.is_null())
        .filter(activity::visibility.eq(Visibility::Public.as_str()))
        .count()
        .get_result(conn)
        .await?;
    if public_parts > 0 && !Visibility::Public.may_be_part_of(visibility) {
        return Err(StoreError::Invalid {
            field: "visibility".into(),
            code: "has_public_parts",
            message: "restrict its public parts first: a public activity can't be part of a restricted one".into(),
        });
    }
    Ok(())
}

/// Deletes an activity at the version the caller read, with its follow-up actions. Deletes are
/// soft: the rows stay as tombstones for delta sync. Its participations stay too, so that the
/// organizations that took part still see the tombstone. Refused while it has live parts.
pub async fn delete(
    db: &Db,
    scope: &ActivityScope,
    id: ActivityId,
    expected_version: i32,
) -> Result<(), StoreError> {
    let mut conn = db.conn().await?;
    conn.transaction(async |conn| {
        lock_changes(conn).await?;
        let current = find(conn, scope, id).await?;
        check_version(&current, expected_version)?;
        let live_parts: i64 = activity::table
            .filter(activity::parent_id.eq(id.0))
            .filter(activity::deleted_at.is_null())
            .count()
            .get_result(conn)
            .await?;
        if live_parts > 0 {
            return Err(StoreError::Conflict {
                constraint: "activity_has_parts".into(),
            });
        }
        diesel::update(activity::table.filter(activity::id.eq(id.0)))
            .set(activity::deleted_at.eq(diesel::dsl::now))
            .execute(conn)
            .await?;
        crate::follow_ups::delete_of_activity(conn, id).await
    })
    .await
}
