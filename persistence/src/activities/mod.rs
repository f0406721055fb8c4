//! Activities with their participations and objectives: rows and queries, scoped in SQL by the
//! caller's [`ActivityScope`].

pub mod aggregates;
mod children;
mod rows;
mod write;

pub use write::{create, create_in, delete, update, update_in};

use std::collections::HashSet;

use chrono::NaiveDate;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use gloact_domain::ActivityId;
use gloact_domain::activity::{ActivityDetail, ActivityKind, ActivityStatus, Pillar};
use gloact_domain::policy::ActivityScope;
use gloact_domain::value::{Code, District};
use uuid::Uuid;

use crate::db::Db;
use crate::error::StoreError;
use crate::page::{Page, PageRequest, paged};
use crate::schema::activity;
use crate::scope::{ActivityCondition, activity_visible, participating_in, visible_activity_ids};
use crate::sight;

use children::Children;
pub(crate) use children::parse as parse_embedded;
use rows::ActivityRow;

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

/// Which of `ids` name live activities the caller may see. One query, none for no ids.
pub(crate) async fn live_visible_among(
    conn: &mut AsyncPgConnection,
    scope: &ActivityScope,
    ids: &[ActivityId],
) -> Result<HashSet<ActivityId>, StoreError> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let mut query = activity::table
        .filter(activity::id.eq_any(ids.iter().map(|id| id.0).collect::<Vec<_>>()))
        .filter(activity::deleted_at.is_null())
        .select(activity::id)
        .into_boxed();
    if let Some(condition) = activity_visible(scope) {
        query = query.filter(condition);
    }
    let found: Vec<Uuid> = query.load(conn).await?;
    Ok(found.into_iter().map(ActivityId).collect())
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

/// Which of `ids` name activities the caller may see (deleted ones included: their ids were
/// seen); `None` when the caller sees every activity. One query, none for no ids.
async fn seen(
    conn: &mut AsyncPgConnection,
    scope: &ActivityScope,
    ids: Vec<Uuid>,
) -> Result<Option<HashSet<Uuid>>, StoreError> {
    let Some(visible) = visible_activity_ids(scope) else {
        return Ok(None);
    };
    if ids.is_empty() {
        return Ok(Some(HashSet::new()));
    }
    let seen = visible
        .filter(activity::id.eq_any(ids))
        .load::<Uuid>(conn)
        .await?;
    Ok(Some(seen.into_iter().collect()))
}

/// Leaves out the parent of each part whose parent the caller may not see (a restricted parent of
/// a part its organization takes part in): a row names only rows its reader may see.
async fn hide_unseen_parents(
    conn: &mut AsyncPgConnection,
    scope: &ActivityScope,
    rows: &mut [ActivityRow],
) -> Result<(), StoreError> {
    let parents = rows.iter().filter_map(|r| r.parent_id).collect();
    if let Some(seen) = seen(conn, scope, parents).await? {
        for row in rows {
            row.parent_id = row.parent_id.filter(|parent| seen.contains(parent));
        }
    }
    Ok(())
}

/// The ids among `ids` of activities the caller may see, for rows of other kinds that name an
/// activity: they name it only to those who may see it.
pub async fn seen_among(
    db: &Db,
    scope: &ActivityScope,
    ids: &[ActivityId],
) -> Result<HashSet<ActivityId>, StoreError> {
    // Nothing to ask: no ids, or a caller who sees them all.
    if ids.is_empty() || matches!(scope, ActivityScope::All) {
        return Ok(ids.iter().copied().collect());
    }
    let mut conn = db.conn().await?;
    let seen = seen(&mut conn, scope, ids.iter().map(|id| id.0).collect()).await?;
    Ok(seen
        .unwrap_or_default()
        .into_iter()
        .map(ActivityId)
        .collect())
}

/// Narrows a query of activities to those the caller may see that match the filter;
/// `programme_id` is the filter's programme, already looked up.
fn filtered<ST: 'static>(
    query: activity::BoxedQuery<'static, Pg, ST>,
    scope: &ActivityScope,
    filter: &ActivityFilter,
    programme_id: Option<Uuid>,
) -> activity::BoxedQuery<'static, Pg, ST> {
    conditions(scope, filter, programme_id)
        .into_iter()
        .fold(query, |query, condition| query.filter(condition))
}

/// What an activity must meet to be one the caller may see that matches the filter.
fn conditions(
    scope: &ActivityScope,
    filter: &ActivityFilter,
    programme_id: Option<Uuid>,
) -> Vec<ActivityCondition> {
    // A comparison with a NULL column is NULL: in a WHERE clause, as good as false, so the
    // conditions on nullable columns are taken as plain booleans.
    let mut all: Vec<ActivityCondition> = Vec::new();
    all.extend(activity_visible(scope));
    if let Some(id) = programme_id {
        all.push(Box::new(activity::programme_id.eq(id)));
    }
    if let Some(parent) = filter.parent_id {
        all.push(Box::new(activity::parent_id.eq(parent.0).assume_not_null()));
        // Parts of a parent the caller may not see match nothing, or the filter would confirm
        // that the parent exists.
        if let Some(visible) = visible_activity_ids(scope) {
            all.push(Box::new(
                activity::parent_id.assume_not_null().eq_any(visible),
            ));
        }
    }
    if let Some(kind) = filter.kind {
        all.push(Box::new(activity::kind.eq(kind.as_str())));
    }
    if let Some(pillar) = filter.pillar {
        all.push(Box::new(activity::pillar.eq(pillar.as_str())));
    }
    if let Some(status) = filter.status {
        all.push(Box::new(activity::status.eq(status.as_str())));
    }
    if let Some(org) = &filter.organization {
        all.push(Box::new(
            activity::id.eq_any(participating_in(org.as_str().to_owned())),
        ));
    }
    if let Some(district) = &filter.district {
        all.push(Box::new(
            activity::district
                .eq(district.as_str().to_owned())
                .assume_not_null(),
        ));
    }
    // A span open at one end counts from or to its known day; no planned day, no match.
    if let Some(from) = filter.from {
        all.push(Box::new(
            coalesce(activity::planned_end, activity::planned_start)
                .ge(from)
                .assume_not_null(),
        ));
    }
    if let Some(to) = filter.to {
        all.push(Box::new(
            coalesce(activity::planned_start, activity::planned_end)
                .le(to)
                .assume_not_null(),
        ));
    }
    all
}

/// The id of the filter's programme: `Ok(None)` without one, `Err(None)` when it names no
/// programme (which has no activities).
pub(super) async fn programme_of(
    conn: &mut AsyncPgConnection,
    filter: &ActivityFilter,
) -> Result<Option<Uuid>, Option<StoreError>> {
    let Some(code) = &filter.programme else {
        return Ok(None);
    };
    match crate::programmes::id_by_code(conn, "programme", code).await {
        Ok(id) => Ok(Some(id)),
        Err(StoreError::UnknownReference { .. }) => Err(None),
        Err(other) => Err(Some(other)),
    }
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
    crate::page::settle(&mut conn, request).await?;
    let programme_id = match programme_of(&mut conn, filter).await {
        Ok(id) => id,
        Err(None) => return Ok(Page::empty()),
        Err(Some(error)) => return Err(error),
    };
    let query = activity::table
        .select(ActivityRow::as_select())
        .into_boxed();
    let query = filtered(query, scope, filter, programme_id);
    let read = async |conn: &mut AsyncPgConnection| {
        let mut rows: Vec<ActivityRow> = paged!(query, activity, request).load(conn).await?;
        hide_unseen_parents(conn, scope, &mut rows).await?;
        let live: Vec<Uuid> = rows
            .iter()
            .filter(|r| r.deleted_at.is_none())
            .map(|r| r.id)
            .collect();
        let children = Children::load(conn, &live).await?;
        let lost = sight::lost(conn, scope, sight::Entity::Activity, request).await?;
        Ok::<_, StoreError>((rows, children, lost))
    };
    let (rows, mut children, lost) = if sight::applies(scope, request) {
        // Rows and rows out of sight come from two reads: one snapshot, or a change committed
        // between them could fall behind the page's end.
        conn.build_transaction()
            .read_only()
            .repeatable_read()
            .run(read)
            .await?
    } else {
        read(&mut conn).await?
    };
    Page::from_rows_and_lost(request, rows, lost, ActivityRow::keys, |row| {
        children.attach(row)
    })
}

/// How many live activities the caller may see match the filter.
pub async fn count(
    db: &Db,
    scope: &ActivityScope,
    filter: &ActivityFilter,
) -> Result<i64, StoreError> {
    let mut conn = db.conn().await?;
    let Some(matching) = matching(&mut conn, scope, filter).await? else {
        return Ok(0);
    };
    Ok(activity::table
        .filter(matching)
        .count()
        .get_result(&mut conn)
        .await?)
}

/// The live activities with these ids that the caller may see, with what hangs off them
/// (four queries for any number of ids). Ids the caller may not see are left out.
pub async fn get_many(
    db: &Db,
    scope: &ActivityScope,
    ids: &[ActivityId],
) -> Result<Vec<ActivityDetail>, StoreError> {
    let ids: Vec<Uuid> = ids.iter().map(|id| id.0).collect();
    load_where(db, scope, Box::new(activity::id.eq_any(ids))).await
}

/// The live activities of a programme with these codes that the caller may see, with what
/// hangs off them (an import naming activities by code); codes the caller may not see are left
/// out.
pub async fn by_codes(
    db: &Db,
    scope: &ActivityScope,
    programme: gloact_domain::ProgrammeId,
    codes: &[Code],
) -> Result<Vec<ActivityDetail>, StoreError> {
    let codes: Vec<String> = codes.iter().map(|c| c.as_str().to_owned()).collect();
    load_where(
        db,
        scope,
        Box::new(
            activity::programme_id
                .eq(programme.0)
                .and(activity::code.eq_any(codes)),
        ),
    )
    .await
}

/// The live parts (e.g. meetings) of these activities that the caller may see, with what hangs
/// off them, in id order (four queries for any number of parents).
pub async fn parts_of(
    db: &Db,
    scope: &ActivityScope,
    parents: &[ActivityId],
) -> Result<Vec<ActivityDetail>, StoreError> {
    let parents: Vec<Uuid> = parents.iter().map(|id| id.0).collect();
    load_where(
        db,
        scope,
        Box::new(activity::parent_id.assume_not_null().eq_any(parents)),
    )
    .await
}

/// The live public activities of a programme, with what hangs off them, in id order, for an
/// export published to everyone (IATI): restricted ones are never loaded, whoever asks.
pub async fn public_of_programme(
    db: &Db,
    programme: gloact_domain::ProgrammeId,
) -> Result<Vec<ActivityDetail>, StoreError> {
    load_where(
        db,
        &ActivityScope::All,
        Box::new(
            activity::programme_id
                .eq(programme.0)
                .and(activity::visibility.eq(gloact_domain::activity::Visibility::Public.as_str())),
        ),
    )
    .await
}

async fn load_where(
    db: &Db,
    scope: &ActivityScope,
    condition: ActivityCondition,
) -> Result<Vec<ActivityDetail>, StoreError> {
    let mut conn = db.conn().await?;
    let mut rows: Vec<ActivityRow> = visible(scope)
        .filter(condition)
        .filter(activity::deleted_at.is_null())
        .order(activity::id.asc())
        .load(&mut conn)
        .await?;
    hide_unseen_parents(&mut conn, scope, &mut rows).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut children = Children::load(&mut conn, &ids).await?;
    rows.into_iter().map(|row| children.attach(row)).collect()
}

/// The condition a live activity the caller may see that matches the filter meets, for the
/// aggregates to count and sum in one scan (`None`: nothing matches).
pub(crate) async fn matching(
    conn: &mut AsyncPgConnection,
    scope: &ActivityScope,
    filter: &ActivityFilter,
) -> Result<Option<ActivityCondition>, StoreError> {
    let programme_id = match programme_of(conn, filter).await {
        Ok(id) => id,
        Err(None) => return Ok(None),
        Err(Some(error)) => return Err(error),
    };
    let live: ActivityCondition = Box::new(activity::deleted_at.is_null());
    Ok(Some(
        conditions(scope, filter, programme_id)
            .into_iter()
            .fold(live, |all, condition| Box::new(all.and(condition))),
    ))
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

/// Reads the row and all it embeds in one statement (see [`children::embedded`]).
async fn find(
    conn: &mut AsyncPgConnection,
    scope: &ActivityScope,
    id: ActivityId,
) -> Result<ActivityDetail, StoreError> {
    let (row, embeds): (ActivityRow, children::Embeds) = visible(scope)
        .filter(activity::id.eq(id.0))
        .filter(activity::deleted_at.is_null())
        .select((ActivityRow::as_select(), children::embedded()))
        .first(conn)
        .await?;
    let mut rows = [row];
    hide_unseen_parents(conn, scope, &mut rows).await?;
    let [row] = rows;
    Children::embedded(row, embeds)
}
