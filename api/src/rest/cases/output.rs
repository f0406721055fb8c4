//! What cases look like in answers. The event, recruitment and identity shapes are the ones
//! clients send (see [`crate::input::cases`]).

use chrono::{DateTime, NaiveDate, Utc};
use gloact_domain::case::{Case, CaseStatus, MeansOfControl, Referral, ReferralStatus};
use gloact_domain::field_report::{AgeBand, Exploitation, Service, Sex};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::input::cases::{EventDto, RecruitmentDto};

/// A referral of the person to another organization.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Referral)]
pub struct ReferralDto {
    /// Chosen by the server when the referral is made (a UUIDv7): the `referral_id` of `PATCH
    /// /cases/{id}/referrals/{referral_id}`.
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

/// A victim-assistance case: a pseudonymous profile, what happened, and the referrals. Never who
/// the person is: that is `/cases/{id}/identity`, for those allowed.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Case)]
pub struct CaseDto {
    /// Chosen by the server when the case is opened (a UUIDv7, so id order is the order cases were
    /// opened).
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
