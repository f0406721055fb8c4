//! Field reports sent by field officers' phones: each kind with its own payload, typed here so a
//! report is valid by construction, and reviewed by UNODC.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::change::RowMeta;
use crate::value::{Code, Count, CountryCode, District, Location, Narrative};
use crate::wire_enum::wire_enum;
use crate::{ActivityId, ValueError, Violations};

wire_enum! {
    /// What a field report is about.
    pub enum FieldReportKind {
        /// How an activity went, seen on the spot.
        ActivityMonitoring => "activity_monitoring",
        /// A presumed victim of trafficking identified (no identifying data: a pseudonymous profile).
        VictimIdentification => "victim_identification",
        /// A person referred to a service.
        Referral => "referral",
        /// An incident.
        Incident => "incident",
        /// What was seen at a border crossing.
        BorderObservation => "border_observation",
    }
}

wire_enum! {
    /// Where a report stands in UNODC's review.
    pub enum ReviewStatus {
        /// Received, not reviewed yet.
        Submitted => "submitted",
        /// Checked and accepted.
        Verified => "verified",
        /// Refused, with a reason.
        Rejected => "rejected",
    }
}

wire_enum! {
    /// Sex, as recorded by HTCDS.
    pub enum Sex {
        /// Female.
        Female => "female",
        /// Male.
        Male => "male",
        /// Other.
        Other => "other",
        /// Not known.
        Unknown => "unknown",
    }
}

wire_enum! {
    /// Age band, never a birth date.
    pub enum AgeBand {
        /// 0 to 11.
        Child => "0_11",
        /// 12 to 17.
        Adolescent => "12_17",
        /// 18 to 25.
        YoungAdult => "18_25",
        /// 26 to 40.
        Adult => "26_40",
        /// 41 and over.
        Older => "41_plus",
        /// Not known.
        Unknown => "unknown",
    }
}

wire_enum! {
    /// Type of exploitation, after HTCDS.
    pub enum Exploitation {
        /// Sexual exploitation.
        Sexual => "sexual",
        /// Forced labour.
        Labour => "labour",
        /// Domestic servitude.
        DomesticServitude => "domestic_servitude",
        /// Forced marriage.
        ForcedMarriage => "forced_marriage",
        /// Forced criminal activity.
        ForcedCriminality => "forced_criminality",
        /// Removal of organs.
        OrganRemoval => "organ_removal",
        /// Another type.
        Other => "other",
        /// Not known yet.
        Unknown => "unknown",
    }
}

wire_enum! {
    /// A service a person is referred to.
    pub enum Service {
        /// Shelter.
        Shelter => "shelter",
        /// Medical care.
        Medical => "medical",
        /// Legal aid.
        Legal => "legal",
        /// Return home.
        Repatriation => "repatriation",
        /// Psychosocial support.
        Psychosocial => "psychosocial",
    }
}

wire_enum! {
    /// Which way people crossed.
    pub enum Direction {
        /// Into the country.
        Inbound => "inbound",
        /// Out of the country.
        Outbound => "outbound",
    }
}

/// The payload of a report, one shape per kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    /// How an activity went.
    ActivityMonitoring {
        /// People present.
        attendance: Count,
        /// What was seen.
        observations: Narrative,
    },
    /// A presumed victim's pseudonymous profile.
    VictimIdentification {
        /// Sex.
        sex: Sex,
        /// Age band.
        age_band: AgeBand,
        /// Citizenship.
        citizenship: CountryCode,
        /// Type of exploitation.
        exploitation: Exploitation,
    },
    /// A referral to a service.
    Referral {
        /// The service.
        service: Service,
        /// The organization referred to.
        to_organization: Code,
    },
    /// An incident.
    Incident {
        /// People involved.
        persons_involved: Count,
    },
    /// A border observation.
    BorderObservation {
        /// The crossing point.
        crossing_point: Location,
        /// Which way.
        direction: Direction,
        /// People seen crossing.
        persons_observed: Count,
        /// Whether smuggling of migrants is suspected.
        suspected_smuggling: bool,
    },
}

/// A payload as it travels (JSON from the phone, and as stored): raw values, parsed into a
/// [`Payload`] with every field's error reported at once.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum PayloadInput {
    /// How an activity went.
    ActivityMonitoring {
        /// People present.
        attendance: i64,
        /// What was seen.
        observations: String,
    },
    /// A presumed victim's pseudonymous profile: no name, no birth date, no contact.
    VictimIdentification {
        /// `female`, `male`, `other`, `unknown`.
        sex: String,
        /// `0_11`, `12_17`, `18_25`, `26_40`, `41_plus`, `unknown`.
        age_band: String,
        /// ISO 3166-1 alpha-3.
        citizenship: String,
        /// Type of exploitation (HTCDS).
        exploitation: String,
    },
    /// A referral to a service.
    Referral {
        /// `shelter`, `medical`, `legal`, `repatriation`, `psychosocial`.
        service: String,
        /// The code of the organization referred to.
        to_organization: String,
    },
    /// An incident.
    Incident {
        /// People involved.
        persons_involved: i64,
    },
    /// A border observation.
    BorderObservation {
        /// The crossing point.
        crossing_point: String,
        /// `inbound` or `outbound`.
        direction: String,
        /// People seen crossing.
        persons_observed: i64,
        /// Whether smuggling of migrants is suspected.
        suspected_smuggling: bool,
    },
}

impl PayloadInput {
    /// Parses the payload; errors name the field as `payload.<field>`.
    pub fn parse(&self) -> Result<Payload, Violations> {
        let mut v = Violations::default();
        let payload = match self {
            Self::ActivityMonitoring {
                attendance,
                observations,
            } => {
                let attendance = v.check("payload.attendance", Count::parse(*attendance));
                let observations = v.check("payload.observations", Narrative::parse(observations));
                attendance
                    .zip(observations)
                    .map(|(attendance, observations)| Payload::ActivityMonitoring {
                        attendance,
                        observations,
                    })
            }
            Self::VictimIdentification {
                sex,
                age_band,
                citizenship,
                exploitation,
            } => {
                let sex = v.check("payload.sex", sex.parse());
                let age_band = v.check("payload.age_band", age_band.parse());
                let citizenship = v.check("payload.citizenship", CountryCode::parse(citizenship));
                let exploitation = v.check("payload.exploitation", exploitation.parse());
                match (sex, age_band, citizenship, exploitation) {
                    (Some(sex), Some(age_band), Some(citizenship), Some(exploitation)) => {
                        Some(Payload::VictimIdentification {
                            sex,
                            age_band,
                            citizenship,
                            exploitation,
                        })
                    }
                    _ => None,
                }
            }
            Self::Referral {
                service,
                to_organization,
            } => {
                let service = v.check("payload.service", service.parse());
                let to_organization =
                    v.check("payload.to_organization", Code::parse(to_organization));
                service
                    .zip(to_organization)
                    .map(|(service, to_organization)| Payload::Referral {
                        service,
                        to_organization,
                    })
            }
            Self::Incident { persons_involved } => v
                .check("payload.persons_involved", Count::parse(*persons_involved))
                .map(|persons_involved| Payload::Incident { persons_involved }),
            Self::BorderObservation {
                crossing_point,
                direction,
                persons_observed,
                suspected_smuggling,
            } => {
                let crossing_point =
                    v.check("payload.crossing_point", Location::parse(crossing_point));
                let direction = v.check("payload.direction", direction.parse());
                let persons_observed =
                    v.check("payload.persons_observed", Count::parse(*persons_observed));
                match (crossing_point, direction, persons_observed) {
                    (Some(crossing_point), Some(direction), Some(persons_observed)) => {
                        Some(Payload::BorderObservation {
                            crossing_point,
                            direction,
                            persons_observed,
                            suspected_smuggling: *suspected_smuggling,
                        })
                    }
                    _ => None,
                }
            }
        };
        match payload {
            Some(payload) if v.is_empty() => Ok(payload),
            _ => Err(v),
        }
    }
}

impl From<&Payload> for PayloadInput {
    fn from(payload: &Payload) -> Self {
        let n = |c: &Count| i64::from(c.get());
        match payload {
            Payload::ActivityMonitoring {
                attendance,
                observations,
            } => Self::ActivityMonitoring {
                attendance: n(attendance),
                observations: observations.as_str().to_owned(),
            },
            Payload::VictimIdentification {
                sex,
                age_band,
                citizenship,
                exploitation,
            } => Self::VictimIdentification {
                sex: sex.as_str().to_owned(),
                age_band: age_band.as_str().to_owned(),
                citizenship: citizenship.as_str().to_owned(),
                exploitation: exploitation.as_str().to_owned(),
            },
            Payload::Referral {
                service,
                to_organization,
            } => Self::Referral {
                service: service.as_str().to_owned(),
                to_organization: to_organization.to_string(),
            },
            Payload::Incident { persons_involved } => Self::Incident {
                persons_involved: n(persons_involved),
            },
            Payload::BorderObservation {
                crossing_point,
                direction,
                persons_observed,
                suspected_smuggling,
            } => Self::BorderObservation {
                crossing_point: crossing_point.as_str().to_owned(),
                direction: direction.as_str().to_owned(),
                persons_observed: n(persons_observed),
                suspected_smuggling: *suspected_smuggling,
            },
        }
    }
}

impl Payload {
    /// The kind this payload belongs to.
    pub fn kind(&self) -> FieldReportKind {
        match self {
            Self::ActivityMonitoring { .. } => FieldReportKind::ActivityMonitoring,
            Self::VictimIdentification { .. } => FieldReportKind::VictimIdentification,
            Self::Referral { .. } => FieldReportKind::Referral,
            Self::Incident { .. } => FieldReportKind::Incident,
            Self::BorderObservation { .. } => FieldReportKind::BorderObservation,
        }
    }
}

/// A position from the phone's GPS.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gps {
    latitude: f64,
    longitude: f64,
    accuracy_m: f64,
}

impl Gps {
    /// Refuses positions off the globe and accuracies that are negative or absurd.
    pub fn new(latitude: f64, longitude: f64, accuracy_m: f64) -> Result<Self, ValueError> {
        if !(-90.0..=90.0).contains(&latitude) || !(-180.0..=180.0).contains(&longitude) {
            return Err(ValueError::new(
                "invalid_position",
                "latitude must be within ±90 and longitude within ±180",
            ));
        }
        if !(0.0..=100_000.0).contains(&accuracy_m) {
            return Err(ValueError::new(
                "invalid_accuracy",
                "accuracy must be between 0 and 100000 metres",
            ));
        }
        Ok(Self {
            latitude,
            longitude,
            accuracy_m,
        })
    }

    /// Degrees north.
    pub fn latitude(&self) -> f64 {
        self.latitude
    }

    /// Degrees east.
    pub fn longitude(&self) -> f64 {
        self.longitude
    }

    /// Accuracy in metres.
    pub fn accuracy_m(&self) -> f64 {
        self.accuracy_m
    }
}

/// A report's id as the phone draws it: a random UUID, version 4 (122 random bits) or 7 (a time
/// and 74 random bits). Ids are global and a report sent under a taken id is refused, so whoever
/// sends one learns whether it is taken; random ids make that worthless, as no one can find an
/// id they have not been shown. Ids of other versions (names hashed, MAC addresses, counters)
/// could be guessed and are refused.
pub fn report_id(id: Uuid) -> Result<Uuid, ValueError> {
    match id.get_version_num() {
        4 | 7 => Ok(id),
        _ => Err(ValueError::new(
            "not_random",
            "must be a random UUID (version 4 or 7)",
        )),
    }
}

/// A report as the phone sends it, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct NewFieldReport {
    /// The id the phone chose (a UUID): a resend with the same id is the same report.
    pub id: Uuid,
    /// When it happened (the phone's clock).
    pub occurred_at: DateTime<Utc>,
    /// Where.
    pub district: District,
    /// Where exactly.
    pub gps: Option<Gps>,
    /// The activity it concerns.
    pub activity_id: Option<ActivityId>,
    /// What the officer writes.
    pub narrative: Option<Narrative>,
    /// What was reported, by kind.
    pub payload: Payload,
}

/// A stored report.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldReport {
    /// What was sent.
    pub report: NewFieldReport,
    /// When the server received it.
    pub received_at: DateTime<Utc>,
    /// Who sent it (the token's subject).
    pub reporter: String,
    /// Their organization.
    pub organization: Code,
    /// Where it stands in review.
    pub review: ReviewStatus,
    /// Why it was rejected.
    pub review_reason: Option<Narrative>,
    /// Bookkeeping.
    pub meta: RowMeta,
}

/// A review decision.
#[derive(Debug, Clone, PartialEq)]
pub enum Review {
    /// Accepted.
    Verify,
    /// Refused, with the reason the officer will see.
    Reject(Narrative),
}

/// The media types attachments may have, told by their content, never by what the client says:
/// JPEG and PNG photos, PDF documents.
pub fn sniff_media_type(content: &[u8]) -> Option<&'static str> {
    if content.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if content.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else if content.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_ids_are_random_uuids() {
        assert!(report_id(Uuid::new_v4()).is_ok());
        assert!(report_id(Uuid::now_v7()).is_ok());
        assert_eq!(report_id(Uuid::nil()).unwrap_err().code, "not_random");
        let by_name = Uuid::parse_str("886313e1-3b8a-5372-9b90-0c9aee199e5d").unwrap();
        assert_eq!(report_id(by_name).unwrap_err().code, "not_random");
    }

    #[test]
    fn media_types_are_told_by_content() {
        assert_eq!(
            sniff_media_type(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]),
            Some("image/jpeg")
        );
        assert_eq!(
            sniff_media_type(b"\x89PNG\r\n\x1a\n...."),
            Some("image/png")
        );
        assert_eq!(sniff_media_type(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(sniff_media_type(b"MZ\x90\x00 an executable"), None);
        assert_eq!(sniff_media_type(b"<html>"), None);
        assert_eq!(sniff_media_type(b""), None);
    }

    #[test]
    fn payloads_parse_with_every_error_named() {
        let input = PayloadInput::VictimIdentification {
            sex: "f".into(),
            age_band: "18_25".into(),
            citizenship: "XXX".into(),
            exploitation: "labour".into(),
        };
        let errors = input.parse().err().map(|v| {
            v.errors()
                .iter()
                .map(|e| e.field.clone())
                .collect::<Vec<_>>()
        });
        assert_eq!(
            errors,
            Some(vec![
                "payload.sex".to_owned(),
                "payload.citizenship".to_owned()
            ])
        );
        let input = PayloadInput::Incident {
            persons_involved: 3,
        };
        let payload = input.parse().ok();
        assert_eq!(
            payload.as_ref().map(Payload::kind),
            Some(FieldReportKind::Incident)
        );
        assert_eq!(payload.as_ref().map(PayloadInput::from), Some(input));
    }
}
