//! IATI 2.03: the codes our values take in the IATI codelists. Pure mappings, no IO; the export
//! (`api/src/service/iati.rs`) writes them.

use chrono::NaiveDate;

use crate::activity::{ActivityStatus, ParticipationRole, Pillar};
use crate::indicator::{Measure, ResultLevel};
use crate::organization::OrganizationKind;
use crate::value::{CountryCode, Period};

/// The IATI standard version the export follows.
pub const VERSION: &str = "2.03";

/// `SectorVocabulary` 1: OECD DAC CRS purpose codes, 5 digits (the `Sector` codelist).
pub const SECTOR_VOCABULARY_DAC5: &str = "1";

/// `RelatedActivityType` 1: the related activity is the parent.
pub const RELATED_PARENT: &str = "1";

/// `RelatedActivityType` 2: the related activity is a child.
pub const RELATED_CHILD: &str = "2";

/// `ActivityStatus` of an activity of the work plan.
pub const fn activity_status(status: ActivityStatus) -> &'static str {
    match status {
        // Pipeline/identification.
        ActivityStatus::Planned => "1",
        // Implementation.
        ActivityStatus::Ongoing => "2",
        // Closed: nothing is left to report on a completed meeting or workshop.
        ActivityStatus::Completed => "4",
        // Cancelled.
        ActivityStatus::Cancelled => "5",
        // Suspended.
        ActivityStatus::Postponed => "6",
    }
}

/// `ActivityStatus` of a programme, which holds no status of its own: from its dates, on `today`
/// (before its start pipeline, within them implementation, after its end closed).
pub fn programme_status(period: &Period, today: NaiveDate) -> &'static str {
    if today < period.start() {
        "1"
    } else if today <= period.end() {
        "2"
    } else {
        "4"
    }
}

/// `OrganisationRole` of a participation: IATI's four roles; organizers and participants have
/// none and are left out of `participating-org`.
pub const fn organisation_role(role: ParticipationRole) -> Option<&'static str> {
    match role.iati_code() {
        Some(1) => Some("1"),
        Some(2) => Some("2"),
        Some(3) => Some("3"),
        Some(4) => Some("4"),
        _ => None,
    }
}

/// `OrganisationRole` 1: funding.
pub const ROLE_FUNDING: &str = "1";

/// `OrganisationRole` 4: implementing.
pub const ROLE_IMPLEMENTING: &str = "4";

/// `OrganisationType` of an organization.
pub const fn organisation_type(kind: OrganizationKind) -> &'static str {
    match kind {
        // Government.
        OrganizationKind::Government => "10",
        // Multilateral: UN agencies; the donor here is the EU, which IATI types multilateral;
        // other international organizations.
        OrganizationKind::UnAgency
        | OrganizationKind::Donor
        | OrganizationKind::InternationalOrg => "40",
        // National NGO: the civil-society partners are national associations.
        OrganizationKind::CivilSociety => "22",
        // Other.
        OrganizationKind::Other => "90",
    }
}

/// `ActivityDateType` codes: planned start, actual start, planned end, actual end.
pub mod date_type {
    /// Planned start.
    pub const PLANNED_START: &str = "1";
    /// Actual start.
    pub const ACTUAL_START: &str = "2";
    /// Planned end.
    pub const PLANNED_END: &str = "3";
    /// Actual end.
    pub const ACTUAL_END: &str = "4";
}

/// The DAC 5-digit `Sector` of an activity's pillar.
pub const fn sector(pillar: Pillar) -> &'static str {
    match pillar {
        // Public sector policy and administrative management.
        Pillar::Coordination | Pillar::ResearchEvidence => "15110",
        // Legal and judicial development.
        Pillar::LegislativeReview | Pillar::CapacityBuilding | Pillar::InternationalCooperation => {
            "15130"
        }
        // Human rights.
        Pillar::VictimAssistance => "15160",
    }
}

/// The sectors of a programme: those of every pillar, each once, in code order.
pub fn programme_sectors() -> Vec<&'static str> {
    let mut all: Vec<&'static str> = Pillar::ALL.iter().map(|p| sector(*p)).collect();
    all.sort_unstable();
    all.dedup();
    all
}

/// Whole percentages splitting 100 into `n` shares, as equal as they come (the first ones
/// take the remainder), for `percentage` attributes that must add up to 100.
pub fn shares(n: usize) -> Vec<u32> {
    let Ok(n32) = u32::try_from(n) else {
        return vec![];
    };
    if n32 == 0 {
        return vec![];
    }
    (0..n32)
        .map(|i| 100 / n32 + u32::from(i < 100 % n32))
        .collect()
}

/// The sectors of a programme with their whole percentages (adding up to 100), from the pillars
/// of its activities: each sector's share of the activities, the largest remainders rounded
/// up. With no activities, every pillar's sector in equal shares.
pub fn sector_shares(pillars: &[Pillar]) -> Vec<(&'static str, u32)> {
    let pillars = if pillars.is_empty() {
        Pillar::ALL
    } else {
        pillars
    };
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    for pillar in pillars {
        let code = sector(*pillar);
        match counts.iter_mut().find(|(c, _)| *c == code) {
            Some((_, count)) => *count += 1,
            None => counts.push((code, 1)),
        }
    }
    counts.sort_unstable();
    let total = pillars.len();
    let mut out: Vec<(&'static str, u32, usize)> = counts
        .iter()
        .map(|(code, count)| {
            let exact = count * 100;
            (
                *code,
                u32::try_from(exact / total).unwrap_or(100),
                exact % total,
            )
        })
        .collect();
    let given: u32 = out.iter().map(|(_, share, _)| share).sum();
    let mut order: Vec<usize> = (0..out.len()).collect();
    order.sort_by_key(|i| std::cmp::Reverse(out[*i].2));
    for i in order
        .into_iter()
        .take(100_usize.saturating_sub(given as usize))
    {
        out[i].1 += 1;
    }
    out.into_iter()
        .map(|(code, share, _)| (code, share))
        .collect()
}

/// `IndicatorMeasure` of an indicator.
pub const fn indicator_measure(measure: Measure) -> &'static str {
    match measure {
        Measure::Unit => "1",
        Measure::Percentage => "2",
    }
}

/// `ResultType` of an indicator's result level.
pub const fn result_type(level: ResultLevel) -> &'static str {
    match level {
        ResultLevel::Output => "1",
        ResultLevel::Outcome => "2",
    }
}

/// The ISO 3166-1 alpha-2 code IATI's `Country` codelist uses, for the countries GLO.ACT works
/// in and its partners sit in; `None` for others, which the export leaves out.
pub fn country_alpha2(country: CountryCode) -> Option<&'static str> {
    const TABLE: &[(&str, &str)] = &[
        ("AFG", "AF"),
        ("AUT", "AT"),
        ("BEL", "BE"),
        ("BGD", "BD"),
        ("BTN", "BT"),
        ("CHE", "CH"),
        ("IND", "IN"),
        ("IRN", "IR"),
        ("KGZ", "KG"),
        ("LKA", "LK"),
        ("MDV", "MV"),
        ("MMR", "MM"),
        ("NPL", "NP"),
        ("PAK", "PK"),
        ("THA", "TH"),
    ];
    TABLE
        .binary_search_by(|(alpha3, _)| (*alpha3).cmp(country.as_str()))
        .ok()
        .map(|i| TABLE[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn activity_statuses_map_to_distinct_iati_codes() {
        let codes: Vec<&str> = ActivityStatus::ALL
            .iter()
            .map(|s| activity_status(*s))
            .collect();
        assert_eq!(codes, ["1", "2", "4", "6", "5"]);
    }

    #[test]
    fn a_programme_status_follows_its_dates() {
        let period = Period::new(day(2019, 7, 1), day(2022, 12, 31)).unwrap();
        assert_eq!(programme_status(&period, day(2019, 6, 30)), "1");
        assert_eq!(programme_status(&period, day(2019, 7, 1)), "2");
        assert_eq!(programme_status(&period, day(2022, 12, 31)), "2");
        assert_eq!(programme_status(&period, day(2023, 1, 1)), "4");
    }

    #[test]
    fn only_iati_roles_have_an_organisation_role() {
        assert_eq!(organisation_role(ParticipationRole::Funding), Some("1"));
        assert_eq!(organisation_role(ParticipationRole::Accountable), Some("2"));
        assert_eq!(organisation_role(ParticipationRole::Extending), Some("3"));
        assert_eq!(
            organisation_role(ParticipationRole::Implementing),
            Some("4")
        );
        assert_eq!(organisation_role(ParticipationRole::Organizer), None);
        assert_eq!(organisation_role(ParticipationRole::Participant), None);
    }

    #[test]
    fn organization_kinds_map_to_organisation_types() {
        assert_eq!(organisation_type(OrganizationKind::Government), "10");
        assert_eq!(organisation_type(OrganizationKind::UnAgency), "40");
        assert_eq!(organisation_type(OrganizationKind::Donor), "40");
        assert_eq!(organisation_type(OrganizationKind::CivilSociety), "22");
        assert_eq!(organisation_type(OrganizationKind::Other), "90");
    }

    #[test]
    fn pillars_map_to_dac_sectors() {
        assert_eq!(sector(Pillar::LegislativeReview), "15130");
        assert_eq!(sector(Pillar::VictimAssistance), "15160");
        assert_eq!(programme_sectors(), ["15110", "15130", "15160"]);
    }

    #[test]
    fn shares_add_up_to_100() {
        assert_eq!(shares(1), [100]);
        assert_eq!(shares(3), [34, 33, 33]);
        assert!(shares(0).is_empty());
        let split = sector_shares(&[
            Pillar::Coordination,
            Pillar::CapacityBuilding,
            Pillar::CapacityBuilding,
        ]);
        assert_eq!(split, [("15110", 33), ("15130", 67)]);
        let all: u32 = sector_shares(&[]).iter().map(|(_, s)| s).sum();
        assert_eq!(all, 100);
    }

    #[test]
    fn measures_and_levels_map() {
        assert_eq!(indicator_measure(Measure::Unit), "1");
        assert_eq!(indicator_measure(Measure::Percentage), "2");
        assert_eq!(result_type(ResultLevel::Output), "1");
        assert_eq!(result_type(ResultLevel::Outcome), "2");
    }

    #[test]
    fn countries_map_to_alpha2() {
        let bgd = CountryCode::parse("BGD").unwrap();
        assert_eq!(country_alpha2(bgd), Some("BD"));
        assert_eq!(
            country_alpha2(CountryCode::parse("AUT").unwrap()),
            Some("AT")
        );
        assert_eq!(country_alpha2(CountryCode::parse("FRA").unwrap()), None);
    }
}
