//! The HTCDS case release (`/api/v1/exports/htcds.csv`): exact microdata for UNODC and IOM with
//! `stats:exact`, a k-anonymous release for everyone else, checked on thousands of generated
//! cases; never an identity, free text or a stored id.

use std::collections::BTreeMap;

use diesel_async::RunQueryDsl;
use gloact_domain::Role;
use gloact_domain::htcds::COLUMNS;
use gloact_tests::{TestApp, json, problem, spawn_app};
use reqwest::Method;
use serde_json::json;

const PATH: &str = "/api/v1/exports/htcds.csv";
/// Generated cases, plus the three of Bhola and the one sent over the API.
const GENERATED: usize = 3000;
const K: usize = 11;

/// The quasi-identifier columns of a row.
const QUASI: [&str; 6] = [
    "yearOfRegistration",
    "gender",
    "ageBroad",
    "citizenship",
    "districtOfRegistration",
    "typeOfExploitConcatenated",
];

/// Stores thousands of cases behind the API's back in one statement, their values spread by
/// the row number, and three alike in Bhola, a district no other case is from; then one case
/// over the API with an identity, a referral note and events, whose text must never come out.
async fn seed(app: &TestApp) -> usize {
    let mut conn = app.db.conn().await.unwrap();
    let generated = format!(
        "INSERT INTO victim_case (id, organization_id, opened_by, identified_on, district, sex, \
           age_band, citizenship, exploitation, means_of_control, recruitment, recruiter_relation, \
           consent, status) \
         SELECT gen_random_uuid(), (SELECT id FROM organization WHERE code = 'IOM-BGD'), 'seed', \
           make_date(2016 + (g * 7) % 6, 1 + g % 12, 1 + g % 28), \
           (ARRAY['Dhaka', 'Cox''s Bazar', 'Khulna', 'Sylhet', 'Rajshahi', 'Gazipur', 'Jessore'])[1 + (g * 13) % 7], \
           (ARRAY['female', 'male'])[1 + (g * 3) % 2], \
           (ARRAY['0_11', '12_17', '18_25', '26_40', '41_plus', 'unknown'])[1 + (g * 11) % 6], \
           (ARRAY['BGD', 'BGD', 'BGD', 'MMR', 'IND'])[1 + (g * 17) % 5], \
           (ARRAY['sexual', 'labour', 'domestic_servitude', 'forced_marriage'])[1 + (g * 19 / 3) % 4], \
           ARRAY['debt_bondage'], 'job_offer', 'agent', false, 'active' \
         FROM generate_series(1, {GENERATED}) AS g"
    );
    diesel::sql_query(generated)
        .execute(&mut conn)
        .await
        .unwrap();
    diesel::sql_query(
        "INSERT INTO victim_case (id, organization_id, opened_by, identified_on, district, sex, \
           age_band, citizenship, exploitation, recruitment, recruiter_relation, consent, status) \
         SELECT gen_random_uuid(), (SELECT id FROM organization WHERE code = 'IOM-BGD'), 'seed', \
           '2021-05-01', 'Bhola', 'female', '12_17', 'BGD', 'sexual', 'abduction', 'family', false, \
           'active' FROM generate_series(1, 3)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let caseworker = app.token_with_scopes(Role::Iom, "IOM-BGD", "pii");
    let sent = app
        .request(Method::POST, "/api/v1/cases", &caseworker)
        .json(&json!({
            "identified_on": "2020-02-20", "district": "Dhaka", "sex": "female",
            "age_band": "18_25", "citizenship": "BGD", "exploitation": "labour",
            "means_of_control": ["debt_bondage"],
            "recruitment": { "method": "job_offer", "recruiter_relation": "agent" },
            "events": [{ "stage": "exploitation", "place": "Kuala Lumpur", "country": "MYS" }],
            "consent": true,
            "referrals": [{ "to_organization": "UNODC-BGD", "service": "legal", "note": "Zebulonnote" }],
            "identity": { "given_name": "Amina", "family_name": "Rahmanova", "phone": "+880 1711-555123" },
        }))
        .send()
        .await
        .unwrap();
    json(sent, 201).await;
    GENERATED + 3 + 1
}

/// An export as one caller gets it: its headers and rows (column name → cell).
struct Export {
    release: String,
    suppressed: usize,
    header: Vec<String>,
    rows: Vec<BTreeMap<String, String>>,
    text: String,
}

async fn export(app: &TestApp, token: &str) -> Export {
    let response = app.request(Method::GET, PATH, token).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert!(header("content-type").starts_with("text/csv"));
    assert_eq!(header("cache-control"), "no-store");
    let release = header("x-htcds-release");
    let suppressed = header("x-suppressed-records").parse().unwrap();
    let text = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let columns: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|record| {
            columns
                .iter()
                .cloned()
                .zip(record.unwrap().iter().map(str::to_owned))
                .collect()
        })
        .collect();
    Export {
        release,
        suppressed,
        header: columns,
        rows,
        text,
    }
}

fn unodc_exact(app: &TestApp) -> String {
    app.token_with_scopes(Role::Unodc, "UNODC-BGD", "stats:exact")
}

/// Checks what every release holds to: the HTCDS columns only, and none of the identity, the
/// referral note, the event's place or a stored id.
fn check_columns_and_no_identity(export: &Export) {
    assert_eq!(export.header, COLUMNS, "exactly the documented columns");
    for column in &export.header {
        let lower = column.to_lowercase();
        for banned in [
            "name",
            "phone",
            "birth",
            "note",
            "narrative",
            "organization",
            "place",
        ] {
            assert!(!lower.contains(banned), "{column}");
        }
    }
    for secret in [
        "Amina",
        "Rahmanova",
        "555123",
        "Zebulonnote",
        "Kuala Lumpur",
        "IOM-BGD",
        "seed",
    ] {
        assert!(!export.text.contains(secret), "{secret} came out");
    }
    // No UUID anywhere: no stored id of a case, a referral or an organization.
    let uuid_like = export
        .text
        .split(|c: char| !c.is_ascii_hexdigit() && c != '-')
        .any(|w| w.len() == 36 && uuid::Uuid::parse_str(w).is_ok());
    assert!(!uuid_like, "a stored id came out");
}

fn check_k_anonymous(export: &Export, total: usize) {
    assert_eq!(export.release, "k-anonymous");
    let mut classes: BTreeMap<Vec<String>, usize> = BTreeMap::new();
    for row in &export.rows {
        assert_eq!(row["caseId"], "", "no case id in a k-anonymous release");
        let key = QUASI.iter().map(|c| row[*c].clone()).collect();
        *classes.entry(key).or_default() += 1;
    }
    for (combination, n) in &classes {
        assert!(*n >= K, "{combination:?} is shared by only {n} rows");
    }
    assert_eq!(
        export.rows.len() + export.suppressed,
        total,
        "every case is released or counted as suppressed"
    );
    assert!(
        export
            .rows
            .iter()
            .all(|r| r["districtOfRegistration"] != "Bhola"),
        "the three cases of Bhola never appear as such"
    );
    assert!(
        export.suppressed <= total * 5 / 100 + K,
        "withheld {} of {total}",
        export.suppressed
    );
    assert!(!export.rows.is_empty(), "thousands of cases give a release");
}

#[tokio::test]
async fn only_unodc_and_iom_with_stats_exact_get_one_exact_row_per_case() {
    let app = spawn_app().await;
    let total = seed(&app).await;
    for token in [
        unodc_exact(&app),
        app.token_with_scopes(Role::Iom, "IOM-BGD", "stats:exact"),
    ] {
        let exact = export(&app, &token).await;
        assert_eq!(exact.release, "exact");
        assert_eq!((exact.rows.len(), exact.suppressed), (total, 0));
        check_columns_and_no_identity(&exact);
        // The case id is a row number of this export, never the stored id.
        let ids: Vec<String> = exact.rows.iter().map(|r| r["caseId"].clone()).collect();
        let expected: Vec<String> = (1..=total).map(|n| n.to_string()).collect();
        assert_eq!(ids, expected);
        let bhola: Vec<_> = exact
            .rows
            .iter()
            .filter(|r| r["districtOfRegistration"] == "Bhola")
            .collect();
        assert_eq!(
            bhola.len(),
            3,
            "the exact release holds every case as it is"
        );
        let row = bhola[0];
        assert_eq!(
            (
                row["yearOfRegistration"].as_str(),
                row["gender"].as_str(),
                row["ageBroad"].as_str(),
                row["majorityStatus"].as_str(),
                row["citizenship"].as_str(),
                row["isSexualExploit"].as_str(),
                row["isAbduction"].as_str(),
                row["recruiterRelationFamily"].as_str(),
                row["meansOfControlNotSpecified"].as_str(),
            ),
            (
                "2021", "Female", "12--17", "Minor", "BGD", "1", "1", "1", "1"
            )
        );
    }
}

#[tokio::test]
async fn everyone_else_gets_a_k_anonymous_release_with_the_suppressed_counted() {
    let app = spawn_app().await;
    let total = seed(&app).await;
    let callers = [
        ("unodc", app.token(Role::Unodc)),
        ("iom", app.token(Role::Iom)),
        ("eu", app.token(Role::Eu)),
        ("government", app.token(Role::Government)),
        (
            "iom+pii",
            app.token_with_scopes(Role::Iom, "IOM-BGD", "pii"),
        ),
    ];
    let mut releases = Vec::new();
    for (who, token) in &callers {
        let release = export(&app, token).await;
        assert_eq!(release.release, "k-anonymous", "{who}");
        check_columns_and_no_identity(&release);
        check_k_anonymous(&release, total);
        releases.push(release.text);
    }
    assert!(
        releases.windows(2).all(|w| w[0] == w[1]),
        "the release is the same for every caller, and deterministic"
    );
    // The exact release, for comparison, differs: it holds more than the k-anonymous one.
    let exact = export(&app, &unodc_exact(&app)).await;
    assert_ne!(exact.text, releases[0]);
}

#[tokio::test]
async fn a_small_collection_is_withheld_whole_and_a_token_is_needed() {
    let app = spawn_app().await;
    // Ten cases alike are fewer than k: nothing comes out, all ten counted.
    let mut conn = app.db.conn().await.unwrap();
    diesel::sql_query(
        "INSERT INTO victim_case (id, organization_id, opened_by, identified_on, district, sex, \
           age_band, citizenship, exploitation, recruitment, recruiter_relation, consent, status) \
         SELECT gen_random_uuid(), (SELECT id FROM organization WHERE code = 'IOM-BGD'), 'seed', \
           '2021-05-01', 'Dhaka', 'female', '18_25', 'BGD', 'sexual', 'job_offer', 'agent', false, \
           'active' FROM generate_series(1, 10)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let release = export(&app, &app.token(Role::Eu)).await;
    assert_eq!((release.rows.len(), release.suppressed), (0, 10));
    assert_eq!(release.header, COLUMNS);
    let exact = export(&app, &unodc_exact(&app)).await;
    assert_eq!(exact.rows.len(), 10);
    let anonymous = app
        .client
        .get(format!("{}{PATH}", app.address))
        .send()
        .await
        .unwrap();
    problem(anonymous, 401, "token_missing").await;
}
