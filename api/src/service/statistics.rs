//! Statistics for dashboards and the donor: exact for UNODC and IOM with `stats:exact`, small
//! cells withheld for everyone else.

use chrono::NaiveDate;
use gloact_domain::policy::{Action, Resource};
use gloact_domain::statistics::{self, CaseDimension, ReportDimension, Table};
use gloact_persistence::Db;

use super::{Caller, ServiceError, ServiceResult, authorize};

/// Field reports counted by one dimension; whether the table is exact comes back with it.
pub async fn field_reports(
    db: &Db,
    caller: &Caller,
    by: ReportDimension,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> ServiceResult<(Table, bool)> {
    let exact = check_statistics_read(caller, from, to)?;
    let counts = gloact_persistence::statistics::field_reports_by(db, by, from, to).await?;
    Ok((serve(counts, exact), exact))
}

/// Victim-assistance cases counted by one dimension, under the same protection as field reports.
pub async fn cases(
    db: &Db,
    caller: &Caller,
    by: CaseDimension,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> ServiceResult<(Table, bool)> {
    let exact = check_statistics_read(caller, from, to)?;
    let counts = gloact_persistence::statistics::cases_by(db, by, from, to).await?;
    Ok((serve(counts, exact), exact))
}

/// Whether the caller sees exact counts; refuses date ranges to those who don't.
fn check_statistics_read(
    caller: &Caller,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> ServiceResult<bool> {
    authorize(&caller.actor, Resource::Statistics, Action::Read)?;
    let exact = statistics::sees_exact(&caller.actor);
    // Two protected tables of overlapping periods would give a withheld count away by
    // subtraction: date ranges are for those who see exact counts; others count by month.
    if !exact && (from.is_some() || to.is_some()) {
        return Err(ServiceError::Forbidden(
            "date ranges need exact statistics (the stats:exact scope); count by month instead"
                .into(),
        ));
    }
    Ok(exact)
}

fn serve(counts: Vec<(String, u64)>, exact: bool) -> Table {
    if exact {
        statistics::exact(counts)
    } else {
        statistics::protect(counts, statistics::SMALL_CELL)
    }
}
