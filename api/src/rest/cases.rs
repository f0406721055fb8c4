//! `/api/v1/cases`: victim-assistance cases (HTCDS), their referrals, and — apart — who the
//! person is.

use std::collections::BTreeSet;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use gloact_domain::case::{
    Case, CaseChanges, CaseStatus, Consent, Email, EventStage, Identity, MeansOfControl, NewCase,
    NewReferral, Phone, RecruiterRelation, Recruitment, RecruitmentMethod, Referral,
    ReferralStatus, Subject, TraffickingEvent, check_not_empty,
};
use gloact_domain::field_report::{AgeBand, Exploitation, Service, Sex};
use gloact_domain::value::{Code, CountryCode, District, Location, Narrative, Title};
use gloact_domain::{ValueError, Violations};
use gloact_persistence::Db;
use gloact_persistence::cases::CaseFilter;
use gloact_persistence::sealed::SealingKey;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::common::{
    PageDto, check_not_null, check_opt, created, double_option, from_json, if_match, ok_with_etag,
    page_request, parse_date, query_value,
};
use super::idempotency::{self, Carries};
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::service;

/// One step of what happened.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = TraffickingEvent)]
pub struct EventDto {
    /// `recruitment`, `transit` or `exploitation`.
    #[schema(value_type = EventStage)]
    pub stage: String,
    /// The place, e.g. a town.
    #[schema(example = "Teknaf")]
    pub place: String,
    /// Its country (ISO 3166-1 alpha-3).
    #[schema(example = "BGD")]
    pub country: String,
    /// When, if known (YYYY-MM-DD).
    #[schema(value_type = Option<NaiveDate>)]
    pub occurred_on: Option<String>,
}

impl From<&TraffickingEvent> for EventDto {
    fn from(e: &TraffickingEvent) -> Self {
        Self {
            stage: e.stage.as_str().to_owned(),
            place: e.place.as_str().to_owned(),
            country: e.country.as_str().to_owned(),
            occurred_on: e.occurred_on.map(|d| d.to_string()),
        }
    }
}

/// A referral of the person to another organization.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Referral)]
pub struct ReferralDto {
    /// Its id.
    pub id: Uuid,
    /// The referring organization's code.
    pub from_organization: String,
    /// The receiving organization's code.
    pub to_organization: String,
    /// The service asked for.
    pub service: Service,
    /// Where it stands.
    pub status: ReferralStatus,
    /// A note for the receiving organization.
    pub note: Option<String>,
    /// Who made it.
    pub referred_by: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When its status last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<Referral> for ReferralDto {
    fn from(r: Referral) -> Self {
        Self {
            id: r.id,
            from_organization: r.from_organization.to_string(),
            to_organization: r.to_organization.to_string(),
            service: r.service,
            status: r.status,
            note: r.note.map(|n| n.as_str().to_owned()),
            referred_by: r.referred_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// How the person was recruited.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Recruitment)]
pub struct RecruitmentDto {
    /// How (HTCDS).
    #[schema(value_type = RecruitmentMethod)]
    pub method: String,
    /// Who the recruiter was to the person.
    #[schema(value_type = RecruiterRelation)]
    pub recruiter_relation: String,
}

/// A victim-assistance case: a pseudonymous profile, what happened, and the referrals. Never who
/// the person is: that is `/cases/{id}/identity`, for those allowed.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Case)]
pub struct CaseDto {
    /// Its id.
    pub id: Uuid,
    /// The organization managing it.
    pub organization: String,
    /// Who opened it.
    pub opened_by: String,
    /// The day the person was identified as a presumed victim.
    pub identified_on: NaiveDate,
    /// Where.
    pub district: String,
    /// Sex.
    pub sex: Sex,
    /// Age band at identification.
    pub age_band: AgeBand,
    /// Citizenship (ISO 3166-1 alpha-3).
    pub citizenship: String,
    /// Main type of exploitation.
    pub exploitation: Exploitation,
    /// How the person was controlled.
    pub means_of_control: Vec<MeansOfControl>,
    /// How the person was recruited.
    pub recruitment: RecruitmentDto,
    /// What happened where, in order.
    pub events: Vec<EventDto>,
    /// Whether the person consented to the management of their personal data.
    pub consent: bool,
    /// Where the case stands.
    pub status: CaseStatus,
    /// The referrals, oldest first.
    pub referrals: Vec<ReferralDto>,
    /// Whether identifying fields are stored (readable only with the `pii` scope).
    pub has_identity: bool,
    /// Version (the ETag).
    pub version: i32,
    /// Change number of its last change.
    pub change_seq: i64,
    /// When it was opened.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<Case> for CaseDto {
    fn from(c: Case) -> Self {
        Self {
            id: c.id,
            organization: c.organization.to_string(),
            opened_by: c.opened_by,
            identified_on: c.identified_on,
            district: c.district.as_str().to_owned(),
            sex: c.subject.sex,
            age_band: c.subject.age_band,
            citizenship: c.subject.citizenship.as_str().to_owned(),
            exploitation: c.exploitation,
            means_of_control: c.means_of_control.into_iter().collect(),
            recruitment: RecruitmentDto {
                method: c.recruitment.method.as_str().to_owned(),
                recruiter_relation: c.recruitment.recruiter_relation.as_str().to_owned(),
            },
            events: c.events.iter().map(EventDto::from).collect(),
            consent: c.consent.0,
            status: c.status,
            referrals: c.referrals.into_iter().map(ReferralDto::from).collect(),
            has_identity: c.has_identity,
            version: c.meta.version,
            change_seq: c.meta.change_seq,
            created_at: c.meta.created_at,
            updated_at: c.meta.updated_at,
        }
    }
}

/// Who the person is. Every field is optional; give at least one.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
#[schema(as = CaseIdentity)]
pub struct IdentityDto {
    /// Given name(s).
    pub given_name: Option<String>,
    /// Family name.
    pub family_name: Option<String>,
    /// Other names the person is known by.
    pub other_names: Option<String>,
    /// Birth date (YYYY-MM-DD).
    #[schema(value_type = Option<NaiveDate>)]
    pub birth_date: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Postal address or whereabouts.
    pub address: Option<String>,
}

/// Never the values: a `Debug` print may end up in a log.
impl std::fmt::Debug for IdentityDto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdentityDto(redacted)")
    }
}

impl From<Identity> for IdentityDto {
    fn from(i: Identity) -> Self {
        Self {
            given_name: i.given_name.map(|v| v.as_str().to_owned()),
            family_name: i.family_name.map(|v| v.as_str().to_owned()),
            other_names: i.other_names.map(|v| v.as_str().to_owned()),
            birth_date: i.birth_date.map(|d| d.to_string()),
            phone: i.phone.map(|v| v.as_str().to_owned()),
            email: i.email.map(|v| v.as_str().to_owned()),
            address: i.address.map(|v| v.as_str().to_owned()),
        }
    }
}

fn parse_identity(v: &mut Violations, prefix: &str, dto: IdentityDto) -> Identity {
    let field = |name: &str| format!("{prefix}{name}");
    Identity {
        given_name: check_opt(v, &field("given_name"), dto.given_name, Title::parse),
        family_name: check_opt(v, &field("family_name"), dto.family_name, Title::parse),
        other_names: check_opt(v, &field("other_names"), dto.other_names, Title::parse),
        birth_date: check_opt(v, &field("birth_date"), dto.birth_date, parse_past_date),
        phone: check_opt(v, &field("phone"), dto.phone, Phone::parse),
        email: check_opt(v, &field("email"), dto.email, Email::parse),
        address: check_opt(v, &field("address"), dto.address, Narrative::parse),
    }
}

fn parse_past_date(raw: &str) -> Result<NaiveDate, ValueError> {
    let date = parse_date(raw)?;
    if date > Utc::now().date_naive() {
        return Err(ValueError::new("in_future", "must not be in the future"));
    }
    Ok(date)
}

impl TryFrom<IdentityDto> for Identity {
    type Error = Violations;

    fn try_from(dto: IdentityDto) -> Result<Self, Violations> {
        let mut v = Violations::default();
        let identity = parse_identity(&mut v, "", dto);
        v.into_result().map(|()| identity)
    }
}

/// A referral to make.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewReferral)]
pub struct NewReferralDto {
    /// The receiving organization's code.
    #[schema(example = "IOM-BGD")]
    pub to_organization: String,
    /// `shelter`, `medical`, `legal`, `repatriation` or `psychosocial`.
    #[schema(value_type = Service)]
    pub service: String,
    /// A note for the receiving organization: no names, no contacts.
    pub note: Option<String>,
}

fn parse_referral(v: &mut Violations, prefix: &str, dto: NewReferralDto) -> Option<NewReferral> {
    let to = v.check(
        &format!("{prefix}to_organization"),
        Code::parse(&dto.to_organization),
    );
    let service = v.check(&format!("{prefix}service"), dto.service.parse());
    let note = check_opt(v, &format!("{prefix}note"), dto.note, Narrative::parse);
    Some(NewReferral {
        to_organization: to?,
        service: service?,
        note,
    })
}

impl TryFrom<NewReferralDto> for NewReferral {
    type Error = Violations;

    fn try_from(dto: NewReferralDto) -> Result<Self, Violations> {
        let mut v = Violations::default();
        let referral = parse_referral(&mut v, "", dto);
        match referral {
            Some(referral) if v.is_empty() => Ok(referral),
            _ => Err(v),
        }
    }
}

/// A new case.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewCase)]
pub struct NewCaseDto {
    /// The day the person was identified (YYYY-MM-DD).
    #[schema(value_type = NaiveDate)]
    pub identified_on: String,
    /// Where.
    #[schema(example = "Cox's Bazar")]
    pub district: String,
    /// `female`, `male`, `other` or `unknown`.
    #[schema(value_type = Sex)]
    pub sex: String,
    /// `0_11`, `12_17`, `18_25`, `26_40`, `41_plus` or `unknown`.
    #[schema(value_type = AgeBand)]
    pub age_band: String,
    /// Citizenship (ISO 3166-1 alpha-3).
    #[schema(example = "BGD")]
    pub citizenship: String,
    /// Main type of exploitation.
    #[schema(value_type = Exploitation)]
    pub exploitation: String,
    /// How the person was controlled.
    #[serde(default)]
    #[schema(value_type = Vec<MeansOfControl>)]
    pub means_of_control: Vec<String>,
    /// How the person was recruited (default: unknown).
    pub recruitment: Option<RecruitmentDto>,
    /// What happened where, in order (at most 50).
    #[serde(default)]
    pub events: Vec<EventDto>,
    /// Whether the person consented to the management of their personal data. Without consent
    /// no identifying field is accepted.
    pub consent: bool,
    /// Where the case stands (default `active`).
    #[schema(value_type = Option<CaseStatus>)]
    pub status: Option<String>,
    /// Referrals made with the case, from the caller's organization. The government opens a
    /// case only to refer it: at least one.
    #[serde(default)]
    pub referrals: Vec<NewReferralDto>,
    /// Who the person is (needs consent and the `pii` scope).
    pub identity: Option<IdentityDto>,
}

fn parse_means(v: &mut Violations, raw: Vec<String>) -> BTreeSet<MeansOfControl> {
    raw.iter()
        .enumerate()
        .filter_map(|(i, m)| v.check(&format!("means_of_control[{i}]"), m.parse()))
        .collect()
}

fn parse_events(v: &mut Violations, raw: Vec<EventDto>) -> Vec<TraffickingEvent> {
    raw.into_iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let field = |name: &str| format!("events[{i}].{name}");
            let stage = v.check(&field("stage"), e.stage.parse());
            let place = v.check(&field("place"), Location::parse(&e.place));
            let country = v.check(&field("country"), CountryCode::parse(&e.country));
            let occurred_on = check_opt(v, &field("occurred_on"), e.occurred_on, parse_past_date);
            Some(TraffickingEvent {
                stage: stage?,
                place: place?,
                country: country?,
                occurred_on,
            })
        })
        .collect()
}

fn parse_recruitment(v: &mut Violations, raw: Option<RecruitmentDto>) -> Option<Recruitment> {
    let Some(raw) = raw else {
        return Some(Recruitment {
            method: RecruitmentMethod::Unknown,
            recruiter_relation: RecruiterRelation::Unknown,
        });
    };
    let method = v.check("recruitment.method", raw.method.parse());
    let relation = v.check(
        "recruitment.recruiter_relation",
        raw.recruiter_relation.parse(),
    );
    Some(Recruitment {
        method: method?,
        recruiter_relation: relation?,
    })
}

impl TryFrom<NewCaseDto> for NewCase {
    type Error = Violations;

    fn try_from(dto: NewCaseDto) -> Result<Self, Violations> {
        let mut v = Violations::default();
        let identified_on = v.check("identified_on", parse_past_date(&dto.identified_on));
        let district = v.check("district", District::parse(&dto.district));
        let sex = v.check("sex", dto.sex.parse());
        let age_band = v.check("age_band", dto.age_band.parse());
        let citizenship = v.check("citizenship", CountryCode::parse(&dto.citizenship));
        let exploitation = v.check("exploitation", dto.exploitation.parse());
        let means_of_control = parse_means(&mut v, dto.means_of_control);
        let recruitment = parse_recruitment(&mut v, dto.recruitment);
        let events = parse_events(&mut v, dto.events);
        let status =
            check_opt(&mut v, "status", dto.status, str::parse).unwrap_or(CaseStatus::Active);
        let referrals: Vec<_> = dto
            .referrals
            .into_iter()
            .enumerate()
            .filter_map(|(i, r)| parse_referral(&mut v, &format!("referrals[{i}]."), r))
            .collect();
        let identity = dto.identity.map(|i| parse_identity(&mut v, "identity.", i));
        match (
            identified_on,
            district,
            sex,
            age_band,
            citizenship,
            exploitation,
            recruitment,
        ) {
            (
                Some(identified_on),
                Some(district),
                Some(sex),
                Some(age_band),
                Some(citizenship),
                Some(exploitation),
                Some(recruitment),
            ) if v.is_empty() => NewCase {
                identified_on,
                district,
                subject: Subject {
                    sex,
                    age_band,
                    citizenship,
                },
                exploitation,
                means_of_control,
                recruitment,
                events,
                consent: Consent(dto.consent),
                status,
                referrals,
                identity,
            }
            .check(),
            _ => Err(v),
        }
    }
}

/// Changes to a case: only the fields present change; none can be cleared.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CasePatch)]
pub struct CasePatchDto {
    /// New day of identification.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = NaiveDate)]
    pub identified_on: Option<Option<String>>,
    /// New district.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = String)]
    pub district: Option<Option<String>>,
    /// New sex.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Sex)]
    pub sex: Option<Option<String>>,
    /// New age band.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = AgeBand)]
    pub age_band: Option<Option<String>>,
    /// New citizenship.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = String)]
    pub citizenship: Option<Option<String>>,
    /// New main type of exploitation.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Exploitation)]
    pub exploitation: Option<Option<String>>,
    /// New means of control (the whole set).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Vec<MeansOfControl>)]
    pub means_of_control: Option<Option<Vec<String>>>,
    /// New recruitment.
    #[serde(default, deserialize_with = "double_option")]
    pub recruitment: Option<Option<RecruitmentDto>>,
    /// New events (the whole list).
    #[serde(default, deserialize_with = "double_option")]
    pub events: Option<Option<Vec<EventDto>>>,
    /// New consent. Withdrawing it (`false`) erases the stored identifying fields.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = bool)]
    pub consent: Option<Option<bool>>,
    /// New status.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = CaseStatus)]
    pub status: Option<Option<String>>,
}

fn not_null<T>(v: &mut Violations, field: &str, raw: Option<Option<T>>) -> Option<T> {
    match raw {
        Some(None) => {
            v.add(
                field,
                ValueError::new(
                    "null_not_allowed",
                    "can't be cleared: leave it out to keep it",
                ),
            );
            None
        }
        Some(Some(value)) => Some(value),
        None => None,
    }
}

impl TryFrom<CasePatchDto> for CaseChanges {
    type Error = Violations;

    fn try_from(dto: CasePatchDto) -> Result<Self, Violations> {
        let mut v = Violations::default();
        let means = not_null(&mut v, "means_of_control", dto.means_of_control);
        let recruitment = not_null(&mut v, "recruitment", dto.recruitment);
        let events = not_null(&mut v, "events", dto.events);
        let consent = not_null(&mut v, "consent", dto.consent);
        let recruitment = recruitment.and_then(|r| parse_recruitment(&mut v, Some(r)));
        let changes = CaseChanges {
            identified_on: check_not_null(
                &mut v,
                "identified_on",
                dto.identified_on,
                parse_past_date,
            ),
            district: check_not_null(&mut v, "district", dto.district, District::parse),
            sex: check_not_null(&mut v, "sex", dto.sex, str::parse),
            age_band: check_not_null(&mut v, "age_band", dto.age_band, str::parse),
            citizenship: check_not_null(&mut v, "citizenship", dto.citizenship, CountryCode::parse),
            exploitation: check_not_null(&mut v, "exploitation", dto.exploitation, str::parse),
            means_of_control: means.map(|m| parse_means(&mut v, m)),
            recruitment: recruitment.map(|r| r.method),
            recruiter_relation: recruitment.map(|r| r.recruiter_relation),
            events: events.map(|e| parse_events(&mut v, e)),
            consent: consent.map(Consent),
            status: check_not_null(&mut v, "status", dto.status, str::parse),
        };
        v.into_result()?;
        changes.check()
    }
}

/// A new status of a referral.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ReferralStatusChange)]
pub struct ReferralStatusDto {
    /// `proposed`, `accepted`, `declined` or `completed`.
    #[schema(value_type = ReferralStatus)]
    pub status: String,
}

/// Filters and paging of the case list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CaseListQuery {
    /// Only cases in this status.
    #[param(value_type = Option<CaseStatus>)]
    pub status: Option<String>,
    /// The `next_cursor` of the previous page.
    pub after: Option<String>,
    /// Items per page, 1 to 500 (default 50).
    pub limit: Option<u32>,
    /// Only cases changed after this change number, in change order.
    pub changed_after: Option<i64>,
}

/// `200` with the case and its ETag.
fn case_ok(case: Case) -> HttpResponse {
    let meta = case.meta;
    ok_with_etag(&meta, &CaseDto::from(case))
}

/// `201` with the case, its ETag and its location.
fn case_created(case: Case) -> HttpResponse {
    let meta = case.meta;
    let location = format!("/api/v1/cases/{}", case.id);
    created(&meta, location, &CaseDto::from(case))
}

/// Lists the cases the caller may see: all for UNODC and IOM, those referred by or to its
/// organization for the government, none for the EU (403). Every read is on the record.
#[utoipa::path(tag = "cases", params(CaseListQuery), responses((status = 200, description = "A page of cases", body = PageDto<CaseDto>)))]
#[get("/cases")]
pub async fn list_cases(
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    query: web::Query<CaseListQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = page_request(query.after.as_deref(), query.limit, query.changed_after)?;
    let filter = CaseFilter {
        status: query_value("status", query.status.as_deref(), str::parse)?,
    };
    let page = service::cases::list(&db, &caller, &filter, &page).await?;
    Ok(HttpResponse::Ok().json(PageDto::from_page(page, CaseDto::from)))
}

/// Opens a case (UNODC, IOM; the government only to refer it, without identifying fields).
/// Identifying fields need the person's consent and the `pii` scope.
#[utoipa::path(
    tag = "cases",
    request_body = NewCaseDto,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the first request under a key runs, a retry gets its answer again (with `Idempotent-Replayed: true`).")),
    responses((status = 201, description = "Opened", body = CaseDto))
)]
#[post("/cases")]
pub async fn create_case(
    req: HttpRequest,
    db: web::Data<Db>,
    key: web::Data<SealingKey>,
    Authenticated(caller): Authenticated,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    idempotency::once(
        &req,
        &db,
        &key,
        &caller,
        &body,
        Carries::Row("case"),
        async {
            let dto: NewCaseDto = from_json(body.clone())?;
            let new = NewCase::try_from(dto)?;
            let case = service::cases::create(&db, &caller, &key, &new).await?;
            Ok(case_created(case))
        },
    )
    .await
}

/// Gets one case the caller may see.
#[utoipa::path(tag = "cases", responses((status = 200, description = "The case", body = CaseDto)))]
#[get("/cases/{id}")]
pub async fn get_case(
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let case = service::cases::get(&db, &caller, *id).await?;
    Ok(case_ok(case))
}

/// Changes a case (UNODC, IOM) at the version in `If-Match`.
#[utoipa::path(
    tag = "cases",
    params(("If-Match" = String, Header, description = "ETag of the version read, e.g. \"3\"")),
    request_body = CasePatchDto,
    responses((status = 200, description = "Changed", body = CaseDto))
)]
#[patch("/cases/{id}")]
pub async fn update_case(
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<CasePatchDto>,
) -> Result<HttpResponse, ApiError> {
    let version = if_match(&req)?;
    let changes = CaseChanges::try_from(body.into_inner())?;
    let case = service::cases::update(&db, &caller, *id, version, &changes).await?;
    Ok(case_ok(case))
}

/// Refers the person of a case the caller may see to another organization, from the caller's.
#[utoipa::path(tag = "cases", request_body = NewReferralDto, responses((status = 201, description = "Referred: the case with the new referral", body = CaseDto)))]
#[post("/cases/{id}/referrals")]
pub async fn create_case_referral(
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
    body: web::Json<NewReferralDto>,
) -> Result<HttpResponse, ApiError> {
    let referral = NewReferral::try_from(body.into_inner())?;
    let case = service::cases::refer(&db, &caller, *id, &referral).await?;
    Ok(case_created(case))
}

/// Moves a referral to a new status (UNODC, IOM), at the case's version in `If-Match`.
#[utoipa::path(
    tag = "cases",
    params(("If-Match" = String, Header, description = "ETag of the case's version read")),
    request_body = ReferralStatusDto,
    responses((status = 200, description = "Changed: the case", body = CaseDto))
)]
#[patch("/cases/{id}/referrals/{referral_id}")]
pub async fn update_case_referral(
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<ReferralStatusDto>,
) -> Result<HttpResponse, ApiError> {
    let version = if_match(&req)?;
    let (id, referral_id) = path.into_inner();
    let status: ReferralStatus = body
        .status
        .parse()
        .map_err(|e| Violations::single("status", e))?;
    let case =
        service::cases::set_referral_status(&db, &caller, id, referral_id, version, status).await?;
    Ok(case_ok(case))
}

/// Who the person of a case is: UNODC and IOM with the `pii` scope only; every read is on the
/// record. 404 when none is stored.
#[utoipa::path(tag = "cases", responses((status = 200, description = "The identifying fields", body = IdentityDto)))]
#[get("/cases/{id}/identity")]
pub async fn get_case_identity(
    db: web::Data<Db>,
    key: web::Data<SealingKey>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    match service::cases::identity(&db, &caller, &key, *id).await? {
        Some(identity) => Ok(HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .json(IdentityDto::from(identity))),
        None => Err(ApiError::NotFound),
    }
}

/// Stores or replaces who the person of a case is (UNODC and IOM with `pii`; the person must
/// have consented), at the case's version in `If-Match`.
#[utoipa::path(
    tag = "cases",
    params(("If-Match" = String, Header, description = "ETag of the case's version read")),
    request_body = IdentityDto,
    responses((status = 200, description = "Stored: the case", body = CaseDto))
)]
#[put("/cases/{id}/identity")]
pub async fn put_case_identity(
    db: web::Data<Db>,
    key: web::Data<SealingKey>,
    Authenticated(caller): Authenticated,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<IdentityDto>,
) -> Result<HttpResponse, ApiError> {
    let version = if_match(&req)?;
    let identity = check_not_empty(Identity::try_from(body.into_inner())?)?;
    let case = service::cases::put_identity(&db, &caller, &key, *id, version, &identity).await?;
    Ok(case_ok(case))
}

/// Erases who the person of a case is (UNODC and IOM with `pii`), at the case's version in
/// `If-Match`.
#[utoipa::path(
    tag = "cases",
    params(("If-Match" = String, Header, description = "ETag of the case's version read")),
    responses((status = 200, description = "Erased: the case", body = CaseDto))
)]
#[delete("/cases/{id}/identity")]
pub async fn delete_case_identity(
    db: web::Data<Db>,
    Authenticated(caller): Authenticated,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let version = if_match(&req)?;
    let case = service::cases::erase_identity(&db, &caller, *id, version).await?;
    Ok(case_ok(case))
}
