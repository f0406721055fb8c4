//! The CSV rows of the activity and follow-up action lists.

use chrono::{DateTime, NaiveDate, Utc};
use gloact_domain::activity::{ActivityDetail, ActivityKind, ActivityStatus, Pillar, Visibility};
use gloact_domain::follow_up::{FollowUpAction, FollowUpStatus};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::CsvList;
use crate::rest::activities::ActivityDto;
use crate::rest::follow_ups::FollowUpDto;

/// A row of `GET /activities` as CSV (`Accept: text/csv`): one activity, its participants
/// flattened, its organizations in one cell; objectives and follow-up actions are left out
/// (follow-up actions have a list of their own). Absent values are empty cells.
///
/// Columns, in order: `id, programme_id, parent_id, code, title, description, kind, pillar, status,
/// visibility, planned_start, planned_end, actual_start, actual_end, location, district,
/// participants_female, participants_male, participants_other, participants_judges,
/// participants_prosecutors, participants_law_enforcement, participants_officials,
/// participants_civil_society, participations, version, change_seq, created_at, updated_at`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityCsvRow {
    /// As `id` in JSON.
    pub id: Uuid,
    /// As `programme_id` in JSON.
    pub programme_id: Uuid,
    /// As `parent_id` in JSON.
    pub parent_id: Option<Uuid>,
    /// As `code` in JSON.
    pub code: String,
    /// As `title` in JSON.
    pub title: String,
    /// As `description` in JSON.
    pub description: Option<String>,
    /// As `kind` in JSON.
    pub kind: ActivityKind,
    /// As `pillar` in JSON.
    pub pillar: Pillar,
    /// As `status` in JSON.
    pub status: ActivityStatus,
    /// As `visibility` in JSON.
    pub visibility: Visibility,
    /// `planned.start` in JSON.
    pub planned_start: Option<NaiveDate>,
    /// `planned.end` in JSON.
    pub planned_end: Option<NaiveDate>,
    /// `actual.start` in JSON.
    pub actual_start: Option<NaiveDate>,
    /// `actual.end` in JSON.
    pub actual_end: Option<NaiveDate>,
    /// As `location` in JSON.
    pub location: Option<String>,
    /// As `district` in JSON.
    pub district: Option<String>,
    /// `participants.female` in JSON.
    pub participants_female: u32,
    /// `participants.male` in JSON.
    pub participants_male: u32,
    /// `participants.other` in JSON.
    pub participants_other: u32,
    /// `participants.judges` in JSON.
    pub participants_judges: u32,
    /// `participants.prosecutors` in JSON.
    pub participants_prosecutors: u32,
    /// `participants.law_enforcement` in JSON.
    pub participants_law_enforcement: u32,
    /// `participants.officials` in JSON.
    pub participants_officials: u32,
    /// `participants.civil_society` in JSON.
    pub participants_civil_society: u32,
    /// The organizations taking part, as `CODE:role` separated by `;`, in the order of
    /// `participations` in JSON (its `organization` and `role`).
    #[schema(example = "UNODC-BGD:implementing;EU-DEL-BGD:funding")]
    pub participations: String,
    /// As `version` in JSON.
    pub version: i32,
    /// As `change_seq` in JSON.
    pub change_seq: i64,
    /// As `created_at` in JSON (RFC 3339).
    pub created_at: DateTime<Utc>,
    /// As `updated_at` in JSON (RFC 3339).
    pub updated_at: DateTime<Utc>,
}

impl From<ActivityDto> for ActivityCsvRow {
    fn from(a: ActivityDto) -> Self {
        let p = a.participants;
        Self {
            id: a.id,
            programme_id: a.programme_id,
            parent_id: a.parent_id,
            code: a.code,
            title: a.title,
            description: a.description,
            kind: a.kind,
            pillar: a.pillar,
            status: a.status,
            visibility: a.visibility,
            planned_start: a.planned.start,
            planned_end: a.planned.end,
            actual_start: a.actual.start,
            actual_end: a.actual.end,
            location: a.location,
            district: a.district,
            participants_female: p.female,
            participants_male: p.male,
            participants_other: p.other,
            participants_judges: p.judges,
            participants_prosecutors: p.prosecutors,
            participants_law_enforcement: p.law_enforcement,
            participants_officials: p.officials,
            participants_civil_society: p.civil_society,
            participations: a
                .participations
                .iter()
                .map(|p| format!("{}:{}", p.organization, p.role.as_str()))
                .collect::<Vec<_>>()
                .join(";"),
            version: a.version,
            change_seq: a.change_seq,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

impl CsvList for ActivityCsvRow {
    type Item = ActivityDetail;
    const FILE_NAME: &'static str = "activities.csv";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "programme_id",
        "parent_id",
        "code",
        "title",
        "description",
        "kind",
        "pillar",
        "status",
        "visibility",
        "planned_start",
        "planned_end",
        "actual_start",
        "actual_end",
        "location",
        "district",
        "participants_female",
        "participants_male",
        "participants_other",
        "participants_judges",
        "participants_prosecutors",
        "participants_law_enforcement",
        "participants_officials",
        "participants_civil_society",
        "participations",
        "version",
        "change_seq",
        "created_at",
        "updated_at",
    ];

    fn rows(item: ActivityDetail) -> Vec<Self> {
        vec![ActivityDto::from(item).into()]
    }
}

/// A row of `GET /follow-up-actions` as CSV (`Accept: text/csv`): the fields of the JSON item.
///
/// Columns, in order: `id, activity_id, owner_id, owner, title, description, due_date, status,
/// version, change_seq, created_at, updated_at`.
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpCsvRow {
    /// As `id` in JSON.
    pub id: Uuid,
    /// As `activity_id` in JSON.
    pub activity_id: Uuid,
    /// As `owner_id` in JSON.
    pub owner_id: Uuid,
    /// As `owner` in JSON: the owner's code.
    pub owner: String,
    /// As `title` in JSON.
    pub title: String,
    /// As `description` in JSON.
    pub description: Option<String>,
    /// As `due_date` in JSON.
    pub due_date: Option<NaiveDate>,
    /// As `status` in JSON.
    pub status: FollowUpStatus,
    /// As `version` in JSON.
    pub version: i32,
    /// As `change_seq` in JSON.
    pub change_seq: i64,
    /// As `created_at` in JSON (RFC 3339).
    pub created_at: DateTime<Utc>,
    /// As `updated_at` in JSON (RFC 3339).
    pub updated_at: DateTime<Utc>,
}

impl From<FollowUpDto> for FollowUpCsvRow {
    fn from(f: FollowUpDto) -> Self {
        Self {
            id: f.id,
            activity_id: f.activity_id,
            owner_id: f.owner_id,
            owner: f.owner,
            title: f.title,
            description: f.description,
            due_date: f.due_date,
            status: f.status,
            version: f.version,
            change_seq: f.change_seq,
            created_at: f.created_at,
            updated_at: f.updated_at,
        }
    }
}

impl CsvList for FollowUpCsvRow {
    type Item = FollowUpAction;
    const FILE_NAME: &'static str = "follow-up-actions.csv";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "activity_id",
        "owner_id",
        "owner",
        "title",
        "description",
        "due_date",
        "status",
        "version",
        "change_seq",
        "created_at",
        "updated_at",
    ];

    fn rows(item: FollowUpAction) -> Vec<Self> {
        vec![FollowUpDto::from(item).into()]
    }
}
