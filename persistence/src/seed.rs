//! The GLO.ACT-Bangladesh demo data, from the programme's own account of January-February 2020:
//! the national consultation of 19-23 January with its 16 meetings and three objectives, the two
//! workshops with criminal-justice actors, the follow-up action to validate the capacity-building
//! strategy in April, and a few indicators of the results framework.
//!
//! Seeding is one transaction and runs only when the programme is not there yet, so running it
//! again changes nothing.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::Db;
use crate::error::StoreError;
use crate::schema::{
    activity, follow_up_action, indicator, indicator_period, objective, organization,
    participation, programme, programme_partner,
};

/// The code of the demo programme.
pub const PROGRAMME_CODE: &str = "GLOACT-BGD";

/// What a seed run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeedOutcome {
    /// The demo data was written.
    Seeded,
    /// The demo programme was already there; nothing was written.
    AlreadySeeded,
}

/// An organization of the demo data: code, name, kind, country, parent's code, IATI ref.
type OrganizationSeed = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
);

const ORGANIZATIONS: &[OrganizationSeed] = &[
    (
        "UNODC-DO",
        "UNODC Division for Operations",
        "un_agency",
        "AUT",
        None,
        None,
    ),
    (
        "UNODC-ROSA",
        "UNODC Regional Office for South Asia",
        "un_agency",
        "IND",
        Some("UNODC-DO"),
        None,
    ),
    (
        "UNODC-BGD",
        "UNODC Programme Office in Bangladesh",
        "un_agency",
        "BGD",
        Some("UNODC-ROSA"),
        None,
    ),
    (
        "IOM-BGD",
        "International Organization for Migration, Bangladesh",
        "un_agency",
        "BGD",
        None,
        Some("XM-DAC-47066"),
    ),
    (
        "EU-DEL-BGD",
        "Delegation of the European Union to Bangladesh",
        "donor",
        "BGD",
        None,
        None,
    ),
    (
        "MOFA-BGD",
        "Ministry of Foreign Affairs",
        "government",
        "BGD",
        None,
        None,
    ),
    (
        "MOHA-BGD",
        "Ministry of Home Affairs",
        "government",
        "BGD",
        None,
        None,
    ),
    (
        "MOLJPA-BGD",
        "Ministry of Law, Justice and Parliamentary Affairs",
        "government",
        "BGD",
        None,
        None,
    ),
    (
        "BNWLA",
        "Bangladesh National Woman Lawyers' Association",
        "civil_society",
        "BGD",
        None,
        None,
    ),
];

/// The 16 meetings of the national consultation: (day of January 2020, counterpart, title).
const MEETINGS: &[(u32, &str, &str)] = &[
    (
        19,
        "MOFA-BGD",
        "Meeting with the Ministry of Foreign Affairs on the programme's work plan",
    ),
    (
        19,
        "MOHA-BGD",
        "Meeting with the Ministry of Home Affairs on counter-trafficking priorities",
    ),
    (
        19,
        "MOLJPA-BGD",
        "Meeting with the Ministry of Law, Justice and Parliamentary Affairs",
    ),
    (
        20,
        "MOHA-BGD",
        "Meeting with the Counter-Trafficking Monitoring Cell",
    ),
    (
        20,
        "MOHA-BGD",
        "Meeting with Bangladesh Police on investigations of trafficking cases",
    ),
    (
        20,
        "MOLJPA-BGD",
        "Meeting with the Judicial Administration Training Institute",
    ),
    (
        21,
        "MOLJPA-BGD",
        "Meeting with public prosecutors of the anti-trafficking tribunals",
    ),
    (
        21,
        "MOFA-BGD",
        "Meeting on international cooperation in criminal matters",
    ),
    (
        21,
        "IOM-BGD",
        "Coordination meeting with IOM on victim assistance",
    ),
    (
        21,
        "EU-DEL-BGD",
        "Meeting with the EU Delegation on the programme's priorities",
    ),
    (
        22,
        "BNWLA",
        "Meeting with civil-society organizations on victim protection",
    ),
    (
        22,
        "MOHA-BGD",
        "Meeting with the Border Guard Bangladesh on smuggling of migrants",
    ),
    (
        22,
        "MOFA-BGD",
        "Meeting with the Bureau of Manpower, Employment and Training on safe migration",
    ),
    (
        22,
        "UNODC-ROSA",
        "Meeting with UN agencies and donors on coordination",
    ),
    (
        23,
        "MOLJPA-BGD",
        "Meeting on legislative review and harmonisation",
    ),
    (
        23,
        "MOHA-BGD",
        "Closing meeting with national counterparts on the capacity-building strategy",
    ),
];

fn day(year: i32, month: u32, day: u32) -> Result<NaiveDate, StoreError> {
    NaiveDate::from_ymd_opt(year, month, day)
        .ok_or_else(|| StoreError::Internal(format!("bad seed date {year}-{month}-{day}")))
}

/// Writes the demo data unless the demo programme is already there.
pub async fn seed(db: &Db) -> Result<SeedOutcome, StoreError> {
    let mut conn = db.conn().await?;
    conn.transaction(async |conn| {
        let exists: bool = diesel::select(diesel::dsl::exists(
            programme::table.filter(programme::code.eq(PROGRAMME_CODE)),
        ))
        .get_result(conn)
        .await?;
        if exists {
            return Ok(SeedOutcome::AlreadySeeded);
        }
        write_demo_data(conn).await?;
        Ok(SeedOutcome::Seeded)
    })
    .await
}

async fn write_demo_data(conn: &mut AsyncPgConnection) -> Result<(), StoreError> {
    for (code, name, kind, country, parent, iati_ref) in ORGANIZATIONS {
        let parent_id = match parent {
            Some(parent) => Some(org(conn, parent).await?),
            None => None,
        };
        diesel::insert_into(organization::table)
            .values((
                organization::id.eq(Uuid::now_v7()),
                organization::code.eq(code),
                organization::name.eq(name),
                organization::kind.eq(kind),
                organization::country.eq(country),
                organization::parent_id.eq(parent_id),
                organization::iati_ref.eq(iati_ref),
            ))
            .on_conflict(organization::code)
            .do_nothing()
            .execute(conn)
            .await?;
    }

    let programme_id = Uuid::now_v7();
    diesel::insert_into(programme::table)
        .values((
            programme::id.eq(programme_id),
            programme::code.eq(PROGRAMME_CODE),
            programme::title.eq("Global Action against Trafficking in Persons and the Smuggling of Migrants - Bangladesh"),
            programme::start_date.eq(day(2019, 7, 1)?),
            programme::end_date.eq(day(2022, 12, 31)?),
            programme::countries.eq(vec!["BGD"]),
        ))
        .execute(conn)
        .await?;
    for (role, code) in [
        ("funder", "EU-DEL-BGD"),
        ("implementer", "UNODC-BGD"),
        ("implementer", "IOM-BGD"),
    ] {
        let organization_id = org(conn, code).await?;
        diesel::insert_into(programme_partner::table)
            .values((
                programme_partner::programme_id.eq(programme_id),
                programme_partner::organization_id.eq(organization_id),
                programme_partner::role.eq(role),
            ))
            .execute(conn)
            .await?;
    }

    // The national consultation and its meetings.
    let consultation = insert_activity(
        conn,
        ActivitySeed {
            programme_id,
            parent_id: None,
            code: "NC-2020",
            title: "National consultation on the capacity-building strategy for criminal-justice actors",
            description: "Sixteen meetings with the Ministries of Foreign Affairs, of Home Affairs and of Law, Justice and Parliamentary Affairs, UN agencies, donors and civil society, to present GLO.ACT-Bangladesh and gather the counterparts' priorities for its capacity-building strategy.",
            kind: "consultation",
            pillar: "coordination",
            status: "completed",
            visibility: "public",
            dates: (day(2020, 1, 19)?, day(2020, 1, 23)?),
            planned_only: false,
            district: "Dhaka",
            counts: [31, 87, 0, 6, 9, 14, 52, 8],
        },
    )
    .await?;
    participate(
        conn,
        consultation,
        &[
            ("UNODC-BGD", "organizer"),
            ("UNODC-BGD", "implementing"),
            ("IOM-BGD", "implementing"),
            ("EU-DEL-BGD", "funding"),
            ("MOFA-BGD", "participant"),
            ("MOHA-BGD", "participant"),
            ("MOLJPA-BGD", "participant"),
            ("BNWLA", "participant"),
        ],
    )
    .await?;
    for description in [
        "Present GLO.ACT-Bangladesh and its work plan to the national counterparts.",
        "Gather the counterparts' needs and priorities for the capacity-building strategy for criminal-justice actors.",
        "Agree on the next steps, among them a workshop to validate the strategy.",
    ] {
        diesel::insert_into(objective::table)
            .values((
                objective::id.eq(Uuid::now_v7()),
                objective::activity_id.eq(consultation),
                objective::description.eq(description),
                objective::achieved.eq(true),
                objective::evidence
                    .eq("Meeting minutes of the national consultation, 19-23 January 2020."),
            ))
            .execute(conn)
            .await?;
    }
    for (i, (date, counterpart, title)) in MEETINGS.iter().enumerate() {
        let code = format!("NC-2020-M{:02}", i + 1);
        let on = day(2020, 1, *date)?;
        let meeting = insert_activity(
            conn,
            ActivitySeed {
                programme_id,
                parent_id: Some(consultation),
                code: &code,
                title,
                description: "",
                kind: "meeting",
                pillar: "coordination",
                status: "completed",
                // Meetings with the law-enforcement side discussed open cases: restricted.
                visibility: if title.contains("Police") || title.contains("Border Guard") {
                    "restricted"
                } else {
                    "public"
                },
                dates: (on, on),
                planned_only: false,
                district: "Dhaka",
                counts: [2, 5, 0, 0, 0, 0, 6, 1],
            },
        )
        .await?;
        participate(
            conn,
            meeting,
            &[("UNODC-BGD", "organizer"), (counterpart, "participant")],
        )
        .await?;
    }

    // The two workshops with criminal-justice actors.
    let workshops = [
        (
            "WS-2020-01",
            "Workshop with judges and prosecutors on trafficking in persons cases",
            (day(2020, 2, 10)?, day(2020, 2, 11)?),
            "Dhaka",
            [9, 21, 0, 14, 16, 0, 0, 0],
            "MOLJPA-BGD",
        ),
        (
            "WS-2020-02",
            "Workshop with law enforcement on investigating trafficking and smuggling",
            (day(2020, 2, 24)?, day(2020, 2, 25)?),
            "Cox's Bazar",
            [6, 26, 0, 0, 4, 26, 2, 0],
            "MOHA-BGD",
        ),
    ];
    for (code, title, dates, district, counts, ministry) in workshops {
        let workshop = insert_activity(
            conn,
            ActivitySeed {
                programme_id,
                parent_id: None,
                code,
                title,
                description: "",
                kind: "workshop",
                pillar: "capacity_building",
                status: "completed",
                visibility: "restricted",
                dates,
                planned_only: false,
                district,
                counts,
            },
        )
        .await?;
        participate(
            conn,
            workshop,
            &[
                ("UNODC-BGD", "organizer"),
                ("UNODC-BGD", "implementing"),
                (ministry, "participant"),
            ],
        )
        .await?;
    }

    // The validation workshop planned for April 2020, and the follow-up action that asks for it.
    let validation = insert_activity(
        conn,
        ActivitySeed {
            programme_id,
            parent_id: None,
            code: "VW-2020-04",
            title: "Validation workshop of the capacity-building strategy for criminal-justice actors",
            description: "Validate and finalize the capacity-building strategy drafted from the national consultation.",
            kind: "validation_workshop",
            pillar: "capacity_building",
            status: "planned",
            visibility: "public",
            dates: (day(2020, 4, 14)?, day(2020, 4, 15)?),
            planned_only: true,
            district: "Dhaka",
            counts: [0; 8],
        },
    )
    .await?;
    participate(
        conn,
        validation,
        &[
            ("UNODC-BGD", "organizer"),
            ("MOHA-BGD", "participant"),
            ("MOLJPA-BGD", "participant"),
            ("MOFA-BGD", "participant"),
        ],
    )
    .await?;
    let owner = org(conn, "UNODC-BGD").await?;
    diesel::insert_into(follow_up_action::table)
        .values((
            follow_up_action::id.eq(Uuid::now_v7()),
            follow_up_action::activity_id.eq(consultation),
            follow_up_action::owner_organization_id.eq(owner),
            follow_up_action::title.eq("Hold a validation workshop in April 2020 and finalize the capacity-building strategy"),
            follow_up_action::description.eq("Agreed at the closing meeting of the national consultation; see activity VW-2020-04."),
            follow_up_action::due_date.eq(day(2020, 4, 30)?),
            follow_up_action::status.eq("open"),
        ))
        .execute(conn)
        .await?;

    let indicators: [IndicatorSeed; 3] = [
        (
            "OUT-1.1",
            "Number of criminal-justice practitioners trained on trafficking in persons and smuggling of migrants",
            "output",
            "unit",
            Some(0.0),
            true,
            &[
                (2020, 120.0, Some(82.0), Some(15.0), Some(67.0)),
                (2021, 200.0, None, None, None),
            ],
        ),
        (
            "OUT-1.2",
            "Capacity-building strategy for criminal-justice actors validated",
            "output",
            "unit",
            Some(0.0),
            false,
            &[(2020, 1.0, Some(0.0), None, None)],
        ),
        (
            "OC-1",
            "Percentage of trained practitioners reporting improved knowledge of trafficking cases",
            "outcome",
            "percentage",
            None,
            true,
            &[
                (2020, 70.0, None, None, None),
                (2021, 80.0, None, None, None),
            ],
        ),
    ];
    for (code, title, level, measure, baseline, by_sex, periods) in indicators {
        let indicator_id = Uuid::now_v7();
        diesel::insert_into(indicator::table)
            .values((
                indicator::id.eq(indicator_id),
                indicator::programme_id.eq(programme_id),
                indicator::code.eq(code),
                indicator::title.eq(title),
                indicator::result_level.eq(level),
                indicator::measure.eq(measure),
                indicator::baseline_value.eq(baseline),
                indicator::baseline_year.eq(baseline.map(|_| 2019)),
                indicator::disaggregated_by_sex.eq(by_sex),
            ))
            .execute(conn)
            .await?;
        for (year, target, actual, female, male) in periods {
            diesel::insert_into(indicator_period::table)
                .values((
                    indicator_period::id.eq(Uuid::now_v7()),
                    indicator_period::indicator_id.eq(indicator_id),
                    indicator_period::period_start.eq(day(*year, 1, 1)?),
                    indicator_period::period_end.eq(day(*year, 12, 31)?),
                    indicator_period::target_value.eq(target),
                    indicator_period::actual_value.eq(actual),
                    indicator_period::actual_female.eq(female),
                    indicator_period::actual_male.eq(male),
                ))
                .execute(conn)
                .await?;
        }
    }
    Ok(())
}

/// A period of an indicator: year, target, actual, actual female, actual male.
type PeriodSeed = (i32, f64, Option<f64>, Option<f64>, Option<f64>);

/// An indicator: code, title, level, measure, baseline, broken down by sex, periods.
type IndicatorSeed = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<f64>,
    bool,
    &'static [PeriodSeed],
);

async fn org(conn: &mut AsyncPgConnection, code: &str) -> Result<Uuid, StoreError> {
    Ok(organization::table
        .filter(organization::code.eq(code))
        .select(organization::id)
        .first(conn)
        .await?)
}

struct ActivitySeed<'a> {
    programme_id: Uuid,
    parent_id: Option<Uuid>,
    code: &'a str,
    title: &'a str,
    description: &'a str,
    kind: &'a str,
    pillar: &'a str,
    status: &'a str,
    visibility: &'a str,
    dates: (NaiveDate, NaiveDate),
    /// Not yet held: no actual dates.
    planned_only: bool,
    district: &'a str,
    /// female, male, other, judges, prosecutors, law enforcement, officials, civil society
    counts: [i32; 8],
}

async fn insert_activity(
    conn: &mut AsyncPgConnection,
    a: ActivitySeed<'_>,
) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    let actual = if a.planned_only {
        (None, None)
    } else {
        (Some(a.dates.0), Some(a.dates.1))
    };
    let [
        female,
        male,
        other,
        judges,
        prosecutors,
        law_enforcement,
        officials,
        civil_society,
    ] = a.counts;
    diesel::insert_into(activity::table)
        .values((
            (
                activity::id.eq(id),
                activity::programme_id.eq(a.programme_id),
                activity::parent_id.eq(a.parent_id),
                activity::code.eq(a.code),
                activity::title.eq(a.title),
                activity::description.eq(Some(a.description).filter(|d| !d.is_empty())),
                activity::kind.eq(a.kind),
                activity::pillar.eq(a.pillar),
                activity::status.eq(a.status),
                activity::visibility.eq(a.visibility),
                activity::planned_start.eq(a.dates.0),
                activity::planned_end.eq(a.dates.1),
            ),
            (
                activity::actual_start.eq(actual.0),
                activity::actual_end.eq(actual.1),
                activity::location.eq(a.district),
                activity::district.eq(a.district),
                activity::participants_female.eq(female),
                activity::participants_male.eq(male),
                activity::participants_other.eq(other),
                activity::judges.eq(judges),
                activity::prosecutors.eq(prosecutors),
                activity::law_enforcement.eq(law_enforcement),
                activity::officials.eq(officials),
                activity::civil_society.eq(civil_society),
            ),
        ))
        .execute(conn)
        .await?;
    Ok(id)
}

async fn participate(
    conn: &mut AsyncPgConnection,
    activity_id: Uuid,
    parts: &[(&str, &str)],
) -> Result<(), StoreError> {
    for (code, role) in parts {
        let organization_id = org(conn, code).await?;
        diesel::insert_into(participation::table)
            .values((
                participation::id.eq(Uuid::now_v7()),
                participation::activity_id.eq(activity_id),
                participation::organization_id.eq(organization_id),
                participation::role.eq(role),
            ))
            .execute(conn)
            .await?;
    }
    Ok(())
}
