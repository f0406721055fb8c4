//! Reads: the same 401, rows, order, scoping and global ids as REST.

use gloact_domain::Role;
use gloact_tests::{problem, spawn_app, spawn_seeded_app};
use serde_json::{Value, json};

use super::{ROLES, data, first_code, gql, report};

#[tokio::test]
async fn a_missing_or_bad_token_is_the_same_401_as_rest() {
    let app = spawn_app().await;
    let url = format!("{}/graphql", app.address);
    let body = json!({ "query": "{ programmes { totalCount } }" });
    let missing = app.client.post(&url).json(&body).send().await.unwrap();
    problem(missing, 401, "token_missing").await;
    let bad = app
        .client
        .post(&url)
        .bearer_auth("not-a-token")
        .json(&body)
        .send()
        .await
        .unwrap();
    problem(bad, 401, "token_invalid").await;
    let get = app
        .client
        .get(format!("{url}?query=%7Bprogrammes%7BtotalCount%7D%7D"))
        .send()
        .await
        .unwrap();
    problem(get, 401, "token_missing").await;
}

#[tokio::test]
async fn every_role_sees_the_activities_rest_shows_it_with_what_hangs_off_them() {
    let app = spawn_seeded_app().await;
    let query = "query($after: String) { activities(first: 7, after: $after) {
        totalCount pageInfo { hasNextPage endCursor }
        edges { cursor node { uuid code visibility programme { code }
            participations { organizationCode organization { code } }
            followUpActions { id owner { code } } } } } }";
    for role in ROLES {
        let rest = app.get_all("/api/v1/activities?limit=7", role).await;
        let mut seen = Vec::new();
        let mut after = Value::Null;
        loop {
            let page =
                data(&app, role, query, json!({ "after": after })).await["activities"].clone();
            assert_eq!(page["totalCount"], rest.len(), "{role}");
            for edge in page["edges"].as_array().unwrap() {
                let node = &edge["node"];
                assert_eq!(node["programme"]["code"], "GLOACT-BGD");
                for p in node["participations"].as_array().unwrap() {
                    assert_eq!(p["organization"]["code"], p["organizationCode"]);
                }
                seen.push(node.clone());
            }
            if page["pageInfo"]["hasNextPage"] == false {
                break;
            }
            after = page["pageInfo"]["endCursor"].clone();
        }
        let ids =
            |items: &[Value], key: &str| items.iter().map(|a| a[key].clone()).collect::<Vec<_>>();
        assert_eq!(
            ids(&seen, "uuid"),
            ids(&rest, "id"),
            "{role}: the same rows in the same order"
        );
        let follow_ups = |items: &[Value], key: &str| {
            items
                .iter()
                .map(|a| a[key].as_array().unwrap().len())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            follow_ups(&seen, "followUpActions"),
            follow_ups(&rest, "follow_up_actions")
        );
    }
}

#[tokio::test]
async fn parts_and_parents_are_scoped_to_the_caller() {
    let app = spawn_seeded_app().await;
    let query = "{ activities(filter: { kind: CONSULTATION }) { edges { node { uuid code
        parts { code visibility parent { code } } } } } }";
    for role in ROLES {
        let found = data(&app, role, query, json!({})).await;
        let consultation = &found["activities"]["edges"][0]["node"];
        let id = consultation["uuid"].as_str().unwrap();
        let rest = app
            .get_all(&format!("/api/v1/activities?parent_id={id}"), role)
            .await;
        let parts = consultation["parts"].as_array().unwrap();
        assert_eq!(parts.len(), rest.len(), "{role}");
        for part in parts {
            assert_eq!(part["parent"]["code"], consultation["code"]);
        }
        let restricted = parts.iter().filter(|p| p["visibility"] == "RESTRICTED");
        if role == Role::Government {
            // Only restricted meetings its own organization took part in.
            for part in restricted {
                let code = part["code"].as_str().unwrap();
                let activity = app.activity(code).await;
                let orgs: Vec<_> = activity["participations"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["organization"].as_str().unwrap().to_owned())
                    .collect();
                assert!(orgs.contains(&"MOHA-BGD".to_owned()), "{code}: {orgs:?}");
            }
        }
    }
    // A restricted activity the government takes no part in is not there, by id either.
    let hidden = app.get_all("/api/v1/activities", Role::Unodc).await;
    let visible = app.get_all("/api/v1/activities", Role::Government).await;
    let hidden = hidden
        .iter()
        .find(|a| !visible.iter().any(|v| v["id"] == a["id"]))
        .expect("a restricted activity the government doesn't see");
    let lookup = data(
        &app,
        Role::Government,
        "query($id: UUID!) { activity(id: $id) { code } }",
        json!({ "id": hidden["id"] }),
    )
    .await;
    assert_eq!(lookup["activity"], Value::Null);
}

#[tokio::test]
async fn global_ids_find_every_object_again_as_its_own_lookup_would() {
    let app = spawn_seeded_app().await;
    let sent = app
        .post(
            "/api/v1/field-reports",
            Role::Government,
            &report("6f1c9a52-2d4e-4a7b-9f0e-1c2d3e4f5a6b", "Dhaka"),
        )
        .await;
    assert_eq!(sent.status(), 201);
    let ids = data(
        &app,
        Role::Unodc,
        "{ activities(first: 500) { edges { node { id uuid visibility } } }
           organizations(first: 1) { edges { node { id uuid } } }
           programmes { edges { node { id uuid } } }
           indicators(first: 1) { totalCount edges { node { id uuid } } }
           followUpActions { edges { node { id uuid } } }
           fieldReports { edges { node { id uuid } } } }",
        json!({}),
    )
    .await;
    let indicators = app.get_all("/api/v1/indicators", Role::Unodc).await;
    assert_eq!(ids["indicators"]["totalCount"], indicators.len());
    let node = "query($id: ID!) { node(id: $id) { id __typename
        ... on Activity { uuid } ... on Organization { uuid } ... on Programme { uuid }
        ... on Indicator { uuid } ... on FollowUpAction { uuid } ... on FieldReport { uuid } } }";
    for list in [
        "activities",
        "organizations",
        "programmes",
        "indicators",
        "followUpActions",
        "fieldReports",
    ] {
        let first = &ids[list]["edges"][0]["node"];
        let found = data(&app, Role::Unodc, node, json!({ "id": first["id"] })).await;
        assert_eq!(found["node"]["id"], first["id"], "{list}");
        assert_eq!(found["node"]["uuid"], first["uuid"], "{list}");
    }
    // The same access as the object's own lookup: the EU may not see a report, the government
    // no restricted activity it takes no part in.
    let report = &ids["fieldReports"]["edges"][0]["node"]["id"];
    let by_eu = gql(&app, Role::Eu, node, json!({ "id": report })).await;
    assert_eq!(first_code(&by_eu), "forbidden");
    let visible = app.get_all("/api/v1/activities", Role::Government).await;
    let hidden = ids["activities"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .find(|a| !visible.iter().any(|v| v["id"] == a["uuid"]))
        .expect("a restricted activity the government doesn't see");
    let by_government = data(&app, Role::Government, node, json!({ "id": hidden["id"] })).await;
    assert_eq!(by_government["node"], Value::Null);
    let bad = gql(&app, Role::Unodc, node, json!({ "id": hidden["uuid"] })).await;
    assert_eq!(first_code(&bad), "invalid_id");
}
