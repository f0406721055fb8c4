//! `/api/v1/field-reports/{id}/attachments`: photos and documents of a report, uploaded as
//! `multipart/form-data` (one part named `file`), kept with the report and served back.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use gloact_domain::field_report::sniff_media_type;
use gloact_persistence::Db;
use gloact_persistence::attachments::{Attachment, Upload};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::service;

/// Largest attachment accepted.
pub const MAX_ATTACHMENT_BYTES: usize = 5 * 1024 * 1024;

/// An attachment, without its content.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Attachment)]
pub struct AttachmentDto {
    /// Chosen by the server on the first upload of this content to the report (a UUIDv7): uploading
    /// the same content again answers `200` with this attachment.
    pub id: Uuid,
    /// The report it belongs to.
    pub report_id: Uuid,
    /// `image/jpeg`, `image/png` or `application/pdf`, as its content says.
    pub media_type: String,
    /// The content's length in bytes: at least 1, at most 5 MiB.
    pub size_bytes: i32,
    /// SHA-256 of its content, in hex: a phone can check what it sent.
    pub sha256: String,
    /// When it was uploaded.
    pub created_at: DateTime<Utc>,
}

impl From<Attachment> for AttachmentDto {
    fn from(a: Attachment) -> Self {
        Self {
            id: a.id,
            report_id: a.report_id,
            media_type: a.media_type,
            size_bytes: a.size_bytes,
            sha256: a.sha256,
            created_at: a.created_at,
        }
    }
}

/// A file to attach (`multipart/form-data`).
#[derive(Debug, ToSchema)]
#[allow(
    dead_code,
    reason = "documents the form; the handler reads the stream itself"
)]
pub struct AttachmentUpload {
    /// The photo (JPEG, PNG) or document (PDF), at most 5 MiB.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Reads the `file` part, refusing more than the cap as soon as it is passed.
async fn read_file(mut form: Multipart) -> Result<Vec<u8>, ApiError> {
    let mut file: Option<Vec<u8>> = None;
    while let Some(part) = form.next().await {
        let mut part =
            part.map_err(|e| ApiError::bad_request("invalid_multipart", e.to_string()))?;
        if part.name() != Some("file") || file.is_some() {
            return Err(ApiError::bad_request(
                "invalid_multipart",
                "send exactly one part, named file",
            ));
        }
        let mut content = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk =
                chunk.map_err(|e| ApiError::bad_request("invalid_multipart", e.to_string()))?;
            if content.len() + chunk.len() > MAX_ATTACHMENT_BYTES {
                return Err(ApiError::PayloadTooLarge);
            }
            content.extend_from_slice(&chunk);
        }
        file = Some(content);
    }
    file.ok_or_else(|| {
        ApiError::bad_request("invalid_multipart", "send exactly one part, named file")
    })
}

/// Attaches a photo or document to a report of the caller's organization. Its type is told by
/// its content (JPEG, PNG, PDF; anything else is 415). Uploading the same content again answers
/// 200 with the attachment already kept.
#[utoipa::path(
    tag = "field reports",
    request_body(content = AttachmentUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Attached", body = AttachmentDto),
        (status = 200, description = "This content was attached before", body = AttachmentDto),
        (status = 413, description = "Larger than 5 MiB", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not a JPEG, PNG or PDF", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/field-reports/{id}/attachments")]
pub async fn create_attachment(
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
    form: Multipart,
) -> Result<HttpResponse, ApiError> {
    // Who may attach is known before a byte of the upload is read.
    service::field_reports::may_attach(&db, &caller, *id).await?;
    let content = read_file(form).await?;
    let media_type = sniff_media_type(&content)
        .ok_or(ApiError::UnsupportedMediaType("a JPEG, PNG or PDF file"))?;
    Ok(
        match service::field_reports::attach(&db, &caller, *id, media_type, &content).await? {
            Upload::Created(attachment) => HttpResponse::Created()
                .insert_header((
                    header::LOCATION,
                    format!(
                        "/api/v1/field-reports/{}/attachments/{}",
                        attachment.report_id, attachment.id
                    ),
                ))
                .json(AttachmentDto::from(attachment)),
            Upload::AlreadyHad(attachment) => {
                HttpResponse::Ok().json(AttachmentDto::from(attachment))
            }
        },
    )
}

/// A report's attachments.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentList {
    /// Oldest first.
    pub items: Vec<AttachmentDto>,
}

/// Lists a report's attachments.
#[utoipa::path(tag = "field reports", responses((status = 200, description = "The attachments, oldest first", body = AttachmentList)))]
#[get("/field-reports/{id}/attachments")]
pub async fn list_attachments(
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let attachments = service::field_reports::list_attachments(&db, &caller, *id).await?;
    Ok(HttpResponse::Ok().json(AttachmentList {
        items: attachments.into_iter().map(AttachmentDto::from).collect(),
    }))
}

/// Downloads an attachment's content.
#[utoipa::path(tag = "field reports", responses((status = 200, description = "The content, served as image/jpeg, image/png or application/pdf", content_type = "application/octet-stream")))]
#[get("/field-reports/{id}/attachments/{attachment_id}")]
pub async fn get_attachment(
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (report_id, id) = path.into_inner();
    let (attachment, content) =
        service::field_reports::attachment_content(&db, &caller, report_id, id).await?;
    Ok(HttpResponse::Ok()
        .content_type(attachment.media_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{id}\""),
        ))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(content))
}
