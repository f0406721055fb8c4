//! What activities look like in answers.

use chrono::{DateTime, NaiveDate, Utc};
use gloact_domain::activity::{
    ActivityDetail, ActivityKind, ActivityStatus, ParticipantCounts, ParticipationRole, Pillar,
    Visibility,
};
use gloact_domain::value::DateSpan;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::rest::follow_ups::FollowUpDto;

/// An activity with the organizations taking part, its objectives and follow-up actions.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Activity)]
pub struct ActivityDto {
    /// Chosen by the server when the activity is created (a UUIDv7, so id order is creation order).
    pub id: Uuid,
    /// The programme it belongs to.
    pub programme_id: Uuid,
    /// The activity it is part of (e.g. the consultation of a meeting).
    pub parent_id: Option<Uuid>,
    /// Its code, unique within the programme.
    #[schema(example = "NC-2020")]
    pub code: String,
    /// One line of at most 300 characters, trimmed; never blank.
    pub title: String,
    /// What it is about.
    pub description: Option<String>,
    /// What it is.
    pub kind: ActivityKind,
    /// The pillar it serves.
    pub pillar: Pillar,
    /// Where it stands.
    pub status: ActivityStatus,
    /// Who may see it.
    pub visibility: Visibility,
    /// When it was planned.
    pub planned: DateSpanDto,
    /// When it took place.
    pub actual: DateSpanDto,
    /// Where.
    pub location: Option<String>,
    /// In which district.
    pub district: Option<String>,
    /// Who took part.
    pub participants: ParticipantsDto,
    /// The organizations taking part.
    pub participations: Vec<ParticipationDto>,
    /// What it set out to do.
    pub objectives: Vec<ObjectiveDto>,
    /// What was agreed to do next.
    pub follow_up_actions: Vec<FollowUpDto>,
    /// Version (the ETag); changes when anything embedded changes.
    pub version: i32,
    /// Change number of its last change.
    pub change_seq: i64,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A span of days, open at either end.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = DateSpan)]
pub struct DateSpanDto {
    /// First day.
    pub start: Option<NaiveDate>,
    /// Last day.
    pub end: Option<NaiveDate>,
}

impl From<DateSpan> for DateSpanDto {
    fn from(span: DateSpan) -> Self {
        Self {
            start: span.start(),
            end: span.end(),
        }
    }
}

/// Participants by sex and by actor type.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Participants)]
pub struct ParticipantsDto {
    /// Women.
    pub female: u32,
    /// Men.
    pub male: u32,
    /// Other or not recorded.
    pub other: u32,
    /// Judges among them.
    pub judges: u32,
    /// Prosecutors among them.
    pub prosecutors: u32,
    /// Law-enforcement officers among them.
    pub law_enforcement: u32,
    /// Government officials among them.
    pub officials: u32,
    /// Civil-society representatives among them.
    pub civil_society: u32,
}

impl From<ParticipantCounts> for ParticipantsDto {
    fn from(counts: ParticipantCounts) -> Self {
        let c = counts.get();
        Self {
            female: c.female.get(),
            male: c.male.get(),
            other: c.other.get(),
            judges: c.judges.get(),
            prosecutors: c.prosecutors.get(),
            law_enforcement: c.law_enforcement.get(),
            officials: c.officials.get(),
            civil_society: c.civil_society.get(),
        }
    }
}

/// An organization's part in an activity.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Participation)]
pub struct ParticipationDto {
    /// Chosen by the server when its activity is created, with it (a UUIDv7).
    pub id: Uuid,
    /// The organization's id.
    pub organization_id: Uuid,
    /// The organization's code.
    pub organization: String,
    /// How it takes part.
    pub role: ParticipationRole,
    /// The IATI organisation-role code (1 funding, 2 accountable, 3 extending, 4 implementing).
    pub iati_role: Option<u8>,
}

/// An objective of an activity.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Objective)]
pub struct ObjectiveDto {
    /// Chosen by the server when its activity is created, with it (a UUIDv7).
    pub id: Uuid,
    /// The goal.
    pub description: String,
    /// Whether it was reached.
    pub achieved: bool,
    /// What shows it.
    pub evidence: Option<String>,
}

impl From<ActivityDetail> for ActivityDto {
    fn from(d: ActivityDetail) -> Self {
        let a = d.activity;
        Self {
            id: a.id.0,
            programme_id: a.programme_id.0,
            parent_id: a.parent_id.map(|p| p.0),
            code: a.code.to_string(),
            title: a.title.as_str().to_owned(),
            description: a.description.map(|t| t.as_str().to_owned()),
            kind: a.kind,
            pillar: a.pillar,
            status: a.status,
            visibility: a.visibility,
            planned: a.planned.into(),
            actual: a.actual.into(),
            location: a.location.map(|l| l.as_str().to_owned()),
            district: a.district.map(|l| l.as_str().to_owned()),
            participants: a.participants.into(),
            participations: d
                .participations
                .into_iter()
                .map(|p| ParticipationDto {
                    id: p.id.0,
                    organization_id: p.organization_id.0,
                    organization: p.organization_code.to_string(),
                    role: p.role,
                    iati_role: p.role.iati_code(),
                })
                .collect(),
            objectives: d
                .objectives
                .into_iter()
                .map(|o| ObjectiveDto {
                    id: o.id.0,
                    description: o.description.as_str().to_owned(),
                    achieved: o.achieved,
                    evidence: o.evidence.map(|e| e.as_str().to_owned()),
                })
                .collect(),
            follow_up_actions: d.follow_ups.into_iter().map(FollowUpDto::from).collect(),
            version: a.meta.version,
            change_seq: a.meta.change_seq,
            created_at: a.meta.created_at,
            updated_at: a.meta.updated_at,
        }
    }
}
