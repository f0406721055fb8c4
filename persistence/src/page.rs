//! Keyset pagination and the change feed.
//!
//! Without `changed_after`, a list walks the live rows in id order (ids are UUIDv7, so that is
//! creation order): a row that existed when the walk began is seen exactly once, however many rows
//! are inserted meanwhile. With `changed_after`, it walks every change after that number, in
//! change order, deleted rows included as tombstones.

use chrono::{DateTime, Utc};
use gloact_domain::Tombstone;
use uuid::Uuid;

use crate::error::StoreError;

/// Where the previous page ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cursor {
    /// After this id, in a walk of live rows.
    Id(Uuid),
    /// After this change number, in a walk of changes.
    Change(i64),
}

/// One page to fetch. Built only by [`PageRequest::new`], so a request is always consistent:
/// a cursor continues the kind of walk it came from, and the limit is in range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    walk: Walk,
    limit: u16,
}

/// Why a page request can't be served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    /// The limit is 0 or above [`PageRequest::MAX_LIMIT`].
    #[error("limit must be between 1 and {}", PageRequest::MAX_LIMIT)]
    LimitOutOfRange,
    /// A cursor of a walk by id given to a walk of changes, or the other way round.
    #[error("the cursor belongs to a list with different parameters")]
    CursorOfOtherWalk,
    /// A negative change number.
    #[error("change numbers are not negative")]
    NegativeChangeNumber,
}

/// How the rows of a page are selected and ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Walk {
    /// Live rows with an id above this one, by id.
    Live(Option<Uuid>),
    /// All rows with a change number above this one, by change number.
    Changes(i64),
}

impl PageRequest {
    /// Most items in one page.
    pub const MAX_LIMIT: u16 = 500;

    /// A page of `limit` items after `after`; with `changed_after`, a page of the changes after
    /// that number (deleted rows included) instead of the live rows.
    pub fn new(
        after: Option<Cursor>,
        limit: u16,
        changed_after: Option<i64>,
    ) -> Result<Self, PageError> {
        if !(1..=Self::MAX_LIMIT).contains(&limit) {
            return Err(PageError::LimitOutOfRange);
        }
        let walk = match (changed_after, after) {
            (Some(since), _) if since < 0 => return Err(PageError::NegativeChangeNumber),
            (None, None) => Walk::Live(None),
            (None, Some(Cursor::Id(id))) => Walk::Live(Some(id)),
            (Some(since), None) => Walk::Changes(since),
            (Some(since), Some(Cursor::Change(seq))) => Walk::Changes(since.max(seq)),
            (None, Some(Cursor::Change(_))) | (Some(_), Some(Cursor::Id(_))) => {
                return Err(PageError::CursorOfOtherWalk);
            }
        };
        Ok(Self { walk, limit })
    }

    /// How many items at most.
    pub fn limit(&self) -> u16 {
        self.limit
    }

    /// In a walk of changes, the change number it starts after.
    pub fn changed_after(&self) -> Option<i64> {
        match self.walk {
            Walk::Changes(since) => Some(since),
            Walk::Live(_) => None,
        }
    }

    pub(crate) fn walk(&self) -> Walk {
        self.walk
    }

    /// Rows to fetch: one more than the limit tells whether another page follows.
    pub(crate) fn fetch_limit(&self) -> i64 {
        i64::from(self.limit) + 1
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T, Id> {
    /// Live rows.
    pub items: Vec<T>,
    /// Deleted rows, in a walk of changes.
    pub tombstones: Vec<Tombstone<Id>>,
    /// Where the next page starts, when there is one.
    pub next: Option<Cursor>,
}

/// The keys of a stored row that paging needs.
pub(crate) struct RowKeys {
    pub id: Uuid,
    pub change_seq: i64,
    pub deleted_at: Option<DateTime<Utc>>,
}

impl<T, Id> Page<T, Id> {
    /// A page with nothing on it.
    pub fn empty() -> Self {
        Self {
            items: Vec::new(),
            tombstones: Vec::new(),
            next: None,
        }
    }
}

impl<T, Id: From<Uuid>> Page<T, Id> {
    /// Builds a page from rows fetched with [`PageRequest::fetch_limit`]: splits off the extra row
    /// that says another page follows, and turns deleted rows into tombstones.
    pub(crate) fn from_rows<R>(
        request: &PageRequest,
        mut rows: Vec<R>,
        keys: impl Fn(&R) -> RowKeys,
        mut convert: impl FnMut(R) -> Result<T, StoreError>,
    ) -> Result<Self, StoreError> {
        let walk = request.walk();
        let more = rows.len() > usize::from(request.limit);
        rows.truncate(usize::from(request.limit));
        let next = match (more, rows.last().map(&keys)) {
            (true, Some(last)) => Some(match walk {
                Walk::Live(_) => Cursor::Id(last.id),
                Walk::Changes(_) => Cursor::Change(last.change_seq),
            }),
            _ => None,
        };
        let mut items = Vec::with_capacity(rows.len());
        let mut tombstones = Vec::new();
        for row in rows {
            let k = keys(&row);
            match k.deleted_at {
                Some(deleted_at) => tombstones.push(Tombstone {
                    id: Id::from(k.id),
                    change_seq: k.change_seq,
                    deleted_at,
                }),
                None => items.push(convert(row)?),
            }
        }
        Ok(Self {
            items,
            tombstones,
            next,
        })
    }
}

impl<T, Id> Page<T, Id> {
    /// Builds a page of changes from rows fetched with [`PageRequest::fetch_limit`] and the
    /// tombstones of rows that left the caller's sight (fetched alike, see `crate::sight`): the
    /// first `limit` changes of the two together, in change order.
    pub(crate) fn from_rows_and_lost<R>(
        request: &PageRequest,
        rows: Vec<R>,
        lost: Vec<Tombstone<Id>>,
        keys: impl Fn(&R) -> RowKeys,
        convert: impl FnMut(R) -> Result<T, StoreError>,
    ) -> Result<Self, StoreError>
    where
        Id: From<Uuid> + Into<Uuid> + Copy,
    {
        if lost.is_empty() {
            return Self::from_rows(request, rows, keys, convert);
        }
        let limit = usize::from(request.limit);
        let mut changes: Vec<i64> = rows
            .iter()
            .map(|r| keys(r).change_seq)
            .chain(lost.iter().map(|t| t.change_seq))
            .collect();
        changes.sort_unstable();
        // When more follow, the page ends at its `limit`th change.
        let last = (changes.len() > limit).then(|| changes[limit - 1]);
        let on_page = |seq: i64| last.is_none_or(|last| seq <= last);
        let rows: Vec<R> = rows
            .into_iter()
            .filter(|r| on_page(keys(r).change_seq))
            .collect();
        // A row back in sight later on the same page (made public again) is not dropped: a
        // client applying the page's items before its tombstones would lose it.
        let back: Vec<(Uuid, i64)> = rows
            .iter()
            .map(|r| (keys(r).id, keys(r).change_seq))
            .collect();
        let superseded = |t: &Tombstone<Id>| {
            back.iter()
                .any(|(id, seq)| *id == t.id.into() && *seq > t.change_seq)
        };
        let mut page = Self::from_rows(request, rows, &keys, convert)?;
        page.tombstones.extend(
            lost.into_iter()
                .filter(|t| on_page(t.change_seq) && !superseded(t)),
        );
        page.tombstones.sort_by_key(|t| t.change_seq);
        page.next = last.map(Cursor::Change);
        Ok(page)
    }
}

diesel::define_sql_function! {
    /// Every change number below this one is final (see the `lock_free_changes` migration):
    /// walks of changes stop there.
    fn gloact_change_horizon() -> diesel::sql_types::BigInt;
}

/// The change horizon of the statement's snapshot, as a query expression.
pub(crate) fn change_horizon() -> gloact_change_horizon {
    gloact_change_horizon()
}

/// Readies a connection for the page: before a walk of changes, waits briefly for the
/// transactions running at the call to end, so that the walk sees what committed before it.
pub(crate) async fn settle(
    conn: &mut diesel_async::AsyncPgConnection,
    request: &PageRequest,
) -> Result<(), StoreError> {
    if request.changed_after().is_some() {
        crate::db::await_change_horizon(conn).await?;
    }
    Ok(())
}

/// Applies a page request to a boxed query of one table: filter, order, limit.
macro_rules! paged {
    ($query:expr, $table:ident, $request:expr) => {{
        let request: &$crate::page::PageRequest = $request;
        let query = match request.walk() {
            $crate::page::Walk::Live(after) => {
                let query = $query.filter($table::deleted_at.is_null());
                let query = match after {
                    Some(id) => query.filter($table::id.gt(id)),
                    None => query,
                };
                query.order($table::id.asc())
            }
            // Only below the horizon: a row above it may yet be joined by one that commits
            // later with a smaller number.
            $crate::page::Walk::Changes(since) => $query
                .filter($table::change_seq.gt(since))
                .filter($table::change_seq.lt($crate::page::change_horizon()))
                .order($table::change_seq.asc()),
        };
        query.limit(request.fetch_limit())
    }};
}

pub(crate) use paged;

#[cfg(test)]
mod tests {
    use super::*;

    /// A row of a walk of changes: its id's last byte and its change number.
    fn row(n: u8, change_seq: i64) -> (Uuid, i64) {
        (Uuid::from_bytes([n; 16]), change_seq)
    }

    fn lost(n: u8, change_seq: i64) -> Tombstone<Uuid> {
        Tombstone {
            id: Uuid::from_bytes([n; 16]),
            change_seq,
            deleted_at: DateTime::<Utc>::UNIX_EPOCH,
        }
    }

    /// A page of two changes after `since`, of rows changed at 1, 4 and 6 and rows that left
    /// sight at 2, 3 and 5, each fetched as the store fetches them.
    fn page(since: i64) -> Page<(Uuid, i64), Uuid> {
        let request = PageRequest::new(None, 2, Some(since)).unwrap();
        let fetch = usize::try_from(request.fetch_limit()).unwrap();
        let rows: Vec<_> = [row(1, 1), row(4, 4), row(6, 6)]
            .into_iter()
            .filter(|r| r.1 > since)
            .take(fetch)
            .collect();
        let gone: Vec<_> = [lost(2, 2), lost(3, 3), lost(5, 5)]
            .into_iter()
            .filter(|t| t.change_seq > since)
            .take(fetch)
            .collect();
        let keys = |r: &(Uuid, i64)| RowKeys {
            id: r.0,
            change_seq: r.1,
            deleted_at: None,
        };
        Page::from_rows_and_lost(&request, rows, gone, keys, Ok).unwrap()
    }

    #[test]
    fn rows_and_rows_out_of_sight_page_together_in_change_order() {
        let mut seen = Vec::new();
        let mut since = 0;
        loop {
            let page = page(since);
            assert!(page.items.len() + page.tombstones.len() <= 2);
            seen.extend(page.items.iter().map(|r| r.1));
            seen.extend(page.tombstones.iter().map(|t| t.change_seq));
            match page.next {
                Some(Cursor::Change(next)) => since = next,
                Some(Cursor::Id(_)) => panic!("a walk of changes continues by change"),
                None => break,
            }
        }
        seen.sort_unstable();
        assert_eq!(seen, [1, 2, 3, 4, 5, 6], "each change once, none skipped");
        let first = page(0);
        assert_eq!(first.items.len(), 1);
        assert_eq!(first.tombstones[0].change_seq, 2);
        assert_eq!(first.next, Some(Cursor::Change(2)));
    }
}
