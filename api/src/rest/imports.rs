//! `/api/v1/imports/{kind}`: a CSV or XLSX sheet of activities, participant counts, indicator
//! actuals or organizations, checked row by row and written all or nothing.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use futures_util::StreamExt as _;
use gloact_persistence::Db;
use gloact_persistence::sealed::SealingKey;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

use super::csv::{ActivityCsvRow, CsvList, IndicatorCsvRow, OrganizationCsvRow};
use super::idempotency::{self, Carries};
use crate::auth::Authenticated;
use crate::error::{ApiError, RowError};
use crate::input::imports::{self as rows, Parsed};
use crate::input::spreadsheet::{self, Format, Sheet};
use crate::service::imports::{self, Numbered, Outcome, References, Report, RowFailure};
use crate::service::{Caller, ServiceError};

/// What a sheet holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ImportKind {
    /// New activities (rows without `id`) and changes to stored ones (rows with `id`): the
    /// columns of the activity CSV export.
    Activities,
    /// Participant counts of stored activities, named by `id` or by `programme` and `code`.
    Participations,
    /// Actuals of indicator periods (`indicator_id`, `period_id`, `actual`, `actual_female`,
    /// `actual_male`): the columns of the indicator CSV export.
    IndicatorActuals,
    /// New organizations and changes to stored ones: the columns of the organization CSV
    /// export, with the parent by `parent` (its code) or `parent_id`.
    Organizations,
}

impl ImportKind {
    /// The columns a sheet of this kind may hold: those of the list's CSV export (the server's
    /// own, such as `change_seq`, are read past), and a parent or programme by code.
    fn columns(self) -> Vec<&'static str> {
        let (export, besides): (&[&str], &[&str]) = match self {
            Self::Activities | Self::Participations => (ActivityCsvRow::COLUMNS, &["programme"]),
            Self::IndicatorActuals => (IndicatorCsvRow::COLUMNS, &[]),
            Self::Organizations => (OrganizationCsvRow::COLUMNS, &["parent"]),
        };
        export.iter().chain(besides).copied().collect()
    }
}

/// How to import.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Check every row and say what would change, but write nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// What an import did, or would do in a dry run.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReport {
    /// What the sheet held.
    pub kind: ImportKind,
    /// Whether nothing was written (asked for a dry run).
    pub dry_run: bool,
    /// Rows read, besides the header and blank rows.
    pub rows: usize,
    /// Rows that add a new row (or would).
    pub created: usize,
    /// Rows that change a stored row (or would).
    pub updated: usize,
    /// Rows that hold what is stored already.
    pub unchanged: usize,
}

/// The sheet uploaded, as the request's body.
#[derive(Debug, ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct SheetUpload(#[allow(dead_code)] Vec<u8>);

/// Imports a sheet. Every row is parsed as its JSON write is and checked against what is
/// stored and what the caller may write (IOM only where it implements, only UNODC makes an
/// activity public, and so on); nothing is written unless every row is valid, in one
/// transaction. The answer to a bad sheet (422 `import_invalid`) lists each problem by row
/// number, column and code. The first row is the header; blank rows are skipped; cells that an
/// export neutralised against formula injection (a leading `'`) are read back as they were. A
/// row about a stored row names the `version` it was read at, as `If-Match` does for JSON.
#[utoipa::path(
    tag = "imports",
    params(
        ("kind" = ImportKind, Path, description = "What the sheet holds"),
        ImportQuery,
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same sheet under the same key gets the first answer again."),
    ),
    request_body(
        content(
            (SheetUpload = "text/csv"),
            (SheetUpload = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ),
        description = "The sheet: CSV (UTF-8) or the first sheet of an XLSX workbook, at most 5 MiB and 10,000 rows",
    ),
    responses(
        (status = 200, description = "Every row is valid: written (or, in a dry run, would be)", body = ImportReport),
        (status = 400, description = "The file can't be read, has no header, or has more than 10,000 rows", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than 5 MiB", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither CSV nor XLSX", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Some rows are invalid, listed in `row_errors`: nothing was written", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/imports/{kind}")]
pub async fn create_import(
    req: HttpRequest,
    db: web::Data<Db>,
    keys: web::Data<SealingKey>,
    Authenticated(caller): Authenticated,
    kind: web::Path<String>,
    query: web::Query<ImportQuery>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let kind: ImportKind = serde_json::from_value(serde_json::Value::String(kind.into_inner()))
        .map_err(|_| {
            ApiError::bad_request(
                "invalid_path",
                "no such kind of import: activities, participations, indicator-actuals or organizations",
            )
        })?;
    let dry_run = query.dry_run;
    let format = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(Format::of)
        .ok_or(ApiError::UnsupportedMediaType(spreadsheet::ACCEPTED))?;
    let bytes = read_body(body).await?;
    let fingerprint = serde_json::json!({
        "kind": kind,
        "format": format!("{format:?}"),
        "dry_run": dry_run,
        "sha256": format!("{:x}", Sha256::digest(&bytes)),
    });
    idempotency::once(
        &req,
        &db,
        &keys,
        &caller,
        &fingerprint,
        Carries::Nothing,
        async {
            let sheet = Sheet::read(format, &bytes)?;
            let report = import(&db, &caller, kind, sheet, !dry_run).await?;
            Ok(HttpResponse::Ok().json(ImportReport {
                kind,
                dry_run,
                rows: report.rows,
                created: report.created,
                updated: report.updated,
                unchanged: report.unchanged,
            }))
        },
    )
    .await
}

/// The body, refused past [`spreadsheet::MAX_BYTES`].
async fn read_body(mut body: web::Payload) -> Result<Vec<u8>, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk =
            chunk.map_err(|_| ApiError::bad_request("invalid_body", "the body broke off"))?;
        if bytes.len() + chunk.len() > spreadsheet::MAX_BYTES {
            return Err(ApiError::PayloadTooLarge);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// Parses the sheet's rows for their kind, imports those that parsed, and gathers every problem.
async fn import(
    db: &Db,
    caller: &Caller,
    kind: ImportKind,
    mut sheet: Sheet,
    commit: bool,
) -> Result<Report, ApiError> {
    let known = kind.columns();
    sheet.check_columns(&known);
    let mut problems = std::mem::take(&mut sheet.errors);
    let refs = references(db, caller, kind, &sheet).await?;
    let commit = commit && problems.is_empty();
    let outcome = match kind {
        ImportKind::Activities => {
            let parsed = rows::activities(&sheet, &refs);
            run(parsed, &mut problems, commit, async |rows, commit| {
                imports::activities(db, caller, rows, commit).await
            })
            .await
        }
        ImportKind::Participations => {
            let parsed = rows::participation_counts(&sheet);
            run(parsed, &mut problems, commit, async |rows, commit| {
                imports::participations(db, caller, rows, commit).await
            })
            .await
        }
        ImportKind::IndicatorActuals => {
            let parsed = rows::actuals(&sheet);
            run(parsed, &mut problems, commit, async |rows, commit| {
                imports::indicator_actuals(db, caller, rows, commit).await
            })
            .await
        }
        ImportKind::Organizations => {
            let parsed = rows::organizations(&sheet, &refs);
            run(parsed, &mut problems, commit, async |rows, commit| {
                imports::organizations(db, caller, rows, commit).await
            })
            .await
        }
    }?;
    match outcome {
        Ok(report) if problems.is_empty() => Ok(report),
        Ok(_) => Err(invalid(problems, &known)),
        Err(failures) => {
            for RowFailure { row, error } in failures {
                problems.extend(row_errors(row, error)?);
            }
            Err(invalid(problems, &known))
        }
    }
}

/// Imports the rows that parsed; the rows that did not are added to `problems` and keep the
/// import from committing.
async fn run<T>(
    parsed: Parsed<T>,
    problems: &mut Vec<RowError>,
    commit: bool,
    import: impl AsyncFnOnce(Vec<Numbered<T>>, bool) -> Outcome,
) -> Result<Result<Report, Vec<RowFailure>>, ApiError> {
    problems.extend(parsed.errors);
    let commit = commit && problems.is_empty();
    Ok(import(parsed.rows, commit).await?)
}

/// The programmes and organizations the sheet names by id, by their codes.
async fn references(
    db: &Db,
    caller: &Caller,
    kind: ImportKind,
    sheet: &Sheet,
) -> Result<References, ApiError> {
    let (programme_ids, programme_codes, organization_ids) = match kind {
        ImportKind::Activities => (
            rows::ids_in(sheet, "programme_id"),
            rows::codes_in(sheet, "programme"),
            Vec::new(),
        ),
        ImportKind::Organizations => (Vec::new(), Vec::new(), rows::ids_in(sheet, "parent_id")),
        ImportKind::Participations | ImportKind::IndicatorActuals => {
            return Ok(References::default());
        }
    };
    let programme_ids: Vec<_> = programme_ids
        .into_iter()
        .map(gloact_domain::ProgrammeId)
        .collect();
    let organization_ids: Vec<_> = organization_ids
        .into_iter()
        .map(gloact_domain::OrganizationId)
        .collect();
    Ok(imports::references(
        db,
        caller,
        &programme_ids,
        &programme_codes,
        &organization_ids,
    )
    .await?)
}

/// The problems of a row the service refused. A refusal of the whole import (the database
/// unavailable, a bug) is not a row's problem, and fails the request.
fn row_errors(row: usize, error: ServiceError) -> Result<Vec<RowError>, ApiError> {
    let error = ApiError::from(error);
    match error {
        ApiError::Validation(violations) => Ok(violations
            .errors()
            .iter()
            .map(|e| RowError {
                row,
                column: Some(rows::column_of(&e.field)),
                code: e.code.clone(),
                detail: e.message.clone(),
            })
            .collect()),
        ApiError::Internal(_) | ApiError::Unavailable => Err(error),
        other => Ok(vec![RowError {
            row,
            column: None,
            code: other.code().to_owned(),
            detail: other
                .detail()
                .unwrap_or_else(|| "no such row, or none the caller may see".to_owned()),
        }]),
    }
}

/// The refusal of a sheet with these problems, in row order; the first
/// [`spreadsheet::MAX_PROBLEMS`] of them when there are more. A problem of a field with no
/// column of its own in this kind of sheet (`participants`: the counts together) is the row's.
fn invalid(mut problems: Vec<RowError>, known: &[&str]) -> ApiError {
    for problem in &mut problems {
        let unknown_column = problem.code == "unknown_column";
        if !unknown_column
            && problem
                .column
                .as_deref()
                .is_some_and(|c| !known.contains(&c))
        {
            problem.column = None;
        }
    }
    problems.sort_by(|a, b| (a.row, &a.column).cmp(&(b.row, &b.column)));
    problems.truncate(spreadsheet::MAX_PROBLEMS);
    ApiError::ImportInvalid(problems)
}
