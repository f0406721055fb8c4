//! Activities: create with what hangs off them, read, list filters on the demo data, update,
//! delete, parents and codes.

use diesel_async::RunQueryDsl;
use gloact_domain::Role;
use gloact_tests::{TestApp, json, problem, spawn_seeded_app};
use reqwest::{Method, Response};
use serde_json::{Value, json};

fn etag(response: &Response) -> String {
    response
        .headers()
        .get("etag")
        .expect("an ETag")
        .to_str()
        .unwrap()
        .to_owned()
}

fn sorted_codes(items: &[Value]) -> Vec<String> {
    let mut codes: Vec<String> = items
        .iter()
        .map(|i| i["code"].as_str().unwrap().to_owned())
        .collect();
    codes.sort();
    codes
}

async fn delete(app: &TestApp, path: &str, version: i64) -> Response {
    app.request(Method::DELETE, path, &app.token(Role::Unodc))
        .header("if-match", format!("\"{version}\""))
        .send()
        .await
        .expect("the server answers")
}

fn workshop(code: &str) -> Value {
    json!({
        "programme": "GLOACT-BGD",
        "code": code,
        "title": "Training of trainers on victim identification",
        "description": "Two days with trainers of the police academy.",
        "kind": "training",
        "pillar": "capacity_building",
        "planned_start": "2020-05-10",
        "planned_end": "2020-05-11",
        "location": "Police Staff College",
        "district": "Dhaka",
        "participants": { "female": 8, "male": 12, "law_enforcement": 15 },
        "participations": [
            { "organization": "UNODC-BGD", "role": "implementing" },
            { "organization": "MOHA-BGD", "role": "participant" },
            { "organization": "EU-DEL-BGD", "role": "funding" },
        ],
        "objectives": [
            { "description": "Train twenty trainers on victim identification.", "achieved": false },
            { "description": "Agree on a curriculum for the academy.", "achieved": true, "evidence": "Curriculum draft v1." },
        ],
    })
}

#[tokio::test]
async fn create_embeds_participations_and_objectives_with_defaults() {
    let app = spawn_seeded_app().await;
    let response = app
        .post("/api/v1/activities", Role::Unodc, &workshop("TR-2020-05"))
        .await;
    let location = response
        .headers()
        .get("location")
        .expect("a Location")
        .to_str()
        .unwrap()
        .to_owned();
    let tag = etag(&response);
    let created = json(response, 201).await;
    let id = created["id"].as_str().unwrap();
    assert_eq!(location, format!("/api/v1/activities/{id}"));
    assert_eq!(tag, format!("\"{}\"", created["version"]));

    assert_eq!(created["code"], "TR-2020-05");
    assert_eq!(
        created["title"],
        "Training of trainers on victim identification"
    );
    assert_eq!(
        created["description"],
        "Two days with trainers of the police academy."
    );
    assert_eq!(created["kind"], "training");
    assert_eq!(created["pillar"], "capacity_building");
    assert_eq!(created["status"], "planned");
    assert_eq!(created["visibility"], "restricted");
    assert_eq!(
        created["planned"],
        json!({ "start": "2020-05-10", "end": "2020-05-11" })
    );
    assert_eq!(created["actual"], json!({ "start": null, "end": null }));
    assert_eq!(created["location"], "Police Staff College");
    assert_eq!(created["district"], "Dhaka");
    assert_eq!(created["parent_id"], Value::Null);
    assert_eq!(
        created["participants"],
        json!({ "female": 8, "male": 12, "other": 0, "judges": 0, "prosecutors": 0, "law_enforcement": 15, "officials": 0, "civil_society": 0 })
    );
    let programme = &app.get_all("/api/v1/programmes", Role::Unodc).await[0];
    assert_eq!(created["programme_id"], programme["id"]);

    let mut participations: Vec<(String, String, Value)> = created["participations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["organization"].as_str().unwrap().to_owned(),
                p["role"].as_str().unwrap().to_owned(),
                p["iati_role"].clone(),
            )
        })
        .collect();
    participations.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    assert_eq!(
        participations,
        [
            ("EU-DEL-BGD".to_owned(), "funding".to_owned(), json!(1)),
            ("MOHA-BGD".to_owned(), "participant".to_owned(), Value::Null),
            ("UNODC-BGD".to_owned(), "implementing".to_owned(), json!(4)),
        ]
    );
    let moha = created["participations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["organization"] == "MOHA-BGD")
        .unwrap();
    assert_eq!(
        moha["organization_id"],
        app.org_id("MOHA-BGD").await.as_str()
    );

    let mut objectives: Vec<(String, bool, Value)> = created["objectives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["description"].as_str().unwrap().to_owned(),
                o["achieved"].as_bool().unwrap(),
                o["evidence"].clone(),
            )
        })
        .collect();
    objectives.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        objectives,
        [
            (
                "Agree on a curriculum for the academy.".to_owned(),
                true,
                json!("Curriculum draft v1.")
            ),
            (
                "Train twenty trainers on victim identification.".to_owned(),
                false,
                Value::Null
            ),
        ]
    );
    assert_eq!(created["follow_up_actions"], json!([]));

    // GET by id returns the same representation and ETag.
    let response = app.get(&location, Role::Unodc).await;
    assert_eq!(etag(&response), tag);
    assert_eq!(json(response, 200).await, created);
}

#[tokio::test]
async fn get_by_id_and_an_unknown_id() {
    let app = spawn_seeded_app().await;
    let nc = app.activity("NC-2020").await;
    let response = app
        .get(
            &format!("/api/v1/activities/{}", nc["id"].as_str().unwrap()),
            Role::Eu,
        )
        .await;
    assert_eq!(etag(&response), format!("\"{}\"", nc["version"]));
    let fetched = json(response, 200).await;
    assert_eq!(fetched, nc);
    assert_eq!(fetched["visibility"], "public");
    assert_eq!(fetched["participations"].as_array().unwrap().len(), 8);
    problem(
        app.get(
            &format!("/api/v1/activities/{}", uuid::Uuid::now_v7()),
            Role::Unodc,
        )
        .await,
        404,
        "not_found",
    )
    .await;
    problem(
        app.get("/api/v1/activities/not-a-uuid", Role::Unodc).await,
        400,
        "invalid_path",
    )
    .await;
}

#[tokio::test]
async fn list_filters_return_exactly_what_they_should() {
    let app = spawn_seeded_app().await;
    let list = async |query: &str| {
        sorted_codes(
            &app.get_all(&format!("/api/v1/activities?{query}"), Role::Unodc)
                .await,
        )
    };
    let meetings: Vec<String> = (1..=16).map(|i| format!("NC-2020-M{i:02}")).collect();
    let mut everything = meetings.clone();
    everything.extend(["NC-2020", "VW-2020-04", "WS-2020-01", "WS-2020-02"].map(str::to_owned));
    everything.sort();

    assert_eq!(list("programme=GLOACT-BGD").await, everything);
    assert_eq!(list("programme=GLOACT-NPL").await, Vec::<String>::new());
    assert_eq!(list("kind=meeting").await, meetings);
    assert_eq!(list("kind=workshop").await, ["WS-2020-01", "WS-2020-02"]);
    assert_eq!(
        list("pillar=capacity_building").await,
        ["VW-2020-04", "WS-2020-01", "WS-2020-02"]
    );
    assert_eq!(list("status=planned").await, ["VW-2020-04"]);
    assert_eq!(
        list("organization=MOLJPA-BGD").await,
        [
            "NC-2020",
            "NC-2020-M03",
            "NC-2020-M06",
            "NC-2020-M07",
            "NC-2020-M15",
            "VW-2020-04",
            "WS-2020-01"
        ]
    );
    assert_eq!(list("district=Cox%27s%20Bazar").await, ["WS-2020-02"]);
    assert_eq!(
        list("from=2020-02-01&to=2020-02-28").await,
        ["WS-2020-01", "WS-2020-02"]
    );
    assert_eq!(list("from=2020-04-01").await, ["VW-2020-04"]);
    assert_eq!(
        list("to=2020-01-19").await,
        ["NC-2020", "NC-2020-M01", "NC-2020-M02", "NC-2020-M03"]
    );
    let nc = app.activity("NC-2020").await;
    assert_eq!(
        list(&format!("parent_id={}", nc["id"].as_str().unwrap())).await,
        meetings
    );
    assert_eq!(
        list(&format!("parent_id={}", uuid::Uuid::now_v7())).await,
        Vec::<String>::new()
    );
    // Filters combine.
    assert_eq!(
        list("kind=meeting&organization=MOLJPA-BGD").await,
        ["NC-2020-M03", "NC-2020-M06", "NC-2020-M07", "NC-2020-M15"]
    );

    problem(
        app.get("/api/v1/activities?kind=party", Role::Unodc).await,
        400,
        "invalid_query",
    )
    .await;
    problem(
        app.get("/api/v1/activities?from=2020-13-01", Role::Unodc)
            .await,
        400,
        "invalid_query",
    )
    .await;
}

#[tokio::test]
async fn patch_moves_status_and_participants_and_the_version() {
    let app = spawn_seeded_app().await;
    let created = json(
        app.post("/api/v1/activities", Role::Unodc, &workshop("TR-2020-05"))
            .await,
        201,
    )
    .await;
    let path = format!("/api/v1/activities/{}", created["id"].as_str().unwrap());
    let version = created["version"].as_i64().unwrap();

    let response = app.patch(&path, Role::Unodc, version, &json!({ "status": "ongoing", "participants": { "female": 10, "male": 11, "judges": 2 } })).await;
    assert_eq!(etag(&response), format!("\"{}\"", version + 1));
    let updated = json(response, 200).await;
    assert_eq!(updated["status"], "ongoing");
    assert_eq!(updated["version"], version + 1);
    assert_eq!(
        updated["participants"],
        // Counts left out of the change keep their values.
        json!({ "female": 10, "male": 11, "other": 0, "judges": 2, "prosecutors": 0, "law_enforcement": 15, "officials": 0, "civil_society": 0 })
    );
    assert!(updated["change_seq"].as_i64().unwrap() > created["change_seq"].as_i64().unwrap());
    // Untouched fields stay.
    assert_eq!(updated["title"], created["title"]);
    assert_eq!(updated["participations"], created["participations"]);
    assert_eq!(updated["objectives"], created["objectives"]);

    let response = app.get(&path, Role::Unodc).await;
    assert_eq!(etag(&response), format!("\"{}\"", version + 1));
    assert_eq!(json(response, 200).await, updated);

    // The old version is stale.
    let stale = problem(
        app.patch(
            &path,
            Role::Unodc,
            version,
            &json!({ "status": "completed" }),
        )
        .await,
        412,
        "version_mismatch",
    )
    .await;
    assert_eq!(stale["current_version"], version + 1);

    // A completed activity can't go back to planned.
    let nc = app.activity("NC-2020").await;
    let nc_path = format!("/api/v1/activities/{}", nc["id"].as_str().unwrap());
    let refused = problem(
        app.patch(
            &nc_path,
            Role::Unodc,
            nc["version"].as_i64().unwrap(),
            &json!({ "status": "planned" }),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(refused["errors"][0]["field"], "status", "{refused}");
    assert_eq!(app.get_json(&nc_path, Role::Unodc, 200).await, nc);
}

#[tokio::test]
async fn a_new_follow_up_action_moves_the_activitys_version_and_change_seq() {
    let app = spawn_seeded_app().await;
    let before = app.activity("WS-2020-01").await;
    let body = json!({ "activity_id": before["id"], "owner": "MOLJPA-BGD", "title": "Share the workshop report with the tribunals", "due_date": "2020-03-15" });
    let action = json(
        app.post("/api/v1/follow-up-actions", Role::Unodc, &body)
            .await,
        201,
    )
    .await;

    let response = app
        .get(
            &format!("/api/v1/activities/{}", before["id"].as_str().unwrap()),
            Role::Unodc,
        )
        .await;
    let tag = etag(&response);
    let after = json(response, 200).await;
    let version = before["version"].as_i64().unwrap();
    assert_eq!(after["version"], version + 1);
    assert_eq!(tag, format!("\"{}\"", version + 1));
    assert!(after["change_seq"].as_i64().unwrap() > before["change_seq"].as_i64().unwrap());
    assert!(after["change_seq"].as_i64().unwrap() >= action["change_seq"].as_i64().unwrap());
    let embedded = after["follow_up_actions"].as_array().unwrap();
    assert_eq!(embedded.len(), 1);
    assert_eq!(embedded[0], action);
}

#[tokio::test]
async fn delete_with_if_match_removes_it() {
    let app = spawn_seeded_app().await;
    let created = json(
        app.post("/api/v1/activities", Role::Unodc, &workshop("TR-2020-05"))
            .await,
        201,
    )
    .await;
    let id = created["id"].as_str().unwrap();
    let path = format!("/api/v1/activities/{id}");
    let version = created["version"].as_i64().unwrap();
    let since = app.db.last_change_seq().await.unwrap();

    // Without If-Match, or at a stale version, nothing happens.
    let response = app
        .request(Method::DELETE, &path, &app.token(Role::Unodc))
        .send()
        .await
        .unwrap();
    problem(response, 428, "if_match_required").await;
    problem(
        delete(&app, &path, version + 7).await,
        412,
        "version_mismatch",
    )
    .await;

    let response = delete(&app, &path, version).await;
    assert_eq!(response.status().as_u16(), 204);
    assert!(response.text().await.unwrap().is_empty());

    problem(app.get(&path, Role::Unodc).await, 404, "not_found").await;
    let listed = app.get_all("/api/v1/activities", Role::Unodc).await;
    assert_eq!(listed.len(), 20);
    assert!(listed.iter().all(|a| a["id"] != id));
    problem(delete(&app, &path, version).await, 404, "not_found").await;

    // An activity with live parts can't be deleted.
    let nc = app.activity("NC-2020").await;
    let nc_path = format!("/api/v1/activities/{}", nc["id"].as_str().unwrap());
    problem(
        delete(&app, &nc_path, nc["version"].as_i64().unwrap()).await,
        409,
        "has_parts",
    )
    .await;
    assert_eq!(app.get_json(&nc_path, Role::Unodc, 200).await, nc);

    // Delta sync sees the deletion as a tombstone.
    let delta = app
        .get_json(
            &format!("/api/v1/activities?changed_after={since}"),
            Role::Unodc,
            200,
        )
        .await;
    assert_eq!(delta["items"], json!([]), "{delta}");
    let tombstones = delta["tombstones"].as_array().unwrap();
    assert_eq!(tombstones.len(), 1, "{delta}");
    assert_eq!(tombstones[0]["id"], id);
}

/// Stores a second programme behind the API's back: the API has no route to create one.
async fn other_programme(app: &TestApp) {
    let mut conn = app.db.conn().await.unwrap();
    diesel::sql_query(
        "INSERT INTO programme (id, code, title, start_date, end_date, countries) \
         VALUES (gen_random_uuid(), 'GLOACT-NPL', 'GLO.ACT Nepal', '2020-01-01', '2022-12-31', ARRAY['NPL'])",
    )
    .execute(&mut conn)
    .await
    .unwrap();
}

fn meeting(code: &str, parent_id: &Value) -> Value {
    json!({
        "programme": "GLOACT-BGD",
        "parent_id": parent_id,
        "code": code,
        "title": "Follow-up meeting with the Ministry of Home Affairs",
        "kind": "meeting",
        "pillar": "coordination",
        "planned_start": "2020-01-24",
        "planned_end": "2020-01-24",
    })
}

#[tokio::test]
async fn a_parent_must_be_an_activity_of_the_same_programme() {
    let app = spawn_seeded_app().await;
    other_programme(&app).await;
    let mut nepal = workshop("NC-2020-NPL");
    nepal["programme"] = json!("GLOACT-NPL");
    nepal["participations"] = json!([]);
    let foreign = json(
        app.post("/api/v1/activities", Role::Unodc, &nepal).await,
        201,
    )
    .await;
    assert_ne!(
        foreign["programme_id"],
        app.activity("NC-2020").await["programme_id"]
    );

    for parent in [foreign["id"].clone(), json!(uuid::Uuid::now_v7())] {
        let refused = problem(
            app.post(
                "/api/v1/activities",
                Role::Unodc,
                &meeting("NC-2020-M17", &parent),
            )
            .await,
            422,
            "validation_failed",
        )
        .await;
        let errors = refused["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{refused}");
        assert_eq!(errors[0]["field"], "parent_id", "{refused}");
    }

    // The consultation of the same programme is a fine parent.
    let nc = app.activity("NC-2020").await;
    let part = json(
        app.post(
            "/api/v1/activities",
            Role::Unodc,
            &meeting("NC-2020-M17", &nc["id"]),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(part["parent_id"], nc["id"]);
    let parts = app
        .get_all(
            &format!(
                "/api/v1/activities?parent_id={}",
                nc["id"].as_str().unwrap()
            ),
            Role::Unodc,
        )
        .await;
    assert_eq!(parts.len(), 17);
}

#[tokio::test]
async fn a_code_is_unique_in_its_programme_until_deleted() {
    let app = spawn_seeded_app().await;
    let first = json(
        app.post("/api/v1/activities", Role::Unodc, &workshop("TR-2020-05"))
            .await,
        201,
    )
    .await;
    problem(
        app.post("/api/v1/activities", Role::Unodc, &workshop("TR-2020-05"))
            .await,
        409,
        "duplicate_code",
    )
    .await;
    problem(
        app.post("/api/v1/activities", Role::Unodc, &workshop("WS-2020-01"))
            .await,
        409,
        "duplicate_code",
    )
    .await;

    let path = format!("/api/v1/activities/{}", first["id"].as_str().unwrap());
    assert_eq!(
        delete(&app, &path, first["version"].as_i64().unwrap())
            .await
            .status()
            .as_u16(),
        204
    );
    let second = json(
        app.post("/api/v1/activities", Role::Unodc, &workshop("TR-2020-05"))
            .await,
        201,
    )
    .await;
    assert_ne!(second["id"], first["id"]);
    assert_eq!(second["code"], "TR-2020-05");
    let listed = app
        .get_all("/api/v1/activities?kind=training", Role::Unodc)
        .await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], second["id"]);
}

#[tokio::test]
async fn a_new_activity_with_its_parts_starts_at_version_one() {
    let app = spawn_seeded_app().await;
    let created = json(
        app.post("/api/v1/activities", Role::Unodc, &workshop("TR-2020-06"))
            .await,
        201,
    )
    .await;
    // Participations and objectives written with it don't move its version a second time.
    assert_eq!(created["version"], 1);
}

#[tokio::test]
async fn an_organization_listed_twice_in_one_role_is_a_field_error() {
    let app = spawn_seeded_app().await;
    let mut body = workshop("TR-2020-07");
    body["participations"] = json!([
        { "organization": "MOHA-BGD", "role": "participant" },
        { "organization": "UNODC-BGD", "role": "implementing" },
        { "organization": "MOHA-BGD", "role": "participant" },
    ]);
    let refused = problem(
        app.post("/api/v1/activities", Role::Unodc, &body).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        refused["errors"][0]["field"], "participations[2]",
        "{refused}"
    );
    assert_eq!(refused["errors"][0]["code"], "duplicate");
}

#[tokio::test]
async fn public_parts_of_restricted_activities_are_refused_both_ways() {
    let app = spawn_seeded_app().await;
    // WS-2020-01 is restricted: a public part would show its id to everyone.
    let restricted = app.activity("WS-2020-01").await;
    let mut part = workshop("WS-2020-01-D1");
    part["parent_id"] = restricted["id"].clone();
    part["visibility"] = json!("public");
    let refused = problem(
        app.post("/api/v1/activities", Role::Unodc, &part).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(refused["errors"][0]["field"], "visibility");
    assert_eq!(refused["errors"][0]["code"], "public_part_of_restricted");
    part["visibility"] = json!("restricted");
    let created = json(
        app.post("/api/v1/activities", Role::Unodc, &part).await,
        201,
    )
    .await;
    let path = format!("/api/v1/activities/{}", created["id"].as_str().unwrap());
    problem(
        app.patch(&path, Role::Unodc, 1, &json!({"visibility": "public"}))
            .await,
        422,
        "validation_failed",
    )
    .await;

    // NC-2020 has public meetings: it can't be restricted while they are.
    let consultation = app.activity("NC-2020").await;
    let path = format!(
        "/api/v1/activities/{}",
        consultation["id"].as_str().unwrap()
    );
    let refused = problem(
        app.patch(
            &path,
            Role::Unodc,
            consultation["version"].as_i64().unwrap(),
            &json!({"visibility": "restricted"}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(refused["errors"][0]["code"], "has_public_parts");
}

#[tokio::test]
async fn date_filters_take_a_span_open_at_one_end_by_its_known_day() {
    let app = spawn_seeded_app().await;
    let mut open_ended = workshop("TR-2020-08");
    open_ended["planned_start"] = json!("2020-06-01");
    open_ended.as_object_mut().unwrap().remove("planned_end");
    json(
        app.post("/api/v1/activities", Role::Unodc, &open_ended)
            .await,
        201,
    )
    .await;
    let mut undated = workshop("TR-2020-09");
    for field in ["planned_start", "planned_end"] {
        undated.as_object_mut().unwrap().remove(field);
    }
    json(
        app.post("/api/v1/activities", Role::Unodc, &undated).await,
        201,
    )
    .await;

    let june = app
        .get_all(
            "/api/v1/activities?from=2020-06-01&to=2020-06-30",
            Role::Unodc,
        )
        .await;
    assert_eq!(sorted_codes(&june), ["TR-2020-08"]);
    let after_may = app
        .get_all("/api/v1/activities?from=2020-05-12", Role::Unodc)
        .await;
    assert_eq!(
        sorted_codes(&after_may),
        ["TR-2020-08"],
        "no planned day, no match"
    );
}

#[derive(diesel::QueryableByName)]
struct Waiting {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[tokio::test]
async fn a_part_made_public_while_its_parent_turns_restricted_waits_and_is_refused() {
    let app = spawn_seeded_app().await;
    let mut parent = workshop("RACE-P");
    parent["visibility"] = json!("public");
    let parent = json(
        app.post("/api/v1/activities", Role::Unodc, &parent).await,
        201,
    )
    .await;

    // Another writer is turning the parent restricted and has not committed yet.
    let mut writer = app.db.conn().await.unwrap();
    diesel::sql_query("BEGIN")
        .execute(&mut writer)
        .await
        .unwrap();
    diesel::sql_query("UPDATE activity SET visibility = 'restricted' WHERE id = $1::uuid")
        .bind::<diesel::sql_types::Text, _>(parent["id"].as_str().unwrap())
        .execute(&mut writer)
        .await
        .unwrap();

    let mut part = meeting("RACE-P-M1", &parent["id"]);
    part["visibility"] = json!("public");
    let create = tokio::spawn(
        app.request(Method::POST, "/api/v1/activities", &app.token(Role::Unodc))
            .json(&part)
            .send(),
    );
    // The new part's check of its parent must wait for that writer rather than pass on the
    // parent as it was before.
    let mut monitor = app.db.conn().await.unwrap();
    let mut waited = false;
    for _ in 0..100 {
        let waiting: Waiting = diesel::sql_query(
            "SELECT count(*) AS n FROM pg_stat_activity \
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .get_result(&mut monitor)
        .await
        .unwrap();
        if waiting.n > 0 {
            waited = true;
            break;
        }
        if create.is_finished() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    diesel::sql_query("COMMIT")
        .execute(&mut writer)
        .await
        .unwrap();
    assert!(waited, "the new part did not wait for the parent's writer");

    let refused = problem(create.await.unwrap().unwrap(), 422, "validation_failed").await;
    assert_eq!(refused["errors"][0]["field"], "visibility", "{refused}");
    assert_eq!(refused["errors"][0]["code"], "public_part_of_restricted");
}
