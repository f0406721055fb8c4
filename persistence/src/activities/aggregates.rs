//! Aggregates of activities for dashboards: counts by one dimension and participant totals,
//! over the activities the caller may see that match a filter, grouped in SQL.
//!
//! The whole-programme view (no filter but the programme) is what every dashboard opens with:
//! it is read from counts the writing transactions keep (the `activity_tally` migration), in a
//! statement whose cost does not grow with the activities. Any other filter counts the rows.

use diesel::dsl::{count_star, sql, sum};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel_async::RunQueryDsl;
use gloact_domain::policy::ActivityScope;

use super::{ActivityFilter, matching, programme_of};
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
    if tallied(filter) {
        return match programme_of(&mut conn, filter).await {
            Ok(programme) => tallied_counts(&mut conn, scope, programme, dimension).await,
            Err(None) => Ok(Vec::new()),
            Err(Some(error)) => Err(error),
        };
    }
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
    if tallied(filter) {
        return match programme_of(&mut conn, filter).await {
            Ok(programme) => tallied_totals(&mut conn, scope, programme).await,
            Err(None) => Ok(ParticipantTotals::default()),
            Err(Some(error)) => Err(error),
        };
    }
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

/// Whether `filter` asks for the whole-programme view (at most a programme), which the kept
/// counts answer; any other filter counts the rows.
fn tallied(filter: &ActivityFilter) -> bool {
    matches!(
        filter,
        ActivityFilter {
            programme: _,
            parent_id: None,
            kind: None,
            pillar: None,
            status: None,
            organization: None,
            district: None,
            from: None,
            to: None,
        }
    )
}

/// The rows of the tally (folded and not yet folded) a caller's counts are summed from: its
/// audiences (see the migration) and the programme. `$1` is the dimension, `$2` the
/// organization code of a caller who sees only public activities and its own, `$3` the
/// programme.
const TALLY_ROWS: &str = "\
    SELECT key, activities, female, male, other, judges, prosecutors, law_enforcement, officials, \
           civil_society \
    FROM (SELECT * FROM activity_tally UNION ALL SELECT * FROM activity_tally_delta) AS t \
    WHERE dimension = $1 \
      AND audience = ANY(CASE WHEN $2::text IS NULL \
            THEN ARRAY['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff']::uuid[] \
            ELSE ARRAY['00000000-0000-0000-0000-000000000000'::uuid] \
                 || ARRAY(SELECT id FROM organization WHERE code = $2) END) \
      AND ($3::uuid IS NULL OR programme_id = $3)";

/// The organization code whose audience a scope adds to the public one (none: all audiences).
fn audience_of(scope: &ActivityScope) -> Option<String> {
    match scope {
        ActivityScope::All => None,
        ActivityScope::PublicOrParticipating(org) => Some(org.as_str().to_owned()),
    }
}

#[derive(diesel::QueryableByName)]
struct KeyCount {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    count: i64,
}

async fn tallied_counts(
    conn: &mut diesel_async::AsyncPgConnection,
    scope: &ActivityScope,
    programme: Option<uuid::Uuid>,
    dimension: ActivityDimension,
) -> Result<Vec<(String, i64)>, StoreError> {
    let dimension = match dimension {
        ActivityDimension::Pillar => "pillar",
        ActivityDimension::Kind => "kind",
        ActivityDimension::Status => "status",
        ActivityDimension::Month => "month",
        ActivityDimension::District => "district",
    };
    let rows: Vec<KeyCount> = diesel::sql_query(format!(
        "SELECT key, sum(activities)::bigint AS count FROM ({TALLY_ROWS}) AS seen \
         GROUP BY key HAVING sum(activities) > 0 ORDER BY key"
    ))
    .bind::<Text, _>(dimension)
    .bind::<Nullable<Text>, _>(audience_of(scope))
    .bind::<Nullable<diesel::sql_types::Uuid>, _>(programme)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.key, r.count)).collect())
}

async fn tallied_totals(
    conn: &mut diesel_async::AsyncPgConnection,
    scope: &ActivityScope,
    programme: Option<uuid::Uuid>,
) -> Result<ParticipantTotals, StoreError> {
    Ok(diesel::sql_query(format!(
        "SELECT coalesce(sum(activities), 0)::bigint AS activities, \
                coalesce(sum(female), 0)::bigint AS female, coalesce(sum(male), 0)::bigint AS male, \
                coalesce(sum(other), 0)::bigint AS other, coalesce(sum(judges), 0)::bigint AS judges, \
                coalesce(sum(prosecutors), 0)::bigint AS prosecutors, \
                coalesce(sum(law_enforcement), 0)::bigint AS law_enforcement, \
                coalesce(sum(officials), 0)::bigint AS officials, \
                coalesce(sum(civil_society), 0)::bigint AS civil_society \
         FROM ({TALLY_ROWS}) AS seen"
    ))
    .bind::<Text, _>("total")
    .bind::<Nullable<Text>, _>(audience_of(scope))
    .bind::<Nullable<diesel::sql_types::Uuid>, _>(programme)
    .get_result(conn)
    .await?)
}

/// Folds the tally's deltas committed so far into its sums (a background job of the server, so
/// that reads stay short); returns how many deltas it folded.
pub async fn fold_tally(db: &Db) -> Result<i64, StoreError> {
    #[derive(diesel::QueryableByName)]
    struct Folded {
        #[diesel(sql_type = BigInt)]
        folded: i64,
    }
    let mut conn = db.conn().await?;
    let folded: Folded = diesel::sql_query("SELECT gloact_fold_activity_tally() AS folded")
        .get_result(&mut conn)
        .await?;
    Ok(folded.folded)
}
