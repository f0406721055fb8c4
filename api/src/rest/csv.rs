//! CSV answers of the list routes: `Accept: text/csv` gets the same list, in the same scope and
//! through the same service call as the JSON, as a spreadsheet.
//!
//! With `limit`, one page (its continuation in `X-Next-Cursor`); without, the whole list, streamed
//! page by page ([`PageRequest::MAX_LIMIT`] rows at a time), so a long list never sits in memory
//! whole. Delta sync (`changed_after`) is JSON only: a CSV has no place for tombstones.
//! Every cell is neutralised against formula injection ([`neutralise_formula`]).

mod activities;
mod field_reports;
mod indicators;
mod organizations;
mod programmes;

pub use activities::{ActivityCsvRow, FollowUpCsvRow};
pub use field_reports::FieldReportCsvRow;
pub use indicators::IndicatorCsvRow;
pub use organizations::OrganizationCsvRow;
pub use programmes::ProgrammeCsvRow;

use std::future::Future;

use actix_web::http::header::{self, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use futures_util::stream::{self, StreamExt};
use gloact_domain::spreadsheet::neutralise_formula;
use gloact_persistence::{Page, PageRequest};
use serde::Serialize;
use serde_json::Value;

use crate::error::ApiError;
use crate::input::paging::{encode_cursor, page_request};
use crate::service::ServiceResult;

/// The media type of CSV answers.
pub const TEXT_CSV: &str = "text/csv; charset=utf-8";

/// The stable code of a CSV asked with `changed_after`.
pub const CHANGED_AFTER_NOT_IN_CSV: &str = "changed_after_not_in_csv";

/// What a list answers in, as the client's `Accept` prefers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Representation {
    /// `application/json`: the default.
    Json,
    /// `text/csv`, only when preferred to JSON.
    Csv,
}

impl Representation {
    /// The representation `Accept` asks for: JSON when it is at least as acceptable as CSV (so
    /// no header, `*/*` and ties stay JSON), CSV when it is preferred; `406` when neither is
    /// acceptable.
    pub fn negotiate(req: &HttpRequest) -> Result<Self, ApiError> {
        let accept = req
            .headers()
            .get_all(header::ACCEPT)
            .filter_map(|value| value.to_str().ok())
            .collect::<Vec<_>>()
            .join(",");
        Self::from_accept(&accept)
    }

    /// As [`Representation::negotiate`], from the text of the `Accept` header(s).
    pub fn from_accept(accept: &str) -> Result<Self, ApiError> {
        let ranges: Vec<MediaRange<'_>> = accept.split(',').filter_map(MediaRange::parse).collect();
        // No (readable) range is no preference: the default.
        if ranges.is_empty() {
            return Ok(Self::Json);
        }
        let json = quality(&ranges, "application", "json");
        let csv = quality(&ranges, "text", "csv");
        if json == 0 && csv == 0 {
            Err(ApiError::NotAcceptable)
        } else if csv > json {
            Ok(Self::Csv)
        } else {
            Ok(Self::Json)
        }
    }
}

/// One media range of `Accept`, its quality in thousandths.
#[derive(Debug)]
struct MediaRange<'a> {
    kind: &'a str,
    subtype: &'a str,
    quality: u16,
}

impl<'a> MediaRange<'a> {
    /// A range `type/subtype` with optional parameters; `None` for anything else (such a range
    /// is ignored, as if it were not sent).
    fn parse(text: &'a str) -> Option<Self> {
        let mut parts = text.split(';');
        let (kind, subtype) = parts.next()?.trim().split_once('/')?;
        let token = |s: &str| !s.is_empty() && !s.contains(char::is_whitespace);
        if !token(kind) || !token(subtype) || (kind == "*" && subtype != "*") {
            return None;
        }
        let mut quality = 1000;
        for parameter in parts {
            if let Some((name, value)) = parameter.split_once('=')
                && name.trim().eq_ignore_ascii_case("q")
            {
                quality = parse_quality(value.trim())?;
            }
        }
        Some(Self {
            kind,
            subtype,
            quality,
        })
    }

    /// How closely the range names `kind/subtype`: 2 exactly, 1 by `kind/*`, 0 by `*/*`.
    fn specificity(&self, kind: &str, subtype: &str) -> Option<u8> {
        let kind_matches = self.kind.eq_ignore_ascii_case(kind);
        if kind_matches && self.subtype.eq_ignore_ascii_case(subtype) {
            Some(2)
        } else if kind_matches && self.subtype == "*" {
            Some(1)
        } else if self.kind == "*" {
            Some(0)
        } else {
            None
        }
    }
}

/// A quality value (RFC 9110 12.4.2: `0` to `1` with at most three decimals) in thousandths.
fn parse_quality(text: &str) -> Option<u16> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = format!("{fraction:0<3}").parse::<u16>().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

/// The quality `Accept` gives `kind/subtype`: that of the most specific range naming it, 0 when
/// none does.
fn quality(ranges: &[MediaRange<'_>], kind: &str, subtype: &str) -> u16 {
    ranges
        .iter()
        .filter_map(|r| r.specificity(kind, subtype).map(|s| (s, r.quality)))
        .max_by_key(|(specificity, _)| *specificity)
        .map_or(0, |(_, quality)| quality)
}

/// The paging of a CSV answer.
#[derive(Debug, Clone, Copy)]
pub enum CsvPaging {
    /// `limit` given: this one page.
    Page(PageRequest),
    /// No `limit`: the whole list from here, walked page by page.
    Whole(PageRequest),
}

impl CsvPaging {
    /// The paging of a CSV list from the query's `after`, `limit` and `changed_after`.
    pub fn new(
        after: Option<&str>,
        limit: Option<u32>,
        changed_after: Option<i64>,
    ) -> Result<Self, ApiError> {
        if changed_after.is_some() {
            return Err(ApiError::bad_request(
                CHANGED_AFTER_NOT_IN_CSV,
                "changed_after (delta sync) is served as JSON only: a CSV has no place for the rows deleted since; ask without it, or with Accept: application/json",
            ));
        }
        Ok(match limit {
            Some(_) => Self::Page(page_request(after, limit, None)?),
            None => Self::Whole(page_request(
                after,
                Some(u32::from(PageRequest::MAX_LIMIT)),
                None,
            )?),
        })
    }
}

/// The CSV layout of a list: its file name, its columns, and how an item of the service's list
/// becomes rows (as its JSON item does: the same fields, the same redaction).
pub trait CsvList: Serialize + Sized + 'static {
    /// What the service lists.
    type Item: 'static;
    /// The file name offered in `Content-Disposition`.
    const FILE_NAME: &'static str;
    /// The header row: the names of the fields of `Self`, in order.
    const COLUMNS: &'static [&'static str];

    /// The rows of one item (most have one).
    fn rows(item: Self::Item) -> Vec<Self>;
}

/// A row's cells in [`CsvList::COLUMNS`] order: enums as their wire values, dates and times as
/// in JSON, absent values empty.
fn cells<L: CsvList>(row: &L) -> Result<Vec<String>, ApiError> {
    let value = serde_json::to_value(row)
        .map_err(|e| ApiError::internal(format!("rendering a CSV row: {e}")))?;
    Ok(L::COLUMNS
        .iter()
        .map(|column| match value.get(column) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(text)) => text.clone(),
            Some(other) => other.to_string(),
        })
        .collect())
}

/// Rows as CSV (RFC 4180, quoted where needed), every cell neutralised against formula
/// injection. The one writer of CSV cells: the exports use it too.
pub fn write_records(rows: impl IntoIterator<Item = Vec<String>>) -> Result<Vec<u8>, ApiError> {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer
            .write_record(row.iter().map(|cell| neutralise_formula(cell).into_owned()))
            .map_err(|e| ApiError::internal(format!("writing CSV: {e}")))?;
    }
    writer
        .into_inner()
        .map_err(|e| ApiError::internal(format!("writing CSV: {e}")))
}

/// The CSV of a page's items, after the header row when `header`.
fn page_csv<L: CsvList>(items: Vec<L::Item>, header: bool) -> Result<Vec<u8>, ApiError> {
    let mut rows = Vec::with_capacity(items.len() + 1);
    if header {
        rows.push(L::COLUMNS.iter().map(|c| (*c).to_owned()).collect());
    }
    for item in items {
        for row in L::rows(item) {
            rows.push(cells(&row)?);
        }
    }
    write_records(rows)
}

/// The CSV answer of a list: `fetch` is the list's service call (the same the JSON answer
/// makes, so the same scope, filters and audit), asked once for a page or page after page for
/// the whole list. The first page is read before anything is sent, so a refusal is a problem;
/// a failure further on ends the stream early (and is logged).
pub async fn respond<L, Id, F, Fut>(paging: CsvPaging, fetch: F) -> Result<HttpResponse, ApiError>
where
    L: CsvList,
    Id: 'static,
    F: Fn(PageRequest) -> Fut + 'static,
    Fut: Future<Output = ServiceResult<Page<L::Item, Id>>> + 'static,
{
    let mut response = HttpResponse::Ok();
    response
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(TEXT_CSV)))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", L::FILE_NAME),
        ))
        .insert_header((header::VARY, HeaderValue::from_static("Accept")));
    match paging {
        CsvPaging::Page(request) => {
            let page = fetch(request).await?;
            if let Some(next) = page.next {
                response.insert_header(("X-Next-Cursor", encode_cursor(next)));
            }
            Ok(response.body(page_csv::<L>(page.items, true)?))
        }
        CsvPaging::Whole(request) => {
            let first = fetch(request).await?;
            let head = Bytes::from(page_csv::<L>(first.items, true)?);
            let rest = stream::unfold(first.next, move |cursor| {
                let next = cursor.map(|cursor| {
                    PageRequest::new(Some(cursor), PageRequest::MAX_LIMIT, None).map(&fetch)
                });
                async move {
                    let page = match next? {
                        Ok(fetching) => fetching.await.map_err(ApiError::from),
                        Err(e) => Err(ApiError::internal(format!("the next CSV page: {e}"))),
                    };
                    let chunk = page.and_then(|page| {
                        let chunk = page_csv::<L>(page.items, false)?;
                        Ok((Bytes::from(chunk), page.next))
                    });
                    Some(match chunk {
                        Ok((chunk, next)) => (Ok(chunk), next),
                        Err(e) => {
                            tracing::error!(error = %e, file = L::FILE_NAME, "a streamed CSV list ended early");
                            (Err(std::io::Error::other(e.to_string())), None)
                        }
                    })
                }
            });
            Ok(response.streaming(stream::once(async { Ok(head) }).chain(rest)))
        }
    }
}

/// The `Vary: Accept` a JSON answer of a list that can also be CSV carries, for caches.
pub fn json_list<T: Serialize>(body: &T) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::VARY, HeaderValue::from_static("Accept")))
        .json(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn negotiated(accept: &str) -> Option<Representation> {
        Representation::from_accept(accept).ok()
    }

    #[test]
    fn json_stays_the_default_and_csv_needs_preferring() {
        use Representation::{Csv, Json};
        for (accept, expected) in [
            ("", Some(Json)),
            ("*/*", Some(Json)),
            ("application/json", Some(Json)),
            ("application/*", Some(Json)),
            ("text/csv", Some(Csv)),
            ("text/csv; charset=utf-8", Some(Csv)),
            ("TEXT/CSV", Some(Csv)),
            ("text/*", Some(Csv)),
            ("text/csv, application/json", Some(Json)),
            ("text/csv, */*", Some(Json)),
            ("text/csv, */*;q=0.5", Some(Csv)),
            ("text/csv;q=0.9, application/json;q=0.5", Some(Csv)),
            ("application/json, text/csv;q=0.1", Some(Json)),
            ("text/*;q=0.8, application/json;q=0.8", Some(Json)),
            ("text/csv, application/json;q=0", Some(Csv)),
            ("*/*, application/json;q=0", Some(Csv)),
            ("text/html", None),
            ("application/xml, text/plain", None),
            ("text/csv;q=0", None),
            ("application/json;q=0, text/csv;q=0", None),
            // Unreadable ranges are ignored; with none left, the default.
            ("garbage", Some(Json)),
            ("text/csv;q=2, application/json", Some(Json)),
            ("text/csv;q=0.1234", Some(Json)),
        ] {
            assert_eq!(negotiated(accept), expected, "Accept: {accept}");
        }
    }

    #[test]
    fn qualities_are_read_in_thousandths() {
        assert_eq!(parse_quality("1"), Some(1000));
        assert_eq!(parse_quality("1.000"), Some(1000));
        assert_eq!(parse_quality("0.5"), Some(500));
        assert_eq!(parse_quality("0.05"), Some(50));
        assert_eq!(parse_quality("0"), Some(0));
        assert_eq!(parse_quality("1.5"), None);
        assert_eq!(parse_quality("-0"), None);
        assert_eq!(parse_quality("0.1234"), None);
        assert_eq!(parse_quality("x"), None);
    }

    #[test]
    fn changed_after_is_refused_and_limit_chooses_one_page() {
        let refused = CsvPaging::new(None, None, Some(0)).unwrap_err();
        assert_eq!(refused.code(), CHANGED_AFTER_NOT_IN_CSV);
        assert!(matches!(
            CsvPaging::new(None, Some(10), None),
            Ok(CsvPaging::Page(p)) if p.limit() == 10
        ));
        assert!(matches!(
            CsvPaging::new(None, None, None),
            Ok(CsvPaging::Whole(p)) if p.limit() == PageRequest::MAX_LIMIT
        ));
        assert_eq!(
            CsvPaging::new(None, Some(501), None).unwrap_err().code(),
            "invalid_limit"
        );
    }

    /// The header of each list names the fields of its row, in the documented schema, so a
    /// column can't be left empty by a misspelt name nor documented but not sent.
    #[test]
    fn the_columns_are_the_documented_fields() {
        fn check<L: CsvList + utoipa::PartialSchema>() {
            let schema = serde_json::to_value(L::schema()).unwrap();
            let mut documented: Vec<&str> = schema["properties"]
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            let mut columns = L::COLUMNS.to_vec();
            documented.sort_unstable();
            columns.sort_unstable();
            assert_eq!(columns, documented, "{}", L::FILE_NAME);
            // The schema's properties have no order: the description gives it.
            let description = schema["description"].as_str().unwrap().replace('\n', " ");
            let order = format!("Columns, in order: `{}`.", L::COLUMNS.join(", "));
            assert!(
                description.contains(&order),
                "{}: {description}",
                L::FILE_NAME
            );
        }
        check::<ActivityCsvRow>();
        check::<FollowUpCsvRow>();
        check::<FieldReportCsvRow>();
        check::<IndicatorCsvRow>();
        check::<OrganizationCsvRow>();
        check::<ProgrammeCsvRow>();
    }

    #[test]
    fn formula_cells_are_neutralised() {
        let csv = write_records([vec!["=HYPERLINK(\"x\")".to_owned(), "-99".to_owned()]]).unwrap();
        assert_eq!(
            String::from_utf8(csv).unwrap(),
            "\"'=HYPERLINK(\"\"x\"\")\",-99\n"
        );
    }
}
