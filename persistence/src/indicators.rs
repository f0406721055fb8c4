//! Indicators of the results framework and their periods: rows and queries.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use gloact_domain::indicator::{Actual, Indicator, IndicatorDetail, IndicatorPeriod, ResultLevel};
use gloact_domain::value::{Code, Figure, Period, Title};
use gloact_domain::{IndicatorId, IndicatorPeriodId, ProgrammeId};
use uuid::Uuid;

use crate::audit::{Audit, Entry, append};
use crate::db::Db;
use crate::error::StoreError;
use crate::page::{Page, PageRequest, RowKeys, paged};
use crate::schema::{indicator, indicator_period};

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = indicator, check_for_backend(diesel::pg::Pg))]
struct IndicatorRow {
    id: Uuid,
    programme_id: Uuid,
    code: String,
    title: String,
    result_level: String,
    measure: String,
    baseline_value: Option<f64>,
    baseline_year: Option<i32>,
    disaggregated_by_sex: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i32,
    change_seq: i64,
    deleted_at: Option<DateTime<Utc>>,
}

impl IndicatorRow {
    fn keys(&self) -> RowKeys {
        RowKeys {
            id: self.id,
            change_seq: self.change_seq,
            deleted_at: self.deleted_at,
        }
    }
}

impl TryFrom<IndicatorRow> for Indicator {
    type Error = StoreError;

    fn try_from(row: IndicatorRow) -> Result<Self, StoreError> {
        Ok(Indicator {
            id: IndicatorId(row.id),
            programme_id: ProgrammeId(row.programme_id),
            code: Code::parse(&row.code)?,
            title: Title::parse(&row.title)?,
            result_level: row.result_level.parse()?,
            measure: row.measure.parse()?,
            baseline_value: row.baseline_value.map(Figure::parse).transpose()?,
            baseline_year: row.baseline_year,
            disaggregated_by_sex: row.disaggregated_by_sex,
            meta: row_meta!(row),
        })
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = indicator_period, check_for_backend(diesel::pg::Pg))]
struct PeriodRow {
    id: Uuid,
    indicator_id: Uuid,
    period_start: NaiveDate,
    period_end: NaiveDate,
    target_value: Option<f64>,
    actual_value: Option<f64>,
    actual_female: Option<f64>,
    actual_male: Option<f64>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i32,
    change_seq: i64,
}

impl TryFrom<PeriodRow> for IndicatorPeriod {
    type Error = StoreError;

    fn try_from(row: PeriodRow) -> Result<Self, StoreError> {
        let figure = |v: Option<f64>| v.map(Figure::parse).transpose();
        Ok(IndicatorPeriod {
            id: IndicatorPeriodId(row.id),
            indicator_id: IndicatorId(row.indicator_id),
            period: Period::new(row.period_start, row.period_end)?,
            target: figure(row.target_value)?,
            actual: figure(row.actual_value)?,
            actual_female: figure(row.actual_female)?,
            actual_male: figure(row.actual_male)?,
            meta: row_meta!(row),
        })
    }
}

/// Filters of the indicator list.
#[derive(Debug, Clone, Default)]
pub struct IndicatorFilter {
    /// Only indicators of the programme with this code.
    pub programme: Option<Code>,
    /// Only this level of the results chain.
    pub result_level: Option<ResultLevel>,
}

async fn periods_of(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<IndicatorPeriod>>, StoreError> {
    let rows: Vec<PeriodRow> = indicator_period::table
        .filter(indicator_period::indicator_id.eq_any(ids))
        .filter(indicator_period::deleted_at.is_null())
        .order((indicator_period::period_start, indicator_period::id))
        .select(PeriodRow::as_select())
        .load(conn)
        .await?;
    let mut by_indicator: HashMap<Uuid, Vec<IndicatorPeriod>> = HashMap::new();
    for row in rows {
        by_indicator
            .entry(row.indicator_id)
            .or_default()
            .push(row.try_into()?);
    }
    Ok(by_indicator)
}

/// One page of indicators, each with its periods.
pub async fn list(
    db: &Db,
    filter: &IndicatorFilter,
    request: &PageRequest,
) -> Result<Page<IndicatorDetail, IndicatorId>, StoreError> {
    let mut conn = db.conn().await?;
    crate::page::settle(&mut conn, request).await?;
    let mut query = indicator::table
        .select(IndicatorRow::as_select())
        .into_boxed();
    if let Some(code) = &filter.programme {
        match crate::programmes::id_by_code(&mut conn, "programme", code).await {
            Ok(id) => query = query.filter(indicator::programme_id.eq(id)),
            Err(StoreError::UnknownReference { .. }) => {
                return Ok(Page {
                    items: vec![],
                    tombstones: vec![],
                    next: None,
                });
            }
            Err(other) => return Err(other),
        }
    }
    if let Some(level) = filter.result_level {
        query = query.filter(indicator::result_level.eq(level.as_str()));
    }
    let rows: Vec<IndicatorRow> = paged!(query, indicator, request).load(&mut conn).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut periods = periods_of(&mut conn, &ids).await?;
    Page::from_rows(request, rows, IndicatorRow::keys, |row| {
        let periods = periods.remove(&row.id).unwrap_or_default();
        Ok(IndicatorDetail {
            indicator: row.try_into()?,
            periods,
        })
    })
}

/// How many live indicators match the filter.
pub async fn count(db: &Db, filter: &IndicatorFilter) -> Result<i64, StoreError> {
    let mut conn = db.conn().await?;
    let mut query = indicator::table
        .filter(indicator::deleted_at.is_null())
        .select(diesel::dsl::count_star())
        .into_boxed();
    if let Some(code) = &filter.programme {
        match crate::programmes::id_by_code(&mut conn, "programme", code).await {
            Ok(id) => query = query.filter(indicator::programme_id.eq(id)),
            Err(StoreError::UnknownReference { .. }) => return Ok(0),
            Err(other) => return Err(other),
        }
    }
    if let Some(level) = filter.result_level {
        query = query.filter(indicator::result_level.eq(level.as_str()));
    }
    Ok(query.get_result(&mut conn).await?)
}

/// One indicator with its periods.
pub async fn get(db: &Db, id: IndicatorId) -> Result<IndicatorDetail, StoreError> {
    let mut conn = db.conn().await?;
    find(&mut conn, id).await
}

async fn find(
    conn: &mut AsyncPgConnection,
    id: IndicatorId,
) -> Result<IndicatorDetail, StoreError> {
    let row: IndicatorRow = indicator::table
        .filter(indicator::id.eq(id.0))
        .filter(indicator::deleted_at.is_null())
        .select(IndicatorRow::as_select())
        .first(conn)
        .await?;
    let periods = periods_of(conn, &[row.id])
        .await?
        .remove(&row.id)
        .unwrap_or_default();
    Ok(IndicatorDetail {
        indicator: row.try_into()?,
        periods,
    })
}

/// Records the actual of one period of an indicator, at the indicator's version the caller read
/// (a period's figures are part of its indicator's representation and ETag).
pub async fn record_actual(
    db: &Db,
    indicator_id: IndicatorId,
    period_id: IndicatorPeriodId,
    expected_version: i32,
    actual: &Actual,
    audit: &Audit,
) -> Result<IndicatorDetail, StoreError> {
    let mut conn = db.conn().await?;
    conn.transaction(async |conn| {
        record_actual_in(
            conn,
            indicator_id,
            period_id,
            expected_version,
            actual,
            audit,
        )
        .await
    })
    .await
}

/// [`record_actual`] in the caller's transaction (of an import, say).
pub async fn record_actual_in(
    conn: &mut AsyncPgConnection,
    indicator_id: IndicatorId,
    period_id: IndicatorPeriodId,
    expected_version: i32,
    actual: &Actual,
    audit: &Audit,
) -> Result<IndicatorDetail, StoreError> {
    crate::db::lock_row(conn, "indicator", indicator_id.0).await?;
    let current = find(conn, indicator_id).await?;
    StoreError::check_version(current.indicator.meta.version, expected_version)?;
    if !current.periods.iter().any(|p| p.id == period_id) {
        return Err(StoreError::NotFound);
    }
    diesel::update(indicator_period::table.filter(indicator_period::id.eq(period_id.0)))
        .set((
            indicator_period::actual_value.eq(actual.value.get()),
            indicator_period::actual_female.eq(actual.female.map(Figure::get)),
            indicator_period::actual_male.eq(actual.male.map(Figure::get)),
        ))
        .execute(conn)
        .await?;
    append(
        conn,
        audit,
        vec![
            Entry::new("update", "indicator_period", period_id).changing(vec![
                "actual_value",
                "actual_female",
                "actual_male",
            ]),
        ],
    )
    .await?;
    find(conn, indicator_id).await
}

/// Every live indicator of a programme with its periods, in id order.
pub async fn of_programme(
    db: &Db,
    programme: gloact_domain::ProgrammeId,
) -> Result<Vec<IndicatorDetail>, StoreError> {
    let mut conn = db.conn().await?;
    let rows: Vec<IndicatorRow> = indicator::table
        .filter(indicator::programme_id.eq(programme.0))
        .filter(indicator::deleted_at.is_null())
        .order(indicator::id.asc())
        .select(IndicatorRow::as_select())
        .load(&mut conn)
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut periods = periods_of(&mut conn, &ids).await?;
    rows.into_iter()
        .map(|row| {
            let periods = periods.remove(&row.id).unwrap_or_default();
            Ok(IndicatorDetail {
                indicator: row.try_into()?,
                periods,
            })
        })
        .collect()
}
