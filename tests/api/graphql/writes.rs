//! Writes of activities and follow-up actions: REST's rules, codes and versions.

use gloact_domain::Role;
use gloact_tests::spawn_seeded_app;
use serde_json::{Value, json};

use super::{data, first_code, gql};

#[tokio::test]
async fn activity_and_follow_up_writes_have_rests_rules_and_codes() {
    let app = spawn_seeded_app().await;
    let workshop = app.activity("WS-2020-02").await;
    let id = workshop["id"].clone();
    let version = workshop["version"].as_i64().unwrap();
    let update = "mutation($id: UUID!, $v: Int!, $patch: ActivityPatchInput!) {
        updateActivity(id: $id, expectedVersion: $v, patch: $patch) { title location version } }";
    let by_eu = gql(
        &app,
        Role::Eu,
        update,
        json!({ "id": id, "v": version, "patch": { "title": "X" } }),
    )
    .await;
    assert_eq!(first_code(&by_eu), "forbidden");
    let blank = gql(
        &app,
        Role::Unodc,
        update,
        json!({ "id": id, "v": version, "patch": { "title": " " } }),
    )
    .await;
    assert_eq!(first_code(&blank), "validation_failed");
    let title_required = gql(
        &app,
        Role::Unodc,
        update,
        json!({ "id": id, "v": version, "patch": { "title": null } }),
    )
    .await;
    assert_eq!(first_code(&title_required), "validation_failed");
    let changed = data(
        &app,
        Role::Unodc,
        update,
        json!({ "id": id, "v": version, "patch": { "title": "Workshop with law enforcement", "location": null } }),
    )
    .await;
    assert_eq!(changed["updateActivity"]["version"], version + 1);
    assert_eq!(changed["updateActivity"]["location"], Value::Null);
    let stale = gql(
        &app,
        Role::Unodc,
        update,
        json!({ "id": id, "v": version, "patch": { "title": "Y" } }),
    )
    .await;
    assert_eq!(first_code(&stale), "version_mismatch");
    assert_eq!(
        stale["errors"][0]["extensions"]["currentVersion"],
        version + 1
    );
    // REST sees the same row.
    assert_eq!(
        app.activity("WS-2020-02").await["title"],
        "Workshop with law enforcement"
    );

    let create = "mutation($input: NewActivityInput!) { createActivity(input: $input) {
        code visibility participations { organizationCode role } objectives { description } } }";
    let input = json!({ "programme": "GLOACT-BGD", "code": "TR-2020-09", "title": "Training",
        "kind": "TRAINING", "pillar": "CAPACITY_BUILDING",
        "participations": [{ "organization": "IOM-BGD", "role": "IMPLEMENTING" }],
        "objectives": [{ "description": "Train 30 officers" }] });
    let duplicate = gql(&app, Role::Unodc, create, json!({ "input": { "programme": "GLOACT-BGD",
        "code": "WS-2020-02", "title": "Again", "kind": "TRAINING", "pillar": "CAPACITY_BUILDING" } })).await;
    assert_eq!(first_code(&duplicate), "duplicate_code");
    let created = data(&app, Role::Iom, create, json!({ "input": input })).await;
    assert_eq!(created["createActivity"]["visibility"], "RESTRICTED");
    assert_eq!(
        created["createActivity"]["participations"][0]["role"],
        "IMPLEMENTING"
    );

    let follow_up = "mutation($input: NewFollowUpActionInput!) { createFollowUpAction(input: $input) { uuid version ownerCode } }";
    let by_government = gql(
        &app,
        Role::Government,
        follow_up,
        json!({ "input": { "activityId": id, "owner": "MOHA-BGD", "title": "Report back" } }),
    )
    .await;
    assert_eq!(first_code(&by_government), "forbidden");
    let made = data(
        &app,
        Role::Unodc,
        follow_up,
        json!({ "input": { "activityId": id, "owner": "MOHA-BGD", "title": "Report back" } }),
    )
    .await;
    let action = made["createFollowUpAction"]["uuid"].clone();
    let update = "mutation($id: UUID!, $v: Int!, $patch: FollowUpActionPatch!) {
        updateFollowUpAction(id: $id, expectedVersion: $v, patch: $patch) { status version } }";
    let reassign = gql(
        &app,
        Role::Government,
        update,
        json!({ "id": action, "v": 1, "patch": { "owner": "UNODC-BGD" } }),
    )
    .await;
    assert_eq!(first_code(&reassign), "forbidden");
    let done = data(
        &app,
        Role::Government,
        update,
        json!({ "id": action, "v": 1, "patch": { "status": "DONE" } }),
    )
    .await;
    assert_eq!(
        done["updateFollowUpAction"],
        json!({ "status": "DONE", "version": 2 })
    );
}
