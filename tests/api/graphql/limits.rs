//! Limits, GET, introspection and the committed SDL.

use std::path::Path;

use gloact_domain::Role;
use gloact_tests::{json, problem, spawn_seeded_app, spawn_seeded_app_with};
use reqwest::Method;
use serde_json::{Value, json};

use super::{data, first_code, gql};

#[tokio::test]
async fn lists_nested_in_lists_count_in_complexity() {
    // Within the default depth, but each `parts` level multiplies the answer.
    let app = spawn_seeded_app().await;
    let looping = "{ activities(first: 500) { edges { node { parts { parent { parts { parent { parts { parent { parts { code } } } } } } } } } } }";
    assert_eq!(
        first_code(&gql(&app, Role::Unodc, looping, json!({})).await),
        "query_too_complex"
    );
    let dashboard = "{ activities(first: 50) { edges { node { code participations { role organization { code } } objectives { achieved } followUpActions { status owner { code } } } } } }";
    assert!(
        data(&app, Role::Unodc, dashboard, json!({})).await["activities"]["edges"]
            .as_array()
            .is_some_and(|edges| !edges.is_empty())
    );
}

#[tokio::test]
async fn limits_refuse_deep_complex_aliased_and_batched_excess_with_codes() {
    let app = spawn_seeded_app_with(|s| {
        s.graphql.max_depth = 5;
        s.graphql.max_complexity = 200;
        s.graphql.max_aliases = 3;
        s.graphql.max_batch = 2;
    })
    .await;
    let deep = "{ activities(first: 1) { edges { node { parent { parent { code } } } } } }";
    assert_eq!(
        first_code(&gql(&app, Role::Unodc, deep, json!({})).await),
        "query_too_deep"
    );
    let complex = "{ activities(first: 500) { edges { node { code title } } } }";
    assert_eq!(
        first_code(&gql(&app, Role::Unodc, complex, json!({})).await),
        "query_too_complex"
    );
    let aliases = "{ a: programmes { totalCount } b: programmes { totalCount }
        c: programmes { totalCount } d: programmes { totalCount } }";
    let refused = gql(&app, Role::Unodc, aliases, json!({})).await;
    assert_eq!(first_code(&refused), "too_many_aliases");
    assert_eq!(refused["data"], Value::Null, "nothing ran");
    let through_fragments = "{ ...F ...F } fragment F on Query { a: programmes { totalCount } b: programmes { totalCount } }";
    assert_eq!(
        first_code(&gql(&app, Role::Unodc, through_fragments, json!({})).await),
        "too_many_aliases"
    );
    let directives = "{ programmes @skip(if: false) @skip(if: false) @skip(if: false)
        @skip(if: false) @skip(if: false) { totalCount } }";
    assert_eq!(
        first_code(&gql(&app, Role::Unodc, directives, json!({})).await),
        "too_many_directives"
    );
    let three = "{ a: programmes { totalCount } b: programmes { totalCount } c: programmes { totalCount } }";
    assert_eq!(
        data(&app, Role::Unodc, three, json!({})).await["c"]["totalCount"],
        1
    );

    let op = json!({ "query": "{ programmes { totalCount } }" });
    let batch = |n: usize| json!(vec![op.clone(); n]);
    let two = app
        .request(Method::POST, "/graphql", &app.token(Role::Eu))
        .json(&batch(2))
        .send()
        .await
        .unwrap();
    assert_eq!(json(two, 200).await.as_array().unwrap().len(), 2);
    let three = app
        .request(Method::POST, "/graphql", &app.token(Role::Eu))
        .json(&batch(3))
        .send()
        .await
        .unwrap();
    problem(three, 400, "invalid_batch").await;

    let big =
        json!({ "query": format!("{{ programmes {{ totalCount }} }} #{}", "x".repeat(1_100_000)) });
    let too_large = app
        .request(Method::POST, "/graphql", &app.token(Role::Eu))
        .json(&big)
        .send()
        .await
        .unwrap();
    problem(too_large, 413, "payload_too_large").await;
}

#[tokio::test]
async fn get_runs_queries_only_and_introspection_is_off_outside_the_embedded_run() {
    let app = spawn_seeded_app().await;
    let get = |q: &str| {
        app.request(Method::GET, "/graphql", &app.token(Role::Unodc))
            .query(&[("query", q)])
            .send()
    };
    let read = get("{ programmes { totalCount } }").await.unwrap();
    assert_eq!(read.headers()["cache-control"], "no-store");
    assert_eq!(json(read, 200).await["data"]["programmes"]["totalCount"], 1);
    let write = get("mutation { updateActivity(id: \"00000000-0000-0000-0000-000000000000\", expectedVersion: 1, patch: {}) { id } }")
        .await
        .unwrap();
    assert_eq!(write.headers()["allow"], "POST");
    problem(write, 405, "mutation_over_get").await;

    let introspection = gql(
        &app,
        Role::Unodc,
        "{ __schema { types { name } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        introspection["data"]["__schema"],
        Value::Null,
        "{introspection}"
    );
    let typo = gql(&app, Role::Unodc, "{ programme { totalCount } }", json!({})).await;
    let message = typo["errors"][0]["message"].as_str().unwrap();
    assert!(
        !message.contains("Did you mean"),
        "no suggestions: {message}"
    );
    assert_eq!(first_code(&typo), "invalid_graphql");
    let page = app
        .client
        .get(format!("{}/graphql", app.address))
        .send()
        .await
        .unwrap();
    assert_ne!(page.status(), 200, "no GraphiQL unless enabled");

    let open = spawn_seeded_app_with(|s| {
        s.graphql.introspection = Some(true);
    })
    .await;
    let types = gql(
        &open,
        Role::Unodc,
        "{ __schema { types { name } } }",
        json!({}),
    )
    .await;
    assert!(types["data"]["__schema"]["types"].as_array().unwrap().len() > 30);
    let page = open
        .client
        .get(format!("{}/graphql", open.address))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("graphiql"));
}

#[test]
fn the_committed_graphql_schema_is_the_served_one() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/schema.graphql");
    let committed = std::fs::read_to_string(&path).expect("openapi/schema.graphql exists");
    assert!(
        committed == gloact_api::graphql::sdl(),
        "openapi/schema.graphql has drifted from the served schema; regenerate it with `cargo run -q -- graphql-schema > openapi/schema.graphql` and review the diff"
    );
}
