//! Aggregates of activities for dashboards: counts by one dimension and participant totals,
//! over the activities the caller may see that match a filter, grouped in SQL.

use diesel::dsl::{count_star, sql, sum};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;
use gloact_domain::policy::ActivityScope;

use super::{ActivityFilter, matching};
use crate::db::Db;
use crate::error::StoreError;
use crate::schema::activity;

/// What activities can be counted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActivityDimension {
    /// The pillar served.
    Pillar,
    /// The kind of activity.
    Kind,
    /// Where it stands.
    Status,
    /// The month it took place, or was planned to (`YYYY-MM`; `undated` without either).
    Month,
    /// The district (`unknown` without one).
    District,
}

/// The visible activities matching `filter`, counted by `dimension`, in key order.
pub async fn counts_by(
    db: &Db,
    scope: &ActivityScope,
    filter: &ActivityFilter,
    dimension: ActivityDimension,
) -> Result<Vec<(String, i64)>, StoreError> {
    let mut conn = db.conn().await?;
    let Some(matching) = matching(&mut conn, scope, filter).await? else {
        return Ok(Vec::new());
    };
    // The grouping expression comes from this fixed list, never from input.
    let key = match dimension {
        ActivityDimension::Pillar => "pillar",
        ActivityDimension::Kind => "kind",
        ActivityDimension::Status => "status",
        ActivityDimension::Month => {
            "coalesce(to_char(coalesce(actual_start, planned_start), 'YYYY-MM'), 'undated')"
        }
        ActivityDimension::District => "coalesce(district, 'unknown')",
    };
    // One statement, one scan: the scope and filter are the counting query's own condition.
    Ok(activity::table
        .filter(matching)
        .group_by(sql::<Text>(key))
        .select((sql::<Text>(key), count_star()))
        .order(sql::<Text>("1"))
        .load(&mut conn)
        .await?)
}

/// Participants of the visible activities matching a filter, summed by sex and by actor type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, diesel::QueryableByName)]
pub struct ParticipantTotals {
    /// How many activities were summed.
    #[diesel(sql_type = BigInt)]
    pub activities: i64,
    /// Women.
    #[diesel(sql_type = BigInt)]
    pub female: i64,
    /// Men.
    #[diesel(sql_type = BigInt)]
    pub male: i64,
    /// Other or not recorded.
    #[diesel(sql_type = BigInt)]
    pub other: i64,
    /// Judges.
    #[diesel(sql_type = BigInt)]
    pub judges: i64,
    /// Prosecutors.
    #[diesel(sql_type = BigInt)]
    pub prosecutors: i64,
    /// Law-enforcement officers.
    #[diesel(sql_type = BigInt)]
    pub law_enforcement: i64,
    /// Government officials.
    #[diesel(sql_type = BigInt)]
    pub officials: i64,
    /// Civil-society representatives.
    #[diesel(sql_type = BigInt)]
    pub civil_society: i64,
}

/// The count and the eight sums of [`participant_totals`], as selected (a sum of no rows is
/// NULL).
type Sums = (
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

/// The participants of the visible activities matching `filter`, summed.
pub async fn participant_totals(
    db: &Db,
    scope: &ActivityScope,
    filter: &ActivityFilter,
) -> Result<ParticipantTotals, StoreError> {
    let mut conn = db.conn().await?;
    let Some(matching) = matching(&mut conn, scope, filter).await? else {
        return Ok(ParticipantTotals::default());
    };
    // One statement, as for the counts; sums of no rows are 0.
    let sums: Sums = activity::table
        .filter(matching)
        .select((
            count_star(),
            sum(activity::participants_female),
            sum(activity::participants_male),
            sum(activity::participants_other),
            sum(activity::judges),
            sum(activity::prosecutors),
            sum(activity::law_enforcement),
            sum(activity::officials),
            sum(activity::civil_society),
        ))
        .get_result(&mut conn)
        .await?;
    Ok(ParticipantTotals {
        activities: sums.0,
        female: sums.1.unwrap_or(0),
        male: sums.2.unwrap_or(0),
        other: sums.3.unwrap_or(0),
        judges: sums.4.unwrap_or(0),
        prosecutors: sums.5.unwrap_or(0),
        law_enforcement: sums.6.unwrap_or(0),
        officials: sums.7.unwrap_or(0),
        civil_society: sums.8.unwrap_or(0),
    })
}
