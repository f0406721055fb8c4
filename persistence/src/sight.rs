//! Rows that leave callers' sight without being deleted. When an activity is made restricted,
//! the organizations not taking part in it can no longer see it or its follow-up actions; a
//! government client that keeps a copy (delta sync) must be told to drop them, as it is told of
//! deletions. Each such row is recorded with a change number of its own, and walks of changes
//! report it to the callers it left as a tombstone, in change order.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use gloact_domain::policy::ActivityScope;
use gloact_domain::{ActivityId, Tombstone};
use uuid::Uuid;

use crate::error::StoreError;
use crate::page::PageRequest;
use crate::schema::sight_lost;
use crate::scope::participating_in;

/// What kind of row left sight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Entity {
    /// An activity.
    Activity,
    /// A follow-up action (of an activity made restricted).
    FollowUpAction,
}

impl Entity {
    fn as_str(self) -> &'static str {
        match self {
            Self::Activity => "activity",
            Self::FollowUpAction => "follow_up_action",
        }
    }
}

/// Records that an activity just made restricted, and its live follow-up actions, left the
/// sight of the organizations not taking part in it. Runs in the writing transaction; each row
/// takes its change number from the transaction (the column's default).
pub(crate) async fn record_restricted(
    conn: &mut AsyncPgConnection,
    activity: ActivityId,
) -> Result<(), StoreError> {
    diesel::sql_query(
        "INSERT INTO sight_lost (entity, row_id, activity_id) \
         SELECT 'activity', $1, $1 \
         UNION ALL \
         SELECT 'follow_up_action', f.id, f.activity_id \
           FROM follow_up_action f WHERE f.activity_id = $1 AND f.deleted_at IS NULL",
    )
    .bind::<diesel::sql_types::Uuid, _>(activity.0)
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether a page fetched for `request` holds rows that left the sight of `scope`: in walks of
/// changes, for callers who don't see every activity.
pub(crate) fn applies(scope: &ActivityScope, request: &PageRequest) -> bool {
    request.changed_after().is_some() && matches!(scope, ActivityScope::PublicOrParticipating(_))
}

/// The rows of `entity` that left the sight of `scope` after the change number a walk of
/// changes starts from, as tombstones in change order, at most as many as the page fetches.
/// Nothing outside a walk of changes, or for callers who see every activity.
///
/// Every such row was public until it left: reporting one to a client that never held it (one
/// that filters, or started syncing later) only tells it to drop what it doesn't have.
pub(crate) async fn lost<Id: From<Uuid>>(
    conn: &mut AsyncPgConnection,
    scope: &ActivityScope,
    entity: Entity,
    request: &PageRequest,
) -> Result<Vec<Tombstone<Id>>, StoreError> {
    let (Some(since), ActivityScope::PublicOrParticipating(org)) = (request.changed_after(), scope)
    else {
        return Ok(Vec::new());
    };
    let rows: Vec<(Uuid, i64, DateTime<Utc>)> = sight_lost::table
        .filter(sight_lost::entity.eq(entity.as_str()))
        .filter(sight_lost::change_seq.gt(since))
        .filter(sight_lost::change_seq.lt(crate::page::change_horizon()))
        // Those taking part still see it.
        .filter(sight_lost::activity_id.ne_all(participating_in(org.as_str().to_owned())))
        .order(sight_lost::change_seq.asc())
        .limit(request.fetch_limit())
        .select((
            sight_lost::row_id,
            sight_lost::change_seq,
            sight_lost::lost_at,
        ))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, change_seq, lost_at)| Tombstone {
            id: Id::from(id),
            change_seq,
            deleted_at: lost_at,
        })
        .collect())
}
