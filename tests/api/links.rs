//! A row names another row only to callers who may see that other row: a referral about a
//! restricted activity does not give the receiving ministry the activity's id, and a part does
//! not give its restricted parent's id to an organization that takes part in the part only.
//! (Cases name only organizations, which everyone sees; follow-up actions are seen only with
//! their activity.)

use gloact_domain::Role;
use gloact_tests::{TestApp, json, spawn_seeded_app};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

async fn get(app: &TestApp, path: &str, token: &str) -> Value {
    json(
        app.request(Method::GET, path, token).send().await.unwrap(),
        200,
    )
    .await
}

/// One GraphQL operation that must succeed, with `token`; its data.
async fn graphql(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    let answer = crate::graphql::gql_as(app, token, query, variables).await;
    assert!(answer.get("errors").is_none(), "{answer}");
    answer["data"].clone()
}

#[tokio::test]
async fn a_referral_names_its_activity_only_to_those_who_may_see_it() {
    let app = spawn_seeded_app().await;
    // WS-2020-02 is restricted; the Ministry of Home Affairs takes part, the Ministry of Law
    // does not.
    let workshop = app.activity("WS-2020-02").await;
    let moha = app.token(Role::Government);
    let moljpa = app.token_for(Role::Government, "MOLJPA-BGD");
    let id = Uuid::new_v4();
    let referral = json!({
        "id": id,
        "occurred_at": "2020-02-25T14:05:00Z",
        "district": "Cox's Bazar",
        "activity_id": workshop["id"],
        "payload": { "kind": "referral", "service": "legal", "to_organization": "MOLJPA-BGD" },
    });
    let sent = json(
        app.request(Method::POST, "/api/v1/field-reports", &moha)
            .json(&referral)
            .send()
            .await
            .unwrap(),
        201,
    )
    .await;
    assert_eq!(sent["activity_id"], workshop["id"]);
    let path = format!("/api/v1/field-reports/{id}");

    // The receiver reads the report, without the activity's id, by id and in the list...
    let read = get(&app, &path, &moljpa).await;
    assert_eq!(read["id"], json!(id));
    assert_eq!(read["activity_id"], Value::Null, "{read}");
    let listed = app.get_all_as("/api/v1/field-reports", &moljpa).await;
    let item = listed.iter().find(|r| r["id"] == json!(id)).unwrap();
    assert_eq!(item["activity_id"], Value::Null, "{item}");
    // ...and over GraphQL.
    let data = graphql(
        &app,
        &moljpa,
        "query($id: UUID!) { fieldReport(id: $id) { id activity { id } } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(data["fieldReport"]["activity"], Value::Null, "{data}");
    assert!(
        !data.to_string().contains(workshop["id"].as_str().unwrap()),
        "{data}"
    );

    // The sender and UNODC, who see the activity, get its id; so does the sender's resend.
    assert_eq!(get(&app, &path, &moha).await["activity_id"], workshop["id"]);
    assert_eq!(
        get(&app, &path, &app.token(Role::Unodc)).await["activity_id"],
        workshop["id"]
    );
    let resent = json(
        app.request(Method::POST, "/api/v1/field-reports", &moha)
            .json(&referral)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(resent["activity_id"], workshop["id"]);
}

#[tokio::test]
async fn a_part_names_its_parent_only_to_those_who_may_see_it() {
    let app = spawn_seeded_app().await;
    // WS-2020-01 is restricted, with the Ministry of Law; its new part is restricted too, with the
    // Ministry of Home Affairs, which therefore sees the part but not the parent.
    let parent = app.activity("WS-2020-01").await;
    let parent_id = parent["id"].as_str().unwrap().to_owned();
    let part = json(
        app.post(
            "/api/v1/activities",
            Role::Unodc,
            &json!({
                "programme": "GLOACT-BGD",
                "parent_id": parent_id,
                "code": "WS-2020-01-D2",
                "title": "Second day: case studies with the police",
                "kind": "meeting",
                "pillar": "capacity_building",
                "visibility": "restricted",
                "planned_start": "2020-02-11",
                "planned_end": "2020-02-11",
                "participations": [{ "organization": "MOHA-BGD", "role": "participant" }],
            }),
        )
        .await,
        201,
    )
    .await;
    let part_path = format!("/api/v1/activities/{}", part["id"].as_str().unwrap());
    let moha = app.token(Role::Government);

    let read = get(&app, &part_path, &moha).await;
    assert_eq!(read["code"], "WS-2020-01-D2");
    assert_eq!(read["parent_id"], Value::Null, "{read}");
    let all = app.get_all_as("/api/v1/activities?limit=500", &moha).await;
    let listed = all.iter().find(|a| a["code"] == "WS-2020-01-D2").unwrap();
    assert_eq!(listed["parent_id"], Value::Null, "{listed}");
    assert!(
        !serde_json::to_string(&all).unwrap().contains(&parent_id),
        "no activity served names the parent"
    );
    // Filtering by the parent's id does not confirm that it exists.
    let filtered = get(
        &app,
        &format!("/api/v1/activities?parent_id={parent_id}"),
        &moha,
    )
    .await;
    assert_eq!(filtered["items"], json!([]), "{filtered}");
    let data = graphql(
        &app,
        &moha,
        "query($id: UUID!, $parent: UUID!) {
           activity(id: $id) { code parent { id } }
           activities(filter: { parentId: $parent }) { totalCount }
         }",
        json!({ "id": part["id"], "parent": parent_id }),
    )
    .await;
    assert_eq!(data["activity"]["code"], "WS-2020-01-D2");
    assert_eq!(data["activity"]["parent"], Value::Null, "{data}");
    assert_eq!(data["activities"]["totalCount"], 0, "{data}");

    // Those who see the parent get its id and its parts.
    let unodc = app.token(Role::Unodc);
    assert_eq!(
        get(&app, &part_path, &unodc).await["parent_id"],
        json!(parent_id)
    );
    let parts = get(
        &app,
        &format!("/api/v1/activities?parent_id={parent_id}"),
        &unodc,
    )
    .await;
    assert_eq!(parts["items"][0]["code"], "WS-2020-01-D2", "{parts}");
    // A public part of a public parent keeps naming it for everyone (NC-2020's meetings).
    let consultation = app.activity("NC-2020").await;
    let meetings = get(
        &app,
        &format!(
            "/api/v1/activities?parent_id={}",
            consultation["id"].as_str().unwrap()
        ),
        &moha,
    )
    .await;
    assert!(!meetings["items"].as_array().unwrap().is_empty());
    for meeting in meetings["items"].as_array().unwrap() {
        assert_eq!(meeting["parent_id"], consultation["id"]);
    }
}
