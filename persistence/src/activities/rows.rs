//! Activity rows and the shapes diesel writes, with their conversion to domain values.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use gloact_domain::activity::{Activity, Headcount, ParticipantCounts};
use gloact_domain::value::{Code, Count, DateSpan, District, Location, Narrative, Title};
use gloact_domain::{ActivityId, ProgrammeId};
use uuid::Uuid;

use crate::error::StoreError;
use crate::page::RowKeys;
use crate::schema::{activity, objective, participation};

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = activity, check_for_backend(Pg))]
pub(super) struct ActivityRow {
    pub(super) id: Uuid,
    pub(super) programme_id: Uuid,
    pub(super) parent_id: Option<Uuid>,
    pub(super) code: String,
    pub(super) title: String,
    pub(super) description: Option<String>,
    pub(super) kind: String,
    pub(super) pillar: String,
    pub(super) status: String,
    pub(super) visibility: String,
    pub(super) planned_start: Option<NaiveDate>,
    pub(super) planned_end: Option<NaiveDate>,
    pub(super) actual_start: Option<NaiveDate>,
    pub(super) actual_end: Option<NaiveDate>,
    pub(super) location: Option<String>,
    pub(super) district: Option<String>,
    pub(super) participants_female: i32,
    pub(super) participants_male: i32,
    pub(super) participants_other: i32,
    pub(super) judges: i32,
    pub(super) prosecutors: i32,
    pub(super) law_enforcement: i32,
    pub(super) officials: i32,
    pub(super) civil_society: i32,
    pub(super) created_at: DateTime<Utc>,
    pub(super) updated_at: DateTime<Utc>,
    pub(super) version: i32,
    pub(super) change_seq: i64,
    pub(super) deleted_at: Option<DateTime<Utc>>,
}

impl ActivityRow {
    pub(super) fn keys(&self) -> RowKeys {
        RowKeys {
            id: self.id,
            change_seq: self.change_seq,
            deleted_at: self.deleted_at,
        }
    }
}

impl TryFrom<ActivityRow> for Activity {
    type Error = StoreError;

    fn try_from(row: ActivityRow) -> Result<Self, StoreError> {
        let count = |n: i32| Count::parse(i64::from(n));
        Ok(Activity {
            id: ActivityId(row.id),
            programme_id: ProgrammeId(row.programme_id),
            parent_id: row.parent_id.map(ActivityId),
            code: Code::parse(&row.code)?,
            title: Title::parse(&row.title)?,
            description: row
                .description
                .as_deref()
                .map(Narrative::parse)
                .transpose()?,
            kind: row.kind.parse()?,
            pillar: row.pillar.parse()?,
            status: row.status.parse()?,
            visibility: row.visibility.parse()?,
            planned: DateSpan::new(row.planned_start, row.planned_end)?,
            actual: DateSpan::new(row.actual_start, row.actual_end)?,
            location: row.location.as_deref().map(Location::parse).transpose()?,
            district: row.district.as_deref().map(District::parse).transpose()?,
            participants: ParticipantCounts::new(Headcount {
                female: count(row.participants_female)?,
                male: count(row.participants_male)?,
                other: count(row.participants_other)?,
                judges: count(row.judges)?,
                prosecutors: count(row.prosecutors)?,
                law_enforcement: count(row.law_enforcement)?,
                officials: count(row.officials)?,
                civil_society: count(row.civil_society)?,
            })?,
            meta: row_meta!(row),
        })
    }
}

#[derive(Debug, Queryable, Selectable, serde::Deserialize)]
#[diesel(table_name = participation, check_for_backend(Pg))]
pub(super) struct ParticipationRow {
    pub(super) id: Uuid,
    pub(super) activity_id: Uuid,
    pub(super) organization_id: Uuid,
    pub(super) role: String,
    pub(super) created_at: DateTime<Utc>,
    pub(super) updated_at: DateTime<Utc>,
    pub(super) version: i32,
    pub(super) change_seq: i64,
}

#[derive(Debug, Queryable, Selectable, serde::Deserialize)]
#[diesel(table_name = objective, check_for_backend(Pg))]
pub(super) struct ObjectiveRow {
    pub(super) id: Uuid,
    pub(super) activity_id: Uuid,
    pub(super) description: String,
    pub(super) achieved: bool,
    pub(super) evidence: Option<String>,
    pub(super) created_at: DateTime<Utc>,
    pub(super) updated_at: DateTime<Utc>,
    pub(super) version: i32,
    pub(super) change_seq: i64,
}

#[derive(Insertable)]
#[diesel(table_name = activity)]
pub(super) struct NewActivityRow<'a> {
    pub(super) id: Uuid,
    pub(super) programme_id: Uuid,
    pub(super) parent_id: Option<Uuid>,
    pub(super) code: &'a str,
    pub(super) title: &'a str,
    pub(super) description: Option<&'a str>,
    pub(super) kind: &'a str,
    pub(super) pillar: &'a str,
    pub(super) status: &'a str,
    pub(super) visibility: &'a str,
    pub(super) planned_start: Option<NaiveDate>,
    pub(super) planned_end: Option<NaiveDate>,
    pub(super) actual_start: Option<NaiveDate>,
    pub(super) actual_end: Option<NaiveDate>,
    pub(super) location: Option<&'a str>,
    pub(super) district: Option<&'a str>,
    pub(super) participants_female: i32,
    pub(super) participants_male: i32,
    pub(super) participants_other: i32,
    pub(super) judges: i32,
    pub(super) prosecutors: i32,
    pub(super) law_enforcement: i32,
    pub(super) officials: i32,
    pub(super) civil_society: i32,
}

#[derive(AsChangeset)]
#[diesel(table_name = activity)]
pub(super) struct ActivityChangeset<'a> {
    pub(super) title: Option<&'a str>,
    pub(super) description: Option<Option<&'a str>>,
    pub(super) kind: Option<&'a str>,
    pub(super) pillar: Option<&'a str>,
    pub(super) status: Option<&'a str>,
    pub(super) visibility: Option<&'a str>,
    pub(super) planned_start: Option<Option<NaiveDate>>,
    pub(super) planned_end: Option<Option<NaiveDate>>,
    pub(super) actual_start: Option<Option<NaiveDate>>,
    pub(super) actual_end: Option<Option<NaiveDate>>,
    pub(super) location: Option<Option<&'a str>>,
    pub(super) district: Option<Option<&'a str>>,
    pub(super) participants_female: Option<i32>,
    pub(super) participants_male: Option<i32>,
    pub(super) participants_other: Option<i32>,
    pub(super) judges: Option<i32>,
    pub(super) prosecutors: Option<i32>,
    pub(super) law_enforcement: Option<i32>,
    pub(super) officials: Option<i32>,
    pub(super) civil_society: Option<i32>,
    // Always set: diesel refuses an empty changeset. The trigger stamps the real time.
    pub(super) updated_at: DateTime<Utc>,
}

/// Counts are at most [`Count::MAX`], which fits an `i32`.
pub(super) fn db_count(count: Count) -> i32 {
    i32::try_from(count.get()).unwrap_or(i32::MAX)
}
