//! What field officers' phones send (a report, in a batch or alone) and UNODC's review of it, and
//! their parsing into domain values.

use chrono::{DateTime, Utc};
use gloact_domain::field_report::{
    Gps, NewFieldReport, PayloadInput, Review, ReviewStatus, report_id,
};
use gloact_domain::value::{District, Narrative};
use gloact_domain::{ActivityId, ValueError, Violations};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::input::fields::{check_opt, check_time};

/// A position from the phone's GPS.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GpsDto {
    /// Degrees north, -90 to 90.
    #[schema(example = 21.4272)]
    pub latitude: f64,
    /// Degrees east, -180 to 180.
    #[schema(example = 92.0058)]
    pub longitude: f64,
    /// Accuracy in metres.
    #[schema(example = 12.0)]
    pub accuracy_m: f64,
}

/// A report as the phone sends it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewFieldReport)]
pub struct NewFieldReportDto {
    /// The id the phone chose: a random UUID (version 4 or 7). Resending the same report with the
    /// same id is safe: it is stored once. Another report under the same id, from this or any
    /// other organization, is `409 report_id_reused`, which names no one.
    pub id: Uuid,
    /// When it happened, by the phone's clock (RFC 3339); not more than 5 minutes ahead of ours.
    pub occurred_at: DateTime<Utc>,
    /// Where.
    #[schema(example = "Cox's Bazar")]
    pub district: String,
    /// Where exactly.
    pub gps: Option<GpsDto>,
    /// The activity it concerns, when it concerns one the officer's organization may see.
    pub activity_id: Option<Uuid>,
    /// What the officer writes.
    pub narrative: Option<String>,
    /// What was reported; `kind` says which shape.
    pub payload: PayloadInput,
}

/// How far ahead of the server's clock a phone's clock may be.
const CLOCK_SKEW: chrono::Duration = chrono::Duration::minutes(5);

impl TryFrom<NewFieldReportDto> for NewFieldReport {
    type Error = Violations;

    fn try_from(dto: NewFieldReportDto) -> Result<Self, Violations> {
        let mut v = Violations::default();
        let id = v.check("id", report_id(dto.id));
        if dto.occurred_at > Utc::now() + CLOCK_SKEW {
            v.add(
                "occurred_at",
                ValueError::new("in_future", "must not be in the future"),
            );
        } else {
            v.check("occurred_at", check_time(dto.occurred_at));
        }
        let district = v.check("district", District::parse(&dto.district));
        let gps = match &dto.gps {
            Some(g) => v.check("gps", Gps::new(g.latitude, g.longitude, g.accuracy_m)),
            None => None,
        };
        let narrative = check_opt(
            &mut v,
            "narrative",
            dto.narrative.as_deref(),
            Narrative::parse,
        );
        let payload = match dto.payload.parse() {
            Ok(payload) => Some(payload),
            Err(errors) => {
                for e in errors.errors() {
                    v.add(
                        &e.field,
                        ValueError::new("invalid_value", e.message.clone()),
                    );
                }
                None
            }
        };
        match (id, district, payload) {
            (Some(id), Some(district), Some(payload)) if v.is_empty() => Ok(NewFieldReport {
                id,
                occurred_at: dto.occurred_at,
                district,
                gps,
                activity_id: dto.activity_id.map(ActivityId),
                narrative,
                payload,
            }),
            _ => Err(v),
        }
    }
}

/// UNODC's decision on a report.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewDto {
    /// `verified` or `rejected`.
    #[schema(value_type = ReviewStatus)]
    pub decision: String,
    /// Why it is rejected (required for `rejected`; the officer sees it).
    pub reason: Option<String>,
}

impl TryFrom<ReviewDto> for Review {
    type Error = Violations;

    fn try_from(dto: ReviewDto) -> Result<Self, Violations> {
        match (dto.decision.as_str(), dto.reason.as_deref()) {
            ("verified", None) => Ok(Review::Verify),
            ("verified", Some(_)) => Err(Violations::single(
                "reason",
                ValueError::new("unexpected", "only a rejection has a reason"),
            )),
            ("rejected", Some(reason)) => Narrative::parse(reason)
                .map(Review::Reject)
                .map_err(|e| Violations::single("reason", e)),
            ("rejected", None) => Err(Violations::single(
                "reason",
                ValueError::new("required", "a rejection needs a reason"),
            )),
            _ => Err(Violations::single(
                "decision",
                ValueError::new("invalid_value", "must be verified or rejected"),
            )),
        }
    }
}
