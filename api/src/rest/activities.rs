//! `/api/v1/activities`

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use gloact_domain::activity::{
    ActivityDetail, ActivityKind, ActivityPatch, ActivityStatus, Headcount, HeadcountPatch,
    NewActivity, NewObjective, NewParticipation, ParticipantCounts, ParticipationRole, Pillar,
    Visibility,
};
use gloact_domain::value::{Code, Count, DateSpan, District, Location, Narrative, Title};
use gloact_domain::{ActivityId, ValueError, Violations};
use gloact_persistence::Db;
use gloact_persistence::activities::ActivityFilter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::common::{
    PageDto, check_clearable, check_not_null, check_opt, created, double_option, if_match,
    ok_with_etag, page_request, parse_date, query_value,
};
use super::follow_ups::FollowUpDto;
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::service;

/// An activity with the organizations taking part, its objectives and follow-up actions.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Activity)]
pub struct ActivityDto {
    /// Its id.
    pub id: Uuid,
    /// The programme it belongs to.
    pub programme_id: Uuid,
    /// The activity it is part of (e.g. the consultation of a meeting).
    pub parent_id: Option<Uuid>,
    /// Its code, unique within the programme.
    #[schema(example = "NC-2020")]
    pub code: String,
    /// Its title.
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

/// An organization's part in an activity.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Participation)]
pub struct ParticipationDto {
    /// Its id.
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
    /// Its id.
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
    /// Its title.
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
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = String)]
    pub title: Option<Option<String>>,
    /// New description, or `null` to clear.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    /// New kind.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = ActivityKind)]
    pub kind: Option<Option<String>>,
    /// New pillar.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Pillar)]
    pub pillar: Option<Option<String>>,
    /// New status; must be reachable from the current one.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = ActivityStatus)]
    pub status: Option<Option<String>>,
    /// New visibility.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Visibility)]
    pub visibility: Option<Option<String>>,
    /// New planned first day, or `null` to clear.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub planned_start: Option<Option<String>>,
    /// New planned last day, or `null` to clear.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub planned_end: Option<Option<String>>,
    /// New actual first day, or `null` to clear.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub actual_start: Option<Option<String>>,
    /// New actual last day, or `null` to clear.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub actual_end: Option<Option<String>>,
    /// New location, or `null` to clear.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub location: Option<Option<String>>,
    /// New district, or `null` to clear.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub district: Option<Option<String>>,
    /// Participant counts to change; counts left out keep their values.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = ParticipantsInput)]
    pub participants: Option<Option<ParticipantsInput>>,
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
            participants: match &dto.participants {
                None => HeadcountPatch::default(),
                Some(None) => {
                    v.add(
                        "participants",
                        ValueError::new(
                            "null_not_allowed",
                            "can't be cleared: leave it out to keep it",
                        ),
                    );
                    HeadcountPatch::default()
                }
                Some(Some(counts)) => counts.parse(&mut v),
            },
        };
        v.into_result().map(|()| patch)
    }
}

/// Filters and paging of the activity list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActivityListQuery {
    /// Only activities of the programme with this code.
    pub programme: Option<String>,
    /// Only the parts of this activity (e.g. the meetings of a consultation).
    pub parent_id: Option<Uuid>,
    /// Only this kind.
    #[param(value_type = Option<ActivityKind>)]
    pub kind: Option<String>,
    /// Only this pillar.
    #[param(value_type = Option<Pillar>)]
    pub pillar: Option<String>,
    /// Only this status.
    #[param(value_type = Option<ActivityStatus>)]
    pub status: Option<String>,
    /// Only those the organization with this code takes part in.
    pub organization: Option<String>,
    /// Only those in this district.
    pub district: Option<String>,
    /// Only those planned to end on or after this day (YYYY-MM-DD).
    #[param(value_type = Option<NaiveDate>)]
    pub from: Option<String>,
    /// Only those planned to start on or before this day (YYYY-MM-DD).
    #[param(value_type = Option<NaiveDate>)]
    pub to: Option<String>,
    /// The `next_cursor` of the previous page.
    pub after: Option<String>,
    /// Items per page, 1 to 500 (default 50).
    pub limit: Option<u32>,
    /// Only rows changed after this change number, deleted ones as tombstones, in change order.
    pub changed_after: Option<i64>,
}

/// Lists the activities the caller may see, each with what hangs off it.
#[utoipa::path(tag = "activities", params(ActivityListQuery), responses((status = 200, description = "A page of activities", body = PageDto<ActivityDto>)))]
#[get("/activities")]
pub async fn list_activities(
    db: web::Data<Db>,
    Authenticated(actor): Authenticated,
    query: web::Query<ActivityListQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = page_request(query.after.as_deref(), query.limit, query.changed_after)?;
    let filter = ActivityFilter {
        programme: query_value("programme", query.programme.as_deref(), Code::parse)?,
        parent_id: query.parent_id.map(ActivityId),
        kind: query_value("kind", query.kind.as_deref(), str::parse)?,
        pillar: query_value("pillar", query.pillar.as_deref(), str::parse)?,
        status: query_value("status", query.status.as_deref(), str::parse)?,
        organization: query_value("organization", query.organization.as_deref(), Code::parse)?,
        district: query_value("district", query.district.as_deref(), District::parse)?,
        from: query_value("from", query.from.as_deref(), parse_date)?,
        to: query_value("to", query.to.as_deref(), parse_date)?,
    };
    let page = service::activities::list(&db, &actor, &filter, &page).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, ActivityDto::from)))
}

/// Gets one activity with its participations, objectives and follow-up actions.
#[utoipa::path(tag = "activities", responses((status = 200, description = "The activity", body = ActivityDto)))]
#[get("/activities/{id}")]
pub async fn get_activity(
    db: web::Data<Db>,
    Authenticated(actor): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let detail = service::activities::get(&db, &actor, ActivityId(*id)).await?;
    let meta = detail.activity.meta;
    Ok(ok_with_etag(&meta, &ActivityDto::from(detail)))
}

/// Creates an activity with its participations and objectives (UNODC; IOM where it implements).
#[utoipa::path(tag = "activities", request_body = NewActivityDto, responses((status = 201, description = "Created", body = ActivityDto)))]
#[post("/activities")]
pub async fn create_activity(
    db: web::Data<Db>,
    Authenticated(actor): Authenticated,
    body: web::Json<NewActivityDto>,
) -> Result<HttpResponse, ApiError> {
    let new = NewActivity::try_from(body.into_inner())?;
    let detail = service::activities::create(&db, &actor, &new).await?;
    let meta = detail.activity.meta;
    let location = format!("/api/v1/activities/{}", detail.activity.id);
    Ok(created(&meta, location, &ActivityDto::from(detail)))
}

/// Updates an activity (UNODC; IOM where it implements) at the version in `If-Match`.
#[utoipa::path(
    tag = "activities",
    params(("If-Match" = String, Header, description = "ETag of the version read, e.g. \"3\"")),
    request_body = ActivityPatchDto,
    responses((status = 200, description = "Updated", body = ActivityDto))
)]
#[patch("/activities/{id}")]
pub async fn update_activity(
    db: web::Data<Db>,
    Authenticated(actor): Authenticated,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<ActivityPatchDto>,
) -> Result<HttpResponse, ApiError> {
    let version = if_match(&req)?;
    let patch = ActivityPatch::try_from(body.into_inner())?;
    let detail = service::activities::update(&db, &actor, ActivityId(*id), version, patch).await?;
    let meta = detail.activity.meta;
    Ok(ok_with_etag(&meta, &ActivityDto::from(detail)))
}

/// Deletes an activity (UNODC) at the version in `If-Match`; it stays as a tombstone in delta sync.
#[utoipa::path(
    tag = "activities",
    params(("If-Match" = String, Header, description = "ETag of the version read, e.g. \"3\"")),
    responses((status = 204, description = "Deleted"))
)]
#[delete("/activities/{id}")]
pub async fn delete_activity(
    db: web::Data<Db>,
    Authenticated(actor): Authenticated,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let version = if_match(&req)?;
    service::activities::delete(&db, &actor, ActivityId(*id), version).await?;
    Ok(HttpResponse::NoContent().finish())
}
