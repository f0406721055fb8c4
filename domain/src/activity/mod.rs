//! Activities of the work plan, the organizations taking part, and their objectives.

mod headcount;
mod patch;

pub use headcount::{Headcount, HeadcountPatch, ParticipantCounts};
pub use patch::{ActivityChanges, ActivityPatch};

use crate::ValueError;
use crate::change::RowMeta;
use crate::id::{ActivityId, ObjectiveId, OrganizationId, ParticipationId, ProgrammeId};
use crate::value::{Code, DateSpan, District, Location, Narrative, Title};
use crate::wire_enum::wire_enum;

wire_enum! {
    /// What an activity is.
    pub enum ActivityKind {
        /// A national consultation, made of meetings.
        Consultation => "consultation",
        /// One meeting, often part of a consultation.
        Meeting => "meeting",
        /// A workshop, e.g. with criminal-justice actors.
        Workshop => "workshop",
        /// A training course.
        Training => "training",
        /// A workshop that validates a document such as a strategy.
        ValidationWorkshop => "validation_workshop",
        /// Research or an assessment.
        Study => "study",
        /// Review or drafting of legislation.
        LegislativeReview => "legislative_review",
        /// Awareness raising.
        Awareness => "awareness",
        /// Direct assistance to victims.
        Assistance => "assistance",
        /// Anything else.
        Other => "other",
    }
}

wire_enum! {
    /// The programme's pillar an activity serves.
    pub enum Pillar {
        /// Coordination and cooperation between counterparts.
        Coordination => "coordination",
        /// Evidence on trafficking and smuggling patterns and trends.
        ResearchEvidence => "research_evidence",
        /// Legislative review and harmonisation.
        LegislativeReview => "legislative_review",
        /// Capacity building of criminal-justice actors.
        CapacityBuilding => "capacity_building",
        /// Regional and international cooperation.
        InternationalCooperation => "international_cooperation",
        /// Protection and assistance of victims.
        VictimAssistance => "victim_assistance",
    }
}

wire_enum! {
    /// Where an activity stands.
    pub enum ActivityStatus {
        /// Not started.
        Planned => "planned",
        /// Under way.
        Ongoing => "ongoing",
        /// Done.
        Completed => "completed",
        /// Moved to a later date.
        Postponed => "postponed",
        /// Will not happen.
        Cancelled => "cancelled",
    }
}

impl ActivityStatus {
    /// Whether an activity may move from this status to `next`. Staying is always allowed; a
    /// completed activity stays completed; a cancelled one can only be planned again.
    pub fn may_become(self, next: ActivityStatus) -> bool {
        use ActivityStatus::*;
        self == next
            || match self {
                Planned => true,
                Ongoing => matches!(next, Completed | Postponed | Cancelled),
                Postponed => matches!(next, Planned | Ongoing | Cancelled),
                Cancelled => next == Planned,
                Completed => false,
            }
    }
}

wire_enum! {
    /// Who may see an activity.
    pub enum Visibility {
        /// Every role.
        Public => "public",
        /// UNODC, IOM, the EU and the organizations taking part.
        Restricted => "restricted",
    }
}

impl Visibility {
    /// Whether an activity of this visibility may be part of one of `parent`'s: a public part
    /// of a restricted activity would show the restricted one's id to everyone.
    pub fn may_be_part_of(self, parent: Visibility) -> bool {
        !(self == Visibility::Public && parent == Visibility::Restricted)
    }

    /// Whether an activity may have this visibility, given its parent's (if it is a part) and
    /// whether it has public parts: a restricted activity has no public part, so no public row
    /// names it.
    pub fn check_nesting(
        self,
        parent: Option<Visibility>,
        has_public_parts: bool,
    ) -> Result<(), ValueError> {
        if parent.is_some_and(|parent| !self.may_be_part_of(parent)) {
            return Err(ValueError::new(
                "public_part_of_restricted",
                "a public activity can't be part of a restricted one (its parent's id would show)",
            ));
        }
        if has_public_parts && !Visibility::Public.may_be_part_of(self) {
            return Err(ValueError::new(
                "has_public_parts",
                "restrict its public parts first: a public activity can't be part of a restricted one",
            ));
        }
        Ok(())
    }
}

wire_enum! {
    /// How an organization takes part in an activity: the IATI organisation roles plus the two
    /// roles of meetings.
    pub enum ParticipationRole {
        /// IATI 1: provides the funds.
        Funding => "funding",
        /// IATI 2: accountable for the activity.
        Accountable => "accountable",
        /// IATI 3: manages the funds on the funder's behalf.
        Extending => "extending",
        /// IATI 4: carries it out.
        Implementing => "implementing",
        /// Convenes the meeting or workshop.
        Organizer => "organizer",
        /// Attends.
        Participant => "participant",
    }
}

impl ParticipationRole {
    /// The IATI organisation-role code, for the roles IATI defines.
    pub const fn iati_code(self) -> Option<u8> {
        match self {
            Self::Funding => Some(1),
            Self::Accountable => Some(2),
            Self::Extending => Some(3),
            Self::Implementing => Some(4),
            Self::Organizer | Self::Participant => None,
        }
    }
}

/// An activity as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    /// Chosen by the server when the activity is created (a UUIDv7, so id order is creation order).
    pub id: ActivityId,
    /// The programme it belongs to.
    pub programme_id: ProgrammeId,
    /// The activity it is part of, e.g. the consultation of a meeting.
    pub parent_id: Option<ActivityId>,
    /// Its code, unique within the programme.
    pub code: Code,
    /// One line of at most 300 characters, trimmed; never blank.
    pub title: Title,
    /// What it is about.
    pub description: Option<Narrative>,
    /// What it is.
    pub kind: ActivityKind,
    /// The pillar it serves.
    pub pillar: Pillar,
    /// Where it stands.
    pub status: ActivityStatus,
    /// Who may see it.
    pub visibility: Visibility,
    /// When it was planned.
    pub planned: DateSpan,
    /// When it took place.
    pub actual: DateSpan,
    /// Where.
    pub location: Option<Location>,
    /// In which district.
    pub district: Option<District>,
    /// Who took part.
    pub participants: ParticipantCounts,
    /// Bookkeeping.
    pub meta: RowMeta,
}

/// An organization's part in an activity.
#[derive(Debug, Clone, PartialEq)]
pub struct Participation {
    /// Chosen by the server when its activity is created, with it (a UUIDv7).
    pub id: ParticipationId,
    /// The activity.
    pub activity_id: ActivityId,
    /// The organization.
    pub organization_id: OrganizationId,
    /// The organization's code.
    pub organization_code: Code,
    /// How it takes part.
    pub role: ParticipationRole,
    /// Bookkeeping.
    pub meta: RowMeta,
}

/// What an activity set out to do, and whether it did.
#[derive(Debug, Clone, PartialEq)]
pub struct Objective {
    /// Chosen by the server when its activity is created, with it (a UUIDv7).
    pub id: ObjectiveId,
    /// The activity.
    pub activity_id: ActivityId,
    /// The goal.
    pub description: Narrative,
    /// Whether it was reached.
    pub achieved: bool,
    /// What shows it.
    pub evidence: Option<Narrative>,
    /// Bookkeeping.
    pub meta: RowMeta,
}

/// An activity with what hangs off it: who takes part, its objectives, its follow-up actions.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityDetail {
    /// The activity.
    pub activity: Activity,
    /// The organizations taking part.
    pub participations: Vec<Participation>,
    /// What it set out to do.
    pub objectives: Vec<Objective>,
    /// What was agreed to do next.
    pub follow_ups: Vec<crate::follow_up::FollowUpAction>,
}

impl ActivityDetail {
    /// Whether the organization with this code implements the activity.
    pub fn implemented_by(&self, organization: &Code) -> bool {
        self.participations.iter().any(|p| {
            p.role == ParticipationRole::Implementing && &p.organization_code == organization
        })
    }
}

/// An organization taking part in a new activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewParticipation {
    /// The organization's code.
    pub organization: Code,
    /// How it takes part.
    pub role: ParticipationRole,
}

/// An objective of a new activity.
#[derive(Debug, Clone, PartialEq)]
pub struct NewObjective {
    /// The goal.
    pub description: Narrative,
    /// Whether it was reached.
    pub achieved: bool,
    /// What shows it.
    pub evidence: Option<Narrative>,
}

/// A new activity, parsed, with the organizations taking part and its objectives.
#[derive(Debug, Clone, PartialEq)]
pub struct NewActivity {
    /// The programme's code.
    pub programme: Code,
    /// The activity it is part of.
    pub parent_id: Option<ActivityId>,
    /// Its code, unique within the programme.
    pub code: Code,
    /// One line of at most 300 characters, trimmed; never blank.
    pub title: Title,
    /// What it is about.
    pub description: Option<Narrative>,
    /// What it is.
    pub kind: ActivityKind,
    /// The pillar it serves.
    pub pillar: Pillar,
    /// Where it stands.
    pub status: ActivityStatus,
    /// Who may see it.
    pub visibility: Visibility,
    /// When it was planned.
    pub planned: DateSpan,
    /// When it took place.
    pub actual: DateSpan,
    /// Where.
    pub location: Option<Location>,
    /// In which district.
    pub district: Option<District>,
    /// Who took part.
    pub participants: ParticipantCounts,
    /// The organizations taking part.
    pub participations: Vec<NewParticipation>,
    /// What it sets out to do.
    pub objectives: Vec<NewObjective>,
}

impl NewActivity {
    /// Whether the organization with this code implements the activity.
    pub fn implemented_by(&self, organization: &Code) -> bool {
        self.participations
            .iter()
            .any(|p| p.role == ParticipationRole::Implementing && &p.organization == organization)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_public_row_names_a_restricted_activity() {
        use Visibility::*;
        assert!(Public.check_nesting(Some(Public), true).is_ok());
        assert!(Restricted.check_nesting(Some(Public), false).is_ok());
        assert!(Restricted.check_nesting(None, false).is_ok());
        assert_eq!(
            Public
                .check_nesting(Some(Restricted), false)
                .map_err(|e| e.code),
            Err("public_part_of_restricted")
        );
        assert_eq!(
            Restricted.check_nesting(None, true).map_err(|e| e.code),
            Err("has_public_parts")
        );
    }

    #[test]
    fn completed_activities_stay_completed() {
        assert!(ActivityStatus::Planned.may_become(ActivityStatus::Completed));
        assert!(!ActivityStatus::Completed.may_become(ActivityStatus::Planned));
        assert!(ActivityStatus::Completed.may_become(ActivityStatus::Completed));
        assert!(!ActivityStatus::Cancelled.may_become(ActivityStatus::Ongoing));
    }
}
