//! Indicators: everyone reads, UNODC records actuals.

use gloact_domain::indicator::{Actual, IndicatorDetail};
use gloact_domain::policy::{Action, Resource};
use gloact_domain::{IndicatorId, IndicatorPeriodId};
use gloact_persistence::indicators::{self, IndicatorFilter};
use gloact_persistence::{Db, Page, PageRequest};

use super::{Caller, ServiceResult, authorize, check_version};

/// A page of indicators with their periods.
pub async fn list(
    db: &Db,
    caller: &Caller,
    filter: &IndicatorFilter,
    page: &PageRequest,
) -> ServiceResult<Page<IndicatorDetail, IndicatorId>> {
    let actor = &caller.actor;
    authorize(actor, Resource::Indicator, Action::Read)?;
    Ok(indicators::list(db, filter, page).await?)
}

/// How many indicators match the filter.
pub async fn count(db: &Db, caller: &Caller, filter: &IndicatorFilter) -> ServiceResult<i64> {
    authorize(&caller.actor, Resource::Indicator, Action::Read)?;
    Ok(indicators::count(db, filter).await?)
}

/// One indicator with its periods.
pub async fn get(db: &Db, caller: &Caller, id: IndicatorId) -> ServiceResult<IndicatorDetail> {
    let actor = &caller.actor;
    authorize(actor, Resource::Indicator, Action::Read)?;
    Ok(indicators::get(db, id).await?)
}

/// Records the actual of a period at the indicator's version the caller read, checked against
/// the indicator (percentages, breakdown by sex).
pub async fn record_actual(
    db: &Db,
    caller: &Caller,
    id: IndicatorId,
    period_id: IndicatorPeriodId,
    version: i32,
    actual: &Actual,
) -> ServiceResult<IndicatorDetail> {
    let actor = &caller.actor;
    authorize(actor, Resource::Indicator, Action::Update)?;
    let current = indicators::get(db, id).await?;
    check_version(current.indicator.meta.version, version)?;
    actual.check_against(&current.indicator)?;
    Ok(
        indicators::record_actual(db, id, period_id, version, actual, &caller.audit_identity())
            .await?,
    )
}
