//! Follow-up actions: rows and queries, scoped by the activities a caller may see.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use gloact_domain::follow_up::{
    FollowUpAction, FollowUpChanges, FollowUpStatus, NewFollowUpAction,
};
use gloact_domain::policy::ActivityScope;
use gloact_domain::value::{Code, Narrative, Title};
use gloact_domain::{ActivityId, FollowUpActionId, OrganizationId};
use uuid::Uuid;

use crate::audit::{Audit, Entry, append};
use crate::db::Db;
use crate::error::StoreError;
use crate::page::{Page, PageRequest, RowKeys, paged};
use crate::schema::{activity, follow_up_action, organization};
use crate::scope::visible_activity_ids;
use crate::sight;

#[derive(Debug, Queryable, Selectable, serde::Deserialize)]
#[diesel(table_name = follow_up_action, check_for_backend(diesel::pg::Pg))]
struct FollowUpRow {
    id: Uuid,
    activity_id: Uuid,
    owner_organization_id: Uuid,
    title: String,
    description: Option<String>,
    due_date: Option<NaiveDate>,
    status: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i32,
    change_seq: i64,
    deleted_at: Option<DateTime<Utc>>,
}

/// A follow-up row with its owner's code.
type FollowUpWithOwner = (FollowUpRow, String, String);

fn keys((row, _, _): &FollowUpWithOwner) -> RowKeys {
    RowKeys {
        id: row.id,
        change_seq: row.change_seq,
        deleted_at: row.deleted_at,
    }
}

fn to_domain(
    (row, owner_code, activity_visibility): FollowUpWithOwner,
) -> Result<FollowUpAction, StoreError> {
    Ok(FollowUpAction {
        id: FollowUpActionId(row.id),
        activity_id: ActivityId(row.activity_id),
        owner_id: OrganizationId(row.owner_organization_id),
        owner_code: Code::parse(&owner_code)?,
        activity_visibility: activity_visibility.parse()?,
        title: Title::parse(&row.title)?,
        description: row
            .description
            .as_deref()
            .map(Narrative::parse)
            .transpose()?,
        due_date: row.due_date,
        status: row.status.parse()?,
        meta: row_meta!(row),
    })
}

/// Follow-up actions with their owner (for its code) and their activity (for its visibility).
fn with_owner() -> diesel::dsl::InnerJoin<
    diesel::dsl::InnerJoin<follow_up_action::table, organization::table>,
    activity::table,
> {
    follow_up_action::table
        .inner_join(organization::table)
        .inner_join(activity::table)
}

#[derive(Insertable)]
#[diesel(table_name = follow_up_action)]
struct NewFollowUpRow<'a> {
    id: Uuid,
    activity_id: Uuid,
    owner_organization_id: Uuid,
    title: &'a str,
    description: Option<&'a str>,
    due_date: Option<NaiveDate>,
    status: &'a str,
}

#[derive(AsChangeset)]
#[diesel(table_name = follow_up_action)]
struct FollowUpChangeset<'a> {
    owner_organization_id: Option<Uuid>,
    title: Option<&'a str>,
    description: Option<Option<&'a str>>,
    due_date: Option<Option<NaiveDate>>,
    status: Option<&'a str>,
    // Always set: diesel refuses an empty changeset. The trigger stamps the real time.
    updated_at: Option<DateTime<Utc>>,
}

/// Filters of the follow-up list.
#[derive(Debug, Clone, Default)]
pub struct FollowUpFilter {
    /// Only those from this activity.
    pub activity_id: Option<ActivityId>,
    /// Only those owned by the organization with this code.
    pub owner: Option<Code>,
    /// Only those with this status.
    pub status: Option<FollowUpStatus>,
}

/// One page of the follow-up actions the caller may see.
pub async fn list(
    db: &Db,
    scope: &ActivityScope,
    filter: &FollowUpFilter,
    request: &PageRequest,
) -> Result<Page<FollowUpAction, FollowUpActionId>, StoreError> {
    let mut conn = db.conn().await?;
    crate::page::settle(&mut conn, request).await?;
    let query = with_owner()
        .select((
            FollowUpRow::as_select(),
            organization::code,
            activity::visibility,
        ))
        .into_boxed();
    let query = conditions(scope, filter)
        .into_iter()
        .fold(query, |q, c| q.filter(c));
    let read = async |conn: &mut AsyncPgConnection| {
        let rows = paged!(query, follow_up_action, request).load(conn).await?;
        let lost = sight::lost(conn, scope, sight::Entity::FollowUpAction, request).await?;
        Ok::<_, StoreError>((rows, lost))
    };
    let (rows, lost) = if sight::applies(scope, request) {
        // Two reads, one snapshot (see the activity list).
        conn.build_transaction()
            .read_only()
            .repeatable_read()
            .run(read)
            .await?
    } else {
        read(&mut conn).await?
    };
    Page::from_rows_and_lost(request, rows, lost, keys, to_domain)
}

/// How many live follow-up actions the caller may see match the filter.
pub async fn count(
    db: &Db,
    scope: &ActivityScope,
    filter: &FollowUpFilter,
) -> Result<i64, StoreError> {
    let mut conn = db.conn().await?;
    let query = with_owner()
        .filter(follow_up_action::deleted_at.is_null())
        .select(diesel::dsl::count_star())
        .into_boxed();
    let query = conditions(scope, filter)
        .into_iter()
        .fold(query, |q, c| q.filter(c));
    Ok(query.get_result(&mut conn).await?)
}

/// A condition on an action joined to its owner and activity.
type FollowUpCondition = Box<
    dyn BoxableExpression<
            diesel::dsl::InnerJoinQuerySource<
                diesel::dsl::InnerJoinQuerySource<follow_up_action::table, organization::table>,
                activity::table,
            >,
            diesel::pg::Pg,
            SqlType = diesel::sql_types::Bool,
        >,
>;

/// What an action must meet to be one the caller may see that matches the filter: the list and
/// the count ask the same.
fn conditions(scope: &ActivityScope, filter: &FollowUpFilter) -> Vec<FollowUpCondition> {
    let mut all: Vec<FollowUpCondition> = Vec::new();
    if let Some(visible) = visible_activity_ids(scope) {
        all.push(Box::new(follow_up_action::activity_id.eq_any(visible)));
    }
    if let Some(activity_id) = filter.activity_id {
        all.push(Box::new(follow_up_action::activity_id.eq(activity_id.0)));
    }
    if let Some(owner) = &filter.owner {
        all.push(Box::new(organization::code.eq(owner.as_str().to_owned())));
    }
    if let Some(status) = filter.status {
        all.push(Box::new(follow_up_action::status.eq(status.as_str())));
    }
    all
}

/// One follow-up action the caller may see.
pub async fn get(
    db: &Db,
    scope: &ActivityScope,
    id: FollowUpActionId,
) -> Result<FollowUpAction, StoreError> {
    let mut conn = db.conn().await?;
    find(&mut conn, scope, id).await
}

async fn find(
    conn: &mut AsyncPgConnection,
    scope: &ActivityScope,
    id: FollowUpActionId,
) -> Result<FollowUpAction, StoreError> {
    let mut query = with_owner()
        .filter(follow_up_action::id.eq(id.0))
        .filter(follow_up_action::deleted_at.is_null())
        .select((
            FollowUpRow::as_select(),
            organization::code,
            activity::visibility,
        ))
        .into_boxed();
    if let Some(visible) = visible_activity_ids(scope) {
        query = query.filter(follow_up_action::activity_id.eq_any(visible));
    }
    to_domain(query.first(conn).await?)
}

/// The live follow-up actions of these activities, in id order.
pub(crate) async fn of_activities(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> Result<Vec<FollowUpAction>, StoreError> {
    let rows = with_owner()
        .filter(follow_up_action::activity_id.eq_any(ids))
        .filter(follow_up_action::deleted_at.is_null())
        .order(follow_up_action::id)
        .select((
            FollowUpRow::as_select(),
            organization::code,
            activity::visibility,
        ))
        .load(conn)
        .await?;
    rows.into_iter().map(to_domain).collect()
}

/// The live follow-up actions of the activity a query of `activity` reads, with their owner's
/// code, as a JSON array in id order: a column beside the activity's row.
pub(crate) const EMBEDDED_OF_ACTIVITY: &str = "(SELECT coalesce(json_agg(to_jsonb(f) \
       || jsonb_build_object('owner_code', o.code) ORDER BY f.id), '[]')::text \
     FROM follow_up_action f JOIN organization o ON o.id = f.owner_organization_id \
     WHERE f.activity_id = \"activity\".\"id\" AND f.deleted_at IS NULL)";

/// The follow-up actions [`EMBEDDED_OF_ACTIVITY`] selected, of an activity with this visibility.
pub(crate) fn from_embedded(
    json: &str,
    activity_visibility: &str,
) -> Result<Vec<FollowUpAction>, StoreError> {
    #[derive(serde::Deserialize)]
    struct Embedded {
        #[serde(flatten)]
        row: FollowUpRow,
        owner_code: String,
    }
    crate::activities::parse_embedded::<Vec<Embedded>>(json)?
        .into_iter()
        .map(|e| to_domain((e.row, e.owner_code, activity_visibility.to_owned())))
        .collect()
}

/// Stores a new follow-up action of an activity the caller may see.
pub async fn create(
    db: &Db,
    scope: &ActivityScope,
    new: &NewFollowUpAction,
    audit: &Audit,
) -> Result<FollowUpAction, StoreError> {
    let mut conn = db.conn().await?;
    conn.transaction(async |conn| {
        if !crate::activities::is_visible(conn, scope, new.activity_id).await? {
            return Err(StoreError::UnknownReference {
                field: "activity_id".into(),
                what: "activity",
                code: new.activity_id.to_string(),
            });
        }
        let owner = owner_of(conn, new.activity_id, &new.owner).await?;
        let id = FollowUpActionId::new();
        diesel::insert_into(follow_up_action::table)
            .values(NewFollowUpRow {
                id: id.0,
                activity_id: new.activity_id.0,
                owner_organization_id: owner,
                title: new.title.as_str(),
                description: new.description.as_ref().map(Narrative::as_str),
                due_date: new.due_date,
                status: new.status.as_str(),
            })
            .execute(conn)
            .await?;
        append(
            conn,
            audit,
            vec![Entry::new("create", "follow_up_action", id)],
        )
        .await?;
        find(conn, scope, id).await
    })
    .await
}

/// The id of the organization with this code, when it can own an action of this activity: the
/// owner must see the activity (it is public or the owner takes part), or it could not act on it.
async fn owner_of(
    conn: &mut AsyncPgConnection,
    activity_id: ActivityId,
    owner: &Code,
) -> Result<Uuid, StoreError> {
    let owner_id = crate::organizations::id_by_code(conn, "owner", owner).await?;
    if !crate::activities::is_public_or_joined_by(conn, activity_id, owner).await? {
        return Err(StoreError::Invalid {
            field: "owner".into(),
            code: "owner_outside_activity",
            message: format!("{owner} does not take part in this restricted activity"),
        });
    }
    Ok(owner_id)
}

/// Applies changes to a follow-up action at the version the caller read.
pub async fn update(
    db: &Db,
    scope: &ActivityScope,
    id: FollowUpActionId,
    expected_version: i32,
    changes: &FollowUpChanges,
    audit: &Audit,
) -> Result<FollowUpAction, StoreError> {
    let mut conn = db.conn().await?;
    conn.transaction(async |conn| {
        // The activity first, as its own writes do (they touch its follow-up actions): an update
        // of the action locks the activity through its trigger, and taking the two in the other
        // order could deadlock with a change of the activity.
        let _: Option<Uuid> = crate::schema::activity::table
            .filter(
                crate::schema::activity::id.eq_any(
                    follow_up_action::table
                        .filter(follow_up_action::id.eq(id.0))
                        .select(follow_up_action::activity_id),
                ),
            )
            .select(crate::schema::activity::id)
            .for_update()
            .first(conn)
            .await
            .optional()?;
        let current = find(conn, scope, id).await?;
        StoreError::check_version(current.meta.version, expected_version)?;
        let owner = match &changes.owner {
            Some(code) => Some(owner_of(conn, current.activity_id, code).await?),
            None => None,
        };
        let changeset = FollowUpChangeset {
            owner_organization_id: owner,
            title: changes.title.as_ref().map(Title::as_str),
            description: changes
                .description
                .as_ref()
                .map(|d| d.as_ref().map(Narrative::as_str)),
            due_date: changes.due_date,
            status: changes.status.map(FollowUpStatus::as_str),
            updated_at: Some(Utc::now()),
        };
        diesel::update(follow_up_action::table.filter(follow_up_action::id.eq(id.0)))
            .set(&changeset)
            .execute(conn)
            .await?;
        append(
            conn,
            audit,
            vec![Entry::new("update", "follow_up_action", id).changing(changes.changed_fields())],
        )
        .await?;
        find(conn, scope, id).await
    })
    .await
}

/// Deletes the follow-up actions of a deleted activity.
pub(crate) async fn delete_of_activity(
    conn: &mut AsyncPgConnection,
    activity_id: ActivityId,
) -> Result<(), StoreError> {
    diesel::update(
        follow_up_action::table
            .filter(follow_up_action::activity_id.eq(activity_id.0))
            .filter(follow_up_action::deleted_at.is_null()),
    )
    .set(follow_up_action::deleted_at.eq(diesel::dsl::now))
    .execute(conn)
    .await?;
    Ok(())
}
