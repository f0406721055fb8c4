//! What every resource's routes share: pages and cursors, ETags and `If-Match`, and the parsing
//! of raw input fields into domain values with per-field errors.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDate, Utc};
use gloact_domain::{RowMeta, Tombstone, ValueError, Violations};
use gloact_persistence::{Cursor, Page, PageError, PageRequest};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::ApiError;

/// Items per page when the client names no limit.
pub const DEFAULT_LIMIT: u32 = 50;

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageDto<T: ToSchema> {
    /// The items of this page, in the list's order.
    pub items: Vec<T>,
    /// Rows deleted, or that you may no longer see (an activity made restricted and its follow-up
    /// actions, for those not taking part), only when `changed_after` is given: drop them from
    /// your copy.
    pub tombstones: Vec<TombstoneDto>,
    /// Pass as `after` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

impl<T: ToSchema> PageDto<T> {
    /// Renders a stored page with `render` for each item.
    pub fn from_page<D, Id: Into<Uuid> + Copy>(
        page: Page<D, Id>,
        render: impl FnMut(D) -> T,
    ) -> Self {
        Self {
            items: page.items.into_iter().map(render).collect(),
            tombstones: page.tombstones.iter().map(TombstoneDto::from).collect(),
            next_cursor: page.next.map(encode_cursor),
        }
    }
}

/// A row deleted, or out of the caller's sight, after the change number a client asked from.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Tombstone)]
pub struct TombstoneDto {
    /// The deleted row.
    pub id: Uuid,
    /// The change number of the deletion.
    pub change_seq: i64,
    /// When it was deleted (or left the caller's sight).
    pub deleted_at: DateTime<Utc>,
}

impl<Id: Into<Uuid> + Copy> From<&Tombstone<Id>> for TombstoneDto {
    fn from(t: &Tombstone<Id>) -> Self {
        Self {
            id: t.id.into(),
            change_seq: t.change_seq,
            deleted_at: t.deleted_at,
        }
    }
}

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

/// The ETag of a row: its version, quoted.
pub fn etag(meta: &RowMeta) -> String {
    format!("\"{}\"", meta.version)
}

/// A 200 with the body and the row's ETag.
pub fn ok_with_etag<T: Serialize>(meta: &RowMeta, body: &T) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(meta)))
        .json(body)
}

/// A 201 with the body, the row's ETag and its location.
pub fn created<T: Serialize>(meta: &RowMeta, location: String, body: &T) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::ETAG, etag(meta)))
        .insert_header((header::LOCATION, location))
        .json(body)
}

/// The version named by the request's `If-Match`: one strong ETag as we send them (`"3"`).
/// Writes require it, so that nobody overwrites a change they have not seen; weak tags and `*`
/// can't say which version the client read.
pub fn if_match(req: &HttpRequest) -> Result<i32, ApiError> {
    let value = req
        .headers()
        .get(header::IF_MATCH)
        .ok_or(ApiError::PreconditionRequired)?;
    value
        .to_str()
        .ok()
        .map(str::trim)
        .and_then(|t| t.strip_prefix('"'))
        .and_then(|t| t.strip_suffix('"'))
        .and_then(|t| t.parse::<i32>().ok())
        .filter(|v| *v > 0)
        .ok_or_else(|| {
            ApiError::bad_request(
                "invalid_if_match",
                "If-Match must be the ETag of the version read, e.g. \"3\"",
            )
        })
}

/// For optional fields that can be cleared: absent is `None`, `null` is `Some(None)`.
pub fn double_option<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Earliest and latest years a date may have: wide for programme data, and well inside what
/// PostgreSQL's `date` holds.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// Parses a day written exactly as `YYYY-MM-DD`, between the years 1900 and 2200.
pub fn parse_date(raw: &str) -> Result<NaiveDate, ValueError> {
    let well_formed = raw.len() == 10
        && raw.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    let date = well_formed
        .then(|| NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| ValueError::new("invalid_date", "must be a date as YYYY-MM-DD"))?;
    within_years(date)
}

/// Refuses a day or time outside the years 1900 to 2200: PostgreSQL can't hold some of what
/// chrono parses, and nothing in the programme's data lies outside.
fn within_years<T: chrono::Datelike>(value: T) -> Result<T, ValueError> {
    if !YEARS.contains(&value.year()) {
        return Err(ValueError::new(
            "out_of_range",
            "must be between the years 1900 and 2200",
        ));
    }
    Ok(value)
}

/// Checks a day that arrived already parsed (a GraphQL `NaiveDate` argument, which takes years
/// of any size and sign) by the same rules as [`parse_date`]: a 400 `invalid_date` naming the
/// argument, before PostgreSQL is asked about a day it can't hold.
pub fn check_day(name: &str, day: Option<NaiveDate>) -> Result<Option<NaiveDate>, ApiError> {
    day.map(|day| {
        within_years(day)
            .map_err(|e| ApiError::bad_request("invalid_date", format!("{name}: {}", e.message)))
    })
    .transpose()
}

/// Refuses a time outside the years 1900 to 2200, as dates are.
pub fn check_time(time: DateTime<Utc>) -> Result<DateTime<Utc>, ValueError> {
    within_years(time)
}

/// A free-text filter of a query string: at most 200 characters, none of them a control
/// character (PostgreSQL's text can't hold a NUL).
pub fn query_text(name: &str, raw: Option<&str>) -> Result<Option<String>, ApiError> {
    query_value(name, raw, |text| {
        if text.chars().count() > 200 || text.chars().any(char::is_control) {
            return Err(ValueError::new(
                "invalid_text",
                "must be at most 200 characters, none of them control characters",
            ));
        }
        Ok(text.to_owned())
    })
}

/// Parses a filter value of a query string, refusing it with a 400 naming the parameter.
pub fn query_value<T>(
    name: &str,
    raw: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, ValueError>,
) -> Result<Option<T>, ApiError> {
    raw.map(|raw| {
        parse(raw).map_err(|e| ApiError::bad_request("invalid_query", format!("{name}: {e}")))
    })
    .transpose()
}

/// Parses an optional, clearable input field.
pub fn check_clearable<T, R: AsRef<str>>(
    violations: &mut Violations,
    field: &str,
    raw: Option<Option<R>>,
    parse: impl FnOnce(&str) -> Result<T, ValueError>,
) -> Option<Option<T>> {
    match raw {
        None => None,
        Some(None) => Some(None),
        Some(Some(raw)) => violations.check(field, parse(raw.as_ref())).map(Some),
    }
}

/// Parses an optional input field that can't be cleared: `null` is refused like a bad value.
pub fn check_not_null<T, R: AsRef<str>>(
    violations: &mut Violations,
    field: &str,
    raw: Option<Option<R>>,
    parse: impl FnOnce(&str) -> Result<T, ValueError>,
) -> Option<T> {
    match raw {
        None => None,
        Some(None) => {
            violations.add(
                field,
                ValueError::new(
                    "null_not_allowed",
                    "can't be cleared: leave it out to keep it",
                ),
            );
            None
        }
        Some(Some(raw)) => violations.check(field, parse(raw.as_ref())),
    }
}

/// Parses an optional input field; `None` when it is absent or refused (then recorded).
pub fn check_opt<T, R: AsRef<str>>(
    violations: &mut Violations,
    field: &str,
    raw: Option<R>,
    parse: impl FnOnce(&str) -> Result<T, ValueError>,
) -> Option<T> {
    raw.and_then(|raw| violations.check(field, parse(raw.as_ref())))
}

/// A body read as JSON first (for the idempotency fingerprint), then as the route's input.
pub fn from_json<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_json::from_value(value)
        .map_err(|e| ApiError::bad_request("invalid_body", without_position(&e.to_string())))
}

/// serde's messages end with a position in the whole body, which means nothing per item.
pub fn without_position(message: &str) -> String {
    super::errors::without_values(&super::errors::without_type_names(
        message.split(" at line ").next().unwrap_or(message),
    ))
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

    #[test]
    fn dates_are_strict_and_bounded() {
        assert!(parse_date("2020-01-19").is_ok());
        for bad in [
            "2020-1-19",
            " 2020-01-19",
            "2020-02-30",
            "-5000-01-01",
            "20200119",
            "2020-01-19T00:00",
        ] {
            assert_eq!(
                parse_date(bad).map_err(|e| e.code),
                Err("invalid_date"),
                "{bad}"
            );
        }
        assert_eq!(
            parse_date("1899-12-31").map_err(|e| e.code),
            Err("out_of_range")
        );
        assert_eq!(
            parse_date("2201-01-01").map_err(|e| e.code),
            Err("out_of_range")
        );
    }
}
