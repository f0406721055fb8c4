//! `/api/v1/field-reports`: reports from field officers' phones, sent offline-first: the phone
//! chooses the id, so resending after a lost answer is safe.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use gloact_domain::field_report::{
    FieldReport, FieldReportKind, NewFieldReport, PayloadInput, Review, ReviewStatus,
};
use gloact_domain::{ValueError, Violations};
use gloact_persistence::Db;
use gloact_persistence::field_reports::{Fate, FieldReportFilter, Stored};
use gloact_persistence::sealed::SealingKey;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::common::{PageDto, created, from_json, ok_with_etag, without_position};
use super::csv::{self, CsvPaging, FieldReportCsvRow, Representation};
use super::idempotency::{self, Carries};
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};
use crate::input::IfMatch;
use crate::input::field_reports::{GpsDto, NewFieldReportDto, ReviewDto};
use crate::input::fields::query_value;
use crate::input::paging::page_request;
use crate::service;

/// A stored report.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = FieldReport)]
pub struct FieldReportDto {
    /// The id the phone chose.
    pub id: Uuid,
    /// What it is about.
    pub kind: FieldReportKind,
    /// When it happened (the phone's clock).
    pub occurred_at: DateTime<Utc>,
    /// When the server received it.
    pub received_at: DateTime<Utc>,
    /// Who sent it.
    pub reporter: String,
    /// Their organization's code.
    pub organization: String,
    /// Where.
    pub district: String,
    /// Where exactly.
    pub gps: Option<GpsDto>,
    /// The activity it concerns.
    pub activity_id: Option<Uuid>,
    /// What the officer wrote.
    pub narrative: Option<String>,
    /// What was reported.
    pub payload: PayloadInput,
    /// Where it stands in UNODC's review.
    pub review_status: ReviewStatus,
    /// Why it was rejected.
    pub review_reason: Option<String>,
    /// Version (the ETag).
    pub version: i32,
    /// Change number of its last change, for sync down.
    pub change_seq: i64,
}

impl From<FieldReport> for FieldReportDto {
    fn from(r: FieldReport) -> Self {
        let report = r.report;
        Self {
            id: report.id,
            kind: report.payload.kind(),
            occurred_at: report.occurred_at,
            received_at: r.received_at,
            reporter: r.reporter,
            organization: r.organization.to_string(),
            district: report.district.as_str().to_owned(),
            gps: report.gps.map(|g| GpsDto {
                latitude: g.latitude(),
                longitude: g.longitude(),
                accuracy_m: g.accuracy_m(),
            }),
            activity_id: report.activity_id.map(|a| a.0),
            narrative: report.narrative.map(|n| n.as_str().to_owned()),
            payload: PayloadInput::from(&report.payload),
            review_status: r.review,
            review_reason: r.review_reason.map(|n| n.as_str().to_owned()),
            version: r.meta.version,
            change_seq: r.meta.change_seq,
        }
    }
}

/// Sends a report. A resend of a report already received answers 200 with it (nothing stored
/// twice); a first send answers 201.
#[utoipa::path(
    tag = "field reports",
    request_body = NewFieldReportDto,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the first request under a key runs, a retry gets its answer again (with `Idempotent-Replayed: true`); another request under the same key gets 422, a retry while the first runs 409. Kept 24 hours.")),
    responses(
        (status = 201, description = "Stored", body = FieldReportDto),
        (status = 200, description = "Already received: this is the stored report", body = FieldReportDto),
    )
)]
#[post("/field-reports")]
pub async fn create_field_report(
    req: HttpRequest,
    db: web::Data<Db>,
    keys: web::Data<SealingKey>,
    Authenticated(caller): Authenticated,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    idempotency::once(
        &req,
        &db,
        &keys,
        &caller,
        &body,
        Carries::Row("field_report"),
        async {
            let dto: NewFieldReportDto = from_json(body.clone())?;
            let report = NewFieldReport::try_from(dto)?;
            Ok(
                match service::field_reports::submit(&db, &caller, &report).await? {
                    Stored::Created(stored) => {
                        let meta = stored.meta;
                        let location = format!("/api/v1/field-reports/{}", stored.report.id);
                        created(&meta, location, &FieldReportDto::from(stored))
                    }
                    Stored::AlreadyHad(stored) => {
                        let meta = stored.meta;
                        ok_with_etag(&meta, &FieldReportDto::from(stored))
                    }
                },
            )
        },
    )
    .await
}

/// Filters and paging of the report list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FieldReportListQuery {
    /// Only this kind.
    #[param(value_type = Option<FieldReportKind>)]
    pub kind: Option<String>,
    /// Only reports in this review status.
    #[param(value_type = Option<ReviewStatus>)]
    pub review_status: Option<String>,
    /// The `next_cursor` of the previous page.
    pub after: Option<String>,
    /// Items per page, 1 to 500 (default 50).
    pub limit: Option<u32>,
    /// Sync down: only reports changed after this change number (e.g. reviewed), in change order.
    pub changed_after: Option<i64>,
}

/// Lists the reports the caller may see: all for UNODC and IOM, its organization's for government.
#[utoipa::path(tag = "field reports", params(FieldReportListQuery), responses(
        (status = 200, description = "A page of reports. As JSON by default; as CSV (one row per report, a header row first) when `Accept` prefers text/csv: with `limit`, that page (the next in `X-Next-Cursor`); without, the whole list, streamed", content(
            (PageDto<FieldReportDto> = "application/json"),
            (Vec<FieldReportCsvRow> = "text/csv"),
        ), headers(
            ("X-Next-Cursor" = String, description = "CSV with `limit` only: the `after` of the next page, absent on the last"),
            ("Content-Disposition" = String, description = "CSV only: `attachment; filename=\"field-reports.csv\"`"),
        )),
        (status = 400, description = "Malformed request; also `changed_after` with `Accept: text/csv` (code `changed_after_not_in_csv`: delta sync is JSON only)", body = Problem, content_type = "application/problem+json"),
        (status = 406, description = "`Accept` allows neither application/json nor text/csv (code `not_acceptable`)", body = Problem, content_type = "application/problem+json"),
))]
#[get("/field-reports")]
pub async fn list_field_reports(
    req: HttpRequest,
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    query: web::Query<FieldReportListQuery>,
) -> Result<HttpResponse, ApiError> {
    let representation = Representation::negotiate(&req)?;
    let filter = FieldReportFilter {
        kind: query_value("kind", query.kind.as_deref(), str::parse)?,
        review: query_value("review_status", query.review_status.as_deref(), str::parse)?,
    };
    if representation == Representation::Csv {
        let paging = CsvPaging::new(query.after.as_deref(), query.limit, query.changed_after)?;
        return csv::respond::<FieldReportCsvRow, _, _, _>(paging, move |page| {
            let (db, caller, filter) = (db.clone(), caller.clone(), filter.clone());
            async move { service::field_reports::list(&db, &caller, &filter, &page).await }
        })
        .await;
    }
    let page = page_request(query.after.as_deref(), query.limit, query.changed_after)?;
    let page = service::field_reports::list(&db, &caller, &filter, &page).await?;
    Ok(csv::json_list(&PageDto::from_page(
        page,
        FieldReportDto::from,
    )))
}

/// Gets one report.
#[utoipa::path(tag = "field reports", responses((status = 200, description = "The report", body = FieldReportDto)))]
#[get("/field-reports/{id}")]
pub async fn get_field_report(
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let report = service::field_reports::get(&db, &caller, *id).await?;
    let meta = report.meta;
    Ok(ok_with_etag(&meta, &FieldReportDto::from(report)))
}

/// Reviews a report (UNODC) at the version in `If-Match`.
#[utoipa::path(
    tag = "field reports",
    params(IfMatch),
    request_body = ReviewDto,
    responses((status = 200, description = "Reviewed", body = FieldReportDto))
)]
#[post("/field-reports/{id}/review")]
pub async fn review_field_report(
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
    body: web::Json<ReviewDto>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let version = if_match.version()?;
    let decision = Review::try_from(body.into_inner())?;
    let report = service::field_reports::review(&db, &caller, *id, version, &decision).await?;
    let meta = report.meta;
    Ok(ok_with_etag(&meta, &FieldReportDto::from(report)))
}

/// Most reports in one batch.
pub const MAX_BATCH: usize = 500;

/// Reports sent together, e.g. all a phone collected offline.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchDto {
    /// Up to 500 reports, each as `POST /field-reports` takes it.
    #[schema(value_type = Vec<NewFieldReportDto>)]
    pub reports: Vec<serde_json::Value>,
}

/// What became of one report of a batch.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchItemResult {
    /// Its position in the batch, from 0.
    pub index: usize,
    /// Its id, when it could be read.
    pub id: Option<Uuid>,
    /// `created`, `already_had` (a resend: nothing stored twice), `invalid` (see `errors`) or
    /// `conflict` (another report has this id).
    #[schema(example = "created")]
    pub status: &'static str,
    /// Why it was refused.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<gloact_domain::FieldError>,
}

/// The outcome of a batch: one result per report, in order.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResult {
    /// Reports stored now.
    pub created: usize,
    /// Reports received before.
    pub already_had: usize,
    /// Reports refused.
    pub refused: usize,
    /// One result per report, in the batch's order.
    pub results: Vec<BatchItemResult>,
}

/// Sends up to 500 reports at once. Each is judged on its own; the valid ones are stored in one
/// transaction (all or none, should the database fail), and the answer (207) says what became of
/// each.
#[utoipa::path(
    tag = "field reports",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe, as for a single report.")),
    request_body = BatchDto,
    responses((status = 207, description = "One result per report", body = BatchResult))
)]
#[post("/field-reports:batch")]
pub async fn create_field_report_batch(
    req: HttpRequest,
    db: web::Data<Db>,
    keys: web::Data<SealingKey>,
    Authenticated(caller): Authenticated,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    // The answer gives each report's id and fate, not its content.
    idempotency::once(&req, &db, &keys, &caller, &body, Carries::Nothing, async {
        let batch: BatchDto = from_json(body.clone())?;
        judge_batch(&db, &caller, batch.reports).await
    })
    .await
}

/// Parses each report of a batch, stores the valid ones, and says what became of each.
async fn judge_batch(
    db: &Db,
    caller: &crate::service::Caller,
    items: Vec<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    if items.is_empty() || items.len() > MAX_BATCH {
        return Err(Violations::single(
            "reports",
            ValueError::new("batch_size", format!("send 1 to {MAX_BATCH} reports")),
        )
        .into());
    }
    let mut results: Vec<BatchItemResult> = Vec::with_capacity(items.len());
    let mut valid: Vec<(usize, NewFieldReport)> = Vec::new();
    for (index, item) in items.into_iter().enumerate() {
        let id = item
            .get("id")
            .and_then(|v| v.as_str())
            .and_then(|s| Uuid::parse_str(s).ok());
        let parsed = serde_json::from_value::<NewFieldReportDto>(item)
            .map_err(|e| {
                Violations::single(
                    "report",
                    ValueError::new("invalid_body", without_position(&e.to_string())),
                )
            })
            .and_then(NewFieldReport::try_from);
        match parsed {
            Ok(report) => valid.push((index, report)),
            Err(violations) => results.push(BatchItemResult {
                index,
                id,
                status: "invalid",
                errors: violations.errors().to_vec(),
            }),
        }
    }
    let reports: Vec<NewFieldReport> = valid.iter().map(|(_, r)| r.clone()).collect();
    let outcomes = if reports.is_empty() {
        Vec::new()
    } else {
        service::field_reports::submit_batch(db, caller, &reports).await?
    };
    for ((index, report), outcome) in valid.into_iter().zip(outcomes) {
        let (status, errors) = match outcome {
            Ok(Fate::Created) => ("created", Vec::new()),
            Ok(Fate::AlreadyHad) => ("already_had", Vec::new()),
            Err(error) => match ApiError::from(error) {
                ApiError::Validation(violations) => ("invalid", violations.errors().to_vec()),
                ApiError::Conflict { .. } => ("conflict", Vec::new()),
                other => return Err(other),
            },
        };
        results.push(BatchItemResult {
            index,
            id: Some(report.id),
            status,
            errors,
        });
    }
    results.sort_by_key(|r| r.index);
    let count = |status: &str| results.iter().filter(|r| r.status == status).count();
    let (created, already_had) = (count("created"), count("already_had"));
    let refused = results.len() - created - already_had;
    Ok(HttpResponse::MultiStatus().json(BatchResult {
        created,
        already_had,
        refused,
        results,
    }))
}
