//! Statistics for dashboards and the donor: exact for UNODC and IOM with `stats:exact`, small
//! cells withheld for everyone else.

use chrono::NaiveDate;
use gloact_domain::policy::{Action, Resource};
use gloact_domain::statistics::{self, ReportDimension, Table};
use gloact_persistence::Db;

use super::{Caller, ServiceResult, authorize};

/// Field reports counted by one dimension; whether the table is exact comes back with it.
pub async fn field_reports(
    db: &Db,
    caller: &Caller,
    by: ReportDimension,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> ServiceResult<(Table, bool)> {
    authorize(&caller.actor, Resource::Statistics, Action::Read)?;
    let counts = gloact_persistence::statistics::field_reports_by(db, by, from, to).await?;
    let exact = statistics::sees_exact(&caller.actor);
    let table = if exact {
        statistics::exact(counts)
    } else {
        statistics::protect(counts, statistics::SMALL_CELL)
    };
    Ok((table, exact))
}
