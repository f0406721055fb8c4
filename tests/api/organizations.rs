//! Organizations as UNODC manages them: list, get, create, update, filters.

use gloact_domain::Role;
use gloact_tests::{json, problem, spawn_app, spawn_seeded_app};
use serde_json::{Value, json};

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
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

fn new_org() -> Value {
    json!({
        "code": "MOWCA-BGD",
        "name": "Ministry of Women and Children Affairs",
        "kind": "government",
        "country": "BGD",
        "iati_ref": "BD-GOV-MOWCA",
    })
}

#[tokio::test]
async fn create_answers_201_with_location_etag_and_the_body() {
    let app = spawn_app().await;
    let response = app
        .post("/api/v1/organizations", Role::Unodc, &new_org())
        .await;
    let location = header(&response, "location");
    assert_eq!(header(&response, "etag"), "\"1\"");
    let created = json(response, 201).await;
    let id = created["id"].as_str().unwrap();
    assert_eq!(location, format!("/api/v1/organizations/{id}"));
    assert_eq!(created["code"], "MOWCA-BGD");
    assert_eq!(created["name"], "Ministry of Women and Children Affairs");
    assert_eq!(created["kind"], "government");
    assert_eq!(created["country"], "BGD");
    assert_eq!(created["iati_ref"], "BD-GOV-MOWCA");
    assert_eq!(created["parent_id"], Value::Null);
    assert_eq!(created["version"], 1);
    assert!(created["change_seq"].as_i64().unwrap() > 0);

    // The location serves it, with the same ETag.
    let response = app.get(&location, Role::Government).await;
    assert_eq!(header(&response, "etag"), "\"1\"");
    let fetched = json(response, 200).await;
    assert_eq!(fetched, created);

    // And the list has it.
    let listed = app
        .get_json("/api/v1/organizations", Role::Unodc, 200)
        .await;
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 5, "the four the tokens name, and this one");
    assert!(items.contains(&created), "{listed}");
}

#[tokio::test]
async fn patch_changes_the_name_clears_iati_ref_and_moves_the_version() {
    let app = spawn_app().await;
    let created = json(
        app.post("/api/v1/organizations", Role::Unodc, &new_org())
            .await,
        201,
    )
    .await;
    let path = format!("/api/v1/organizations/{}", created["id"].as_str().unwrap());

    let response = app.patch(&path, Role::Unodc, 1, &json!({ "name": "Ministry of Women and Children Affairs of Bangladesh", "iati_ref": null })).await;
    assert_eq!(header(&response, "etag"), "\"2\"");
    let updated = json(response, 200).await;
    assert_eq!(
        updated["name"],
        "Ministry of Women and Children Affairs of Bangladesh"
    );
    assert_eq!(updated["iati_ref"], Value::Null);
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["code"], "MOWCA-BGD");
    assert_eq!(updated["kind"], "government");
    assert_eq!(updated["country"], "BGD");
    assert_eq!(updated["created_at"], created["created_at"]);
    assert!(updated["change_seq"].as_i64().unwrap() > created["change_seq"].as_i64().unwrap());

    let response = app.get(&path, Role::Unodc).await;
    assert_eq!(header(&response, "etag"), "\"2\"");
    assert_eq!(json(response, 200).await, updated);

    // The old version is stale now.
    let stale = problem(
        app.patch(&path, Role::Unodc, 1, &json!({ "name": "Other" }))
            .await,
        412,
        "version_mismatch",
    )
    .await;
    assert_eq!(stale["current_version"], 2);
}

#[tokio::test]
async fn the_code_cannot_be_changed() {
    let app = spawn_app().await;
    let created = json(
        app.post("/api/v1/organizations", Role::Unodc, &new_org())
            .await,
        201,
    )
    .await;
    let path = format!("/api/v1/organizations/{}", created["id"].as_str().unwrap());
    let body = problem(
        app.patch(&path, Role::Unodc, 1, &json!({ "code": "MOWCA2-BGD" }))
            .await,
        400,
        "invalid_body",
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("code"), "{body}");
    let unchanged = app.get_json(&path, Role::Unodc, 200).await;
    assert_eq!(unchanged["code"], "MOWCA-BGD");
    assert_eq!(unchanged["version"], 1);
}

#[tokio::test]
async fn a_parent_given_by_code_is_resolved_to_its_id() {
    let app = spawn_seeded_app().await;
    let rosa = app.org_id("UNODC-ROSA").await;
    let body = json!({
        "code": "UNODC-LKA",
        "name": "UNODC Programme Office in Sri Lanka",
        "kind": "un_agency",
        "country": "LKA",
        "parent": "UNODC-ROSA",
    });
    let created = json(
        app.post("/api/v1/organizations", Role::Unodc, &body).await,
        201,
    )
    .await;
    assert_eq!(created["parent_id"], rosa.as_str());
    let path = format!("/api/v1/organizations/{}", created["id"].as_str().unwrap());
    assert_eq!(
        app.get_json(&path, Role::Iom, 200).await["parent_id"],
        rosa.as_str()
    );

    // Re-parented by code too, and detached with null.
    let dof = app.org_id("UNODC-DO").await;
    let moved = json(
        app.patch(&path, Role::Unodc, 1, &json!({ "parent": "UNODC-DO" }))
            .await,
        200,
    )
    .await;
    assert_eq!(moved["parent_id"], dof.as_str());
    let detached = json(
        app.patch(&path, Role::Unodc, 2, &json!({ "parent": null }))
            .await,
        200,
    )
    .await;
    assert_eq!(detached["parent_id"], Value::Null);
    assert_eq!(detached["version"], 3);

    // An unknown parent code is a field error.
    let unknown = json!({ "code": "UNODC-NPL", "name": "UNODC Nepal", "kind": "un_agency", "country": "NPL", "parent": "NO-SUCH-ORG" });
    let refused = problem(
        app.post("/api/v1/organizations", Role::Unodc, &unknown)
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(refused["errors"][0]["field"], "parent", "{refused}");
}

#[tokio::test]
async fn list_and_get_show_the_seeded_organizations() {
    let app = spawn_seeded_app().await;
    let page = app
        .get_json("/api/v1/organizations", Role::Government, 200)
        .await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 9);
    assert_eq!(page["next_cursor"], Value::Null);
    let moha = items.iter().find(|o| o["code"] == "MOHA-BGD").unwrap();
    let response = app
        .get(
            &format!("/api/v1/organizations/{}", moha["id"].as_str().unwrap()),
            Role::Eu,
        )
        .await;
    assert_eq!(header(&response, "etag"), "\"1\"");
    let fetched = json(response, 200).await;
    assert_eq!(&fetched, moha);
    assert_eq!(fetched["name"], "Ministry of Home Affairs");

    // Paging walks them all once.
    let first = app
        .get_json("/api/v1/organizations?limit=4", Role::Unodc, 200)
        .await;
    assert_eq!(first["items"].as_array().unwrap().len(), 4);
    assert!(first["next_cursor"].is_string());
    let walked = app
        .get_all("/api/v1/organizations?limit=4", Role::Unodc)
        .await;
    assert_eq!(sorted_codes(&walked), sorted_codes(items));

    problem(
        app.get(
            &format!("/api/v1/organizations/{}", uuid::Uuid::now_v7()),
            Role::Unodc,
        )
        .await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn filters_by_kind_and_country_return_exactly_the_matches() {
    let app = spawn_seeded_app().await;
    let government = app
        .get_all("/api/v1/organizations?kind=government", Role::Unodc)
        .await;
    assert_eq!(
        sorted_codes(&government),
        ["MOFA-BGD", "MOHA-BGD", "MOLJPA-BGD"]
    );

    let bangladesh = app
        .get_all("/api/v1/organizations?country=BGD", Role::Unodc)
        .await;
    assert_eq!(
        sorted_codes(&bangladesh),
        [
            "BNWLA",
            "EU-DEL-BGD",
            "IOM-BGD",
            "MOFA-BGD",
            "MOHA-BGD",
            "MOLJPA-BGD",
            "UNODC-BGD"
        ]
    );

    let un_in_bgd = app
        .get_all(
            "/api/v1/organizations?kind=un_agency&country=BGD",
            Role::Unodc,
        )
        .await;
    assert_eq!(sorted_codes(&un_in_bgd), ["IOM-BGD", "UNODC-BGD"]);

    let austria = app
        .get_all("/api/v1/organizations?country=AUT", Role::Unodc)
        .await;
    assert_eq!(sorted_codes(&austria), ["UNODC-DO"]);

    assert!(
        app.get_all("/api/v1/organizations?kind=international_org", Role::Unodc)
            .await
            .is_empty()
    );
    problem(
        app.get("/api/v1/organizations?kind=ministry", Role::Unodc)
            .await,
        400,
        "invalid_query",
    )
    .await;
    problem(
        app.get("/api/v1/organizations?country=bgd", Role::Unodc)
            .await,
        400,
        "invalid_query",
    )
    .await;
}

#[tokio::test]
async fn a_duplicate_code_is_a_conflict() {
    let app = spawn_seeded_app().await;
    let body = json!({ "code": "MOHA-BGD", "name": "Another ministry", "kind": "government", "country": "BGD" });
    problem(
        app.post("/api/v1/organizations", Role::Unodc, &body).await,
        409,
        "duplicate_code",
    )
    .await;
}

/// Writers take no global lock, so two writes at one version must still take turns: of writers
/// sending the same version at once, exactly one wins and the others are told the version moved.
#[tokio::test]
async fn simultaneous_writes_at_one_version_let_exactly_one_through() {
    let app = spawn_seeded_app().await;
    let created = json(
        app.post("/api/v1/organizations", Role::Unodc, &new_org())
            .await,
        201,
    )
    .await;
    let path = format!("/api/v1/organizations/{}", created["id"].as_str().unwrap());
    let mut version = created["version"].as_i64().unwrap();
    for round in 0..5 {
        let answers = futures_util::future::join_all((0..6).map(|w| {
            let body = json!({ "name": format!("Writer {w} of round {round}") });
            let (app, path) = (&app, &path);
            async move {
                app.patch(path, Role::Unodc, version, &body)
                    .await
                    .status()
                    .as_u16()
            }
        }))
        .await;
        let won = answers.iter().filter(|s| **s == 200).count();
        assert_eq!(won, 1, "round {round}: {answers:?}");
        assert!(
            answers.iter().all(|s| *s == 200 || *s == 412),
            "{answers:?}"
        );
        version += 1;
        let current = app.get_json(&path, Role::Unodc, 200).await;
        assert_eq!(current["version"], version, "one write, one version");
    }
}
