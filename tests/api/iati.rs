//! The IATI 2.03 export: the files validate against the official schemas (with `xmllint`), every
//! code is in its IATI codelist, and only public rows are ever in them, whoever asks.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use gloact_domain::Role;
use gloact_tests::{TestApp, json, problem, spawn_seeded_app, spawn_seeded_app_with};
use quick_xml::Reader;
use quick_xml::events::Event;
use reqwest::Method;
use serde_json::json;

const ACTIVITIES: &str = "/api/v1/iati/activities.xml?programme=GLOACT-BGD";
const ORGANISATIONS: &str = "/api/v1/iati/organisations.xml";
const ROLES: [Role; 4] = [Role::Unodc, Role::Iom, Role::Eu, Role::Government];

fn standard() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("iati-2.03")
}

/// The body of a 200 answer in XML.
async fn fetch(app: &TestApp, path: &str, role: Role) -> String {
    let response = app.get(path, role).await;
    assert_eq!(response.status(), 200, "{path} as {role}");
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("application/xml"),
        "{content_type}"
    );
    response.text().await.unwrap()
}

/// Validates a file against an IATI schema with xmllint, run from the schemas folder so the
/// includes resolve; fails (never skips) when xmllint is missing.
fn validate(xml: &str, schema: &str) {
    let dir = std::env::temp_dir().join(format!("gloact-iati-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("file.xml");
    std::fs::write(&file, xml).unwrap();
    let output = Command::new("xmllint")
        .current_dir(standard().join("schemas"))
        .args(["--noout", "--schema", schema])
        .arg(&file)
        .output()
        .expect("xmllint runs (Debian package libxml2-utils; .ci/run installs it)");
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        output.status.success(),
        "{schema} refuses the file:\n{}\n{xml}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Every (element, attribute) → values in a file.
fn attributes(xml: &str) -> BTreeMap<(String, String), BTreeSet<String>> {
    let mut reader = Reader::from_str(xml);
    let mut out: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                for attribute in e.attributes() {
                    let attribute = attribute.unwrap();
                    let key = String::from_utf8(attribute.key.as_ref().to_vec()).unwrap();
                    let value = attribute.unescape_value().unwrap().into_owned();
                    out.entry((name.clone(), key)).or_default().insert(value);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// The codes of a vendored codelist.
fn codelist(name: &str) -> BTreeSet<String> {
    let path = standard().join("codelists").join(format!("{name}.xml"));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut reader = Reader::from_str(&text);
    let mut codes = BTreeSet::new();
    let mut in_code = false;
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) if e.name().as_ref() == b"code" => in_code = true,
            Event::End(e) if e.name().as_ref() == b"code" => in_code = false,
            Event::Text(t) if in_code => {
                codes.insert(t.decode().unwrap().trim().to_owned());
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(!codes.is_empty(), "{name} has codes");
    codes
}

/// The text of every element of this name.
fn texts(xml: &str, element: &str) -> Vec<String> {
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    let mut inside = false;
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) if e.name().as_ref() == element.as_bytes() => inside = true,
            Event::End(e) if e.name().as_ref() == element.as_bytes() => inside = false,
            Event::Text(t) if inside => out.push(t.decode().unwrap().into_owned()),
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

#[tokio::test]
async fn the_demo_programme_validates_against_the_iati_2_03_schema_and_codelists() {
    let app = spawn_seeded_app().await;
    let xml = fetch(&app, ACTIVITIES, Role::Unodc).await;
    validate(&xml, "iati-activities-schema.xsd");

    let found = attributes(&xml);
    let checks = [
        ("activity-status", "code", "ActivityStatus"),
        ("participating-org", "role", "OrganisationRole"),
        ("participating-org", "type", "OrganisationType"),
        ("reporting-org", "type", "OrganisationType"),
        ("activity-date", "type", "ActivityDateType"),
        ("sector", "code", "Sector"),
        ("sector", "vocabulary", "SectorVocabulary"),
        ("indicator", "measure", "IndicatorMeasure"),
        ("result", "type", "ResultType"),
        ("related-activity", "type", "RelatedActivityType"),
        ("recipient-country", "code", "Country"),
        ("description", "type", "DescriptionType"),
    ];
    for (element, attribute, list) in checks {
        let values = found
            .get(&(element.to_owned(), attribute.to_owned()))
            .unwrap_or_else(|| panic!("the file has {element}/@{attribute}:\n{xml}"));
        let codes = codelist(list);
        for value in values {
            assert!(
                codes.contains(value),
                "{element}/@{attribute} = {value} is not in {list}"
            );
        }
    }
    // The demo data's shape: EU funds, UNODC and IOM implement, Bangladesh, results with
    // baselines, targets and actuals.
    let roles = &found[&("participating-org".to_owned(), "role".to_owned())];
    assert!(roles.contains("1") && roles.contains("4"), "{roles:?}");
    assert_eq!(
        found[&("recipient-country".to_owned(), "code".to_owned())],
        BTreeSet::from(["BD".to_owned()])
    );
    assert!(xml.contains("<baseline "), "{xml}");
    assert!(xml.contains("<target "), "{xml}");
    assert!(xml.contains("<actual "), "{xml}");
    assert_eq!(texts(&xml, "iati-identifier"), ["XM-DAC-47066-GLOACT-BGD"]);
}

#[tokio::test]
async fn the_organisations_file_validates_against_the_iati_2_03_schema() {
    let app = spawn_seeded_app().await;
    let xml = fetch(&app, ORGANISATIONS, Role::Eu).await;
    validate(&xml, "iati-organisations-schema.xsd");
    let types = codelist("OrganisationType");
    for value in &attributes(&xml)[&("reporting-org".to_owned(), "type".to_owned())] {
        assert!(types.contains(value), "{value} is not an OrganisationType");
    }
    assert!(xml.contains("<organisation-identifier>XM-DAC-47066</organisation-identifier>"));
}

#[tokio::test]
async fn a_restricted_activity_is_never_exported_whoever_asks() {
    let app = spawn_seeded_app().await;
    for (code, visibility) in [("SECRET-2020-01", "restricted"), ("OPEN-2020-01", "public")] {
        let body = json!({
            "programme": "GLOACT-BGD",
            "code": code,
            "title": format!("Exported only when public: {code}"),
            "kind": "meeting",
            "pillar": "coordination",
            "visibility": visibility,
            "planned_start": "2020-05-10",
            "planned_end": "2020-05-10",
            "participations": [
                { "organization": "UNODC-BGD", "role": "implementing" },
                { "organization": "MOHA-BGD", "role": "participant" },
            ],
        });
        json(
            app.post("/api/v1/activities", Role::Unodc, &body).await,
            201,
        )
        .await;
    }
    for role in ROLES {
        let xml = fetch(&app, ACTIVITIES, role).await;
        assert!(
            !xml.contains("SECRET-2020-01"),
            "{role} got the restricted one"
        );
        assert!(xml.contains("OPEN-2020-01"), "{role} misses the public one");
        validate(&xml, "iati-activities-schema.xsd");
    }
}

#[tokio::test]
async fn every_role_may_fetch_both_files() {
    let app = spawn_seeded_app().await;
    for role in ROLES {
        let activities = fetch(&app, ACTIVITIES, role).await;
        assert!(activities.contains("<iati-activities "), "{role}");
        let organisations = fetch(&app, ORGANISATIONS, role).await;
        assert!(organisations.contains("<iati-organisations "), "{role}");
    }
}

#[tokio::test]
async fn without_a_token_the_files_need_the_public_setting() {
    let app = spawn_seeded_app().await;
    for path in [ACTIVITIES, ORGANISATIONS] {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        problem(response, 401, "token_missing").await;
    }

    let open = spawn_seeded_app_with(|settings| settings.iati.public = true).await;
    for path in [ACTIVITIES, ORGANISATIONS] {
        let response = open
            .client
            .get(format!("{}{path}", open.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let xml = response.text().await.unwrap();
        assert!(xml.starts_with("<?xml"), "{xml}");
    }
    // A token sent is still checked.
    let response = open
        .request(Method::GET, ACTIVITIES, "not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn an_unknown_programme_is_not_found() {
    let app = spawn_seeded_app().await;
    for path in [
        "/api/v1/iati/activities.xml?programme=NO-SUCH",
        "/api/v1/iati/activities.xml?programme=not%20a%20code",
    ] {
        problem(app.get(path, Role::Unodc).await, 404, "not_found").await;
    }
}
