//! The change feeds (`activityChanges`, `caseChanges`, …): for a client that keeps a copy, every
//! change after a change number in the order it was made — changed rows as they are now, deleted
//! rows as [`Deleted`] — exactly as REST's `changed_after` walks them, through the same service
//! calls, scopes and cursors.
//!
//! Each change is an edge, so the cursor of the last edge continues after the last change of the
//! page, deletions included. A client syncs from scratch without `changedAfter`, then keeps
//! passing the feed's `resumeCursor` as `after` (which, unlike `pageInfo.endCursor`, an empty
//! page has too).

use async_graphql::connection::{Connection, Edge};
use async_graphql::{ID, OutputType, SimpleObject};
use chrono::{DateTime, Utc};
use gloact_persistence::{Cursor, Page, PageRequest};
use uuid::Uuid;

use super::errors::OrGraphqlError;
use super::node::{NodeKind, global_id};
use super::page_limit;
use crate::input::paging::{encode_cursor, page_request};

/// A row deleted after the change number asked from, or that you may no longer see (an activity
/// made restricted, and its follow-up actions, for those not taking part): drop it from your
/// copy.
#[derive(Debug, SimpleObject)]
pub struct Deleted {
    /// The deleted row's global id (`node` finds nothing under it any more).
    id: ID,
    /// Its id as REST knows it.
    uuid: Uuid,
    /// The change number of the deletion.
    change_seq: i64,
    /// When it was deleted (or left your sight).
    deleted_at: DateTime<Utc>,
}

/// A page of a change feed.
pub type Feed<U> = Connection<String, U, Resume>;

/// Where a client continues a feed from.
#[derive(Debug, SimpleObject)]
pub struct Resume {
    /// Pass as `after` next time: after the last change of this page or, when it has none, where
    /// it started. Never null (unlike `pageInfo.endCursor` on an empty page), so a client can
    /// always keep the last one it got.
    resume_cursor: String,
}

/// The page of changes a feed asks for: `first` (1 to 500, default 50) changes after the change
/// number `changed_after` (from the start when not given) or after the cursor `after` of an
/// earlier page of changes, whichever is later, with REST's checks and codes.
pub(super) fn page(
    changed_after: Option<i64>,
    first: Option<i32>,
    after: Option<&str>,
) -> async_graphql::Result<PageRequest> {
    page_request(after, page_limit(first), Some(changed_after.unwrap_or(0))).gql()
}

/// The connection of a page of changes fetched for `request`: the changed rows (rendered by
/// `node`) and the deleted ones merged in change order, each edge's cursor continuing after its
/// change.
pub(super) fn connection<T, Id, U>(
    page: Page<T, Id>,
    request: &PageRequest,
    after_given: bool,
    kind: NodeKind,
    change_seq: impl Fn(&T) -> i64,
    node: impl Fn(T) -> U,
) -> Feed<U>
where
    Id: Into<Uuid> + Copy,
    U: OutputType + From<Deleted>,
{
    let changed = page
        .items
        .into_iter()
        .map(|item| (change_seq(&item), node(item)));
    let deleted = page.tombstones.into_iter().map(|t| {
        let uuid = t.id.into();
        let deleted = Deleted {
            id: global_id(kind, uuid),
            uuid,
            change_seq: t.change_seq,
            deleted_at: t.deleted_at,
        };
        (t.change_seq, U::from(deleted))
    });
    let mut changes: Vec<_> = changed.chain(deleted).collect();
    changes.sort_by_key(|(seq, _)| *seq);

    let resume = changes
        .last()
        .map(|(seq, _)| *seq)
        .or(request.changed_after())
        .unwrap_or(0);
    let resume = Resume {
        resume_cursor: encode_cursor(Cursor::Change(resume)),
    };
    let mut connection =
        Connection::with_additional_fields(after_given, page.next.is_some(), resume);
    connection.edges.extend(
        changes
            .into_iter()
            .map(|(seq, node)| Edge::new(encode_cursor(Cursor::Change(seq)), node)),
    );
    connection
}

/// Declares a query object holding one change feed: the field's three arguments (`changedAfter`,
/// `first`, `after`) with their descriptions and complexity, the page they ask for, and its
/// connection. The caller gives the loading of a page (with `$ctx` and the `$page` request in
/// scope, evaluating to the service's page), the node kind of its rows, their change numbers
/// and their nodes. Each feed is then merged into [`super::Query`].
macro_rules! change_feed {
    (
        $(#[doc = $doc:literal])*
        pub struct $object:ident;
        fn $field:ident($ctx:ident, $page:ident) -> $change:ty $load:block
        kind: $kind:expr,
        change_seq: $seq:expr,
        node: $node:expr $(,)?
    ) => {
        /// The change feed of one kind of row.
        #[derive(Default, Debug)]
        pub struct $object;

        #[async_graphql::Object]
        impl $object {
            $(#[doc = $doc])*
            #[graphql(complexity = "crate::graphql::page_complexity(first, child_complexity)")]
            async fn $field(
                &self,
                $ctx: &async_graphql::Context<'_>,
                #[graphql(
                    desc = "Changes after this change number (a `changeSeq` you hold); from the start when not given."
                )]
                changed_after: Option<i64>,
                #[graphql(desc = "Changes per page, 1 to 500 (default 50).")] first: Option<i32>,
                #[graphql(
                    desc = "The `resumeCursor` (or an edge's cursor) of an earlier page of this feed."
                )]
                after: Option<String>,
            ) -> async_graphql::Result<$crate::graphql::changes::Feed<$change>> {
                let $page = $crate::graphql::changes::page(changed_after, first, after.as_deref())?;
                let items = $load;
                Ok($crate::graphql::changes::connection(
                    items,
                    &$page,
                    after.is_some(),
                    $kind,
                    $seq,
                    $node,
                ))
            }
        }
    };
}

pub(super) use change_feed;
