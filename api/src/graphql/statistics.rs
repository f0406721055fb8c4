//! Aggregates for dashboards: activities counted by pillar, kind, status, month or district;
//! participants summed by sex and actor type; field reports counted through the statistics
//! service, with the same small-cell protection as REST; victim-assistance cases counted the same
//! way.

use async_graphql::{Context, Object, Result, SimpleObject};
use chrono::NaiveDate;
use gloact_domain::statistics::Table;
use gloact_persistence::activities::aggregates::ParticipantTotals as Totals;

use super::activities::ActivityFilterInput;
use super::enums::{ActivityDimension, CaseDimension, ReportDimension};
use super::errors::OrGraphqlError;
use super::request;
use crate::input::fields::check_day;
use crate::service;

/// What an aggregate counts for in a query's complexity: it scans every row the caller may see
/// (100,000 activities take a few milliseconds each), so a query holds at most a score of them
/// under the default limit, however many aliases it uses.
const AGGREGATE: usize = 5_000;

/// One group of a count.
#[derive(Debug, SimpleObject)]
pub struct CountCell {
    /// What it counts, e.g. a pillar (`capacity_building`), a month (`2020-02`), a district.
    pub key: String,
    /// How many.
    pub count: i64,
}

/// Participants of activities, summed.
#[derive(Debug, SimpleObject)]
pub struct ParticipantTotals {
    /// How many activities were summed.
    pub activities: i64,
    /// Everyone.
    pub total: i64,
    /// Women.
    pub female: i64,
    /// Men.
    pub male: i64,
    /// Other or not recorded.
    pub other: i64,
    /// Judges.
    pub judges: i64,
    /// Prosecutors.
    pub prosecutors: i64,
    /// Law-enforcement officers.
    pub law_enforcement: i64,
    /// Government officials.
    pub officials: i64,
    /// Civil-society representatives.
    pub civil_society: i64,
}

impl From<Totals> for ParticipantTotals {
    fn from(t: Totals) -> Self {
        Self {
            activities: t.activities,
            total: t.female + t.male + t.other,
            female: t.female,
            male: t.male,
            other: t.other,
            judges: t.judges,
            prosecutors: t.prosecutors,
            law_enforcement: t.law_enforcement,
            officials: t.officials,
            civil_society: t.civil_society,
        }
    }
}

/// One cell of a protected table.
#[derive(Debug, SimpleObject)]
pub struct StatisticsCell {
    /// What it counts.
    pub key: String,
    /// The count; null when withheld.
    pub count: Option<u64>,
    /// Whether it was withheld (a small cell, or one that would give a small cell away).
    pub suppressed: bool,
}

/// Field reports, identified victims or victim-assistance cases counted by one dimension.
#[derive(Debug, SimpleObject)]
pub struct StatisticsTable {
    /// Whether the counts are exact (UNODC and IOM with `stats:exact`) or protected.
    pub exact: bool,
    /// The cells, in key order.
    pub cells: Vec<StatisticsCell>,
    /// The total; null when it would give a withheld cell away.
    pub total: Option<u64>,
}

impl StatisticsTable {
    fn new(table: Table, exact: bool) -> Self {
        Self {
            exact,
            cells: table
                .cells
                .into_iter()
                .map(|c| StatisticsCell {
                    key: c.key,
                    count: c.count,
                    suppressed: c.suppressed,
                })
                .collect(),
            total: table.total,
        }
    }
}

/// Aggregates.
#[derive(Debug, Default)]
pub struct StatisticsQuery;

#[Object]
impl StatisticsQuery {
    /// The activities you may see that match the filter, counted by one dimension, in key
    /// order. Activities without a district count as `unknown`, without dates as `undated`.
    #[graphql(complexity = "AGGREGATE")]
    async fn activity_counts(
        &self,
        ctx: &Context<'_>,
        by: ActivityDimension,
        filter: Option<ActivityFilterInput>,
    ) -> Result<Vec<CountCell>> {
        let (db, caller) = request(ctx)?;
        let filter = filter.unwrap_or_default().parse().gql()?;
        let counts = service::activities::counts_by(db, caller, &filter, by.into())
            .await
            .gql()?;
        Ok(counts
            .into_iter()
            .map(|(key, count)| CountCell { key, count })
            .collect())
    }

    /// The participants of the activities you may see that match the filter, summed by sex and
    /// by actor type.
    #[graphql(complexity = "AGGREGATE")]
    async fn participant_totals(
        &self,
        ctx: &Context<'_>,
        filter: Option<ActivityFilterInput>,
    ) -> Result<ParticipantTotals> {
        let (db, caller) = request(ctx)?;
        let filter = filter.unwrap_or_default().parse().gql()?;
        Ok(service::activities::participant_totals(db, caller, &filter)
            .await
            .gql()?
            .into())
    }

    /// Field reports (or identified victims, for the victims' dimensions) counted by one
    /// dimension. Exact only for UNODC and IOM with `stats:exact`; for everyone else a count
    /// under 11 is withheld, with whatever would give it away. Date ranges need exact
    /// statistics.
    #[graphql(complexity = "AGGREGATE")]
    async fn field_report_statistics(
        &self,
        ctx: &Context<'_>,
        by: ReportDimension,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<StatisticsTable> {
        let (db, caller) = request(ctx)?;
        let from = check_day("from", from).gql()?;
        let to = check_day("to", to).gql()?;
        let (table, exact) = service::statistics::field_reports(db, caller, by.into(), from, to)
            .await
            .gql()?;
        Ok(StatisticsTable::new(table, exact))
    }

    /// Victim-assistance cases counted by one dimension, through the same statistics service
    /// (and protection) as REST's `/statistics/cases`: exact only for UNODC and IOM with
    /// `stats:exact`; for everyone else, the EU included, a count under 11 is withheld, with
    /// whatever would give it away. Date ranges (of the day of identification) need exact
    /// statistics.
    #[graphql(complexity = "AGGREGATE")]
    async fn case_statistics(
        &self,
        ctx: &Context<'_>,
        by: CaseDimension,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<StatisticsTable> {
        let (db, caller) = request(ctx)?;
        let from = check_day("from", from).gql()?;
        let to = check_day("to", to).gql()?;
        let (table, exact) = service::statistics::cases(db, caller, by.into(), from, to)
            .await
            .gql()?;
        Ok(StatisticsTable::new(table, exact))
    }
}
