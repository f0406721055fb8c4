//! No N+1: a deep query runs as many SQL statements for 500 rows as for 50.

use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use gloact_domain::Role;
use gloact_tests::{TestApp, spawn_seeded_app};
use serde_json::json;

use super::data;

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
            assert!(of(50) < 40, "{list}, {role}: {counts:?}");
            assert_eq!(
                of(500),
                of(50),
                "{list}, {role}: statements grow with rows: {counts:?}"
            );
        }
    }
}
