//! The demo data as a user of the API sees it: organizations, the programme, the national
//! consultation with its meetings, the workshops, the follow-up action, the indicators; and a
//! second seed run that changes nothing.

use std::collections::BTreeMap;

use gloact_domain::Role;
use gloact_persistence::seed::{SeedOutcome, seed};
use gloact_tests::{TestApp, spawn_seeded_app};
use serde_json::Value;

fn codes(items: &[Value]) -> Vec<String> {
    let mut codes: Vec<String> = items
        .iter()
        .map(|i| i["code"].as_str().unwrap().to_owned())
        .collect();
    codes.sort();
    codes
}

fn strings(value: &Value) -> Vec<String> {
    let mut strings: Vec<String> = value
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect();
    strings.sort();
    strings
}

#[tokio::test]
async fn the_nine_organizations_have_their_codes_kinds_countries_and_parents() {
    let app = spawn_seeded_app().await;
    let organizations = app.get_all("/api/v1/organizations", Role::Unodc).await;
    let by_code: BTreeMap<&str, &Value> = organizations
        .iter()
        .map(|o| (o["code"].as_str().unwrap(), o))
        .collect();
    let expected = [
        ("UNODC-DO", "un_agency", "AUT"),
        ("UNODC-ROSA", "un_agency", "IND"),
        ("UNODC-BGD", "un_agency", "BGD"),
        ("IOM-BGD", "un_agency", "BGD"),
        ("EU-DEL-BGD", "donor", "BGD"),
        ("MOFA-BGD", "government", "BGD"),
        ("MOHA-BGD", "government", "BGD"),
        ("MOLJPA-BGD", "government", "BGD"),
        ("BNWLA", "civil_society", "BGD"),
    ];
    assert_eq!(organizations.len(), 9, "{organizations:?}");
    assert_eq!(by_code.len(), 9);
    for (code, kind, country) in expected {
        let org = by_code
            .get(code)
            .unwrap_or_else(|| panic!("no organization {code}"));
        assert_eq!(org["kind"], kind, "{code}");
        assert_eq!(org["country"], country, "{code}");
        assert_eq!(org["version"], 1, "{code}");
    }
    let id = |code: &str| by_code[code]["id"].clone();
    assert_eq!(by_code["UNODC-ROSA"]["parent_id"], id("UNODC-DO"));
    assert_eq!(by_code["UNODC-BGD"]["parent_id"], id("UNODC-ROSA"));
    assert_eq!(by_code["UNODC-DO"]["parent_id"], Value::Null);
    assert_eq!(by_code["IOM-BGD"]["parent_id"], Value::Null);
    assert_eq!(by_code["IOM-BGD"]["iati_ref"], "XM-DAC-47066");
    assert_eq!(
        by_code["UNODC-BGD"]["name"],
        "UNODC Programme Office in Bangladesh"
    );
}

#[tokio::test]
async fn the_programme_has_its_funder_and_implementers() {
    let app = spawn_seeded_app().await;
    let programmes = app.get_all("/api/v1/programmes", Role::Unodc).await;
    assert_eq!(codes(&programmes), ["GLOACT-BGD"]);
    let listed = &programmes[0];
    assert_eq!(strings(&listed["funders"]), ["EU-DEL-BGD"]);
    assert_eq!(strings(&listed["implementers"]), ["IOM-BGD", "UNODC-BGD"]);
    assert_eq!(listed["countries"], serde_json::json!(["BGD"]));
    assert_eq!(listed["start_date"], "2019-07-01");
    assert_eq!(listed["end_date"], "2022-12-31");
    let id = listed["id"].as_str().unwrap();
    let programme = app
        .get_json(&format!("/api/v1/programmes/{id}"), Role::Eu, 200)
        .await;
    assert_eq!(programme["code"], "GLOACT-BGD");
    assert_eq!(strings(&programme["funders"]), ["EU-DEL-BGD"]);
    assert_eq!(
        strings(&programme["implementers"]),
        ["IOM-BGD", "UNODC-BGD"]
    );
}

#[tokio::test]
async fn the_national_consultation_has_sixteen_meetings_and_three_achieved_objectives() {
    let app = spawn_seeded_app().await;
    let nc = app.activity("NC-2020").await;
    assert_eq!(nc["kind"], "consultation");
    assert_eq!(nc["status"], "completed");
    assert_eq!(nc["actual"]["start"], "2020-01-19");
    assert_eq!(nc["actual"]["end"], "2020-01-23");
    assert_eq!(nc["parent_id"], Value::Null);
    let objectives = nc["objectives"].as_array().unwrap();
    assert_eq!(objectives.len(), 3, "{objectives:?}");
    assert!(
        objectives.iter().all(|o| o["achieved"] == true),
        "{objectives:?}"
    );

    let id = nc["id"].as_str().unwrap();
    let meetings = app
        .get_all(&format!("/api/v1/activities?parent_id={id}"), Role::Unodc)
        .await;
    assert_eq!(meetings.len(), 16);
    let expected: Vec<String> = (1..=16).map(|i| format!("NC-2020-M{i:02}")).collect();
    assert_eq!(codes(&meetings), expected);
    for meeting in &meetings {
        assert_eq!(meeting["kind"], "meeting", "{meeting}");
        assert_eq!(meeting["parent_id"], id, "{meeting}");
        for span in ["planned", "actual"] {
            for end in ["start", "end"] {
                let day = meeting[span][end]
                    .as_str()
                    .unwrap_or_else(|| panic!("{span}.{end} of {meeting}"));
                assert!(
                    ("2020-01-19"..="2020-01-23").contains(&day),
                    "{span}.{end} = {day} of {}",
                    meeting["code"]
                );
            }
        }
    }
}

#[tokio::test]
async fn the_two_workshops_trained_criminal_justice_actors() {
    let app = spawn_seeded_app().await;
    for (code, start, end, district) in [
        ("WS-2020-01", "2020-02-10", "2020-02-11", "Dhaka"),
        ("WS-2020-02", "2020-02-24", "2020-02-25", "Cox's Bazar"),
    ] {
        let ws = app.activity(code).await;
        assert_eq!(ws["kind"], "workshop", "{code}");
        assert_eq!(ws["pillar"], "capacity_building", "{code}");
        assert_eq!(ws["status"], "completed", "{code}");
        assert_eq!(ws["actual"]["start"], start, "{code}");
        assert_eq!(ws["actual"]["end"], end, "{code}");
        assert_eq!(ws["district"], district, "{code}");
        let p = &ws["participants"];
        let actors = p["judges"].as_i64().unwrap()
            + p["prosecutors"].as_i64().unwrap()
            + p["law_enforcement"].as_i64().unwrap();
        assert!(actors > 0, "{code}: {p}");
    }
    let ws1 = app.activity("WS-2020-01").await;
    assert_eq!(ws1["participants"]["judges"], 14);
    assert_eq!(ws1["participants"]["prosecutors"], 16);
    let ws2 = app.activity("WS-2020-02").await;
    assert_eq!(ws2["participants"]["prosecutors"], 4);
    assert_eq!(ws2["participants"]["law_enforcement"], 26);
}

#[tokio::test]
async fn the_follow_up_action_is_embedded_in_the_consultation_and_listed() {
    let app = spawn_seeded_app().await;
    let nc = app.activity("NC-2020").await;
    let embedded = nc["follow_up_actions"].as_array().unwrap();
    assert_eq!(embedded.len(), 1, "{embedded:?}");
    let action = &embedded[0];
    assert_eq!(action["owner"], "UNODC-BGD");
    assert_eq!(action["owner_id"], app.org_id("UNODC-BGD").await.as_str());
    assert_eq!(action["due_date"], "2020-04-30");
    assert_eq!(action["status"], "open");
    assert_eq!(action["activity_id"], nc["id"]);

    let listed = app.get_all("/api/v1/follow-up-actions", Role::Unodc).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["id"], action["id"]);
    assert_eq!(listed[0]["due_date"], "2020-04-30");
    assert_eq!(listed[0]["owner"], "UNODC-BGD");
}

#[tokio::test]
async fn the_validation_workshop_is_planned_in_april_2020() {
    let app = spawn_seeded_app().await;
    let vw = app.activity("VW-2020-04").await;
    assert_eq!(vw["kind"], "validation_workshop");
    assert_eq!(vw["status"], "planned");
    assert_eq!(vw["planned"]["start"], "2020-04-14");
    assert_eq!(vw["planned"]["end"], "2020-04-15");
    assert_eq!(vw["actual"]["start"], Value::Null);
    assert_eq!(vw["actual"]["end"], Value::Null);
}

#[tokio::test]
async fn the_three_indicators_have_their_periods() {
    let app = spawn_seeded_app().await;
    let indicators = app.get_all("/api/v1/indicators", Role::Unodc).await;
    assert_eq!(codes(&indicators), ["OC-1", "OUT-1.1", "OUT-1.2"]);
    let by_code: BTreeMap<&str, &Value> = indicators
        .iter()
        .map(|i| (i["code"].as_str().unwrap(), i))
        .collect();
    let period_count = |code: &str| by_code[code]["periods"].as_array().unwrap().len();
    assert_eq!(period_count("OUT-1.1"), 2);
    assert_eq!(period_count("OUT-1.2"), 1);
    assert_eq!(period_count("OC-1"), 2);

    let out11 = by_code["OUT-1.1"];
    assert_eq!(out11["result_level"], "output");
    assert_eq!(out11["measure"], "unit");
    assert_eq!(out11["disaggregated_by_sex"], true);
    let p2020 = &out11["periods"][0];
    assert_eq!(p2020["start"], "2020-01-01");
    assert_eq!(p2020["end"], "2020-12-31");
    assert_eq!(p2020["target"], 120.0);
    assert_eq!(p2020["actual"], 82.0);
    assert_eq!(p2020["actual_female"], 15.0);
    assert_eq!(p2020["actual_male"], 67.0);
    let p2021 = &out11["periods"][1];
    assert_eq!(p2021["start"], "2021-01-01");
    assert_eq!(p2021["actual"], Value::Null);

    assert_eq!(by_code["OUT-1.2"]["disaggregated_by_sex"], false);
    assert_eq!(by_code["OC-1"]["result_level"], "outcome");
    assert_eq!(by_code["OC-1"]["measure"], "percentage");
}

/// The largest change number of every list, and the number of activities.
async fn snapshot(app: &TestApp) -> (usize, i64) {
    let mut max = 0;
    let mut activities = 0;
    for path in [
        "/api/v1/organizations",
        "/api/v1/programmes",
        "/api/v1/activities",
        "/api/v1/follow-up-actions",
        "/api/v1/indicators",
    ] {
        let items = app.get_all(path, Role::Unodc).await;
        if path == "/api/v1/activities" {
            activities = items.len();
        }
        for item in &items {
            max = max.max(item["change_seq"].as_i64().unwrap());
            for period in item["periods"].as_array().into_iter().flatten() {
                max = max.max(period["change_seq"].as_i64().unwrap());
            }
        }
    }
    (activities, max)
}

#[tokio::test]
async fn seeding_again_changes_nothing() {
    let app = spawn_seeded_app().await;
    let before = snapshot(&app).await;
    let last_before = app.db.last_change_seq().await.unwrap();
    // 1 consultation + 16 meetings + 2 workshops + 1 validation workshop.
    assert_eq!(before.0, 20);
    assert!(before.1 > 0);

    assert_eq!(seed(&app.db).await.unwrap(), SeedOutcome::AlreadySeeded);

    assert_eq!(snapshot(&app).await, before);
    assert_eq!(app.db.last_change_seq().await.unwrap(), last_before);
}
