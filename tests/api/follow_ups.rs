//! Follow-up actions: create, list filters, update, and unknown activities.

use gloact_domain::Role;
use gloact_tests::{TestApp, json, problem, spawn_seeded_app};
use serde_json::{Value, json};

fn titles(items: &[Value]) -> Vec<String> {
    let mut titles: Vec<String> = items
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_owned())
        .collect();
    titles.sort();
    titles
}

const SEEDED: &str =
    "Hold a validation workshop in April 2020 and finalize the capacity-building strategy";

async fn create(
    app: &TestApp,
    activity: &str,
    owner: &str,
    title: &str,
    status: Option<&str>,
) -> Value {
    let activity = app.activity(activity).await;
    let mut body = json!({ "activity_id": activity["id"], "owner": owner, "title": title, "due_date": "2020-06-30" });
    if let Some(status) = status {
        body["status"] = json!(status);
    }
    json(
        app.post("/api/v1/follow-up-actions", Role::Unodc, &body)
            .await,
        201,
    )
    .await
}

#[tokio::test]
async fn create_answers_201_with_the_action() {
    let app = spawn_seeded_app().await;
    let ws = app.activity("WS-2020-02").await;
    let body = json!({
        "activity_id": ws["id"],
        "owner": "MOHA-BGD",
        "title": "Nominate investigators for the advanced course",
        "description": "Ten investigators from Cox's Bazar.",
        "due_date": "2020-03-31",
    });
    let response = app
        .post("/api/v1/follow-up-actions", Role::Unodc, &body)
        .await;
    let location = response
        .headers()
        .get("location")
        .expect("a Location")
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(response.headers().get("etag").expect("an ETag"), "\"1\"");
    let created = json(response, 201).await;
    let id = created["id"].as_str().unwrap();
    assert_eq!(location, format!("/api/v1/follow-up-actions/{id}"));
    assert_eq!(created["activity_id"], ws["id"]);
    assert_eq!(created["owner"], "MOHA-BGD");
    assert_eq!(created["owner_id"], app.org_id("MOHA-BGD").await.as_str());
    assert_eq!(
        created["title"],
        "Nominate investigators for the advanced course"
    );
    assert_eq!(
        created["description"],
        "Ten investigators from Cox's Bazar."
    );
    assert_eq!(created["due_date"], "2020-03-31");
    assert_eq!(created["status"], "open");
    assert_eq!(created["version"], 1);

    let response = app.get(&location, Role::Unodc).await;
    assert_eq!(response.headers().get("etag").expect("an ETag"), "\"1\"");
    assert_eq!(json(response, 200).await, created);
}

#[tokio::test]
async fn list_filters_by_activity_owner_and_status() {
    let app = spawn_seeded_app().await;
    create(
        &app,
        "WS-2020-01",
        "MOLJPA-BGD",
        "Circulate the bench book",
        None,
    )
    .await;
    create(
        &app,
        "WS-2020-01",
        "UNODC-BGD",
        "Publish the workshop report",
        Some("done"),
    )
    .await;
    create(
        &app,
        "WS-2020-02",
        "MOHA-BGD",
        "Nominate investigators",
        Some("in_progress"),
    )
    .await;

    let list = async |query: &str| {
        titles(
            &app.get_all(&format!("/api/v1/follow-up-actions{query}"), Role::Unodc)
                .await,
        )
    };
    assert_eq!(
        list("").await,
        [
            "Circulate the bench book",
            SEEDED,
            "Nominate investigators",
            "Publish the workshop report"
        ]
    );

    let ws1 = app.activity("WS-2020-01").await;
    assert_eq!(
        list(&format!("?activity_id={}", ws1["id"].as_str().unwrap())).await,
        ["Circulate the bench book", "Publish the workshop report"]
    );
    let nc = app.activity("NC-2020").await;
    assert_eq!(
        list(&format!("?activity_id={}", nc["id"].as_str().unwrap())).await,
        [SEEDED]
    );
    assert_eq!(
        list(&format!("?activity_id={}", uuid::Uuid::now_v7())).await,
        Vec::<String>::new()
    );

    assert_eq!(
        list("?owner=UNODC-BGD").await,
        [SEEDED, "Publish the workshop report"]
    );
    assert_eq!(list("?owner=MOHA-BGD").await, ["Nominate investigators"]);
    assert_eq!(list("?owner=BNWLA").await, Vec::<String>::new());

    assert_eq!(
        list("?status=open").await,
        ["Circulate the bench book", SEEDED]
    );
    assert_eq!(list("?status=done").await, ["Publish the workshop report"]);
    assert_eq!(
        list("?status=in_progress").await,
        ["Nominate investigators"]
    );
    assert_eq!(list("?status=dropped").await, Vec::<String>::new());

    assert_eq!(list("?owner=UNODC-BGD&status=open").await, [SEEDED]);
    problem(
        app.get("/api/v1/follow-up-actions?status=closed", Role::Unodc)
            .await,
        400,
        "invalid_query",
    )
    .await;
}

#[tokio::test]
async fn patch_changes_status_and_clears_the_due_date() {
    let app = spawn_seeded_app().await;
    let created = create(
        &app,
        "WS-2020-01",
        "MOLJPA-BGD",
        "Circulate the bench book",
        None,
    )
    .await;
    let path = format!(
        "/api/v1/follow-up-actions/{}",
        created["id"].as_str().unwrap()
    );
    let activity_before = app.activity("WS-2020-01").await;

    let response = app
        .patch(
            &path,
            Role::Unodc,
            1,
            &json!({ "status": "in_progress", "due_date": "2020-07-15" }),
        )
        .await;
    assert_eq!(response.headers().get("etag").expect("an ETag"), "\"2\"");
    let updated = json(response, 200).await;
    assert_eq!(updated["status"], "in_progress");
    assert_eq!(updated["due_date"], "2020-07-15");
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["title"], "Circulate the bench book");
    assert_eq!(updated["owner"], "MOLJPA-BGD");

    let cleared = json(
        app.patch(
            &path,
            Role::Unodc,
            2,
            &json!({ "due_date": null, "status": "done" }),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(cleared["due_date"], Value::Null);
    assert_eq!(cleared["status"], "done");
    assert_eq!(cleared["version"], 3);
    assert_eq!(app.get_json(&path, Role::Unodc, 200).await, cleared);

    // The activity embeds the updated action.
    let ws1 = app.activity("WS-2020-01").await;
    assert_eq!(ws1["follow_up_actions"], json!([cleared]));
    // Two updates of the action are two changes of the activity that embeds it.
    assert_eq!(
        ws1["version"],
        activity_before["version"].as_i64().unwrap() + 2
    );
    assert!(ws1["change_seq"].as_i64().unwrap() > cleared["change_seq"].as_i64().unwrap());

    let stale = problem(
        app.patch(&path, Role::Unodc, 2, &json!({ "status": "open" }))
            .await,
        412,
        "version_mismatch",
    )
    .await;
    assert_eq!(stale["current_version"], 3);
}

#[tokio::test]
async fn an_unknown_activity_is_a_field_error() {
    let app = spawn_seeded_app().await;
    let body =
        json!({ "activity_id": uuid::Uuid::now_v7(), "owner": "UNODC-BGD", "title": "Anything" });
    let refused = problem(
        app.post("/api/v1/follow-up-actions", Role::Unodc, &body)
            .await,
        422,
        "validation_failed",
    )
    .await;
    let errors = refused["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{refused}");
    assert_eq!(errors[0]["field"], "activity_id", "{refused}");
    assert_eq!(
        app.get_all("/api/v1/follow-up-actions", Role::Unodc)
            .await
            .len(),
        1
    );

    // An unknown owner is a field error too.
    let nc = app.activity("NC-2020").await;
    let body = json!({ "activity_id": nc["id"], "owner": "NO-SUCH-ORG", "title": "Anything" });
    let refused = problem(
        app.post("/api/v1/follow-up-actions", Role::Unodc, &body)
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(refused["errors"][0]["field"], "owner", "{refused}");
}

#[tokio::test]
async fn an_owner_must_see_the_activity_of_its_action() {
    let app = spawn_seeded_app().await;
    // MOFA-BGD does not take part in the restricted workshop WS-2020-01.
    let workshop = app.activity("WS-2020-01").await;
    let new = json!({"activity_id": workshop["id"], "owner": "MOFA-BGD", "title": "Share the training materials"});
    let refused = problem(
        app.post("/api/v1/follow-up-actions", Role::Unodc, &new)
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(refused["errors"][0]["field"], "owner");
    assert_eq!(refused["errors"][0]["code"], "owner_outside_activity");
    // MOLJPA-BGD takes part: it may own one, but it can't be handed to MOFA-BGD either.
    let new = json!({"activity_id": workshop["id"], "owner": "MOLJPA-BGD", "title": "Share the training materials"});
    let created = json(
        app.post("/api/v1/follow-up-actions", Role::Unodc, &new)
            .await,
        201,
    )
    .await;
    let path = format!(
        "/api/v1/follow-up-actions/{}",
        created["id"].as_str().unwrap()
    );
    problem(
        app.patch(&path, Role::Unodc, 1, &json!({"owner": "MOFA-BGD"}))
            .await,
        422,
        "validation_failed",
    )
    .await;
    let as_owner = app.get_json(&path, Role::Government, 404).await;
    assert_eq!(
        as_owner["code"], "not_found",
        "MOHA-BGD's token sees neither the workshop nor the action"
    );
    let owner_token = app.token_for(Role::Government, "MOLJPA-BGD");
    let seen = app
        .request(reqwest::Method::GET, &path, &owner_token)
        .send()
        .await
        .unwrap();
    assert_eq!(json(seen, 200).await["owner"], "MOLJPA-BGD");
}
