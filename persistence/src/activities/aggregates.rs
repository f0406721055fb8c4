//! Aggregates of activities for dashboards: counts by one dimension and participant totals,
//! over the activities the caller may see that match a filter, grouped in SQL.

use diesel::sql_types::{Array, BigInt, Text};
use diesel_async::RunQueryDsl;
use gloact_domain::policy::ActivityScope;

use super::{ActivityFilter, matching_ids};
use crate::db::Db;
use crate::error::StoreError;

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

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The visible activities matching `filter`, counted by `dimension`, in key order.
pub async fn counts_by(
    db: &Db,
    scope: &ActivityScope,
    filter: &ActivityFilter,
    dimension: ActivityDimension,
) -> Result<Vec<(String, i64)>, StoreError> {
    let mut conn = db.conn().await?;
    let ids = matching_ids(&mut conn, scope, filter).await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
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
    let rows: Vec<Count> = diesel::sql_query(format!(
        "SELECT {key} AS key, count(*) AS n FROM activity WHERE id = ANY($1) GROUP BY 1 ORDER BY 1"
    ))
    .bind::<Array<diesel::sql_types::Uuid>, _>(ids)
    .load(&mut conn)
    .await?;
    Ok(rows.into_iter().map(|c| (c.key, c.n)).collect())
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

/// The participants of the visible activities matching `filter`, summed.
pub async fn participant_totals(
    db: &Db,
    scope: &ActivityScope,
    filter: &ActivityFilter,
) -> Result<ParticipantTotals, StoreError> {
    let mut conn = db.conn().await?;
    let ids = matching_ids(&mut conn, scope, filter).await?;
    if ids.is_empty() {
        return Ok(ParticipantTotals::default());
    }
    Ok(diesel::sql_query(
        "SELECT count(*) AS activities, \
         coalesce(sum(participants_female), 0)::int8 AS female, \
         coalesce(sum(participants_male), 0)::int8 AS male, \
         coalesce(sum(participants_other), 0)::int8 AS other, \
         coalesce(sum(judges), 0)::int8 AS judges, \
         coalesce(sum(prosecutors), 0)::int8 AS prosecutors, \
         coalesce(sum(law_enforcement), 0)::int8 AS law_enforcement, \
         coalesce(sum(officials), 0)::int8 AS officials, \
         coalesce(sum(civil_society), 0)::int8 AS civil_society \
         FROM activity WHERE id = ANY($1)",
    )
    .bind::<Array<diesel::sql_types::Uuid>, _>(ids)
    .get_result(&mut conn)
    .await?)
}
