//! Statistics for dashboards and the donor: exact for UNODC and IOM with `stats:exact`, small
//! cells withheld for everyone else.

use chrono::NaiveDate;
use gloact_domain::policy::{Action, Resource};
use gloact_domain::statistics::{self, ReportDimension, Table};
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
    let counts = gloact_persistence::statistics::field_reports_by(db, by, from, to).await?;
    let table = if exact {
        statistics::exact(counts)
    } else {
        statistics::protect(counts, statistics::SMALL_CELL)
    };
    Ok((table, exact))
}
