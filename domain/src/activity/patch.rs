//! Changes to an activity: the partial update a caller sends, checked against the stored
//! activity into changes ready to store.

use chrono::NaiveDate;

use super::{
    Activity, ActivityKind, ActivityStatus, HeadcountPatch, ParticipantCounts, Pillar, Visibility,
};
use crate::validation::{ValueError, Violations};
use crate::value::{DateSpan, District, Location, Narrative, Title};

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

impl ActivityChanges {
    /// The wire names of the fields these changes set.
    pub fn changed_fields(&self) -> Vec<&'static str> {
        [
            ("title", self.title.is_some()),
            ("description", self.description.is_some()),
            ("kind", self.kind.is_some()),
            ("pillar", self.pillar.is_some()),
            ("status", self.status.is_some()),
            ("visibility", self.visibility.is_some()),
            ("planned", self.planned.is_some()),
            ("actual", self.actual.is_some()),
            ("location", self.location.is_some()),
            ("district", self.district.is_some()),
            ("participants", self.participants.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect()
    }
}

impl Activity {
    /// The part of a patch that would change this activity: fields set to what they already
    /// hold are left out. A whole row read back from an export (a spreadsheet import) then
    /// changes only what was edited, and its unchanged status is no transition.
    pub fn differences(&self, patch: ActivityPatch) -> ActivityPatch {
        fn differs<T: PartialEq>(new: Option<T>, current: &T) -> Option<T> {
            new.filter(|new| new != current)
        }
        let counts = self.participants.get();
        let p = patch.participants;
        ActivityPatch {
            title: differs(patch.title, &self.title),
            description: differs(patch.description, &self.description),
            kind: differs(patch.kind, &self.kind),
            pillar: differs(patch.pillar, &self.pillar),
            status: differs(patch.status, &self.status),
            visibility: differs(patch.visibility, &self.visibility),
            planned_start: differs(patch.planned_start, &self.planned.start()),
            planned_end: differs(patch.planned_end, &self.planned.end()),
            actual_start: differs(patch.actual_start, &self.actual.start()),
            actual_end: differs(patch.actual_end, &self.actual.end()),
            location: differs(patch.location, &self.location),
            district: differs(patch.district, &self.district),
            participants: HeadcountPatch {
                female: differs(p.female, &counts.female),
                male: differs(p.male, &counts.male),
                other: differs(p.other, &counts.other),
                judges: differs(p.judges, &counts.judges),
                prosecutors: differs(p.prosecutors, &counts.prosecutors),
                law_enforcement: differs(p.law_enforcement, &counts.law_enforcement),
                officials: differs(p.officials, &counts.officials),
                civil_society: differs(p.civil_society, &counts.civil_society),
            },
        }
    }

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
