//! GraphQL at `/graphql`: the same callers, rows, rules and codes as REST, nested queries without
//! N+1, dashboard aggregates, limits, subscriptions, and the committed SDL.

mod audit;
mod batching;
mod cases;
mod changes;
mod dashboards;
mod field_reports;
mod graphiql;
mod limits;
mod reads;
mod subscriptions;
mod writes;

use gloact_domain::Role;
use gloact_tests::{TestApp, json};
use reqwest::Method;
use serde_json::{Value, json};

pub async fn gql(app: &TestApp, role: Role, query: &str, variables: Value) -> Value {
    gql_as(app, &app.token(role), query, variables).await
}

/// Posts one operation with `token`; returns the whole answer.
pub async fn gql_as(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    let response = app
        .request(Method::POST, "/graphql", token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .unwrap();
    json(response, 200).await
}

/// Posts one operation that must succeed; returns its data.
pub async fn data(app: &TestApp, role: Role, query: &str, variables: Value) -> Value {
    let answer = gql(app, role, query, variables).await;
    assert!(answer.get("errors").is_none(), "errors: {answer}");
    answer["data"].clone()
}

/// The code of the first error of an answer.
pub fn first_code(answer: &Value) -> &str {
    answer["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no coded error in {answer}"))
}

pub const ROLES: [Role; 4] = [Role::Unodc, Role::Iom, Role::Eu, Role::Government];

/// A victim-identification report from a phone, as REST takes it.
pub fn report(id: &str, district: &str) -> Value {
    json!({
        "id": id, "occurred_at": "2020-02-25T14:05:00Z", "district": district,
        "payload": { "kind": "victim_identification", "sex": "female", "age_band": "18_25",
                     "citizenship": "BGD", "exploitation": "labour" }
    })
}
