//! Indicators: everyone reads, UNODC records actuals.

use gloact_domain::indicator::{Actual, IndicatorDetail, IndicatorPeriod};
use gloact_domain::policy::{Action, Resource};
use gloact_domain::{Actor, IndicatorId, IndicatorPeriodId};
use gloact_persistence::indicators::{self, IndicatorFilter};
use gloact_persistence::{Db, Page, PageRequest, StoreError};

use super::{ServiceResult, authorize};

/// A page of indicators with their periods.
pub async fn list(
    db: &Db,
    actor: &Actor,
    filter: &IndicatorFilter,
    page: &PageRequest,
) -> ServiceResult<Page<IndicatorDetail, IndicatorId>> {
    authorize(actor, Resource::Indicator, Action::Read)?;
    Ok(indicators::list(db, filter, page).await?)
}

/// One indicator with its periods.
pub async fn get(db: &Db, actor: &Actor, id: IndicatorId) -> ServiceResult<IndicatorDetail> {
    authorize(actor, Resource::Indicator, Action::Read)?;
    Ok(indicators::get(db, id).await?)
}

/// Records the actual of a period, checked against its indicator (percentages, breakdown by sex).
pub async fn record_actual(
    db: &Db,
    actor: &Actor,
    id: IndicatorId,
    period_id: IndicatorPeriodId,
    version: i32,
    actual: &Actual,
) -> ServiceResult<IndicatorPeriod> {
    authorize(actor, Resource::Indicator, Action::Update)?;
    let detail = indicators::get(db, id).await?;
    if !detail.periods.iter().any(|p| p.id == period_id) {
        return Err(StoreError::NotFound.into());
    }
    actual.check_against(&detail.indicator)?;
    Ok(indicators::record_actual(db, id, period_id, Some(version), actual).await?)
}
