//! Indicators of the results framework with their periods: target, actual and progress.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object, Result, SimpleObject, Union};
use chrono::NaiveDate;
use gloact_domain::IndicatorId;
use gloact_domain::indicator::{IndicatorDetail, IndicatorPeriod};
use gloact_domain::value::{Code, Figure};
use gloact_persistence::indicators::IndicatorFilter;
use uuid::Uuid;

use super::changes::{self, Deleted};
use super::enums::{Measure, ResultLevel};
use super::errors::{OrGraphqlError, found};
use super::node::{NodeKind, global_id};
use super::programmes::Programme;
use super::{connection, loaders, page, page_complexity, request};
use crate::input::fields::query_value;
use crate::service;

/// An indicator of the results framework (after IATI), with its reporting periods.
#[derive(Debug, Clone)]
pub struct Indicator(pub IndicatorDetail);

#[Object]
impl Indicator {
    /// Its global id, for `node(id:)` (opaque).
    pub(super) async fn id(&self) -> ID {
        global_id(NodeKind::Indicator, self.0.indicator.id.0)
    }
    /// Its id as REST knows it (/api/v1/indicators/{uuid}).
    async fn uuid(&self) -> Uuid {
        self.0.indicator.id.0
    }
    /// Its code, unique within the programme.
    async fn code(&self) -> &str {
        self.0.indicator.code.as_str()
    }
    /// What it measures.
    async fn title(&self) -> &str {
        self.0.indicator.title.as_str()
    }
    /// Outcome or output.
    async fn result_level(&self) -> ResultLevel {
        self.0.indicator.result_level.into()
    }
    /// Unit or percentage.
    async fn measure(&self) -> Measure {
        self.0.indicator.measure.into()
    }
    /// The value before the programme.
    async fn baseline_value(&self) -> Option<f64> {
        self.0.indicator.baseline_value.map(Figure::get)
    }
    /// The year of the baseline.
    async fn baseline_year(&self) -> Option<i32> {
        self.0.indicator.baseline_year
    }
    /// Whether actuals are broken down by sex.
    async fn disaggregated_by_sex(&self) -> bool {
        self.0.indicator.disaggregated_by_sex
    }
    /// Its reporting periods in date order, each with target, actual and progress.
    async fn periods(&self) -> Vec<Period> {
        self.0.periods.iter().map(Period::from).collect()
    }
    /// The programme it measures.
    async fn programme(&self, ctx: &Context<'_>) -> Result<Option<Programme>> {
        Ok(loaders(ctx)?
            .programmes
            .load_one(self.0.indicator.programme_id)
            .await?
            .map(Programme))
    }
    /// Its version (it covers its periods): send it back as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.indicator.meta.version
    }
    /// Its position in the change sequence (it moves when a period changes too).
    async fn change_seq(&self) -> i64 {
        self.0.indicator.meta.change_seq
    }
}

/// One reporting period of an indicator: what was aimed for and what was reached.
#[derive(Debug, SimpleObject)]
pub struct Period {
    /// Chosen by the server that stored it (a UUIDv7): REST's `period_id`.
    pub id: Uuid,
    /// The first day.
    pub start: NaiveDate,
    /// The last day.
    pub end: NaiveDate,
    /// What the programme aims for.
    pub target: Option<f64>,
    /// What was reached.
    pub actual: Option<f64>,
    /// Among women, where the indicator is broken down by sex.
    pub actual_female: Option<f64>,
    /// Among men, where the indicator is broken down by sex.
    pub actual_male: Option<f64>,
    /// The actual as a share of the target (1.0 is the target met); null without both or with
    /// a target of 0.
    pub progress: Option<f64>,
}

impl From<&IndicatorPeriod> for Period {
    fn from(p: &IndicatorPeriod) -> Self {
        let target = p.target.map(Figure::get);
        let actual = p.actual.map(Figure::get);
        Self {
            id: p.id.0,
            start: p.period.start(),
            end: p.period.end(),
            target,
            actual,
            actual_female: p.actual_female.map(Figure::get),
            actual_male: p.actual_male.map(Figure::get),
            progress: match (actual, target) {
                (Some(actual), Some(target)) if target != 0.0 => Some(actual / target),
                _ => None,
            },
        }
    }
}

/// A change to an indicator: the indicator as it is now, or its deletion.
#[derive(Debug, Union)]
pub enum IndicatorChange {
    /// Created or changed.
    Indicator(Indicator),
    /// Deleted.
    Deleted(Deleted),
}

/// Loads the programmes of a page of indicators at once, where the query asks for them.
async fn prime(ctx: &Context<'_>, items: &[IndicatorDetail]) -> Result<()> {
    let node = ctx.look_ahead().field("edges").field("node");
    if node.field("programme").exists() {
        let ids: std::collections::HashSet<_> =
            items.iter().map(|d| d.indicator.programme_id).collect();
        loaders(ctx)?.programmes.load_many(ids).await?;
    }
    Ok(())
}

/// How many indicators match a list's filters.
#[derive(Debug)]
pub struct IndicatorTotals(IndicatorFilter);

#[Object]
impl IndicatorTotals {
    /// How many indicators match the filters, on every page.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let (db, caller) = request(ctx)?;
        service::indicators::count(db, caller, &self.0).await.gql()
    }
}

/// Indicators.
#[derive(Debug, Default)]
pub struct IndicatorsQuery;

#[Object]
impl IndicatorsQuery {
    /// Indicators in id order, each with its periods.
    #[graphql(complexity = "page_complexity(first, child_complexity)")]
    async fn indicators(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The programme's code.")] programme: Option<String>,
        result_level: Option<ResultLevel>,
        #[graphql(desc = "Items per page, 1 to 500 (default 50).")] first: Option<i32>,
        #[graphql(desc = "The cursor of the last edge of the previous page.")] after: Option<
            String,
        >,
    ) -> Result<Connection<String, Indicator, IndicatorTotals>> {
        let (db, caller) = request(ctx)?;
        let filter = IndicatorFilter {
            programme: query_value("programme", programme.as_deref(), Code::parse).gql()?,
            result_level: result_level.map(Into::into),
        };
        let request = page(first, after.as_deref())?;
        let items = service::indicators::list(db, caller, &filter, &request)
            .await
            .gql()?;
        prime(ctx, &items.items).await?;
        Ok(connection(
            items,
            after.is_some(),
            IndicatorTotals(filter),
            |d| d.indicator.id.0,
            Indicator,
        ))
    }

    /// One indicator, or null when there is none with this id.
    async fn indicator(&self, ctx: &Context<'_>, id: Uuid) -> Result<Option<Indicator>> {
        let (db, caller) = request(ctx)?;
        Ok(found(service::indicators::get(db, caller, IndicatorId(id)).await)?.map(Indicator))
    }
}

changes::change_feed! {
    /// Every change to indicators (a period's change is its indicator's) after a change number,
    /// in the order made; deleted ones as `Deleted`. REST's `changed_after`, for clients that
    /// keep a copy.
    pub struct IndicatorChangesQuery;
    fn indicator_changes(ctx, page) -> IndicatorChange {
        let (db, caller) = request(ctx)?;
        let items = service::indicators::list(db, caller, &IndicatorFilter::default(), &page)
            .await
            .gql()?;
        prime(ctx, &items.items).await?;
        items
    }
    kind: NodeKind::Indicator,
    change_seq: |x| x.indicator.meta.change_seq,
    node: |x| Indicator(x).into(),
}
