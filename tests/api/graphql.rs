//! GraphQL at `/graphql`: the same callers, rows, rules and codes as REST, nested queries without
//! N+1, dashboard aggregates, limits, and the committed SDL.

use std::path::Path;

use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use gloact_domain::Role;
use gloact_tests::{TestApp, json, problem, spawn_app, spawn_seeded_app, spawn_seeded_app_with};
use reqwest::Method;
use serde_json::{Value, json};

/// Posts one operation as `role`; expects 200 and returns the whole answer (data and errors).
async fn gql(app: &TestApp, role: Role, query: &str, variables: Value) -> Value {
    let response = app
        .request(Method::POST, "/graphql", &app.token(role))
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .unwrap();
    json(response, 200).await
}

/// Posts one operation that must succeed; returns its data.
async fn data(app: &TestApp, role: Role, query: &str, variables: Value) -> Value {
    let answer = gql(app, role, query, variables).await;
    assert!(answer.get("errors").is_none(), "errors: {answer}");
    answer["data"].clone()
}

/// The code of the first error of an answer.
fn first_code(answer: &Value) -> &str {
    answer["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no coded error in {answer}"))
}

const ROLES: [Role; 4] = [Role::Unodc, Role::Iom, Role::Eu, Role::Government];

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

fn report(id: &str, district: &str) -> Value {
    json!({
        "id": id, "occurred_at": "2020-02-25T14:05:00Z", "district": district,
        "payload": { "kind": "victim_identification", "sex": "female", "age_band": "18_25",
                     "citizenship": "BGD", "exploitation": "labour" }
    })
}

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

#[tokio::test]
async fn dashboard_aggregates_agree_with_the_rows_each_role_sees() {
    let app = spawn_seeded_app().await;
    let query = "{ byPillar: activityCounts(by: PILLAR) { key count }
        byMonth: activityCounts(by: MONTH, filter: { kind: MEETING }) { key count }
        participantTotals { activities total female judges } }";
    for role in ROLES {
        let rows = app.get_all("/api/v1/activities", role).await;
        let found = data(&app, role, query, json!({})).await;
        let mut by_pillar = std::collections::BTreeMap::new();
        for a in &rows {
            *by_pillar
                .entry(a["pillar"].as_str().unwrap().to_owned())
                .or_insert(0) += 1;
        }
        let served: std::collections::BTreeMap<String, i64> = found["byPillar"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["key"].as_str().unwrap().to_owned(),
                    c["count"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(served, by_pillar, "{role}");
        let sum = |key: &str| {
            rows.iter()
                .map(|a| a["participants"][key].as_i64().unwrap())
                .sum::<i64>()
        };
        let totals = &found["participantTotals"];
        assert_eq!(totals["activities"], rows.len(), "{role}");
        assert_eq!(totals["female"], sum("female"), "{role}");
        assert_eq!(totals["judges"], sum("judges"), "{role}");
        assert_eq!(totals["total"], sum("female") + sum("male") + sum("other"));
        let meetings = rows.iter().filter(|a| a["kind"] == "meeting").count() as i64;
        let months: i64 = found["byMonth"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["count"].as_i64().unwrap())
            .sum();
        assert_eq!(months, meetings, "{role}");
    }
}

#[tokio::test]
async fn field_report_statistics_are_protected_as_over_rest() {
    let app = spawn_seeded_app().await;
    for (i, district) in ["Dhaka", "Dhaka", "Jessore"].iter().enumerate() {
        let id = format!("00000000-0000-4000-8000-00000000000{i}");
        let sent = app
            .post("/api/v1/field-reports", Role::Iom, &report(&id, district))
            .await;
        assert_eq!(sent.status(), 201);
    }
    let query =
        "{ fieldReportStatistics(by: DISTRICT) { exact total cells { key count suppressed } } }";
    for role in ROLES {
        let rest = app
            .get_json("/api/v1/statistics/field-reports?by=district", role, 200)
            .await;
        let served = data(&app, role, query, json!({})).await["fieldReportStatistics"].clone();
        let cells = served["cells"].as_array().unwrap();
        assert_eq!(cells.len(), 2, "{role}");
        for cell in cells {
            // Fewer than 11 reports: withheld for every role without stats:exact.
            assert_eq!(cell["suppressed"], true, "{role}");
            assert_eq!(cell["count"], Value::Null, "{role}");
        }
        assert_eq!(served["total"], rest["total"], "{role}");
    }
    let exact = app.token_with_scopes(Role::Unodc, "UNODC-BGD", "stats:exact");
    let answer: Value = app
        .request(Method::POST, "/graphql", &exact)
        .json(&json!({ "query": query }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let table = &answer["data"]["fieldReportStatistics"];
    assert_eq!(table["exact"], true);
    assert_eq!(
        table["cells"][0],
        json!({ "key": "Dhaka", "count": 2, "suppressed": false })
    );
}

/// Reads the statement counter of `/metrics`.
async fn statements(app: &TestApp) -> u64 {
    let text = app
        .client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("gloact_db_statements_total "))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no statement counter in {text}"))
}

/// Adds `n` activities in `district`, parts of one parent, each with two participations, an
/// objective and a follow-up action in `status`.
async fn add_activities(app: &TestApp, district: &str, n: usize, status: &str) {
    let mut conn = AsyncPgConnection::establish(&app.database_url())
        .await
        .unwrap();
    let tag = district.to_uppercase();
    conn.batch_execute(&format!(
        "BEGIN;
         INSERT INTO activity (id, programme_id, code, title, kind, pillar, status, visibility, district)
           SELECT gen_random_uuid(), id, '{tag}-PARENT', 'Parent', 'consultation', 'coordination',
                  'planned', 'public', '{district}' FROM programme WHERE code = 'GLOACT-BGD';
         CREATE TEMP TABLE new_ids ON COMMIT DROP AS
           SELECT gen_random_uuid() AS id, n FROM generate_series(1, {n}) n;
         INSERT INTO activity (id, programme_id, parent_id, code, title, kind, pillar, status,
                               visibility, district, participants_female, participants_male)
           SELECT new_ids.id, p.programme_id, p.id, '{tag}-' || n, 'Training ' || n, 'training',
                  'capacity_building', 'planned', 'restricted', '{district}', 3, 4
           FROM new_ids, activity p WHERE p.code = '{tag}-PARENT';
         INSERT INTO participation (id, activity_id, organization_id, role)
           SELECT gen_random_uuid(), new_ids.id, o.id, r.role
           FROM new_ids, (VALUES ('UNODC-BGD', 'implementing'), ('MOHA-BGD', 'participant')) r(code, role)
           JOIN organization o ON o.code = r.code;
         INSERT INTO objective (id, activity_id, description)
           SELECT gen_random_uuid(), id, 'Train officers' FROM new_ids;
         INSERT INTO follow_up_action (id, activity_id, owner_organization_id, title, status)
           SELECT gen_random_uuid(), new_ids.id, o.id, 'Report back', '{status}'
           FROM new_ids, organization o WHERE o.code = 'MOHA-BGD';
         COMMIT;"
    ))
    .await
    .unwrap();
}

#[tokio::test]
async fn a_deep_query_runs_as_many_statements_for_500_rows_as_for_50() {
    let app = spawn_seeded_app().await;
    add_activities(&app, "Fifty", 50, "in_progress").await;
    add_activities(&app, "FiveHundred", 500, "dropped").await;
    let query = "query($district: String!) { activities(first: 500, filter: { district: $district, kind: TRAINING }) {
        totalCount edges { node { code programme { code } parent { code }
            parts { code } objectives { description }
            participations { role organization { code parent { code } } }
            followUpActions { title owner { code } activity { code } } } } } }";
    let actions = "query($status: FollowUpStatus!) { followUpActions(first: 500, status: $status) {
        totalCount edges { node { title owner { code parent { code } }
            activity { code programme { code } parent { code } participations { organization { code } } } } } } }";
    // The pool opens its connections on the first request; after that every checkout pings once.
    data(&app, Role::Unodc, query, json!({ "district": "Fifty" })).await;
    let mut counts = Vec::new();
    for (district, status, n) in [
        ("Fifty", "IN_PROGRESS", 50),
        ("FiveHundred", "DROPPED", 500),
    ] {
        for role in [Role::Unodc, Role::Government] {
            let before = statements(&app).await;
            let found = data(&app, role, query, json!({ "district": district })).await;
            let ran = statements(&app).await - before;
            let edges = found["activities"]["edges"].as_array().unwrap();
            assert_eq!(edges.len(), n, "{role}");
            let orgs: Vec<_> = edges[0]["node"]["participations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["organization"]["code"].as_str().unwrap().to_owned())
                .collect();
            assert!(orgs.contains(&"MOHA-BGD".to_owned()), "{orgs:?}");
            let last = &edges[n - 1]["node"];
            assert_eq!(last["followUpActions"][0]["activity"]["code"], last["code"]);
            let parent = format!("{}-PARENT", district.to_uppercase());
            assert_eq!(edges[0]["node"]["parent"]["code"], parent);
            counts.push(("activities", role, n, ran));

            let before = statements(&app).await;
            let found = data(&app, role, actions, json!({ "status": status })).await;
            let ran = statements(&app).await - before;
            let edges = found["followUpActions"]["edges"].as_array().unwrap();
            assert_eq!(edges.len(), n, "{role}");
            assert_eq!(found["followUpActions"]["totalCount"], n, "{role}");
            assert_eq!(edges[n - 1]["node"]["owner"]["code"], "MOHA-BGD");
            assert_eq!(edges[n - 1]["node"]["activity"]["parent"]["code"], parent);
            counts.push(("follow-ups", role, n, ran));
        }
    }
    for list in ["activities", "follow-ups"] {
        for role in [Role::Unodc, Role::Government] {
            let of = |n| {
                counts
                    .iter()
                    .find(|c| c.0 == list && c.1 == role && c.2 == n)
                    .unwrap()
                    .3
            };
            assert!(of(50) > 0);
            assert!(of(50) < 60, "{list}, {role}: {counts:?}");
            assert_eq!(
                of(500),
                of(50),
                "{list}, {role}: statements grow with rows: {counts:?}"
            );
        }
    }
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

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens a graphql-transport-ws connection with `token` and subscribes to field-report events.
async fn subscribe(app: &TestApp, token: &str) -> Socket {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let url = format!("{}/graphql", app.address.replace("http://", "ws://"));
    let mut request = url.into_client_request().unwrap();
    let headers = request.headers_mut();
    headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
    headers.insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let send = |v: Value| tokio_tungstenite::tungstenite::Message::text(v.to_string());
    socket
        .send(send(json!({ "type": "connection_init" })))
        .await
        .unwrap();
    assert_eq!(next_message(&mut socket).await["type"], "connection_ack");
    let query = "subscription { fieldReportEvents { uuid organization review } }";
    socket
        .send(send(
            json!({ "id": "1", "type": "subscribe", "payload": { "query": query } }),
        ))
        .await
        .unwrap();
    socket
}

/// The next GraphQL message of a socket (pings aside), within 10 seconds.
async fn next_message(socket: &mut Socket) -> Value {
    use futures_util::StreamExt;
    // One deadline for the message, however many WebSocket pings come meanwhile.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let message = tokio::time::timeout_at(deadline, socket.next())
            .await
            .expect("a message within 10 s")
            .expect("the socket is open")
            .unwrap();
        if let Ok(text) = message.to_text()
            && !text.is_empty()
        {
            let value: Value = serde_json::from_str(text).unwrap();
            if value["type"] != "ping" && value["type"] != "pong" {
                return value;
            }
        }
    }
}

/// The report of the next event of a subscription.
async fn next_event(socket: &mut Socket) -> Value {
    let message = next_message(socket).await;
    assert_eq!(message["type"], "next", "{message}");
    message["payload"]["data"]["fieldReportEvents"].clone()
}

#[tokio::test]
async fn subscribers_get_the_reports_they_may_see_as_they_come_and_are_reviewed() {
    let app = spawn_seeded_app().await;
    let upgrade = app
        .client
        .get(format!("{}/graphql", app.address))
        .header("connection", "upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "x3JJHMbDL1EzLkh9GBhXDw==")
        .header("sec-websocket-protocol", "graphql-transport-ws")
        .send()
        .await
        .unwrap();
    problem(upgrade, 401, "token_missing").await;
    let mut eu = subscribe(&app, &app.token(Role::Eu)).await;
    let refused = next_message(&mut eu).await;
    let errors = match refused["type"].as_str() {
        Some("error") => refused["payload"].clone(),
        _ => refused["payload"]["errors"].clone(),
    };
    assert_eq!(errors[0]["extensions"]["code"], "forbidden", "{refused}");

    let government_token = app.token(Role::Government);
    let mut unodc = subscribe(&app, &app.token(Role::Unodc)).await;
    let mut government = subscribe(&app, &government_token).await;
    // The subscriptions are listening once their connection has run LISTEN.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let iom_report = "7a2d0b63-3e5f-4b8c-8a1f-2d3e4f5a6b7c";
    let own_report = "6f1c9a52-2d4e-4a7b-9f0e-1c2d3e4f5a6b";
    let sent = app
        .post(
            "/api/v1/field-reports",
            Role::Iom,
            &report(iom_report, "Jessore"),
        )
        .await;
    assert_eq!(sent.status(), 201);
    let sent = app
        .post(
            "/api/v1/field-reports",
            Role::Government,
            &report(own_report, "Dhaka"),
        )
        .await;
    assert_eq!(sent.status(), 201);

    assert_eq!(next_event(&mut unodc).await["uuid"], iom_report);
    assert_eq!(next_event(&mut unodc).await["uuid"], own_report);
    // The government officer's organization sees its own report only: the IOM one never comes.
    let first = next_event(&mut government).await;
    assert_eq!(
        first,
        json!({ "uuid": own_report, "organization": "MOHA-BGD", "review": "SUBMITTED" })
    );

    let review = app
        .request(
            Method::POST,
            &format!("/api/v1/field-reports/{own_report}/review"),
            &app.token(Role::Unodc),
        )
        .header("if-match", "\"1\"")
        .json(&json!({ "decision": "verified" }))
        .send()
        .await
        .unwrap();
    assert_eq!(review.status(), 200);
    assert_eq!(next_event(&mut government).await["review"], "VERIFIED");
    assert_eq!(next_event(&mut unodc).await["review"], "VERIFIED");

    // Revoked, the subscription ends at the next event, and tells why.
    use base64::Engine;
    let claims = government_token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(claims)
            .unwrap(),
    )
    .unwrap();
    let admin = app.token_with_scopes(Role::Unodc, "UNODC-BGD", "admin");
    let revoked = app
        .request(Method::POST, "/api/v1/admin/revocations", &admin)
        .json(&json!({ "jti": claims["jti"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 204);
    let later = "00000000-0000-4000-8000-0000000000aa";
    let sent = app
        .post(
            "/api/v1/field-reports",
            Role::Government,
            &report(later, "Dhaka"),
        )
        .await;
    assert_eq!(sent.status(), 201);
    let ended = next_message(&mut government).await;
    assert_eq!(
        ended["payload"]["errors"][0]["extensions"]["code"], "token_revoked",
        "{ended}"
    );
    assert_eq!(next_message(&mut government).await["type"], "complete");
    assert_eq!(next_event(&mut unodc).await["uuid"], later);
}

#[tokio::test]
async fn subscriptions_beyond_the_cap_are_refused_as_unavailable() {
    let app = spawn_seeded_app_with(|s| s.graphql.max_subscriptions = 1).await;
    let mut first = subscribe(&app, &app.token(Role::Unodc)).await;
    // The first holds the only slot once it listens.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let mut second = subscribe(&app, &app.token(Role::Iom)).await;
    let refused = next_message(&mut second).await;
    let errors = match refused["type"].as_str() {
        Some("error") => refused["payload"].clone(),
        _ => refused["payload"]["errors"].clone(),
    };
    assert_eq!(errors[0]["extensions"]["code"], "unavailable", "{refused}");
    let id = "6f1c9a52-2d4e-4a7b-9f0e-1c2d3e4f5a6b";
    let sent = app
        .post("/api/v1/field-reports", Role::Iom, &report(id, "Dhaka"))
        .await;
    assert_eq!(sent.status(), 201);
    assert_eq!(next_event(&mut first).await["uuid"], id);
    // Closing the first frees its slot.
    drop(first);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let mut third = subscribe(&app, &app.token(Role::Iom)).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let later = "7a2d0b63-3e5f-4b8c-8a1f-2d3e4f5a6b7c";
    let sent = app
        .post("/api/v1/field-reports", Role::Iom, &report(later, "Dhaka"))
        .await;
    assert_eq!(sent.status(), 201);
    assert_eq!(next_event(&mut third).await["uuid"], later);
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
