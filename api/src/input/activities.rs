//! What clients send to create and change activities, and its parsing into domain values with
//! every field's error reported at once.

use gloact_domain::activity::{
    ActivityKind, ActivityPatch, ActivityStatus, Headcount, HeadcountPatch, NewActivity,
    NewObjective, NewParticipation, ParticipantCounts, ParticipationRole, Pillar, Visibility,
};
use gloact_domain::value::{Code, Count, DateSpan, District, Location, Narrative, Title};
use gloact_domain::{ActivityId, ValueError, Violations};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::input::fields::{
    Patch, check_clearable, check_not_null, check_opt, not_null, parse_date,
};

/// Participant counts sent by a client. In a new activity a count left out is 0; in a change it
/// keeps its value. Counts by actor type may not add up to more than the counts by sex.
#[derive(Debug, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
#[schema(as = ParticipantsInput)]
pub struct ParticipantsInput {
    /// Women.
    pub female: Option<i64>,
    /// Men.
    pub male: Option<i64>,
    /// Other or not recorded.
    pub other: Option<i64>,
    /// Judges among them.
    pub judges: Option<i64>,
    /// Prosecutors among them.
    pub prosecutors: Option<i64>,
    /// Law-enforcement officers among them.
    pub law_enforcement: Option<i64>,
    /// Government officials among them.
    pub officials: Option<i64>,
    /// Civil-society representatives among them.
    pub civil_society: Option<i64>,
}

impl ParticipantsInput {
    /// The counts given, each checked (all errors reported at once).
    fn parse(&self, v: &mut Violations) -> HeadcountPatch {
        let mut count = |name: &str, raw: Option<i64>| {
            v.check_opt(&format!("participants.{name}"), raw, Count::parse)
                .flatten()
        };
        HeadcountPatch {
            female: count("female", self.female),
            male: count("male", self.male),
            other: count("other", self.other),
            judges: count("judges", self.judges),
            prosecutors: count("prosecutors", self.prosecutors),
            law_enforcement: count("law_enforcement", self.law_enforcement),
            officials: count("officials", self.officials),
            civil_society: count("civil_society", self.civil_society),
        }
    }
}

/// An organization taking part in a new activity.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewParticipation)]
pub struct NewParticipationDto {
    /// The organization's code.
    #[schema(example = "MOHA-BGD")]
    pub organization: String,
    /// How it takes part.
    #[schema(value_type = ParticipationRole)]
    pub role: String,
}

/// An objective of a new activity.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewObjective)]
pub struct NewObjectiveDto {
    /// The goal.
    pub description: String,
    /// Whether it was reached (default false).
    #[serde(default)]
    pub achieved: bool,
    /// What shows it.
    pub evidence: Option<String>,
}

/// A new activity.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewActivity)]
pub struct NewActivityDto {
    /// The programme's code.
    #[schema(example = "GLOACT-BGD")]
    pub programme: String,
    /// The activity it is part of.
    pub parent_id: Option<Uuid>,
    /// Its code, unique within the programme.
    #[schema(example = "WS-2020-03")]
    pub code: String,
    /// One line of at most 300 characters, trimmed; never blank.
    pub title: String,
    /// What it is about.
    pub description: Option<String>,
    /// What it is.
    #[schema(value_type = ActivityKind)]
    pub kind: String,
    /// The pillar it serves.
    #[schema(value_type = Pillar)]
    pub pillar: String,
    /// Where it stands (default `planned`).
    #[schema(value_type = Option<ActivityStatus>)]
    pub status: Option<String>,
    /// Who may see it (default `restricted`: only UNODC, IOM, the EU and the organizations taking
    /// part).
    #[schema(value_type = Option<Visibility>)]
    pub visibility: Option<String>,
    /// Planned first day (YYYY-MM-DD).
    #[schema(value_type = Option<NaiveDate>)]
    pub planned_start: Option<String>,
    /// Planned last day.
    #[schema(value_type = Option<NaiveDate>)]
    pub planned_end: Option<String>,
    /// Actual first day.
    #[schema(value_type = Option<NaiveDate>)]
    pub actual_start: Option<String>,
    /// Actual last day.
    #[schema(value_type = Option<NaiveDate>)]
    pub actual_end: Option<String>,
    /// Where.
    pub location: Option<String>,
    /// In which district.
    #[schema(example = "Dhaka")]
    pub district: Option<String>,
    /// Who took part (counts left out are 0).
    #[serde(default)]
    pub participants: ParticipantsInput,
    /// The organizations taking part.
    #[serde(default)]
    pub participations: Vec<NewParticipationDto>,
    /// What it sets out to do.
    #[serde(default)]
    pub objectives: Vec<NewObjectiveDto>,
}

/// Most participations or objectives in one new activity.
const MAX_CHILDREN: usize = 200;

/// Parses a span from its two days; every bad day is reported, and the order only when both
/// parsed.
fn span(
    v: &mut Violations,
    field: &str,
    start: Option<&str>,
    end: Option<&str>,
) -> Option<DateSpan> {
    let end_field = format!("{field}_end");
    let start = start.map(|raw| v.check(&format!("{field}_start"), parse_date(raw)));
    let end = end.map(|raw| v.check(&end_field, parse_date(raw)));
    match (start, end) {
        (Some(None), _) | (_, Some(None)) => None,
        (start, end) => v.check(&end_field, DateSpan::new(start.flatten(), end.flatten())),
    }
}

impl TryFrom<NewActivityDto> for NewActivity {
    type Error = Violations;

    fn try_from(dto: NewActivityDto) -> Result<Self, Violations> {
        let mut v = Violations::default();
        let programme = v.check("programme", Code::parse(&dto.programme));
        let code = v.check("code", Code::parse(&dto.code));
        let title = v.check("title", Title::parse(&dto.title));
        let description = check_opt(
            &mut v,
            "description",
            dto.description.as_deref(),
            Narrative::parse,
        );
        let kind = v.check("kind", dto.kind.parse());
        let pillar = v.check("pillar", dto.pillar.parse());
        let status = check_opt(&mut v, "status", dto.status.as_deref(), str::parse)
            .unwrap_or(ActivityStatus::Planned);
        let visibility = check_opt(&mut v, "visibility", dto.visibility.as_deref(), str::parse)
            .unwrap_or(Visibility::Restricted);
        let planned = span(
            &mut v,
            "planned",
            dto.planned_start.as_deref(),
            dto.planned_end.as_deref(),
        );
        let actual = span(
            &mut v,
            "actual",
            dto.actual_start.as_deref(),
            dto.actual_end.as_deref(),
        );
        let location = check_opt(&mut v, "location", dto.location.as_deref(), Location::parse);
        let district = check_opt(&mut v, "district", dto.district.as_deref(), District::parse);
        let headcount = Headcount::default().patched(&dto.participants.parse(&mut v));
        let participants = v.check("participants", ParticipantCounts::new(headcount));
        if dto.participations.len() > MAX_CHILDREN || dto.objectives.len() > MAX_CHILDREN {
            v.add(
                "participations",
                ValueError::new(
                    "too_many",
                    format!("at most {MAX_CHILDREN} participations and objectives"),
                ),
            );
        }
        let mut participations: Vec<NewParticipation> =
            Vec::with_capacity(dto.participations.len());
        for (i, p) in dto.participations.iter().enumerate() {
            let organization = v.check(
                &format!("participations[{i}].organization"),
                Code::parse(&p.organization),
            );
            let role = v.check(&format!("participations[{i}].role"), p.role.parse());
            let (Some(organization), Some(role)) = (organization, role) else {
                continue;
            };
            let participation = NewParticipation { organization, role };
            if participations.contains(&participation) {
                v.add(
                    &format!("participations[{i}]"),
                    ValueError::new(
                        "duplicate",
                        "the organization is listed in this role already",
                    ),
                );
            }
            participations.push(participation);
        }
        let objectives: Vec<NewObjective> = dto
            .objectives
            .iter()
            .enumerate()
            .filter_map(|(i, o)| {
                let description = v.check(
                    &format!("objectives[{i}].description"),
                    Narrative::parse(&o.description),
                );
                let evidence = check_opt(
                    &mut v,
                    &format!("objectives[{i}].evidence"),
                    o.evidence.as_deref(),
                    Narrative::parse,
                );
                Some(NewObjective {
                    description: description?,
                    achieved: o.achieved,
                    evidence,
                })
            })
            .collect();
        match (
            programme,
            code,
            title,
            kind,
            pillar,
            planned,
            actual,
            participants,
        ) {
            (
                Some(programme),
                Some(code),
                Some(title),
                Some(kind),
                Some(pillar),
                Some(planned),
                Some(actual),
                Some(participants),
            ) if v.is_empty() => Ok(NewActivity {
                programme,
                parent_id: dto.parent_id.map(ActivityId),
                code,
                title,
                description,
                kind,
                pillar,
                status,
                visibility,
                planned,
                actual,
                location,
                district,
                participants,
                participations,
                objectives,
            }),
            _ => Err(v),
        }
    }
}

/// Changes to an activity: only the fields present change; `null` clears an optional one.
/// Programme, code and parent are fixed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ActivityPatch)]
pub struct ActivityPatchDto {
    /// New title.
    #[serde(default)]
    #[schema(value_type = String)]
    pub title: Patch<String>,
    /// New description, or `null` to clear.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub description: Patch<String>,
    /// New kind.
    #[serde(default)]
    #[schema(value_type = ActivityKind)]
    pub kind: Patch<String>,
    /// New pillar.
    #[serde(default)]
    #[schema(value_type = Pillar)]
    pub pillar: Patch<String>,
    /// New status; must be reachable from the current one.
    #[serde(default)]
    #[schema(value_type = ActivityStatus)]
    pub status: Patch<String>,
    /// New visibility.
    #[serde(default)]
    #[schema(value_type = Visibility)]
    pub visibility: Patch<String>,
    /// New planned first day, or `null` to clear.
    #[serde(default)]
    #[schema(value_type = Option<NaiveDate>)]
    pub planned_start: Patch<String>,
    /// New planned last day, or `null` to clear.
    #[serde(default)]
    #[schema(value_type = Option<NaiveDate>)]
    pub planned_end: Patch<String>,
    /// New actual first day, or `null` to clear.
    #[serde(default)]
    #[schema(value_type = Option<NaiveDate>)]
    pub actual_start: Patch<String>,
    /// New actual last day, or `null` to clear.
    #[serde(default)]
    #[schema(value_type = Option<NaiveDate>)]
    pub actual_end: Patch<String>,
    /// New location, or `null` to clear.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub location: Patch<String>,
    /// New district, or `null` to clear.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub district: Patch<String>,
    /// Participant counts to change; counts left out keep their values.
    #[serde(default)]
    #[schema(value_type = ParticipantsInput)]
    pub participants: Patch<ParticipantsInput>,
}

impl TryFrom<ActivityPatchDto> for ActivityPatch {
    type Error = Violations;

    fn try_from(dto: ActivityPatchDto) -> Result<Self, Violations> {
        let mut v = Violations::default();
        let patch = ActivityPatch {
            title: check_not_null(&mut v, "title", dto.title, Title::parse),
            description: check_clearable(&mut v, "description", dto.description, Narrative::parse),
            kind: check_not_null(&mut v, "kind", dto.kind, str::parse),
            pillar: check_not_null(&mut v, "pillar", dto.pillar, str::parse),
            status: check_not_null(&mut v, "status", dto.status, str::parse),
            visibility: check_not_null(&mut v, "visibility", dto.visibility, str::parse),
            planned_start: check_clearable(&mut v, "planned_start", dto.planned_start, parse_date),
            planned_end: check_clearable(&mut v, "planned_end", dto.planned_end, parse_date),
            actual_start: check_clearable(&mut v, "actual_start", dto.actual_start, parse_date),
            actual_end: check_clearable(&mut v, "actual_end", dto.actual_end, parse_date),
            location: check_clearable(&mut v, "location", dto.location, Location::parse),
            district: check_clearable(&mut v, "district", dto.district, District::parse),
            participants: not_null(&mut v, "participants", dto.participants)
                .map(|counts| counts.parse(&mut v))
                .unwrap_or_default(),
        };
        v.into_result().map(|()| patch)
    }
}
