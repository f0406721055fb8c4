//! Counts for statistics, grouped in SQL by one dimension chosen from a fixed list.

use chrono::NaiveDate;
use diesel::sql_types::{BigInt, Date, Nullable, Text};
use diesel_async::RunQueryDsl;
use gloact_domain::statistics::{CaseDimension, ReportDimension};

use crate::db::Db;
use crate::error::StoreError;

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Field reports (or, for victims' dimensions, victim-identification reports) counted by
/// `dimension`, between two days when given, in key order.
pub async fn field_reports_by(
    db: &Db,
    dimension: ReportDimension,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Vec<(String, u64)>, StoreError> {
    // The grouping expression comes from this fixed list, never from input.
    let key = match dimension {
        ReportDimension::Month => "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM')",
        ReportDimension::District => "district",
        ReportDimension::Kind => "kind",
        ReportDimension::Sex => "payload->>'sex'",
        ReportDimension::AgeBand => "payload->>'age_band'",
        ReportDimension::Citizenship => "payload->>'citizenship'",
        ReportDimension::Exploitation => "payload->>'exploitation'",
    };
    let victims_only = if dimension.counts_victims() {
        "AND kind = 'victim_identification'"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {key} AS key, count(*) AS n FROM field_report \
         WHERE deleted_at IS NULL {victims_only} \
           AND ($1::date IS NULL OR occurred_at >= ($1::date)::timestamp AT TIME ZONE 'UTC') \
           AND ($2::date IS NULL OR occurred_at < ($2::date + 1)::timestamp AT TIME ZONE 'UTC') \
         GROUP BY 1 ORDER BY 1"
    );
    grouped_counts(db, sql, from, to).await
}

/// Victim-assistance cases counted by `dimension`, identified between two days when given, in
/// key order.
pub async fn cases_by(
    db: &Db,
    dimension: CaseDimension,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Vec<(String, u64)>, StoreError> {
    // The grouping expression comes from this fixed list, never from input.
    let key = match dimension {
        CaseDimension::Month => "to_char(identified_on, 'YYYY-MM')",
        CaseDimension::District => "district",
        CaseDimension::Sex => "sex",
        CaseDimension::AgeBand => "age_band",
        CaseDimension::Citizenship => "citizenship",
        CaseDimension::Exploitation => "exploitation",
        CaseDimension::Status => "status",
    };
    let sql = format!(
        "SELECT {key} AS key, count(*) AS n FROM victim_case \
         WHERE deleted_at IS NULL \
           AND ($1::date IS NULL OR identified_on >= $1::date) \
           AND ($2::date IS NULL OR identified_on <= $2::date) \
         GROUP BY 1 ORDER BY 1"
    );
    grouped_counts(db, sql, from, to).await
}

/// Runs a `SELECT key, n … GROUP BY` whose `$1` and `$2` are the optional first and last day.
async fn grouped_counts(
    db: &Db,
    sql: String,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Vec<(String, u64)>, StoreError> {
    let mut conn = db.conn().await?;
    let rows: Vec<Count> = diesel::sql_query(sql)
        .bind::<Nullable<Date>, _>(from)
        .bind::<Nullable<Date>, _>(to)
        .load(&mut conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|c| (c.key, u64::try_from(c.n).unwrap_or(0)))
        .collect())
}
