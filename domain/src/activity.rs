//! Activities of the work plan, the organizations taking part, and their objectives.

use chrono::NaiveDate;

use crate::change::RowMeta;
use crate::id::{ActivityId, ObjectiveId, OrganizationId, ParticipationId, ProgrammeId};
use crate::validation::{ValueError, Violations};
use crate::value::{Code, Count, DateSpan, District, Location, Narrative, Title};
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

/// How many took part, by sex and by actor type, as reported: not yet checked against each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Headcount {
    /// Women.
    pub female: Count,
    /// Men.
    pub male: Count,
    /// Other or not recorded.
    pub other: Count,
    /// Judges among them.
    pub judges: Count,
    /// Prosecutors among them.
    pub prosecutors: Count,
    /// Law-enforcement officers among them.
    pub law_enforcement: Count,
    /// Government officials among them.
    pub officials: Count,
    /// Civil-society representatives among them.
    pub civil_society: Count,
}

impl Headcount {
    /// Everyone, by sex.
    pub fn total(&self) -> u64 {
        [self.female, self.male, self.other]
            .iter()
            .map(|c| u64::from(c.get()))
            .sum()
    }

    /// Everyone counted by actor type.
    pub fn by_actor_type(&self) -> u64 {
        [
            self.judges,
            self.prosecutors,
            self.law_enforcement,
            self.officials,
            self.civil_society,
        ]
        .iter()
        .map(|c| u64::from(c.get()))
        .sum()
    }

    /// This headcount with the counts a patch names replaced.
    pub fn patched(&self, patch: &HeadcountPatch) -> Headcount {
        Headcount {
            female: patch.female.unwrap_or(self.female),
            male: patch.male.unwrap_or(self.male),
            other: patch.other.unwrap_or(self.other),
            judges: patch.judges.unwrap_or(self.judges),
            prosecutors: patch.prosecutors.unwrap_or(self.prosecutors),
            law_enforcement: patch.law_enforcement.unwrap_or(self.law_enforcement),
            officials: patch.officials.unwrap_or(self.officials),
            civil_society: patch.civil_society.unwrap_or(self.civil_society),
        }
    }
}

/// Some counts of a headcount to replace; `None` keeps a count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HeadcountPatch {
    /// Women.
    pub female: Option<Count>,
    /// Men.
    pub male: Option<Count>,
    /// Other or not recorded.
    pub other: Option<Count>,
    /// Judges.
    pub judges: Option<Count>,
    /// Prosecutors.
    pub prosecutors: Option<Count>,
    /// Law-enforcement officers.
    pub law_enforcement: Option<Count>,
    /// Government officials.
    pub officials: Option<Count>,
    /// Civil-society representatives.
    pub civil_society: Option<Count>,
}

/// An activity's participants: a headcount whose breakdown by actor type fits within the
/// participants counted by sex (actor types are a breakdown, not more people).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ParticipantCounts(Headcount);

impl ParticipantCounts {
    /// Refuses a headcount whose actor types add up to more than its participants.
    pub fn new(headcount: Headcount) -> Result<Self, ValueError> {
        if headcount.by_actor_type() > headcount.total() {
            return Err(ValueError::new(
                "inconsistent",
                "counts by actor type add up to more than the participants",
            ));
        }
        Ok(Self(headcount))
    }

    /// The counts.
    pub fn get(&self) -> &Headcount {
        &self.0
    }
}

/// An activity as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    /// Its id.
    pub id: ActivityId,
    /// The programme it belongs to.
    pub programme_id: ProgrammeId,
    /// The activity it is part of, e.g. the consultation of a meeting.
    pub parent_id: Option<ActivityId>,
    /// Its code, unique within the programme.
    pub code: Code,
    /// Its title.
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
    /// Its id.
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
    /// Its id.
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
    /// Its title.
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

/// A partial update of an activity, as the caller sent it; `None` leaves a field as it is and
/// `Some(None)` clears it. [`Activity::apply`] checks it against the current activity.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ActivityPatch {
    /// New title.
    pub title: Option<Title>,
    /// New description, or clear it.
    pub description: Option<Option<Narrative>>,
    /// New kind.
    pub kind: Option<ActivityKind>,
    /// New pillar.
    pub pillar: Option<Pillar>,
    /// New status; must be reachable from the current one.
    pub status: Option<ActivityStatus>,
    /// New visibility.
    pub visibility: Option<Visibility>,
    /// New planned first day, or clear it.
    pub planned_start: Option<Option<NaiveDate>>,
    /// New planned last day, or clear it.
    pub planned_end: Option<Option<NaiveDate>>,
    /// New actual first day, or clear it.
    pub actual_start: Option<Option<NaiveDate>>,
    /// New actual last day, or clear it.
    pub actual_end: Option<Option<NaiveDate>>,
    /// New location, or clear it.
    pub location: Option<Option<Location>>,
    /// New district, or clear it.
    pub district: Option<Option<District>>,
    /// Participant counts to replace; the others stay.
    pub participants: HeadcountPatch,
}

/// Checked changes to an activity, ready to store: spans whole, status reachable, counts
/// consistent. Programme, code and parent are fixed at creation: partners key their copies on them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ActivityChanges {
    /// New title.
    pub title: Option<Title>,
    /// New description, or `Some(None)` to clear it.
    pub description: Option<Option<Narrative>>,
    /// New kind.
    pub kind: Option<ActivityKind>,
    /// New pillar.
    pub pillar: Option<Pillar>,
    /// New status.
    pub status: Option<ActivityStatus>,
    /// New visibility.
    pub visibility: Option<Visibility>,
    /// New planned dates.
    pub planned: Option<DateSpan>,
    /// New actual dates.
    pub actual: Option<DateSpan>,
    /// New location, or `Some(None)` to clear it.
    pub location: Option<Option<Location>>,
    /// New district, or `Some(None)` to clear it.
    pub district: Option<Option<District>>,
    /// New participant counts.
    pub participants: Option<ParticipantCounts>,
}

impl Activity {
    /// Checks a patch against this activity: the status must be reachable from the current one,
    /// dates merged with the current ones must stay in order, and participant counts consistent.
    pub fn apply(&self, patch: ActivityPatch) -> Result<ActivityChanges, Violations> {
        let mut violations = Violations::default();
        if let Some(next) = patch.status
            && !self.status.may_become(next)
        {
            violations.add(
                "status",
                ValueError::new(
                    "invalid_transition",
                    format!("an activity can't go from {} to {next}", self.status),
                ),
            );
        }
        let span = |field: &str,
                    current: DateSpan,
                    start: Option<Option<NaiveDate>>,
                    end: Option<Option<NaiveDate>>,
                    violations: &mut Violations| {
            if start.is_none() && end.is_none() {
                return None;
            }
            let merged = DateSpan::new(
                start.unwrap_or(current.start()),
                end.unwrap_or(current.end()),
            );
            violations.check(field, merged)
        };
        let planned = span(
            "planned_end",
            self.planned,
            patch.planned_start,
            patch.planned_end,
            &mut violations,
        );
        let actual = span(
            "actual_end",
            self.actual,
            patch.actual_start,
            patch.actual_end,
            &mut violations,
        );
        let participants = if patch.participants == HeadcountPatch::default() {
            None
        } else {
            violations.check(
                "participants",
                ParticipantCounts::new(self.participants.get().patched(&patch.participants)),
            )
        };
        violations.into_result()?;
        Ok(ActivityChanges {
            title: patch.title,
            description: patch.description,
            kind: patch.kind,
            pillar: patch.pillar,
            status: patch.status,
            visibility: patch.visibility,
            planned,
            actual,
            location: patch.location,
            district: patch.district,
            participants,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completed_activities_stay_completed() {
        assert!(ActivityStatus::Planned.may_become(ActivityStatus::Completed));
        assert!(!ActivityStatus::Completed.may_become(ActivityStatus::Planned));
        assert!(ActivityStatus::Completed.may_become(ActivityStatus::Completed));
        assert!(!ActivityStatus::Cancelled.may_become(ActivityStatus::Ongoing));
    }

    #[test]
    fn actor_types_are_a_breakdown_of_participants() {
        let n = |v| Count::parse(v).unwrap_or_default();
        let headcount = Headcount {
            female: n(3),
            male: n(4),
            judges: n(8),
            ..Default::default()
        };
        assert_eq!(
            ParticipantCounts::new(headcount).map_err(|e| e.code),
            Err("inconsistent")
        );
        let headcount = headcount.patched(&HeadcountPatch {
            judges: Some(n(7)),
            ..Default::default()
        });
        assert_eq!(
            headcount.male,
            n(4),
            "a patch keeps the counts it doesn't name"
        );
        assert!(ParticipantCounts::new(headcount).is_ok());
    }
}
