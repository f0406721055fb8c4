//! Who took part in an activity: counts by sex and by actor type.

use crate::validation::ValueError;
use crate::value::Count;

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

#[cfg(test)]
mod tests {
    use super::*;

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
