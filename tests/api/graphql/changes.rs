//! The change feeds: every change after a change number in the order made, deletions included,
//! to each caller exactly as REST's `changed_after` walks them; pages continue after their last
//! edge, a deletion included.

use gloact_domain::Role;
use gloact_tests::{TestApp, json, spawn_seeded_app};
use serde_json::{Value, json};

use super::{ROLES, data, first_code, gql, gql_as, report};

/// Each feed, the type of its live nodes and the REST list it mirrors.
const FEEDS: [(&str, &str, &str); 7] = [
    (
        "organizationChanges",
        "Organization",
        "/api/v1/organizations",
    ),
    ("programmeChanges", "Programme", "/api/v1/programmes"),
    ("activityChanges", "Activity", "/api/v1/activities"),
    (
        "followUpActionChanges",
        "FollowUpAction",
        "/api/v1/follow-up-actions",
    ),
    ("indicatorChanges", "Indicator", "/api/v1/indicators"),
    ("fieldReportChanges", "FieldReport", "/api/v1/field-reports"),
    ("caseChanges", "Case", "/api/v1/cases"),
];

/// A change as both interfaces report it: the row, its change number, and whether it is gone.
type Change = (String, i64, bool);

/// The query of one page of a feed.
fn feed_query(feed: &str, node_type: &str) -> String {
    format!(
        "query($after: String, $since: Int, $first: Int) {{
            {feed}(first: $first, after: $after, changedAfter: $since) {{
            resumeCursor pageInfo {{ hasNextPage }}
            edges {{ cursor node {{
                __typename
                ... on {node_type} {{ uuid changeSeq }}
                ... on Deleted {{ uuid changeSeq deletedAt }} }} }} }} }}"
    )
}

/// Every change of a feed after `since`, `first` a page over GraphQL, each page continuing from
/// the `resumeCursor` of the one before.
async fn graphql_changes(
    app: &TestApp,
    role: Role,
    (feed, node_type, _): (&str, &str, &str),
    since: i64,
    first: u16,
) -> Vec<Change> {
    let query = feed_query(feed, node_type);
    let mut changes = Vec::new();
    let mut after = Value::Null;
    loop {
        let variables = json!({ "after": after, "since": since, "first": first });
        let page = data(app, role, &query, variables).await;
        let page = &page[feed];
        for edge in page["edges"].as_array().unwrap() {
            let node = &edge["node"];
            changes.push((
                node["uuid"].as_str().unwrap().to_owned(),
                node["changeSeq"].as_i64().unwrap(),
                node["__typename"] == "Deleted",
            ));
        }
        if page["pageInfo"]["hasNextPage"] != true {
            return changes;
        }
        after = page["resumeCursor"].clone();
    }
}

/// Every change of a list after `since`, page by page over REST (`changed_after`), items and
/// tombstones merged in change order.
async fn rest_changes(app: &TestApp, role: Role, path: &str, since: i64) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut after = String::new();
    loop {
        let page = app
            .get_json(
                &format!("{path}?limit=500&changed_after={since}{after}"),
                role,
                200,
            )
            .await;
        for (rows, gone) in [(&page["items"], false), (&page["tombstones"], true)] {
            for row in rows.as_array().unwrap() {
                let id = row["id"].as_str().unwrap().to_owned();
                changes.push((id, row["change_seq"].as_i64().unwrap(), gone));
            }
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => after = format!("&after={cursor}"),
            None => break,
        }
    }
    changes.sort_by_key(|(_, seq, _)| *seq);
    changes
}

/// A case IOM opens, referred to `to`.
fn case_referred_to(to: &str) -> Value {
    json!({
        "identified_on": "2020-02-20", "district": "Dhaka", "sex": "female", "age_band": "18_25",
        "citizenship": "BGD", "exploitation": "labour", "consent": true,
        "referrals": [{ "to_organization": to, "service": "legal" }],
    })
}

#[tokio::test]
async fn every_feed_gives_each_role_the_changes_rest_gives_it() {
    let app = spawn_seeded_app().await;
    // Something of every kind, some of it out of the government's sight, and deletions: a public
    // meeting, and a restricted workshop the Ministry of Law took part in (not MOHA).
    app.delete_activity(&app.activity("NC-2020-M01").await)
        .await;
    let workshop = app.activity("WS-2020-01").await;
    app.delete_activity(&workshop).await;
    // And the Ministry of Law's public meeting made restricted: out of MOHA's sight.
    let meeting = app.activity("NC-2020-M03").await;
    let restricted = app
        .patch(
            &format!("/api/v1/activities/{}", meeting["id"].as_str().unwrap()),
            Role::Unodc,
            meeting["version"].as_i64().unwrap(),
            &json!({ "visibility": "restricted" }),
        )
        .await;
    assert_eq!(restricted.status(), 200);
    for (role, id) in [
        (Role::Government, "6f1c9a52-2d4e-4a7b-9f0e-1c2d3e4f5a6b"),
        (Role::Iom, "7a2d0b63-3e5f-4b8c-8a1f-2d3e4f5a6b7c"),
    ] {
        let sent = app
            .post("/api/v1/field-reports", role, &report(id, "Dhaka"))
            .await;
        assert_eq!(sent.status(), 201);
    }
    for to in ["MOHA-BGD", "UNODC-BGD"] {
        let opened = app
            .post("/api/v1/cases", Role::Iom, &case_referred_to(to))
            .await;
        assert_eq!(opened.status(), 201);
    }

    for role in ROLES {
        for feed in FEEDS {
            let (name, _, path) = feed;
            if role == Role::Eu && matches!(name, "fieldReportChanges" | "caseChanges") {
                let refused = gql(&app, role, &feed_query(name, feed.1), json!({})).await;
                assert_eq!(first_code(&refused), "forbidden", "{name}");
                assert_eq!(refused["data"], Value::Null, "{name}: {refused}");
                continue;
            }
            let over_rest = rest_changes(&app, role, path, 0).await;
            assert!(!over_rest.is_empty(), "{role} {name}");
            // In one page, and in pages of two (rows and deletions across page ends).
            for first in [500, 2] {
                let over_graphql = graphql_changes(&app, role, feed, 0, first).await;
                assert_eq!(over_graphql, over_rest, "{role} {name}, first {first}");
            }
        }
    }

    // The feeds are scoped, not merely equal: the government misses what it may not see.
    let cases = FEEDS[6];
    assert_eq!(
        graphql_changes(&app, Role::Government, cases, 0, 500)
            .await
            .len(),
        1
    );
    assert_eq!(
        graphql_changes(&app, Role::Unodc, cases, 0, 500)
            .await
            .len(),
        2
    );
    let reports = FEEDS[5];
    let government = graphql_changes(&app, Role::Government, reports, 0, 500).await;
    assert_eq!(government.len(), 1);
    assert_eq!(government[0].0, "6f1c9a52-2d4e-4a7b-9f0e-1c2d3e4f5a6b");
    // A deletion reaches those who saw the activity, and only them.
    let deletions = |changes: Vec<Change>| -> Vec<String> {
        changes
            .into_iter()
            .filter(|(_, _, gone)| *gone)
            .map(|(id, _, _)| id)
            .collect()
    };
    let activities = FEEDS[2];
    let unodc = deletions(graphql_changes(&app, Role::Unodc, activities, 0, 500).await);
    assert_eq!(unodc.len(), 2);
    assert!(unodc.contains(&workshop["id"].as_str().unwrap().to_owned()));
    let moljpa = app.token_for(Role::Government, "MOLJPA-BGD");
    let query = feed_query("activityChanges", "Activity");
    let answer = gql_as(&app, &moljpa, &query, json!({ "first": 500 })).await;
    let seen: Vec<&Value> = answer["data"]["activityChanges"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{answer}"))
        .iter()
        .filter(|e| e["node"]["__typename"] == "Deleted")
        .map(|e| &e["node"]["uuid"])
        .collect();
    assert!(seen.contains(&&workshop["id"]), "{answer}");
    let moha = deletions(graphql_changes(&app, Role::Government, activities, 0, 500).await);
    assert!(
        !moha.contains(&workshop["id"].as_str().unwrap().to_owned()),
        "MOHA never saw the workshop, so it hears nothing of its deletion"
    );
    assert_eq!(moha.len(), 2, "the public meeting's deletion: {moha:?}");
    assert!(
        moha.contains(&meeting["id"].as_str().unwrap().to_owned()),
        "the meeting made restricted is dropped from MOHA's copy: {moha:?}"
    );
    // The ministry that took part in the meeting still has it, live.
    let answer = gql_as(&app, &moljpa, &query, json!({ "first": 500 })).await;
    let edges = answer["data"]["activityChanges"]["edges"]
        .as_array()
        .unwrap();
    assert!(
        edges
            .iter()
            .any(|e| e["node"]["__typename"] == "Activity" && e["node"]["uuid"] == meeting["id"]),
        "{answer}"
    );
}

const ACTIVITY_CHANGES: &str = "query($since: Int, $first: Int, $after: String) {
    activityChanges(changedAfter: $since, first: $first, after: $after) {
        resumeCursor pageInfo { hasNextPage endCursor }
        edges { cursor node {
            __typename
            ... on Activity { id uuid code status changeSeq }
            ... on Deleted { id uuid changeSeq deletedAt } } } } }";

#[tokio::test]
async fn changes_come_in_order_and_pages_continue_after_a_deletion() {
    let app = spawn_seeded_app().await;
    let all = app
        .get_all("/api/v1/activities?limit=500", Role::Unodc)
        .await;
    let high = all
        .iter()
        .map(|a| a["change_seq"].as_i64().unwrap())
        .max()
        .unwrap();
    let changes = |variables: Value| async {
        data(&app, Role::Unodc, ACTIVITY_CHANGES, variables).await["activityChanges"].clone()
    };

    // Nothing changed yet: no edge, so no `endCursor`, but a cursor to resume from.
    let none = changes(json!({ "since": high })).await;
    assert_eq!(none["edges"], json!([]), "{none}");
    assert_eq!(none["pageInfo"]["hasNextPage"], false);
    assert_eq!(none["pageInfo"]["endCursor"], Value::Null);
    let resume = none["resumeCursor"].clone();
    assert!(resume.is_string(), "{none}");

    let validation = app.activity("VW-2020-04").await;
    let meeting = app.activity("NC-2020-M01").await;
    app.delete_activity(&meeting).await;
    let updated = app
        .patch(
            &format!("/api/v1/activities/{}", validation["id"].as_str().unwrap()),
            Role::Unodc,
            validation["version"].as_i64().unwrap(),
            &json!({ "status": "postponed" }),
        )
        .await;
    let updated = json(updated, 200).await;

    // The deletion, then the update, in the order made.
    let both = changes(json!({ "since": high })).await;
    let kinds: Vec<_> = both["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["__typename"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["Deleted", "Activity"], "{both}");

    // Resumed from the empty page: both.
    let resumed = changes(json!({ "after": resume })).await;
    assert_eq!(resumed["edges"], both["edges"], "{resumed}");
    // `changedAfter` and `after` together: the later of the two.
    let first_seq = both["edges"][0]["node"]["changeSeq"].as_i64().unwrap();
    let later = changes(json!({ "since": first_seq, "after": resume })).await;
    assert_eq!(
        later["edges"][0]["node"]["__typename"], "Activity",
        "{later}"
    );
    assert_eq!(later["edges"].as_array().unwrap().len(), 1, "{later}");

    // One change a page: a page that ends on a deletion continues after it.
    let first = changes(json!({ "since": high, "first": 1 })).await;
    let edges = first["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 1, "{first}");
    let gone = &edges[0]["node"];
    assert_eq!(gone["__typename"], "Deleted");
    assert_eq!(gone["uuid"], meeting["id"]);
    assert!(gone["deletedAt"].is_string());
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    assert_eq!(first["pageInfo"]["endCursor"], edges[0]["cursor"]);
    assert_eq!(first["resumeCursor"], edges[0]["cursor"]);
    let node = data(
        &app,
        Role::Unodc,
        "query($id: ID!) { node(id: $id) { id } }",
        json!({ "id": gone["id"] }),
    )
    .await;
    assert_eq!(node["node"], Value::Null, "a deleted row is found no more");

    let second = changes(json!({ "first": 1, "after": first["resumeCursor"] })).await;
    let edges = second["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 1, "{second}");
    let changed = &edges[0]["node"];
    assert_eq!(changed["__typename"], "Activity");
    assert_eq!(changed["code"], "VW-2020-04");
    assert_eq!(changed["status"], "POSTPONED");
    assert!(changed["changeSeq"].as_i64().unwrap() > gone["changeSeq"].as_i64().unwrap());
    assert_eq!(second["pageInfo"]["hasNextPage"], false);

    // A client that always passes the last `resumeCursor` it got waits for what comes next:
    // nothing yet (the empty page resumes where it started), then the next change.
    let quiet = changes(json!({ "after": second["resumeCursor"] })).await;
    assert_eq!(quiet["edges"], json!([]), "{quiet}");
    assert_eq!(quiet["resumeCursor"], second["resumeCursor"]);
    let cursor = quiet["resumeCursor"].clone();
    let changed_again = app
        .patch(
            &format!("/api/v1/activities/{}", validation["id"].as_str().unwrap()),
            Role::Unodc,
            updated["version"].as_i64().unwrap(),
            &json!({ "status": "planned" }),
        )
        .await;
    json(changed_again, 200).await;
    let next = changes(json!({ "after": cursor })).await;
    assert_eq!(next["edges"].as_array().unwrap().len(), 1, "{next}");
    assert_eq!(next["edges"][0]["node"]["status"], "PLANNED");
}

#[tokio::test]
async fn bad_change_numbers_cursors_and_sizes_are_refused_with_rest_codes() {
    let app = spawn_seeded_app().await;
    let live = data(
        &app,
        Role::Unodc,
        "{ activities(first: 1) { edges { cursor } } }",
        json!({}),
    )
    .await;
    let live_cursor = live["activities"]["edges"][0]["cursor"].clone();
    for (variables, code) in [
        (json!({ "since": -1 }), "invalid_changed_after"),
        (json!({ "after": live_cursor }), "invalid_cursor"),
        (json!({ "after": "not-a-cursor" }), "invalid_cursor"),
        (json!({ "first": 0 }), "invalid_limit"),
        (json!({ "first": 501 }), "invalid_limit"),
    ] {
        let answer = gql(&app, Role::Unodc, ACTIVITY_CHANGES, variables.clone()).await;
        assert_eq!(first_code(&answer), code, "{variables}: {answer}");
        assert_eq!(answer["data"], Value::Null, "{variables}");
    }
}
