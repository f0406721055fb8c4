//! What clients send to open and change cases, refer them and store an identity, and its parsing
//! into domain values with every field's error reported at once. The event, recruitment and
//! identity shapes are also those of answers.

use std::collections::BTreeSet;

use chrono::{NaiveDate, Utc};
use gloact_domain::case::{
    CaseChanges, CaseStatus, Consent, Email, EventStage, Identity, MeansOfControl, NewCase,
    NewReferral, Phone, RecruiterRelation, Recruitment, RecruitmentMethod, ReferralStatus, Subject,
    TraffickingEvent,
};
use gloact_domain::field_report::{AgeBand, Exploitation, Service, Sex};
use gloact_domain::value::{Code, CountryCode, District, Location, Narrative, Title};
use gloact_domain::{ValueError, Violations};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::input::fields::{Patch, check_not_null, check_opt, not_null, parse_date};

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
    #[serde(default)]
    #[schema(value_type = NaiveDate)]
    pub identified_on: Patch<String>,
    /// New district.
    #[serde(default)]
    #[schema(value_type = String)]
    pub district: Patch<String>,
    /// New sex.
    #[serde(default)]
    #[schema(value_type = Sex)]
    pub sex: Patch<String>,
    /// New age band.
    #[serde(default)]
    #[schema(value_type = AgeBand)]
    pub age_band: Patch<String>,
    /// New citizenship.
    #[serde(default)]
    #[schema(value_type = String)]
    pub citizenship: Patch<String>,
    /// New main type of exploitation.
    #[serde(default)]
    #[schema(value_type = Exploitation)]
    pub exploitation: Patch<String>,
    /// New means of control (the whole set).
    #[serde(default)]
    #[schema(value_type = Vec<MeansOfControl>)]
    pub means_of_control: Patch<Vec<String>>,
    /// New recruitment.
    #[serde(default)]
    #[schema(value_type = Option<Option<RecruitmentDto>>)]
    pub recruitment: Patch<RecruitmentDto>,
    /// New events (the whole list).
    #[serde(default)]
    #[schema(value_type = Option<Option<Vec<EventDto>>>)]
    pub events: Patch<Vec<EventDto>>,
    /// New consent. Withdrawing it (`false`) erases the stored identifying fields.
    #[serde(default)]
    #[schema(value_type = bool)]
    pub consent: Patch<bool>,
    /// New status.
    #[serde(default)]
    #[schema(value_type = CaseStatus)]
    pub status: Patch<String>,
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
