//! Paging: the client's `after`, `limit` and `changed_after`, and the opaque cursors this API
//! hands out, the same for REST's query strings and GraphQL's arguments.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gloact_persistence::{Cursor, PageError, PageRequest};
use uuid::Uuid;

use crate::error::ApiError;

/// Items per page when the client names no limit.
pub const DEFAULT_LIMIT: u32 = 50;

/// The opaque form of a cursor.
pub fn encode_cursor(cursor: Cursor) -> String {
    let raw = match cursor {
        Cursor::Id(id) => format!("i:{id}"),
        Cursor::Change(seq) => format!("c:{seq}"),
    };
    URL_SAFE_NO_PAD.encode(raw)
}

fn decode_cursor(text: &str) -> Option<Cursor> {
    let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
    let raw = std::str::from_utf8(&bytes).ok()?;
    match raw.split_once(':')? {
        ("i", id) => Uuid::parse_str(id).ok().map(Cursor::Id),
        ("c", seq) => seq
            .parse()
            .ok()
            .filter(|s: &i64| *s >= 0)
            .map(Cursor::Change),
        _ => None,
    }
}

/// Builds a page request from the query's `after`, `limit` and `changed_after`.
pub fn page_request(
    after: Option<&str>,
    limit: Option<u32>,
    changed_after: Option<i64>,
) -> Result<PageRequest, ApiError> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    let limit = u16::try_from(limit).map_err(|_| PageError::LimitOutOfRange);
    let after = after
        .map(|text| {
            decode_cursor(text).ok_or_else(|| {
                ApiError::bad_request("invalid_cursor", "after is not a cursor of this API")
            })
        })
        .transpose()?;
    limit
        .and_then(|limit| PageRequest::new(after, limit, changed_after))
        .map_err(|e| {
            let code = match e {
                PageError::LimitOutOfRange => "invalid_limit",
                PageError::CursorOfOtherWalk => "invalid_cursor",
                PageError::NegativeChangeNumber => "invalid_changed_after",
            };
            ApiError::bad_request(code, e.to_string())
        })
}

/// Builds the paging of an append-only log read in order: the sequence number to continue after
/// (from a cursor this API gave) and the limit.
pub fn seq_page(after: Option<&str>, limit: Option<u32>) -> Result<(Option<i64>, u16), ApiError> {
    let limit = u16::try_from(limit.unwrap_or(DEFAULT_LIMIT))
        .ok()
        .filter(|l| (1..=PageRequest::MAX_LIMIT).contains(l))
        .ok_or_else(|| {
            ApiError::bad_request("invalid_limit", PageError::LimitOutOfRange.to_string())
        })?;
    let after = match after.map(decode_cursor) {
        None => None,
        Some(Some(Cursor::Change(seq))) => Some(seq),
        Some(_) => {
            return Err(ApiError::bad_request(
                "invalid_cursor",
                "after is not a cursor of this list",
            ));
        }
    };
    Ok((after, limit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_junk() {
        let id = Uuid::now_v7();
        assert_eq!(
            decode_cursor(&encode_cursor(Cursor::Id(id))),
            Some(Cursor::Id(id))
        );
        assert_eq!(
            decode_cursor(&encode_cursor(Cursor::Change(42))),
            Some(Cursor::Change(42))
        );
        assert_eq!(decode_cursor("not a cursor"), None);
        assert_eq!(decode_cursor(&URL_SAFE_NO_PAD.encode("c:-1")), None);
        assert!(page_request(Some(&encode_cursor(Cursor::Id(id))), None, Some(3)).is_err());
        assert!(page_request(None, Some(501), None).is_err());
        assert!(page_request(None, Some(0), None).is_err());
        assert!(page_request(None, Some(500), None).is_ok());
    }
}
