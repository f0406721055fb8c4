//! The HTCDS case release: one row per case in IOM's Human Trafficking Case Data Standard layout
//! (the column names and codes of the Counter-Trafficking Data Collaborative's global dataset),
//! either exact or k-anonymous.
//!
//! The k-anonymous release generalises the six quasi-identifiers (sex, age band, citizenship,
//! exploitation, district, year) along one fixed ladder, taking the lowest rung at which at most
//! [`KAnonymity::max_suppressed_share`] of the cases must be withheld, and withholds every case
//! whose combination of (generalised) quasi-identifiers is shared by fewer than `k` cases. It is
//! a pure function of its input: the same cases give the same release, in the same order.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};

use crate::case::{MeansOfControl, RecruiterRelation, RecruitmentMethod};
use crate::field_report::{AgeBand, Exploitation, Sex};
use crate::value::CountryCode;

/// What the release reads of one case: the quasi-identifiers and the coded facts. Nothing here
/// is free text, an identity or an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts {
    /// The day the person was identified (only its year is released).
    pub identified_on: NaiveDate,
    /// The district where the person was identified, as stored.
    pub district: String,
    /// Sex.
    pub sex: Sex,
    /// Age band at identification.
    pub age_band: AgeBand,
    /// Citizenship.
    pub citizenship: CountryCode,
    /// Main type of exploitation.
    pub exploitation: Exploitation,
    /// Means of control.
    pub means_of_control: BTreeSet<MeansOfControl>,
    /// How the person was recruited.
    pub recruitment: RecruitmentMethod,
    /// Who the recruiter was to the person.
    pub recruiter_relation: RecruiterRelation,
}

/// When, as released.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    /// The year of identification.
    Year(i32),
    /// A five-year period, first and last year (2015–2019, 2020–2024, …).
    Span(i32, i32),
    /// Withheld.
    Withheld,
}

/// Where, as released.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Place {
    /// The district.
    District(String),
    /// The division (of Bangladesh) the district lies in.
    Division(&'static str),
    /// A district of no known division.
    Other,
    /// Withheld.
    Withheld,
}

/// Age, as released.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Age {
    /// The age band.
    Band(AgeBand),
    /// Under 18 (0–11 or 12–17).
    Minor,
    /// 18 or over.
    Adult,
    /// Not known.
    Unknown,
    /// Withheld.
    Withheld,
}

/// Citizenship, as released.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Citizenship {
    /// The country.
    Country(CountryCode),
    /// Any country but the programme's.
    Foreign,
    /// Withheld.
    Withheld,
}

/// The quasi-identifiers of one released case, generalised as far as the release needed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QuasiIdentifiers {
    /// When.
    pub year: Period,
    /// Where.
    pub place: Place,
    /// Sex (`None`: withheld).
    pub sex: Option<Sex>,
    /// Age.
    pub age: Age,
    /// Citizenship.
    pub citizenship: Citizenship,
    /// Type of exploitation (`None`: withheld).
    pub exploitation: Option<Exploitation>,
}

/// One case as released.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ReleasedCase {
    /// The quasi-identifiers.
    pub qi: QuasiIdentifiers,
    /// Means of control.
    pub means_of_control: BTreeSet<MeansOfControl>,
    /// How the person was recruited.
    pub recruitment: RecruitmentMethod,
    /// Who the recruiter was.
    pub recruiter_relation: RecruiterRelation,
}

/// How far each quasi-identifier is generalised: 0 as stored, higher is coarser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rung {
    /// Year: 0 the year, 1 five-year period, 2 withheld.
    pub year: u8,
    /// District: 0 the district, 1 its division, 2 withheld.
    pub place: u8,
    /// Age: 0 the band, 1 minor or adult, 2 withheld.
    pub age: u8,
    /// Citizenship: 0 the country, 1 the programme's country or foreign, 2 withheld.
    pub citizenship: u8,
    /// Sex and exploitation: 0 as stored, 1 withheld.
    pub sex_and_exploitation: u8,
}

const fn rung(year: u8, place: u8, age: u8, citizenship: u8, sex_and_exploitation: u8) -> Rung {
    Rung {
        year,
        place,
        age,
        citizenship,
        sex_and_exploitation,
    }
}

/// The generalisation ladder, from exact to everything withheld: district to division first,
/// then year to period, age to minor/adult, citizenship to national/foreign, then district,
/// year, age and citizenship withheld, and last sex and exploitation too.
pub const LADDER: [Rung; 9] = [
    rung(0, 0, 0, 0, 0),
    rung(0, 1, 0, 0, 0),
    rung(1, 1, 0, 0, 0),
    rung(1, 1, 1, 0, 0),
    rung(1, 1, 1, 1, 0),
    rung(1, 2, 1, 1, 0),
    rung(2, 2, 1, 1, 0),
    rung(2, 2, 2, 2, 0),
    rung(2, 2, 2, 2, 1),
];

/// The settings of a k-anonymous release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KAnonymity {
    /// Every combination of released quasi-identifiers is shared by at least this many cases.
    pub k: usize,
    /// The largest share of cases, in percent, that may be withheld at a rung before the next,
    /// coarser one is tried. At the last rung whatever is still too small is withheld anyway.
    pub max_suppressed_percent: usize,
    /// The programme's country: citizenship generalises to it or "foreign".
    pub home_country: CountryCode,
}

/// A k-anonymous release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// The released cases, sorted by their values (never in the order they were stored).
    pub cases: Vec<ReleasedCase>,
    /// How many cases were withheld.
    pub suppressed: usize,
    /// The index of the rung of [`LADDER`] used.
    pub rung: usize,
}

/// The division of Bangladesh a district lies in, by the district's name (either spelling in
/// use, any case); `None` for a name it does not know.
pub fn division_of(district: &str) -> Option<&'static str> {
    const DIVISIONS: &[(&str, &[&str])] = &[
        (
            "Barishal",
            &[
                "barguna",
                "barishal",
                "barisal",
                "bhola",
                "jhalokati",
                "jhalokathi",
                "patuakhali",
                "pirojpur",
            ],
        ),
        (
            "Chattogram",
            &[
                "bandarban",
                "brahmanbaria",
                "chandpur",
                "chattogram",
                "chittagong",
                "cumilla",
                "comilla",
                "cox's bazar",
                "cox\u{2019}s bazar",
                "coxs bazar",
                "feni",
                "khagrachhari",
                "khagrachari",
                "lakshmipur",
                "noakhali",
                "rangamati",
                "teknaf",
            ],
        ),
        (
            "Dhaka",
            &[
                "dhaka",
                "faridpur",
                "gazipur",
                "gopalganj",
                "kishoreganj",
                "madaripur",
                "manikganj",
                "munshiganj",
                "narayanganj",
                "narsingdi",
                "rajbari",
                "shariatpur",
                "tangail",
            ],
        ),
        (
            "Khulna",
            &[
                "bagerhat",
                "chuadanga",
                "jashore",
                "jessore",
                "jhenaidah",
                "khulna",
                "kushtia",
                "magura",
                "meherpur",
                "narail",
                "satkhira",
            ],
        ),
        (
            "Mymensingh",
            &[
                "jamalpur",
                "mymensingh",
                "netrokona",
                "netrakona",
                "sherpur",
            ],
        ),
        (
            "Rajshahi",
            &[
                "bogura",
                "bogra",
                "joypurhat",
                "naogaon",
                "natore",
                "chapai nawabganj",
                "chapainawabganj",
                "pabna",
                "rajshahi",
                "sirajganj",
            ],
        ),
        (
            "Rangpur",
            &[
                "dinajpur",
                "gaibandha",
                "kurigram",
                "lalmonirhat",
                "nilphamari",
                "panchagarh",
                "rangpur",
                "thakurgaon",
            ],
        ),
        (
            "Sylhet",
            &["habiganj", "moulvibazar", "sunamganj", "sylhet"],
        ),
    ];
    let name = district.trim().to_lowercase();
    DIVISIONS
        .iter()
        .find(|(_, districts)| districts.contains(&name.as_str()))
        .map(|(division, _)| *division)
}

fn generalise(case: &CaseFacts, rung: Rung, home: CountryCode) -> QuasiIdentifiers {
    let year = case.identified_on.year();
    let first = year - year.rem_euclid(5);
    QuasiIdentifiers {
        year: match rung.year {
            0 => Period::Year(year),
            1 => Period::Span(first, first + 4),
            _ => Period::Withheld,
        },
        place: match rung.place {
            0 => Place::District(case.district.clone()),
            1 => division_of(&case.district).map_or(Place::Other, Place::Division),
            _ => Place::Withheld,
        },
        age: match (rung.age, case.age_band) {
            (_, AgeBand::Unknown) if rung.age < 2 => Age::Unknown,
            (0, band) => Age::Band(band),
            (1, AgeBand::Child | AgeBand::Adolescent) => Age::Minor,
            (1, _) => Age::Adult,
            _ => Age::Withheld,
        },
        citizenship: match rung.citizenship {
            0 => Citizenship::Country(case.citizenship),
            1 if case.citizenship == home => Citizenship::Country(home),
            1 => Citizenship::Foreign,
            _ => Citizenship::Withheld,
        },
        sex: (rung.sex_and_exploitation == 0).then_some(case.sex),
        exploitation: (rung.sex_and_exploitation == 0).then_some(case.exploitation),
    }
}

/// Every case exactly, in a stable order (by day of identification, then as given).
pub fn exact(mut cases: Vec<CaseFacts>) -> Vec<ReleasedCase> {
    cases.sort_by_key(|c| c.identified_on);
    cases
        .iter()
        .map(|case| released(case, generalise(case, LADDER[0], case.citizenship)))
        .collect()
}

fn released(case: &CaseFacts, qi: QuasiIdentifiers) -> ReleasedCase {
    ReleasedCase {
        qi,
        means_of_control: case.means_of_control.clone(),
        recruitment: case.recruitment,
        recruiter_relation: case.recruiter_relation,
    }
}

/// The k-anonymous release of these cases (see the module's documentation).
pub fn k_anonymous(cases: &[CaseFacts], settings: KAnonymity) -> Release {
    let k = settings.k.max(1);
    let allowed = cases.len() * settings.max_suppressed_percent / 100;
    let last = LADDER.len() - 1;
    for (index, rung) in LADDER.iter().enumerate() {
        let generalised: Vec<QuasiIdentifiers> = cases
            .iter()
            .map(|case| generalise(case, *rung, settings.home_country))
            .collect();
        let mut sizes: BTreeMap<&QuasiIdentifiers, usize> = BTreeMap::new();
        for qi in &generalised {
            *sizes.entry(qi).or_default() += 1;
        }
        let suppressed: usize = sizes.values().filter(|n| **n < k).sum();
        if suppressed <= allowed || index == last {
            let mut kept: Vec<ReleasedCase> = cases
                .iter()
                .zip(&generalised)
                .filter(|(_, qi)| sizes.get(qi).is_some_and(|n| *n >= k))
                .map(|(case, qi)| released(case, qi.clone()))
                .collect();
            kept.sort();
            return Release {
                cases: kept,
                suppressed,
                rung: index,
            };
        }
    }
    unreachable!("the last rung always returns")
}

/// The columns of the release, in order: HTCDS names (as the CTDC's global dataset spells them),
/// plus `districtOfRegistration` and `recruitmentMethod`, which HTCDS leaves to the data holder.
pub const COLUMNS: &[&str] = &[
    "caseId",
    "Datasource",
    "yearOfRegistration",
    "gender",
    "ageBroad",
    "majorityStatus",
    "citizenship",
    "districtOfRegistration",
    "isSexualExploit",
    "isForcedLabour",
    "isForcedMarriage",
    "isOrganRemoval",
    "isOtherExploit",
    "typeOfExploitConcatenated",
    "meansOfControlDebtBondage",
    "meansOfControlTakesEarnings",
    "meansOfControlThreats",
    "meansOfControlPsychologicalAbuse",
    "meansOfControlPhysicalAbuse",
    "meansOfControlSexualAbuse",
    "meansOfControlFalsePromises",
    "meansOfControlPsychoactiveSubstances",
    "meansOfControlRestrictsMovement",
    "meansOfControlWithholdsDocuments",
    "meansOfControlOther",
    "meansOfControlNotSpecified",
    "meansOfControlConcatenated",
    "isAbduction",
    "recruitmentMethod",
    "recruiterRelationIntimatePartner",
    "recruiterRelationFriend",
    "recruiterRelationFamily",
    "recruiterRelationOther",
    "recruiterRelationUnknown",
];

/// The code for "not known", as the CTDC's dataset writes it. A withheld value is an empty cell.
pub const NOT_KNOWN: &str = "-99";

fn flag(on: bool) -> String {
    if on { "1" } else { "0" }.to_owned()
}

fn means_name(means: MeansOfControl) -> &'static str {
    use MeansOfControl::*;
    match means {
        DebtBondage => "Debt bondage",
        WithheldWages => "Takes earnings",
        Threats => "Threats",
        PsychologicalAbuse => "Psychological abuse",
        PhysicalViolence => "Physical abuse",
        SexualViolence => "Sexual abuse",
        FalsePromises => "False promises",
        Substances => "Psychoactive substances",
        RestrictedMovement => "Restricts movement",
        WithheldDocuments => "Withholds documents",
        Other => "Other",
    }
}

fn exploitation_name(exploitation: Exploitation) -> &'static str {
    use Exploitation::*;
    match exploitation {
        Sexual => "Sexual exploitation",
        Labour => "Forced labour",
        DomesticServitude => "Domestic servitude",
        ForcedMarriage => "Forced marriage",
        ForcedCriminality => "Forced criminality",
        OrganRemoval => "Organ removal",
        Other => "Other",
        Unknown => NOT_KNOWN,
    }
}

/// The cells of one released case, in [`COLUMNS`] order. `case_id` is the per-export id of an
/// exact release; a k-anonymous release has none (an empty cell).
pub fn row(case: &ReleasedCase, case_id: Option<usize>) -> Vec<String> {
    let qi = &case.qi;
    let mut cells = Vec::with_capacity(COLUMNS.len());
    cells.push(case_id.map(|n| n.to_string()).unwrap_or_default());
    cells.push("Case Management".to_owned());
    cells.push(match qi.year {
        Period::Year(y) => y.to_string(),
        Period::Span(a, b) => format!("{a}--{b}"),
        Period::Withheld => String::new(),
    });
    cells.push(
        match qi.sex {
            Some(Sex::Female) => "Female",
            Some(Sex::Male) => "Male",
            Some(Sex::Other) => "Other",
            Some(Sex::Unknown) => NOT_KNOWN,
            None => "",
        }
        .to_owned(),
    );
    let (age, majority) = match qi.age {
        Age::Band(AgeBand::Child) => ("0--11", "Minor"),
        Age::Band(AgeBand::Adolescent) => ("12--17", "Minor"),
        Age::Band(AgeBand::YoungAdult) => ("18--25", "Adult"),
        Age::Band(AgeBand::Adult) => ("26--40", "Adult"),
        Age::Band(AgeBand::Older) => ("41+", "Adult"),
        Age::Band(AgeBand::Unknown) | Age::Unknown => (NOT_KNOWN, NOT_KNOWN),
        Age::Minor => ("0--17", "Minor"),
        Age::Adult => ("18+", "Adult"),
        Age::Withheld => ("", ""),
    };
    cells.push(age.to_owned());
    cells.push(majority.to_owned());
    cells.push(match qi.citizenship {
        Citizenship::Country(c) => c.as_str().to_owned(),
        Citizenship::Foreign => "Foreign".to_owned(),
        Citizenship::Withheld => String::new(),
    });
    cells.push(match &qi.place {
        Place::District(d) => d.clone(),
        Place::Division(d) => format!("{d} Division"),
        Place::Other => "Other".to_owned(),
        Place::Withheld => String::new(),
    });
    match qi.exploitation {
        None => cells.extend(std::iter::repeat_n(String::new(), 6)),
        Some(Exploitation::Unknown) => {
            cells.extend(std::iter::repeat_n(NOT_KNOWN.to_owned(), 6));
        }
        Some(e) => {
            use Exploitation::*;
            cells.push(flag(e == Sexual));
            cells.push(flag(matches!(e, Labour | DomesticServitude)));
            cells.push(flag(e == ForcedMarriage));
            cells.push(flag(e == OrganRemoval));
            cells.push(flag(matches!(e, ForcedCriminality | Other)));
            cells.push(exploitation_name(e).to_owned());
        }
    }
    use MeansOfControl as M;
    for means in [
        M::DebtBondage,
        M::WithheldWages,
        M::Threats,
        M::PsychologicalAbuse,
        M::PhysicalViolence,
        M::SexualViolence,
        M::FalsePromises,
        M::Substances,
        M::RestrictedMovement,
        M::WithheldDocuments,
        M::Other,
    ] {
        cells.push(flag(case.means_of_control.contains(&means)));
    }
    cells.push(flag(case.means_of_control.is_empty()));
    cells.push(
        case.means_of_control
            .iter()
            .map(|m| means_name(*m))
            .collect::<Vec<_>>()
            .join(";"),
    );
    cells.push(match case.recruitment {
        RecruitmentMethod::Unknown => NOT_KNOWN.to_owned(),
        method => flag(method == RecruitmentMethod::Abduction),
    });
    cells.push(case.recruitment.as_str().to_owned());
    use RecruiterRelation as R;
    let relation = case.recruiter_relation;
    cells.push(flag(relation == R::IntimatePartner));
    cells.push(flag(relation == R::Friend));
    cells.push(flag(relation == R::Family));
    cells.push(flag(matches!(
        relation,
        R::Employer | R::Agent | R::Stranger | R::Other
    )));
    cells.push(flag(relation == R::Unknown));
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> KAnonymity {
        KAnonymity {
            k: 11,
            max_suppressed_percent: 5,
            home_country: CountryCode::parse("BGD").unwrap(),
        }
    }

    /// A case whose values are spread by `i` (the same `i`, the same case).
    fn case(i: usize, district: &str) -> CaseFacts {
        let h = (i as u64).wrapping_mul(2_654_435_761).wrapping_add(12_345) >> 7;
        let pick = |shift: u32, n: u64| ((h >> shift) % n) as usize;
        CaseFacts {
            identified_on: NaiveDate::from_ymd_opt(
                2016 + pick(0, 6) as i32,
                1 + (i % 12) as u32,
                1,
            )
            .unwrap(),
            district: district.to_owned(),
            sex: [Sex::Female, Sex::Male][pick(3, 2)],
            age_band: AgeBand::ALL[pick(5, 5)],
            citizenship: CountryCode::parse(["BGD", "BGD", "BGD", "MMR"][pick(9, 4)]).unwrap(),
            exploitation: [Exploitation::Sexual, Exploitation::Labour][pick(12, 2)],
            means_of_control: [MeansOfControl::DebtBondage].into_iter().collect(),
            recruitment: RecruitmentMethod::JobOffer,
            recruiter_relation: RecruiterRelation::Agent,
        }
    }

    fn data() -> Vec<CaseFacts> {
        let districts = ["Dhaka", "Cox's Bazar", "Khulna", "Sylhet", "Jessore"];
        let mut cases: Vec<CaseFacts> = (0..3000)
            .map(|i| case(i, districts[(i * 7 / 3) % 5]))
            .collect();
        cases.extend((0..3).map(|i| case(i, "Bhola")));
        cases
    }

    fn classes(release: &Release) -> BTreeMap<QuasiIdentifiers, usize> {
        let mut sizes = BTreeMap::new();
        for c in &release.cases {
            *sizes.entry(c.qi.clone()).or_default() += 1;
        }
        sizes
    }

    #[test]
    fn every_released_combination_is_shared_by_k_cases() {
        let cases = data();
        let release = k_anonymous(&cases, settings());
        assert!(classes(&release).values().all(|n| *n >= 11));
        assert_eq!(release.cases.len() + release.suppressed, cases.len());
        assert!(release.suppressed <= cases.len() * 5 / 100);
        assert!(
            release
                .cases
                .iter()
                .all(|c| c.qi.place != Place::District("Bhola".into())),
            "three cases of one district never appear as such"
        );
        assert!(release.rung > 0, "exact rows of 3000 cases are too unique");
    }

    #[test]
    fn the_release_is_deterministic_and_does_not_follow_storage_order() {
        let cases = data();
        let mut reversed = cases.clone();
        reversed.reverse();
        assert_eq!(
            k_anonymous(&cases, settings()),
            k_anonymous(&reversed, settings())
        );
    }

    #[test]
    fn the_ladder_climbs_only_as_far_as_needed() {
        // 40 cases alike: exact rows are already 11-anonymous.
        let same: Vec<CaseFacts> = (0..40).map(|_| case(0, "Dhaka")).collect();
        let release = k_anonymous(&same, settings());
        assert_eq!((release.rung, release.suppressed), (0, 0));
        assert_eq!(release.cases[0].qi.place, Place::District("Dhaka".into()));
        // Alike but for the district, in one division: the division is released.
        let mut two = same.clone();
        two.extend((0..40).map(|_| case(0, "Gazipur")));
        two.extend((0..10).map(|_| case(0, "Narsingdi")));
        let release = k_anonymous(&two, settings());
        assert_eq!((release.rung, release.suppressed), (1, 0));
        assert!(
            release
                .cases
                .iter()
                .all(|c| c.qi.place == Place::Division("Dhaka"))
        );
        // Fewer than k in all: nothing is released.
        let few: Vec<CaseFacts> = (0..10).map(|i| case(i, "Dhaka")).collect();
        let release = k_anonymous(&few, settings());
        assert_eq!((release.cases.len(), release.suppressed), (0, 10));
        assert_eq!(release.rung, LADDER.len() - 1);
    }

    #[test]
    fn generalisation_follows_the_ladder() {
        let c = CaseFacts {
            identified_on: NaiveDate::from_ymd_opt(2017, 3, 1).unwrap(),
            age_band: AgeBand::YoungAdult,
            citizenship: CountryCode::parse("MMR").unwrap(),
            ..case(7, "Teknaf")
        };
        let home = CountryCode::parse("BGD").unwrap();
        let top = generalise(&c, LADDER[LADDER.len() - 1], home);
        assert_eq!(
            top,
            QuasiIdentifiers {
                year: Period::Withheld,
                place: Place::Withheld,
                sex: None,
                age: Age::Withheld,
                citizenship: Citizenship::Withheld,
                exploitation: None,
            }
        );
        let mid = generalise(&c, LADDER[4], home);
        assert_eq!(mid.year, Period::Span(2015, 2019));
        assert_eq!(mid.place, Place::Division("Chattogram"));
        assert_eq!(mid.age, Age::Adult);
        assert_eq!(mid.citizenship, Citizenship::Foreign);
        assert_eq!(division_of("Unknown Town"), None);
        assert_eq!(division_of(" COX'S BAZAR "), Some("Chattogram"));
    }

    #[test]
    fn rows_follow_the_columns_and_codes() {
        let c = CaseFacts {
            identified_on: NaiveDate::from_ymd_opt(2017, 3, 1).unwrap(),
            sex: Sex::Male,
            age_band: AgeBand::Adult,
            citizenship: CountryCode::parse("MMR").unwrap(),
            exploitation: Exploitation::Labour,
            ..case(7, "Teknaf")
        };
        let exact = exact(vec![c.clone()]);
        let cells = row(&exact[0], Some(1));
        assert_eq!(cells.len(), COLUMNS.len());
        let at = |name: &str| cells[COLUMNS.iter().position(|c| *c == name).unwrap()].clone();
        assert_eq!(at("caseId"), "1");
        assert_eq!(at("yearOfRegistration"), "2017");
        assert_eq!(at("gender"), "Male");
        assert_eq!(at("ageBroad"), "26--40");
        assert_eq!(at("citizenship"), "MMR");
        assert_eq!(at("isForcedLabour"), "1");
        assert_eq!(at("meansOfControlDebtBondage"), "1");
        assert_eq!(at("recruiterRelationOther"), "1");
        let top = ReleasedCase {
            qi: generalise(&c, LADDER[8], c.citizenship),
            ..exact[0].clone()
        };
        let cells = row(&top, None);
        assert_eq!(cells.len(), COLUMNS.len());
        assert_eq!(cells[0], "", "no id in a k-anonymous row");
    }
}
