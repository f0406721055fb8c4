//! `/api/v1/exports`: data releases for partners who work in spreadsheets and research tools.

use actix_web::{HttpResponse, get, web};
use gloact_domain::htcds;
use gloact_persistence::Db;

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::service;

/// Writes a header row and rows as CSV (RFC 4180, quoted where needed), every cell
/// neutralised against formula injection (by [`super::csv::write_records`], the one writer of
/// CSV cells).
pub fn write_csv(
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<Vec<u8>, ApiError> {
    let header = header.iter().map(|cell| (*cell).to_owned()).collect();
    super::csv::write_records(std::iter::once(header).chain(rows))
}

/// The HTCDS case release: every case as a CSV row, exact or k-anonymous.
///
/// One row per victim-assistance case in IOM's Human Trafficking Case Data Standard (HTCDS)
/// layout: the column names and codes of the CTDC's global dataset (see the README for
/// the mapping). Every role may ask, as for statistics, and the release covers every case,
/// whatever cases the caller may otherwise read.
///
/// UNODC and IOM with the `stats:exact` scope get the exact release: one row per case, its
/// `caseId` a row number of this export only (never the stored id, and not stable from one
/// export to the next). Everyone else gets a release that is k-anonymous (k = 11) over sex, age
/// band, citizenship, exploitation, district and year: those are generalised along a fixed
/// ladder (district to division, year to five-year period, age to minor/adult, citizenship to
/// Bangladeshi/foreign, then withheld) to the first rung at which at most 5 % of cases must be
/// withheld, and every case whose combination is shared by fewer than k is left out; `caseId`
/// is empty. `X-Suppressed-Records` says how many were left out. No release carries free text,
/// an identity, an organization, a referral or a stored id. A withheld value is an empty cell;
/// `-99` is "not known".
#[utoipa::path(
    tag = "exports",
    responses(
        (status = 200, description = "The HTCDS release, one row per case", content_type = "text/csv", body = String,
         headers(
             ("X-Htcds-Release" = String, description = "`exact` or `k-anonymous`"),
             ("X-Suppressed-Records" = u64, description = "How many cases the release left out (0 in the exact release)"),
             ("X-K-Anonymity" = u64, description = "The k of a k-anonymous release: every combination of sex, age, citizenship, exploitation, district and year in it is shared by at least this many rows"),
             ("X-Generalisation-Level" = u64, description = "The rung of the generalisation ladder used (0: as stored, 8: only sex and exploitation left)"),
         )),
    )
)]
#[get("/exports/htcds.csv")]
pub async fn get_htcds_export(
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
) -> Result<HttpResponse, ApiError> {
    let export = service::exports::htcds(&db, &caller).await?;
    let exact = export.exact;
    let rows = export
        .cases
        .iter()
        .enumerate()
        .map(|(i, case)| htcds::row(case, exact.then_some(i + 1)));
    let body = write_csv(htcds::COLUMNS, rows)?;
    let mut response = HttpResponse::Ok();
    response
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", "attachment; filename=\"htcds.csv\""))
        .insert_header(("Cache-Control", "no-store"))
        .insert_header((
            "X-Htcds-Release",
            if exact { "exact" } else { "k-anonymous" },
        ))
        .insert_header(("X-Suppressed-Records", export.suppressed.to_string()))
        .insert_header(("X-Generalisation-Level", export.rung.to_string()));
    if let Some(k) = export.k {
        response.insert_header(("X-K-Anonymity", k.to_string()));
    }
    Ok(response.body(body))
}
