//! Reads of restricted rows through GraphQL are on the audit trail, as over REST: the page, and
//! every batch a loader reads, under the request's id.

use gloact_domain::Role;
use gloact_tests::{TestApp, json, spawn_seeded_app};
use reqwest::Method;
use serde_json::{Value, json};

async fn events_of(app: &TestApp, request_id: &str) -> Vec<Value> {
    let admin = app.token_with_scopes(Role::Unodc, "UNODC-BGD", "admin");
    let response = app
        .request(
            Method::GET,
            &format!("/api/v1/admin/audit-events?limit=500&request_id={request_id}"),
            &admin,
        )
        .send()
        .await
        .unwrap();
    json(response, 200).await["items"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn restricted_reads_through_graphql_are_on_the_record() {
    let app = spawn_seeded_app().await;
    let restricted: Vec<String> = app
        .get_all("/api/v1/activities", Role::Unodc)
        .await
        .into_iter()
        .filter(|a| a["visibility"] == "restricted")
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(!restricted.is_empty());
    let query = "{ activities(first: 500) { edges { node { uuid parent { uuid } } } }
        followUpActions { edges { node { activity { uuid } } } } }";
    let answer = json(
        app.request(Method::POST, "/graphql", &app.token(Role::Eu))
            .header("x-request-id", "gql-audit-1")
            .json(&json!({ "query": query }))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(answer.get("errors").is_none(), "{answer}");
    let events = events_of(&app, "gql-audit-1").await;
    assert!(!events.is_empty(), "restricted reads leave events");
    let mut recorded: Vec<String> = Vec::new();
    for event in &events {
        assert_eq!(event["action"], "read");
        assert_eq!(event["actor"], "test-eu");
        if event["resource_type"] == "activity" {
            recorded.extend(event["resource_id"].as_str().map(str::to_owned));
            for id in event["resource_ids"].as_array().into_iter().flatten() {
                recorded.push(id.as_str().unwrap().to_owned());
            }
        }
    }
    for id in &restricted {
        assert!(
            recorded.contains(id),
            "{id} read without a trace: {events:?}"
        );
    }
    // A query that reads nothing restricted leaves nothing.
    let public = "{ programmes { totalCount } }";
    app.request(Method::POST, "/graphql", &app.token(Role::Eu))
        .header("x-request-id", "gql-audit-2")
        .json(&json!({ "query": public }))
        .send()
        .await
        .unwrap();
    assert!(events_of(&app, "gql-audit-2").await.is_empty());
}
