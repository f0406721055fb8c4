//! Victim-assistance cases: the same cases to the same callers as REST (UNODC and IOM all, the
//! government those referred by or to it, the EU none), never who the person is, and case
//! statistics protected as over REST.

use gloact_domain::Role;
use gloact_tests::{TestApp, json, spawn_seeded_app};
use reqwest::Method;
use serde_json::{Value, json};

use super::{ROLES, data, first_code, gql, gql_as};

/// A case as REST's `POST /api/v1/cases` takes it.
fn new_case(district: &str, sex: &str) -> Value {
    json!({
        "identified_on": "2020-02-20",
        "district": district,
        "sex": sex,
        "age_band": "18_25",
        "citizenship": "BGD",
        "exploitation": "labour",
        "means_of_control": ["debt_bondage", "withheld_documents"],
        "recruitment": { "method": "job_offer", "recruiter_relation": "agent" },
        "events": [
            { "stage": "recruitment", "place": "Teknaf", "country": "BGD", "occurred_on": "2019-11-02" },
            { "stage": "exploitation", "place": "Kuala Lumpur", "country": "MYS" },
        ],
        "consent": true,
    })
}

/// Opens a case over REST with `token`; returns it as REST serves it.
async fn open_case(app: &TestApp, token: &str, body: &Value) -> Value {
    json(
        app.request(Method::POST, "/api/v1/cases", token)
            .json(body)
            .send()
            .await
            .unwrap(),
        201,
    )
    .await
}

/// The `uuid`s of a `cases` connection in an answer's data.
fn uuids(data: &Value) -> Vec<String> {
    data["cases"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("a connection: {data}"))
        .iter()
        .map(|e| e["node"]["uuid"].as_str().unwrap().to_owned())
        .collect()
}

const LIST: &str = "query($status: CaseStatus, $first: Int, $after: String) {
    cases(status: $status, first: $first, after: $after) {
        pageInfo { hasNextPage }
        edges { cursor node { uuid organization status hasIdentity } } } }";

const ONE: &str = "query($id: UUID!) { case(id: $id) {
    id uuid organization openedBy identifiedOn district sex ageBand citizenship exploitation
    meansOfControl recruitment { method recruiterRelation }
    events { stage place country occurredOn } consent status
    referrals { id fromOrganization toOrganization service status note referredBy createdAt updatedAt }
    hasIdentity version changeSeq createdAt updatedAt } }";

#[tokio::test]
async fn cases_follow_the_policy_per_role_as_over_rest() {
    let app = spawn_seeded_app().await;
    let iom = app.token(Role::Iom);
    let mut to_moljpa = new_case("Cox's Bazar", "female");
    to_moljpa["referrals"] = json!([{ "to_organization": "MOLJPA-BGD", "service": "legal",
                                       "note": "Needs counsel in Dhaka" }]);
    let to_moljpa = open_case(&app, &iom, &to_moljpa).await;
    let mut kept = new_case("Dhaka", "male");
    kept["status"] = json!("closed");
    let kept = open_case(&app, &iom, &kept).await;
    let moha = app.token_for(Role::Government, "MOHA-BGD");
    let mut by_moha = new_case("Sylhet", "female");
    by_moha["referrals"] = json!([{ "to_organization": "IOM-BGD", "service": "repatriation" }]);
    let by_moha = open_case(&app, &moha, &by_moha).await;
    let id = |case: &Value| case["id"].as_str().unwrap().to_owned();
    let mut all = vec![id(&to_moljpa), id(&kept), id(&by_moha)];
    all.sort();

    // UNODC and IOM see every case, in id order, as REST lists them.
    for role in [Role::Unodc, Role::Iom] {
        let found = data(&app, role, LIST, json!({})).await;
        assert_eq!(uuids(&found), all, "{role}");
        let rest: Vec<String> = app
            .get_all("/api/v1/cases", role)
            .await
            .iter()
            .map(id)
            .collect();
        assert_eq!(uuids(&found), rest, "{role}");
        let closed = data(&app, role, LIST, json!({ "status": "CLOSED" })).await;
        assert_eq!(uuids(&closed), [id(&kept)], "{role}");
    }
    // `totalCount` is what each could count by reading the list: no more.
    let count = "query($status: CaseStatus) { cases(status: $status) { totalCount } }";
    for (role, status, total) in [
        (Role::Unodc, None, 3),
        (Role::Iom, Some("CLOSED"), 1),
        (Role::Government, None, 1),
    ] {
        let found = data(&app, role, count, json!({ "status": status })).await;
        assert_eq!(found["cases"]["totalCount"], total, "{role} {status:?}");
    }
    // Pages continue after the cursor of their last edge.
    let first = data(&app, Role::Unodc, LIST, json!({ "first": 2 })).await;
    assert_eq!(first["cases"]["pageInfo"]["hasNextPage"], true);
    let cursor = first["cases"]["edges"][1]["cursor"].clone();
    let rest = data(
        &app,
        Role::Unodc,
        LIST,
        json!({ "first": 2, "after": cursor }),
    )
    .await;
    assert_eq!([uuids(&first), uuids(&rest)].concat(), all);

    // A case reads as REST serves it, without who the person is.
    let one = data(&app, Role::Iom, ONE, json!({ "id": id(&to_moljpa) })).await["case"].clone();
    assert_eq!(one["uuid"], to_moljpa["id"]);
    assert_eq!(one["organization"], "IOM-BGD");
    assert_eq!(one["sex"], "FEMALE");
    assert_eq!(one["ageBand"], "YOUNG_ADULT");
    assert_eq!(one["exploitation"], "LABOUR");
    assert_eq!(
        one["meansOfControl"],
        json!(["DEBT_BONDAGE", "WITHHELD_DOCUMENTS"])
    );
    assert_eq!(
        one["recruitment"],
        json!({ "method": "JOB_OFFER", "recruiterRelation": "AGENT" })
    );
    assert_eq!(
        one["events"],
        json!([
            { "stage": "RECRUITMENT", "place": "Teknaf", "country": "BGD", "occurredOn": "2019-11-02" },
            { "stage": "EXPLOITATION", "place": "Kuala Lumpur", "country": "MYS", "occurredOn": null },
        ])
    );
    let referral = &one["referrals"][0];
    assert_eq!(referral["id"], to_moljpa["referrals"][0]["id"]);
    assert_eq!(referral["fromOrganization"], "IOM-BGD");
    assert_eq!(referral["toOrganization"], "MOLJPA-BGD");
    assert_eq!(referral["service"], "LEGAL");
    assert_eq!(referral["status"], "PROPOSED");
    assert_eq!(referral["note"], "Needs counsel in Dhaka");
    assert_eq!(one["hasIdentity"], false);
    assert_eq!(one["version"], to_moljpa["version"]);
    assert_eq!(one["status"], "ACTIVE");

    // The government sees the cases referred to it, or by it, and no other: one it may not see
    // is null, as REST's 404.
    let moljpa = app.token_for(Role::Government, "MOLJPA-BGD");
    let found = gql_as(&app, &moljpa, LIST, json!({})).await;
    assert!(found.get("errors").is_none(), "{found}");
    assert_eq!(uuids(&found["data"]), [id(&to_moljpa)]);
    let found = gql_as(&app, &moha, LIST, json!({})).await;
    assert_eq!(uuids(&found["data"]), [id(&by_moha)]);
    for (token, hidden) in [(&moljpa, &kept), (&moljpa, &by_moha), (&moha, &to_moljpa)] {
        let answer = gql_as(&app, token, ONE, json!({ "id": id(hidden) })).await;
        assert!(answer.get("errors").is_none(), "{answer}");
        assert_eq!(answer["data"]["case"], Value::Null);
    }
    let answer = gql_as(&app, &moljpa, ONE, json!({ "id": id(&to_moljpa) })).await;
    assert_eq!(answer["data"]["case"]["uuid"], to_moljpa["id"]);
    let unknown = "5b0d3c1e-7a2f-4e8d-9c6b-1a2b3c4d5e6f";
    let nothing = data(&app, Role::Unodc, ONE, json!({ "id": unknown })).await;
    assert_eq!(nothing["case"], Value::Null);

    // The EU sees no case: `forbidden`, as REST's 403, and nothing of one reaches it.
    let eu = gql(&app, Role::Eu, LIST, json!({})).await;
    assert_eq!(first_code(&eu), "forbidden");
    assert_eq!(eu["data"], Value::Null, "{eu}");
    let eu_one = gql(&app, Role::Eu, ONE, json!({ "id": id(&to_moljpa) })).await;
    assert_eq!(first_code(&eu_one), "forbidden");
    assert_eq!(eu_one["data"], Value::Null, "{eu_one}");
}

#[tokio::test]
async fn a_case_is_a_node_found_through_the_cases_own_access() {
    let app = spawn_seeded_app().await;
    let mut body = new_case("Cox's Bazar", "female");
    body["referrals"] = json!([{ "to_organization": "MOLJPA-BGD", "service": "shelter" }]);
    let case = open_case(&app, &app.token(Role::Iom), &body).await;
    let listed = data(
        &app,
        Role::Unodc,
        "{ cases { edges { node { id uuid } } } }",
        json!({}),
    )
    .await;
    let global = listed["cases"]["edges"][0]["node"]["id"].clone();
    assert_eq!(listed["cases"]["edges"][0]["node"]["uuid"], case["id"]);
    let node =
        "query($id: ID!) { node(id: $id) { id __typename ... on Case { uuid hasIdentity } } }";
    for role in [Role::Unodc, Role::Iom] {
        let found = data(&app, role, node, json!({ "id": global })).await;
        assert_eq!(found["node"]["__typename"], "Case", "{role}");
        assert_eq!(found["node"]["uuid"], case["id"], "{role}");
    }
    let moljpa = app.token_for(Role::Government, "MOLJPA-BGD");
    let found = gql_as(&app, &moljpa, node, json!({ "id": global })).await;
    assert_eq!(found["data"]["node"]["uuid"], case["id"]);
    let moha = app.token_for(Role::Government, "MOHA-BGD");
    let hidden = gql_as(&app, &moha, node, json!({ "id": global })).await;
    assert!(hidden.get("errors").is_none(), "{hidden}");
    assert_eq!(hidden["data"]["node"], Value::Null);
    let by_eu = gql(&app, Role::Eu, node, json!({ "id": global })).await;
    assert_eq!(first_code(&by_eu), "forbidden");
    assert_eq!(by_eu["data"], Value::Null, "{by_eu}");
}

#[tokio::test]
async fn no_identity_is_served_over_graphql_and_case_reads_are_on_the_record() {
    // Not in the schema: no field of any type is named after an identifying field.
    let sdl = gloact_api::graphql::sdl();
    for field in [
        "givenName",
        "familyName",
        "otherNames",
        "birthDate",
        "phone",
        "email",
        "address",
        "identity",
    ] {
        for shape in [format!("\t{field}:"), format!("\t{field}(")] {
            assert!(!sdl.contains(&shape), "the schema has a field {field}");
        }
    }
    let case_type = sdl
        .split("\ntype Case implements Node {")
        .nth(1)
        .and_then(|rest| rest.split("\n}").next())
        .expect("a Case type");
    assert!(case_type.contains("\thasIdentity: Boolean!"));

    // A case with an identity stored: reading everything GraphQL has of it shows none of it.
    let app = spawn_seeded_app().await;
    let caseworker = app.token_with_scopes(Role::Iom, "IOM-BGD", "pii");
    let mut body = new_case("Cox's Bazar", "female");
    body["identity"] = json!({
        "given_name": "Amina", "family_name": "Rahmanova",
        "birth_date": "2001-04-09", "phone": "+880 1711-555123",
    });
    let case = open_case(&app, &caseworker, &body).await;
    let answer = app
        .request(Method::POST, "/graphql", &caseworker)
        .header("x-request-id", "gql-case-audit-1")
        .json(&json!({ "query": ONE, "variables": { "id": case["id"] } }))
        .send()
        .await
        .unwrap();
    let answer = json(answer, 200).await;
    assert_eq!(answer["data"]["case"]["hasIdentity"], true, "{answer}");
    let text = answer.to_string();
    for secret in ["Amina", "Rahmanova", "2001-04-09", "1711-555123"] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    // Asking for an identifying field is refused before anything runs, even with `pii`.
    let asked = gql_as(
        &app,
        &caseworker,
        "query($id: UUID!) { case(id: $id) { givenName } }",
        json!({ "id": case["id"] }),
    )
    .await;
    assert_eq!(first_code(&asked), "invalid_graphql");
    assert!(!asked.to_string().contains("Amina"));

    // The read is on the audit trail under the request's id, as over REST.
    let admin = app.token_with_scopes(Role::Unodc, "UNODC-BGD", "admin");
    let events = json(
        app.request(
            Method::GET,
            "/api/v1/admin/audit-events?limit=500&request_id=gql-case-audit-1",
            &admin,
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await["items"]
        .clone();
    let id = case["id"].as_str().unwrap();
    let recorded = events.as_array().unwrap().iter().any(|e| {
        e["action"] == "read"
            && e["resource_type"] == "case"
            && (e["resource_id"] == id
                || e["resource_ids"]
                    .as_array()
                    .is_some_and(|ids| ids.iter().any(|i| i == id)))
    });
    assert!(recorded, "the case read left no trace: {events}");
}

#[tokio::test]
async fn case_statistics_are_protected_as_over_rest() {
    let app = spawn_seeded_app().await;
    let iom = app.token(Role::Iom);
    for district in ["Dhaka", "Dhaka", "Jessore"] {
        open_case(&app, &iom, &new_case(district, "female")).await;
    }
    let query = "{ caseStatistics(by: DISTRICT) { exact total cells { key count suppressed } } }";
    for role in ROLES {
        let rest = app
            .get_json("/api/v1/statistics/cases?by=district", role, 200)
            .await;
        let served = data(&app, role, query, json!({})).await["caseStatistics"].clone();
        assert_eq!(served["exact"], false, "{role}");
        let cells = served["cells"].as_array().unwrap();
        assert_eq!(cells.len(), 2, "{role}");
        for cell in cells {
            // Fewer than 11 cases: withheld for every role without stats:exact, the EU included.
            assert_eq!(cell["suppressed"], true, "{role}");
            assert_eq!(cell["count"], Value::Null, "{role}");
        }
        assert_eq!(served["total"], rest["total"], "{role}");
        assert_eq!(served["exact"], rest["exact"], "{role}");
    }
    // Overlapping periods would give a withheld count away by subtraction: refused, as over REST.
    let ranged = gql(
        &app,
        Role::Eu,
        "{ caseStatistics(by: SEX, from: \"2020-01-01\") { exact } }",
        json!({}),
    )
    .await;
    assert_eq!(first_code(&ranged), "forbidden");

    let exact = app.token_with_scopes(Role::Unodc, "UNODC-BGD", "stats:exact");
    let answer = gql_as(&app, &exact, query, json!({})).await;
    let table = &answer["data"]["caseStatistics"];
    assert_eq!(table["exact"], true, "{answer}");
    assert_eq!(
        table["cells"],
        json!([
            { "key": "Dhaka", "count": 2, "suppressed": false },
            { "key": "Jessore", "count": 1, "suppressed": false },
        ])
    );
    assert_eq!(table["total"], 3);
}
