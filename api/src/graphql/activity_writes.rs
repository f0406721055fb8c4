//! Writes of activities: the same rules and field errors as REST, because the input is converted
//! into the write inputs REST deserializes into ([`crate::input::activities`]) and parsed by the
//! same rules into the same domain values, and the same service decides.

use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result};
use chrono::NaiveDate;
use gloact_domain::ActivityId;
use gloact_domain::activity::{ActivityPatch, NewActivity};
use uuid::Uuid;

use super::activities::Activity;
use super::enums::{ActivityKind, ActivityStatus, ParticipationRole, Pillar, Visibility};
use super::errors::OrGraphqlError;
use super::{clearable, request, wire};
use crate::error::ApiError;
use crate::input::activities::{
    ActivityPatchDto, NewActivityDto, NewObjectiveDto, NewParticipationDto, ParticipantsInput,
};
use crate::input::fields::Patch;
use crate::service;

/// Participant counts: in a new activity a count left out is 0; in a change it keeps its value.
#[derive(Debug, Default, InputObject)]
pub struct ParticipantsIn {
    /// Women.
    pub female: Option<i32>,
    /// Men.
    pub male: Option<i32>,
    /// Other or not recorded.
    pub other: Option<i32>,
    /// Judges among them.
    pub judges: Option<i32>,
    /// Prosecutors among them.
    pub prosecutors: Option<i32>,
    /// Law-enforcement officers among them.
    pub law_enforcement: Option<i32>,
    /// Government officials among them.
    pub officials: Option<i32>,
    /// Civil-society representatives among them.
    pub civil_society: Option<i32>,
}

impl From<ParticipantsIn> for ParticipantsInput {
    fn from(p: ParticipantsIn) -> Self {
        let wide = |n: Option<i32>| n.map(i64::from);
        Self {
            female: wide(p.female),
            male: wide(p.male),
            other: wide(p.other),
            judges: wide(p.judges),
            prosecutors: wide(p.prosecutors),
            law_enforcement: wide(p.law_enforcement),
            officials: wide(p.officials),
            civil_society: wide(p.civil_society),
        }
    }
}

/// An organization taking part in a new activity.
#[derive(Debug, InputObject)]
pub struct NewParticipationInput {
    /// The organization's code.
    pub organization: String,
    /// How it takes part.
    pub role: ParticipationRole,
}

/// An objective of a new activity.
#[derive(Debug, InputObject)]
pub struct NewObjectiveInput {
    /// The goal.
    pub description: String,
    /// Whether it was reached.
    #[graphql(default)]
    pub achieved: bool,
    /// What shows it.
    pub evidence: Option<String>,
}

/// A new activity.
#[derive(Debug, InputObject)]
pub struct NewActivityInput {
    /// The programme's code.
    pub programme: String,
    /// The activity it is part of.
    pub parent_id: Option<Uuid>,
    /// Its code, unique within the programme.
    pub code: String,
    /// One line of at most 300 characters, trimmed; never blank.
    pub title: String,
    /// What it is about.
    pub description: Option<String>,
    /// What it is.
    pub kind: ActivityKind,
    /// The pillar it serves.
    pub pillar: Pillar,
    /// Where it stands (default planned).
    pub status: Option<ActivityStatus>,
    /// Who may see it (default restricted; only UNODC makes one public).
    pub visibility: Option<Visibility>,
    /// Planned first day.
    pub planned_start: Option<NaiveDate>,
    /// Planned last day.
    pub planned_end: Option<NaiveDate>,
    /// Actual first day.
    pub actual_start: Option<NaiveDate>,
    /// Actual last day.
    pub actual_end: Option<NaiveDate>,
    /// Where.
    pub location: Option<String>,
    /// In which district.
    pub district: Option<String>,
    /// Who took part.
    pub participants: Option<ParticipantsIn>,
    /// The organizations taking part.
    #[graphql(default)]
    pub participations: Vec<NewParticipationInput>,
    /// What it sets out to do.
    #[graphql(default)]
    pub objectives: Vec<NewObjectiveInput>,
}

fn day(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.to_string())
}

impl TryFrom<NewActivityInput> for NewActivity {
    type Error = ApiError;

    fn try_from(input: NewActivityInput) -> Result<Self, ApiError> {
        use gloact_domain::activity as domain;
        Ok(NewActivity::try_from(NewActivityDto {
            programme: input.programme,
            parent_id: input.parent_id,
            code: input.code,
            title: input.title,
            description: input.description,
            kind: wire::<domain::ActivityKind, _>(input.kind),
            pillar: wire::<domain::Pillar, _>(input.pillar),
            status: input.status.map(wire::<domain::ActivityStatus, _>),
            visibility: input.visibility.map(wire::<domain::Visibility, _>),
            planned_start: day(input.planned_start),
            planned_end: day(input.planned_end),
            actual_start: day(input.actual_start),
            actual_end: day(input.actual_end),
            location: input.location,
            district: input.district,
            participants: input.participants.map(Into::into).unwrap_or_default(),
            participations: input
                .participations
                .into_iter()
                .map(|p| NewParticipationDto {
                    organization: p.organization,
                    role: wire::<domain::ParticipationRole, _>(p.role),
                })
                .collect(),
            objectives: input
                .objectives
                .into_iter()
                .map(|o| NewObjectiveDto {
                    description: o.description,
                    achieved: o.achieved,
                    evidence: o.evidence,
                })
                .collect(),
        })?)
    }
}

/// Changes to an activity: only the fields given change; `null` clears an optional one.
/// Programme, code and parent are fixed.
#[derive(Debug, Default, InputObject)]
pub struct ActivityPatchInput {
    /// New title.
    pub title: MaybeUndefined<String>,
    /// New description.
    pub description: MaybeUndefined<String>,
    /// New kind.
    pub kind: MaybeUndefined<ActivityKind>,
    /// New pillar.
    pub pillar: MaybeUndefined<Pillar>,
    /// New status (it must be reachable from the current one).
    pub status: MaybeUndefined<ActivityStatus>,
    /// New visibility (UNODC only).
    pub visibility: MaybeUndefined<Visibility>,
    /// New planned first day.
    pub planned_start: MaybeUndefined<NaiveDate>,
    /// New planned last day.
    pub planned_end: MaybeUndefined<NaiveDate>,
    /// New actual first day.
    pub actual_start: MaybeUndefined<NaiveDate>,
    /// New actual last day.
    pub actual_end: MaybeUndefined<NaiveDate>,
    /// New place.
    pub location: MaybeUndefined<String>,
    /// New district.
    pub district: MaybeUndefined<String>,
    /// New participant counts; those left out keep their values.
    pub participants: MaybeUndefined<ParticipantsIn>,
}

impl TryFrom<ActivityPatchInput> for ActivityPatch {
    type Error = ApiError;

    fn try_from(p: ActivityPatchInput) -> Result<Self, ApiError> {
        use gloact_domain::activity as domain;
        let date = |d: NaiveDate| d.to_string();
        let participants = Patch::from(p.participants).map(ParticipantsInput::from);
        Ok(ActivityPatch::try_from(ActivityPatchDto {
            title: clearable(p.title, |t| t),
            description: clearable(p.description, |d| d),
            kind: clearable(p.kind, wire::<domain::ActivityKind, _>),
            pillar: clearable(p.pillar, wire::<domain::Pillar, _>),
            status: clearable(p.status, wire::<domain::ActivityStatus, _>),
            visibility: clearable(p.visibility, wire::<domain::Visibility, _>),
            planned_start: clearable(p.planned_start, date),
            planned_end: clearable(p.planned_end, date),
            actual_start: clearable(p.actual_start, date),
            actual_end: clearable(p.actual_end, date),
            location: clearable(p.location, |l| l),
            district: clearable(p.district, |d| d),
            participants,
        })?)
    }
}

/// Writes of activities.
#[derive(Debug, Default)]
pub struct ActivitiesMutation;

#[Object]
impl ActivitiesMutation {
    /// Creates an activity with its participations and objectives (UNODC; IOM where it
    /// implements).
    async fn create_activity(
        &self,
        ctx: &Context<'_>,
        input: NewActivityInput,
    ) -> Result<Activity> {
        let (db, caller) = request(ctx)?;
        let new = NewActivity::try_from(input).gql()?;
        Ok(Activity(
            service::activities::create(db, caller, &new).await.gql()?,
        ))
    }

    /// Changes an activity (UNODC; IOM where it implements) at the version you read: a stale
    /// version is refused with `version_mismatch` and the current version.
    async fn update_activity(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        expected_version: i32,
        patch: ActivityPatchInput,
    ) -> Result<Activity> {
        let (db, caller) = request(ctx)?;
        let patch = ActivityPatch::try_from(patch).gql()?;
        Ok(Activity(
            service::activities::update(db, caller, ActivityId(id), expected_version, patch)
                .await
                .gql()?,
        ))
    }
}
