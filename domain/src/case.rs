//! Victim-assistance cases, aligned with IOM's Human Trafficking Case Data Standard (HTCDS).
//!
//! A case is a pseudonymous profile (sex, age band, citizenship), what happened (exploitation,
//! means of control, recruitment, trafficking events), the referrals between organizations that
//! assist the person, and where the case stands. Who the person is — names, contacts, birth
//! date — is an [`Identity`], kept apart, stored only with the person's consent and shown only to
//! callers the policy allows (see [`crate::policy::Resource::CaseIdentity`]).

use std::collections::BTreeSet;

use chrono::NaiveDate;
use uuid::Uuid;

use crate::change::RowMeta;
use crate::field_report::{AgeBand, Exploitation, Service, Sex};
use crate::value::{Code, CountryCode, District, Location, Narrative, Title};
use crate::wire_enum::wire_enum;
use crate::{ValueError, Violations};

wire_enum! {
    /// Where a case stands.
    pub enum CaseStatus {
        /// Assistance under way.
        Active => "active",
        /// Assistance given; the person is followed up.
        FollowUp => "follow_up",
        /// Closed.
        Closed => "closed",
        /// Closed here, the person referred on for good.
        ClosedReferred => "closed_referred",
    }
}

wire_enum! {
    /// How the person was controlled (HTCDS means of control).
    pub enum MeansOfControl {
        /// Threats against the person or the family.
        Threats => "threats",
        /// Physical violence.
        PhysicalViolence => "physical_violence",
        /// Sexual violence.
        SexualViolence => "sexual_violence",
        /// Psychological abuse.
        PsychologicalAbuse => "psychological_abuse",
        /// Debt bondage.
        DebtBondage => "debt_bondage",
        /// Identity or travel documents withheld.
        WithheldDocuments => "withheld_documents",
        /// Wages withheld.
        WithheldWages => "withheld_wages",
        /// Movement restricted.
        RestrictedMovement => "restricted_movement",
        /// Drugs or alcohol forced or exploited.
        Substances => "substances",
        /// False promises.
        FalsePromises => "false_promises",
        /// Another means.
        Other => "other",
    }
}

wire_enum! {
    /// How the person was recruited (HTCDS).
    pub enum RecruitmentMethod {
        /// An offer of work.
        JobOffer => "job_offer",
        /// An offer of marriage.
        MarriageOffer => "marriage_offer",
        /// An offer of education.
        EducationOffer => "education_offer",
        /// An offer of travel or migration.
        TravelOffer => "travel_offer",
        /// Taken by force.
        Abduction => "abduction",
        /// Sold by the family.
        SoldByFamily => "sold_by_family",
        /// Another way.
        Other => "other",
        /// Not known.
        Unknown => "unknown",
    }
}

wire_enum! {
    /// Who the recruiter was to the person.
    pub enum RecruiterRelation {
        /// Family.
        Family => "family",
        /// An intimate partner.
        IntimatePartner => "intimate_partner",
        /// A friend or acquaintance.
        Friend => "friend",
        /// An employer.
        Employer => "employer",
        /// A recruitment agent or broker.
        Agent => "agent",
        /// A stranger.
        Stranger => "stranger",
        /// Someone else.
        Other => "other",
        /// Not known.
        Unknown => "unknown",
    }
}

wire_enum! {
    /// The stage of trafficking an event belongs to.
    pub enum EventStage {
        /// Where the person was recruited.
        Recruitment => "recruitment",
        /// Where the person was moved through.
        Transit => "transit",
        /// Where the person was exploited.
        Exploitation => "exploitation",
    }
}

wire_enum! {
    /// Where a referral stands.
    pub enum ReferralStatus {
        /// Made, not answered yet.
        Proposed => "proposed",
        /// Taken up by the receiving organization.
        Accepted => "accepted",
        /// Refused by the receiving organization.
        Declined => "declined",
        /// The service was given.
        Completed => "completed",
    }
}

impl ReferralStatus {
    /// Whether a referral in this status may move to `next`: a proposal is accepted or declined,
    /// an accepted referral is completed (or declined after all); declined and completed ones
    /// are settled.
    pub fn may_become(self, next: ReferralStatus) -> bool {
        use ReferralStatus::*;
        matches!(
            (self, next),
            (Proposed, Accepted | Declined) | (Accepted, Completed | Declined)
        )
    }

    /// Whether a referral in this status moves when asked to become `next`: `false` for a
    /// retried change (already `next`), an error when the move isn't allowed.
    pub fn moves_to(self, next: ReferralStatus) -> Result<bool, ValueError> {
        if self == next {
            return Ok(false);
        }
        if !self.may_become(next) {
            return Err(ValueError::new(
                "invalid_transition",
                format!("the referral is {self}; it can't become {next}"),
            ));
        }
        Ok(true)
    }
}

/// Identifies a [`Case`].
pub type CaseId = Uuid;

/// The pseudonymous profile of the person: nothing here identifies anyone on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject {
    /// Sex.
    pub sex: Sex,
    /// Age band at identification.
    pub age_band: AgeBand,
    /// Citizenship (ISO 3166-1 alpha-3).
    pub citizenship: CountryCode,
}

/// How the person was recruited, and by whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recruitment {
    /// How.
    pub method: RecruitmentMethod,
    /// Who the recruiter was to the person.
    pub recruiter_relation: RecruiterRelation,
}

/// One step of what happened: where (and when, if known) the person was recruited, moved or
/// exploited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraffickingEvent {
    /// Which stage.
    pub stage: EventStage,
    /// The place, e.g. a town.
    pub place: Location,
    /// The country of the place: an assigned ISO 3166-1 alpha-3 code, e.g. `MYS`.
    pub country: CountryCode,
    /// When, if known.
    pub occurred_on: Option<NaiveDate>,
}

/// A referral to be made: the referring organization is always the caller's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReferral {
    /// The organization referred to.
    pub to_organization: Code,
    /// The service asked for.
    pub service: Service,
    /// A note for the receiving organization (no identifying details).
    pub note: Option<Narrative>,
}

impl NewReferral {
    /// Refuses a referral of `from` to itself.
    pub fn check_from(&self, from: &Code) -> Result<(), ValueError> {
        if &self.to_organization == from {
            return Err(ValueError::new(
                "referral_to_itself",
                "an organization does not refer to itself",
            ));
        }
        Ok(())
    }
}

/// A referral as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referral {
    /// Chosen by the server when the referral is made (a UUIDv7).
    pub id: Uuid,
    /// The referring organization.
    pub from_organization: Code,
    /// The organization referred to.
    pub to_organization: Code,
    /// The service asked for.
    pub service: Service,
    /// Where it stands.
    pub status: ReferralStatus,
    /// A note for the receiving organization.
    pub note: Option<Narrative>,
    /// Who made it (token subject).
    pub referred_by: String,
    /// When it was made.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// When its status last changed.
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// Who the person is. Stored only with consent, encrypted at rest, and read only by roles with
/// the `pii` scope, each read on the record. Its `Debug` names the fields given, never their
/// values, so no log line or panic message can carry them.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Identity {
    /// Given name(s).
    pub given_name: Option<Title>,
    /// Family name.
    pub family_name: Option<Title>,
    /// Other names the person is known by.
    pub other_names: Option<Title>,
    /// Birth date.
    pub birth_date: Option<NaiveDate>,
    /// Phone number.
    pub phone: Option<Phone>,
    /// E-mail address.
    pub email: Option<Email>,
    /// Postal address or whereabouts.
    pub address: Option<Narrative>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let given = [
            ("given_name", self.given_name.is_some()),
            ("family_name", self.family_name.is_some()),
            ("other_names", self.other_names.is_some()),
            ("birth_date", self.birth_date.is_some()),
            ("phone", self.phone.is_some()),
            ("email", self.email.is_some()),
            ("address", self.address.is_some()),
        ];
        let names: Vec<&str> = given
            .iter()
            .filter_map(|(name, set)| set.then_some(*name))
            .collect();
        write!(f, "Identity({} redacted)", names.join(", "))
    }
}

impl Identity {
    /// Whether it holds nothing at all.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A phone number: digits with an optional leading `+`, spaces, dashes, dots and brackets; 5 to
/// 20 digits.
#[derive(Clone, PartialEq, Eq)]
pub struct Phone(String);

impl std::fmt::Debug for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Phone(redacted)")
    }
}

impl Phone {
    /// Parses a phone number.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let text = raw.trim();
        let digits = text.chars().filter(char::is_ascii_digit).count();
        let allowed = text.chars().enumerate().all(|(i, c)| {
            c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')') || (c == '+' && i == 0)
        });
        if !allowed || !(5..=20).contains(&digits) || text.len() > 32 {
            return Err(ValueError::new(
                "invalid_phone",
                "must be a phone number: 5 to 20 digits, optionally with +, spaces, dashes, dots or brackets",
            ));
        }
        Ok(Self(text.to_owned()))
    }

    /// The number as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An e-mail address, checked loosely: one `@`, something on both sides, no spaces, at most 254
/// characters.
#[derive(Clone, PartialEq, Eq)]
pub struct Email(String);

impl std::fmt::Debug for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Email(redacted)")
    }
}

impl Email {
    /// Parses an e-mail address.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let text = raw.trim();
        let well_formed = match text.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
            }
            None => false,
        };
        if !well_formed
            || text.len() > 254
            || text.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(ValueError::new(
                "invalid_email",
                "must be an e-mail address",
            ));
        }
        Ok(Self(text.to_owned()))
    }

    /// The address as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether the person agreed that their personal data be managed. Without it no identifying
/// field is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Consent(pub bool);

/// A new case, parsed and checked as a whole.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCase {
    /// The day the person was identified as a presumed victim.
    pub identified_on: NaiveDate,
    /// Where.
    pub district: District,
    /// The pseudonymous profile.
    pub subject: Subject,
    /// The main type of exploitation.
    pub exploitation: Exploitation,
    /// How the person was controlled.
    pub means_of_control: BTreeSet<MeansOfControl>,
    /// How the person was recruited.
    pub recruitment: Recruitment,
    /// What happened where, in order.
    pub events: Vec<TraffickingEvent>,
    /// Consent to manage personal data.
    pub consent: Consent,
    /// Where the case stands.
    pub status: CaseStatus,
    /// Referrals made with the case.
    pub referrals: Vec<NewReferral>,
    /// Who the person is, when they consented and the caller may record it.
    pub identity: Option<Identity>,
}

/// Most trafficking events a case holds.
pub const MAX_EVENTS: usize = 50;

/// Most referrals made with a new case.
pub const MAX_REFERRALS: usize = 20;

impl NewCase {
    /// Checks the rules that span fields: no identity without consent, not too many events.
    pub fn check(self) -> Result<Self, Violations> {
        let mut v = Violations::default();
        check_identity_consent(&mut v, self.consent, self.identity.as_ref());
        if self.events.len() > MAX_EVENTS {
            v.add(
                "events",
                ValueError::new("too_many", format!("at most {MAX_EVENTS} events")),
            );
        }
        if self.referrals.len() > MAX_REFERRALS {
            v.add(
                "referrals",
                ValueError::new("too_many", format!("at most {MAX_REFERRALS} referrals")),
            );
        }
        v.into_result().map(|()| self)
    }
}

fn check_identity_consent(v: &mut Violations, consent: Consent, identity: Option<&Identity>) {
    match identity {
        Some(_) if !consent.0 => v.add(
            "identity",
            ValueError::new(
                "consent_required",
                "identifying fields are stored only with the person's consent",
            ),
        ),
        Some(identity) if identity.is_empty() => v.add(
            "identity",
            ValueError::new(
                "empty",
                "give at least one identifying field, or none at all",
            ),
        ),
        _ => {}
    }
}

/// A case as stored (never with its identity: that is read apart, by those allowed).
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// Chosen by the server when the case is opened (a UUIDv7, so id order is the order cases were
    /// opened).
    pub id: CaseId,
    /// The organization managing it.
    pub organization: Code,
    /// Who opened it (token subject).
    pub opened_by: String,
    /// The day the person was identified.
    pub identified_on: NaiveDate,
    /// Where.
    pub district: District,
    /// The pseudonymous profile.
    pub subject: Subject,
    /// The main type of exploitation.
    pub exploitation: Exploitation,
    /// How the person was controlled.
    pub means_of_control: BTreeSet<MeansOfControl>,
    /// How the person was recruited.
    pub recruitment: Recruitment,
    /// What happened where, in order.
    pub events: Vec<TraffickingEvent>,
    /// Consent to manage personal data.
    pub consent: Consent,
    /// Where the case stands.
    pub status: CaseStatus,
    /// The referrals, oldest first.
    pub referrals: Vec<Referral>,
    /// Whether identifying fields are stored.
    pub has_identity: bool,
    /// Bookkeeping.
    pub meta: RowMeta,
}

impl Case {
    /// Refuses to store an identity for a case whose person has not consented.
    pub fn check_may_hold_identity(&self) -> Result<(), ValueError> {
        if !self.consent.0 {
            return Err(ValueError::new(
                "consent_required",
                "identifying fields are stored only with the person's consent",
            ));
        }
        Ok(())
    }
}

/// Changes to a case: only what is `Some` changes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CaseChanges {
    /// New day of identification.
    pub identified_on: Option<NaiveDate>,
    /// New district.
    pub district: Option<District>,
    /// New sex.
    pub sex: Option<Sex>,
    /// New age band.
    pub age_band: Option<AgeBand>,
    /// New citizenship.
    pub citizenship: Option<CountryCode>,
    /// New main type of exploitation.
    pub exploitation: Option<Exploitation>,
    /// New means of control (the whole set).
    pub means_of_control: Option<BTreeSet<MeansOfControl>>,
    /// New recruitment method.
    pub recruitment: Option<RecruitmentMethod>,
    /// New recruiter relation.
    pub recruiter_relation: Option<RecruiterRelation>,
    /// New events (the whole list).
    pub events: Option<Vec<TraffickingEvent>>,
    /// New consent. Withdrawing it erases the stored identity.
    pub consent: Option<Consent>,
    /// New status.
    pub status: Option<CaseStatus>,
}

impl CaseChanges {
    /// Checks the rules that span fields.
    pub fn check(self) -> Result<Self, Violations> {
        if let Some(events) = &self.events
            && events.len() > MAX_EVENTS
        {
            return Err(Violations::single(
                "events",
                ValueError::new("too_many", format!("at most {MAX_EVENTS} events")),
            ));
        }
        Ok(self)
    }

    /// Whether nothing changes. An empty change writes nothing: the case is answered as it is,
    /// which makes it a read.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The names of the fields that change, for the audit trail.
    pub fn fields(&self) -> Vec<&'static str> {
        [
            ("identified_on", self.identified_on.is_some()),
            ("district", self.district.is_some()),
            ("sex", self.sex.is_some()),
            ("age_band", self.age_band.is_some()),
            ("citizenship", self.citizenship.is_some()),
            ("exploitation", self.exploitation.is_some()),
            ("means_of_control", self.means_of_control.is_some()),
            ("recruitment", self.recruitment.is_some()),
            ("recruiter_relation", self.recruiter_relation.is_some()),
            ("events", self.events.is_some()),
            ("consent", self.consent.is_some()),
            ("status", self.status.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, changed)| changed.then_some(name))
        .collect()
    }
}

/// An identity that holds at least one field (consent is checked against the stored case).
pub fn check_not_empty(identity: Identity) -> Result<Identity, Violations> {
    if identity.is_empty() {
        return Err(Violations::single(
            "identity",
            ValueError::new("empty", "give at least one identifying field"),
        ));
    }
    Ok(identity)
}

/// The identity to store for a case, checked against its consent.
pub fn check_identity(consent: Consent, identity: Identity) -> Result<Identity, Violations> {
    let mut v = Violations::default();
    check_identity_consent(&mut v, consent, Some(&identity));
    v.into_result().map(|()| identity)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_are_the_same_in_json_and_in_text() {
        for band in AgeBand::ALL {
            let json = serde_json::to_value(band).unwrap();
            assert_eq!(json, band.as_str(), "{band:?}");
            assert_eq!(serde_json::from_value::<AgeBand>(json).unwrap(), *band);
        }
        for status in CaseStatus::ALL {
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
        assert_eq!(serde_json::to_value(AgeBand::YoungAdult).unwrap(), "18_25");
    }

    #[test]
    fn phones_and_emails_are_checked() {
        assert!(Phone::parse("+880 1711-000000").is_ok());
        assert!(Phone::parse("(02) 955 1234").is_ok());
        assert!(Phone::parse("12a45678").is_err());
        assert!(Phone::parse("123").is_err());
        assert!(Phone::parse("1+2345678").is_err());
        assert!(Email::parse("case.worker@iom.int").is_ok());
        assert!(Email::parse("no-at-sign.org").is_err());
        assert!(Email::parse("a@b").is_err());
        assert!(Email::parse("a b@c.org").is_err());
    }

    #[test]
    fn a_retried_move_changes_nothing_and_a_backward_one_is_refused() {
        use ReferralStatus::*;
        assert_eq!(Proposed.moves_to(Accepted), Ok(true));
        assert_eq!(Accepted.moves_to(Accepted), Ok(false));
        assert_eq!(
            Completed.moves_to(Proposed).map_err(|e| e.code),
            Err("invalid_transition")
        );
    }

    #[test]
    fn an_organization_does_not_refer_to_itself() {
        let referral = NewReferral {
            to_organization: Code::parse("IOM-BGD").unwrap(),
            service: Service::Shelter,
            note: None,
        };
        assert_eq!(
            referral
                .check_from(&Code::parse("IOM-BGD").unwrap())
                .map_err(|e| e.code),
            Err("referral_to_itself")
        );
        assert!(
            referral
                .check_from(&Code::parse("UNODC-BGD").unwrap())
                .is_ok()
        );
    }

    #[test]
    fn referrals_move_forward_only() {
        use ReferralStatus::*;
        assert!(Proposed.may_become(Accepted));
        assert!(Accepted.may_become(Completed));
        assert!(!Completed.may_become(Proposed));
        assert!(!Declined.may_become(Completed));
        assert!(!Proposed.may_become(Proposed));
    }

    #[test]
    fn identities_never_print_their_values() {
        let identity = Identity {
            family_name: Some(Title::parse("Rahmanova").unwrap()),
            phone: Some(Phone::parse("+880 1711-555123").unwrap()),
            ..Identity::default()
        };
        let printed = format!("{identity:?}");
        assert!(
            !printed.contains("Rahmanova") && !printed.contains("555"),
            "{printed}"
        );
        assert!(printed.contains("family_name"));
    }

    #[test]
    fn identity_needs_consent_and_content() {
        let name = Identity {
            given_name: Some(Title::parse("Amina").unwrap()),
            ..Identity::default()
        };
        assert!(check_identity(Consent(true), name.clone()).is_ok());
        let refused = check_identity(Consent(false), name).unwrap_err();
        assert_eq!(refused.errors()[0].code, "consent_required");
        let empty = check_identity(Consent(true), Identity::default()).unwrap_err();
        assert_eq!(empty.errors()[0].code, "empty");
    }
}
