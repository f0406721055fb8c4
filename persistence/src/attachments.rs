//! Attachments of field reports: photos and documents kept with the report, one row per distinct
//! content.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::audit::{Audit, Entry, append};
use crate::db::Db;
use crate::error::StoreError;
use crate::schema::field_report_attachment;

/// An attachment without its content.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = field_report_attachment, check_for_backend(diesel::pg::Pg))]
pub struct Attachment {
    /// Chosen by the server on the first upload of this content to the report (a UUIDv7); the same
    /// content uploaded again is this attachment.
    pub id: Uuid,
    /// The report it belongs to.
    pub report_id: Uuid,
    /// `image/jpeg`, `image/png` or `application/pdf`, as its content says.
    pub media_type: String,
    /// The content's length in bytes, more than 0.
    pub size_bytes: i32,
    /// SHA-256 of its content, in hex.
    pub sha256: String,
    /// Who uploaded it.
    pub uploaded_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// What storing an attachment did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upload {
    /// Stored now.
    Created(Attachment),
    /// The same content was uploaded to this report before.
    AlreadyHad(Attachment),
}

/// Stores `data` (of a media type already checked) as an attachment of a report the caller may
/// see; the same content uploaded again is the same attachment.
pub async fn store(
    db: &Db,
    report_id: Uuid,
    media_type: &str,
    data: &[u8],
    uploaded_by: &str,
    audit: &Audit,
) -> Result<Upload, StoreError> {
    let sha256: String = Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let size = i32::try_from(data.len())
        .map_err(|_| StoreError::Internal("attachment too large".into()))?;
    let mut conn = db.conn().await?;
    conn.transaction(async |conn| {
        let existing = field_report_attachment::table
            .filter(field_report_attachment::report_id.eq(report_id))
            .filter(field_report_attachment::sha256.eq(&sha256))
            .select(Attachment::as_select())
            .first(conn)
            .await
            .optional()?;
        if let Some(existing) = existing {
            return Ok(Upload::AlreadyHad(existing));
        }
        let id = Uuid::now_v7();
        // Two identical uploads at once: the second finds the first's row instead of failing.
        let inserted = diesel::insert_into(field_report_attachment::table)
            .values((
                field_report_attachment::id.eq(id),
                field_report_attachment::report_id.eq(report_id),
                field_report_attachment::media_type.eq(media_type),
                field_report_attachment::size_bytes.eq(size),
                field_report_attachment::sha256.eq(&sha256),
                field_report_attachment::data.eq(data),
                field_report_attachment::uploaded_by.eq(uploaded_by),
            ))
            .on_conflict((
                field_report_attachment::report_id,
                field_report_attachment::sha256,
            ))
            .do_nothing()
            .returning(Attachment::as_returning())
            .get_result(conn)
            .await
            .optional()?;
        let Some(stored) = inserted else {
            let existing = field_report_attachment::table
                .filter(field_report_attachment::report_id.eq(report_id))
                .filter(field_report_attachment::sha256.eq(&sha256))
                .select(Attachment::as_select())
                .first(conn)
                .await?;
            return Ok(Upload::AlreadyHad(existing));
        };
        append(conn, audit, vec![Entry::new("create", "attachment", id)]).await?;
        Ok(Upload::Created(stored))
    })
    .await
}

/// The attachments of a report, oldest first.
pub async fn list(db: &Db, report_id: Uuid) -> Result<Vec<Attachment>, StoreError> {
    let mut conn = db.conn().await?;
    Ok(field_report_attachment::table
        .filter(field_report_attachment::report_id.eq(report_id))
        .order(field_report_attachment::id)
        .select(Attachment::as_select())
        .load(&mut conn)
        .await?)
}

/// One attachment of a report with its content.
pub async fn content(
    db: &Db,
    report_id: Uuid,
    id: Uuid,
) -> Result<(Attachment, Vec<u8>), StoreError> {
    let mut conn = db.conn().await?;
    Ok(field_report_attachment::table
        .filter(field_report_attachment::report_id.eq(report_id))
        .filter(field_report_attachment::id.eq(id))
        .select((Attachment::as_select(), field_report_attachment::data))
        .first(&mut conn)
        .await?)
}
