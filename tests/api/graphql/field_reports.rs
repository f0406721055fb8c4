//! Field reports: the EU sees none, government its own; reviews keep REST's rules.

use gloact_domain::Role;
use gloact_tests::spawn_seeded_app;
use serde_json::{Value, json};

use super::{data, first_code, gql, report};

#[tokio::test]
async fn field_reports_follow_the_policy_and_their_review_its_rules() {
    let app = spawn_seeded_app().await;
    let ours = "6f1c9a52-2d4e-4a7b-9f0e-1c2d3e4f5a6b";
    let theirs = "7a2d0b63-3e5f-4b8c-8a1f-2d3e4f5a6b7c";
    let sent = app
        .post(
            "/api/v1/field-reports",
            Role::Government,
            &report(ours, "Dhaka"),
        )
        .await;
    assert_eq!(sent.status(), 201);
    let sent = app
        .post(
            "/api/v1/field-reports",
            Role::Iom,
            &report(theirs, "Cox's Bazar"),
        )
        .await;
    assert_eq!(sent.status(), 201);
    let query = "{ fieldReports { edges { node { uuid organization payload review version } } } }";
    let ids = |answer: &Value| {
        answer["data"]["fieldReports"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["uuid"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(&gql(&app, Role::Unodc, query, json!({})).await).len(),
        2
    );
    assert_eq!(
        ids(&gql(&app, Role::Government, query, json!({})).await),
        [ours]
    );
    // `totalCount` is what each could count by reading the list: no more.
    let total = |role| {
        let app = &app;
        async move {
            data(
                app,
                role,
                "query($review: ReviewStatus) { fieldReports(review: $review) { totalCount } }",
                json!({ "review": "SUBMITTED" }),
            )
            .await["fieldReports"]["totalCount"]
                .clone()
        }
    };
    assert_eq!(total(Role::Unodc).await, 2);
    assert_eq!(total(Role::Government).await, 1);
    let eu = gql(&app, Role::Eu, query, json!({})).await;
    assert_eq!(first_code(&eu), "forbidden");
    assert_eq!(
        eu["data"],
        Value::Null,
        "nothing of a report reaches the EU"
    );
    let eu_one = gql(
        &app,
        Role::Eu,
        "query($id: UUID!) { fieldReport(id: $id) { id } }",
        json!({ "id": ours }),
    )
    .await;
    assert_eq!(first_code(&eu_one), "forbidden");

    let review = "mutation($id: UUID!, $v: Int!, $d: ReviewDecision!, $r: String) {
        reviewFieldReport(id: $id, expectedVersion: $v, decision: $d, reason: $r) { review version } }";
    let by_government = gql(
        &app,
        Role::Government,
        review,
        json!({ "id": ours, "v": 1, "d": "VERIFIED" }),
    )
    .await;
    assert_eq!(first_code(&by_government), "forbidden");
    let no_reason = gql(
        &app,
        Role::Unodc,
        review,
        json!({ "id": ours, "v": 1, "d": "REJECTED" }),
    )
    .await;
    assert_eq!(first_code(&no_reason), "validation_failed");
    assert_eq!(
        no_reason["errors"][0]["extensions"]["errors"][0]["field"],
        "reason"
    );
    let verified = data(
        &app,
        Role::Unodc,
        review,
        json!({ "id": ours, "v": 1, "d": "VERIFIED" }),
    )
    .await;
    assert_eq!(verified["reviewFieldReport"]["review"], "VERIFIED");
    let stale = gql(
        &app,
        Role::Unodc,
        review,
        json!({ "id": ours, "v": 1, "d": "VERIFIED" }),
    )
    .await;
    assert_eq!(first_code(&stale), "version_mismatch");
    assert_eq!(stale["errors"][0]["extensions"]["currentVersion"], 2);
}
