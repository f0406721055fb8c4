//! What every resource's routes share in their answers: pages, tombstones and ETags; and the
//! reading of a JSON body as a route's input (the parsing of fields is in [`crate::input`]).

use actix_web::HttpResponse;
use actix_web::http::header;
use chrono::{DateTime, Utc};
use gloact_domain::{RowMeta, Tombstone};
use gloact_persistence::Page;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::ApiError;
use crate::input::paging::encode_cursor;

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
