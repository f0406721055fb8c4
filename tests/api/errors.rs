//! Bad input never gives a 500: every refusal is problem+json with a stable code, and no error
//! body names the server's insides.

use gloact_domain::Role;
use gloact_tests::{TestApp, json, problem, spawn_app, spawn_seeded_app};
use reqwest::{Method, Response};
use serde_json::{Value, json};

/// Words that only the server's insides use.
fn assert_clean(body: &Value) {
    let text = body.to_string();
    let lower = text.to_lowercase();
    for word in [
        "diesel",
        "postgres",
        "panicked",
        "sqlstate",
        "constraint",
        "actix",
        "serde",
    ] {
        assert!(
            !lower.contains(word),
            "an error body names {word:?}: {text}"
        );
    }
    assert!(!text.contains("SELECT"), "an error body holds SQL: {text}");
}

/// A problem of this status and code whose body holds nothing internal.
async fn refused(response: Response, status: u16, code: &str) -> Value {
    let body = problem(response, status, code).await;
    assert_clean(&body);
    body
}

/// The field errors of a 422 as (field, code) pairs.
async fn field_errors(response: Response) -> Vec<(String, String)> {
    let body = refused(response, 422, "validation_failed").await;
    let errors = body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("errors listed: {body}"));
    assert!(!errors.is_empty(), "{body}");
    errors
        .iter()
        .map(|e| {
            assert!(
                e["message"].as_str().is_some_and(|m| !m.is_empty()),
                "a message: {e}"
            );
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pair(field: &str, code: &str) -> (String, String) {
    (field.to_owned(), code.to_owned())
}

/// POST a raw body with a content type, as UNODC.
async fn post_raw(
    app: &TestApp,
    path: &str,
    content_type: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> Response {
    let mut request = app
        .request(Method::POST, path, &app.token(Role::Unodc))
        .body(body);
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    request.send().await.unwrap()
}

fn new_activity() -> Value {
    json!({
        "programme": "GLOACT-BGD",
        "code": "TR-2020-09",
        "title": "Training of investigators on financial investigations",
        "kind": "training",
        "pillar": "capacity_building",
        "planned_start": "2020-05-10",
        "planned_end": "2020-05-12",
        "participants": {"female": 4, "male": 11},
        "participations": [{"organization": "UNODC-BGD", "role": "implementing"}],
        "objectives": [{"description": "Train investigators", "achieved": false}],
    })
}

fn new_organization(code: &str) -> Value {
    json!({"code": code, "name": "Ministry of Women and Children Affairs", "kind": "government", "country": "BGD"})
}

/// PATCH with a raw `If-Match` header (or none), as UNODC.
async fn patch_if_match(
    app: &TestApp,
    path: &str,
    if_match: Option<&str>,
    body: &Value,
) -> Response {
    let mut request = app
        .request(Method::PATCH, path, &app.token(Role::Unodc))
        .json(body);
    if let Some(value) = if_match {
        request = request.header("if-match", value);
    }
    request.send().await.unwrap()
}

// ----- bodies ----------------------------------------------------------------------------------

#[tokio::test]
async fn malformed_json_is_400_malformed_json() {
    let app = spawn_app().await;
    for body in [
        "{",
        "{\"code\": ",
        "not json",
        "{\"code\": \"X\",}",
        "",
        "{\"code\": \"X\" \"name\": \"Y\"}",
    ] {
        let response = post_raw(
            &app,
            "/api/v1/organizations",
            Some("application/json"),
            body,
        )
        .await;
        assert_eq!(response.status(), 400, "{body:?}");
        refused(response, 400, "malformed_json").await;
    }
}

#[tokio::test]
async fn an_unknown_field_is_400_invalid_body_naming_it() {
    let app = spawn_seeded_app().await;
    let mut organization = new_organization("MOWCA-BGD");
    organization["colour"] = json!("red");
    let body = refused(
        app.post("/api/v1/organizations", Role::Unodc, &organization)
            .await,
        400,
        "invalid_body",
    )
    .await;
    assert!(
        body["detail"].as_str().unwrap().contains("colour"),
        "{body}"
    );

    let mut activity = new_activity();
    activity["participants"]["females"] = json!(3);
    let body = refused(
        app.post("/api/v1/activities", Role::Unodc, &activity).await,
        400,
        "invalid_body",
    )
    .await;
    assert!(
        body["detail"].as_str().unwrap().contains("females"),
        "{body}"
    );

    let mut activity = new_activity();
    activity["objectives"][0]["proof"] = json!("minutes");
    let body = refused(
        app.post("/api/v1/activities", Role::Unodc, &activity).await,
        400,
        "invalid_body",
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("proof"), "{body}");

    // In a patch, too: the code of an organization never changes, so it is no field of a patch.
    let id = app.org_id("BNWLA").await;
    let body = refused(
        app.patch(
            &format!("/api/v1/organizations/{id}"),
            Role::Unodc,
            1,
            &json!({"code": "X"}),
        )
        .await,
        400,
        "invalid_body",
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("code"), "{body}");
    // Nothing was written by any of these.
    assert!(
        app.get_all("/api/v1/activities?limit=500", Role::Unodc)
            .await
            .iter()
            .all(|a| a["code"] != "TR-2020-09")
    );
}

#[tokio::test]
async fn a_wrong_json_type_is_400_invalid_body() {
    let app = spawn_seeded_app().await;
    let mut achieved = new_activity();
    achieved["objectives"][0]["achieved"] = json!("yes");
    let mut female = new_activity();
    female["participants"]["female"] = json!("x");
    let mut fraction = new_activity();
    fraction["participants"]["male"] = json!(2.5);
    let mut huge = new_activity();
    huge["participants"]["male"] = json!(1e30);
    let mut title = new_activity();
    title["title"] = json!(42);
    let mut participations = new_activity();
    participations["participations"] = json!({"organization": "UNODC-BGD"});
    let top = json!([new_activity()]);
    for body in [achieved, female, fraction, huge, title, participations, top] {
        let response = app.post("/api/v1/activities", Role::Unodc, &body).await;
        assert_eq!(response.status(), 400, "{body}");
        refused(response, 400, "invalid_body").await;
    }
    // A missing required field is a 400 of the same kind.
    let mut missing = new_activity();
    missing.as_object_mut().unwrap().remove("title");
    let body = refused(
        app.post("/api/v1/activities", Role::Unodc, &missing).await,
        400,
        "invalid_body",
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("title"), "{body}");
    // An actual that is not a number.
    let indicators = app
        .get_all("/api/v1/indicators?limit=500", Role::Unodc)
        .await;
    let oc1 = indicators.iter().find(|i| i["code"] == "OC-1").unwrap();
    let path = format!(
        "/api/v1/indicators/{}/periods/{}/actual",
        oc1["id"].as_str().unwrap(),
        oc1["periods"][0]["id"].as_str().unwrap()
    );
    let response = app
        .request(Method::PUT, &path, &app.token(Role::Unodc))
        .header("if-match", format!("\"{}\"", oc1["periods"][0]["version"]))
        .json(&json!({"value": "82"}))
        .send()
        .await
        .unwrap();
    refused(response, 400, "invalid_body").await;
}

#[tokio::test]
async fn a_body_that_is_not_json_is_415_unsupported_media_type() {
    let app = spawn_app().await;
    let body = new_organization("MOWCA-BGD").to_string();
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("application/xml"),
        None,
    ] {
        let response = post_raw(&app, "/api/v1/organizations", content_type, body.clone()).await;
        assert_eq!(response.status(), 415, "{content_type:?}");
        refused(response, 415, "unsupported_media_type").await;
    }
    // JSON with a charset is JSON.
    json(
        post_raw(
            &app,
            "/api/v1/organizations",
            Some("application/json; charset=utf-8"),
            body,
        )
        .await,
        201,
    )
    .await;
}

#[tokio::test]
async fn a_body_over_a_mebibyte_is_413_payload_too_large() {
    let app = spawn_app().await;
    let mut big = new_organization("MOWCA-BGD");
    big["name"] = json!("x".repeat(1024 * 1024 + 10));
    let response = post_raw(
        &app,
        "/api/v1/organizations",
        Some("application/json"),
        big.to_string(),
    )
    .await;
    refused(response, 413, "payload_too_large").await;
    // A body streamed in chunks, with no length announced, is cut off at the limit as well.
    let address = app.address.trim_start_matches("http://").to_owned();
    let token = app.token(Role::Unodc);
    let answer = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(&address).unwrap();
        stream.set_read_timeout(Some(std::time::Duration::from_secs(5))).unwrap();
        write!(
            stream,
            "POST /api/v1/organizations HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n9\r\n{{\"name\":\"\r\n"
        )
        .unwrap();
        let chunk = "x".repeat(64 * 1024);
        // The server may stop reading once it has answered: write errors are expected then.
        for _ in 0..40 {
            if write!(stream, "{:x}\r\n{chunk}\r\n", chunk.len()).is_err() {
                break;
            }
        }
        let _ = write!(stream, "0\r\n\r\n");
        let mut answer = Vec::new();
        let mut buf = [0u8; 4096];
        while let Ok(n) = stream.read(&mut buf) {
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&buf[..n]);
            if answer.windows(4).any(|w| w == b"\r\n\r\n") && answer.ends_with(b"}") {
                break;
            }
        }
        String::from_utf8_lossy(&answer).into_owned()
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        answer
            .to_lowercase()
            .contains("content-type: application/problem+json"),
        "{answer}"
    );
    let body: Value = serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(body["code"], "payload_too_large");
    assert_clean(&body);
    // The server is fine afterwards, and nothing was written.
    assert_eq!(
        app.get_json("/api/v1/organizations", Role::Unodc, 200)
            .await["items"]
            .as_array()
            .unwrap()
            .len(),
        4,
        "only the four organizations the tokens name"
    );
}

// ----- validation ------------------------------------------------------------------------------

#[tokio::test]
async fn an_invalid_organization_lists_every_bad_field() {
    let app = spawn_app().await;
    let body = json!({"code": "bad code", "country": "XXX", "name": "  ", "kind": "nope"});
    let mut errors =
        field_errors(app.post("/api/v1/organizations", Role::Unodc, &body).await).await;
    errors.sort();
    assert_eq!(
        errors,
        vec![
            pair("code", "invalid_code"),
            pair("country", "unknown_country"),
            pair("kind", "invalid_value"),
            pair("name", "blank")
        ]
    );
    // Lower-case and wrong-length countries.
    let body = json!({"code": "OK-1", "country": "bgd", "name": "A", "kind": "other"});
    assert_eq!(
        field_errors(app.post("/api/v1/organizations", Role::Unodc, &body).await).await,
        vec![pair("country", "invalid_country")]
    );
    // Nothing was written.
    let page = app
        .get_json("/api/v1/organizations", Role::Unodc, 200)
        .await;
    assert_eq!(
        page["items"].as_array().unwrap().len(),
        4,
        "only the four organizations the tokens name"
    );
}

#[tokio::test]
async fn an_activity_ending_before_it_starts_is_422_out_of_order() {
    let app = spawn_seeded_app().await;
    let mut body = new_activity();
    body["planned_start"] = json!("2020-05-12");
    body["planned_end"] = json!("2020-05-10");
    assert_eq!(
        field_errors(app.post("/api/v1/activities", Role::Unodc, &body).await).await,
        vec![pair("planned_end", "out_of_order")]
    );
    let mut body = new_activity();
    body["planned_start"] = json!("2020-02-30");
    assert_eq!(
        field_errors(app.post("/api/v1/activities", Role::Unodc, &body).await).await,
        vec![pair("planned_start", "invalid_date")]
    );
}

#[tokio::test]
async fn a_negative_participant_count_is_422_negative() {
    let app = spawn_seeded_app().await;
    let mut body = new_activity();
    body["participants"]["female"] = json!(-3);
    assert_eq!(
        field_errors(app.post("/api/v1/activities", Role::Unodc, &body).await).await,
        vec![pair("participants.female", "negative")]
    );
    // Several at once are all reported.
    body["participants"]["judges"] = json!(-1);
    body["participants"]["male"] = json!(2_000_000);
    let mut errors = field_errors(app.post("/api/v1/activities", Role::Unodc, &body).await).await;
    errors.sort();
    assert_eq!(
        errors,
        vec![
            pair("participants.female", "negative"),
            pair("participants.judges", "negative"),
            pair("participants.male", "too_large")
        ]
    );
}

#[tokio::test]
async fn an_unknown_programme_or_organization_is_422_unknown_reference() {
    let app = spawn_seeded_app().await;
    let mut body = new_activity();
    body["programme"] = json!("NO-SUCH-PROGRAMME");
    assert_eq!(
        field_errors(app.post("/api/v1/activities", Role::Unodc, &body).await).await,
        vec![pair("programme", "unknown_reference")]
    );
    let mut body = new_activity();
    body["participations"] = json!([{"organization": "UNODC-BGD", "role": "implementing"}, {"organization": "NOBODY", "role": "participant"}]);
    assert_eq!(
        field_errors(app.post("/api/v1/activities", Role::Unodc, &body).await).await,
        vec![pair("participations[1].organization", "unknown_reference")]
    );
    // The refused activity was not half-written.
    assert!(
        app.get_all("/api/v1/activities?limit=500", Role::Unodc)
            .await
            .iter()
            .all(|a| a["code"] != "TR-2020-09")
    );
    let mut organization = new_organization("MOWCA-BGD");
    organization["parent"] = json!("NOBODY");
    assert_eq!(
        field_errors(
            app.post("/api/v1/organizations", Role::Unodc, &organization)
                .await
        )
        .await,
        vec![pair("parent", "unknown_reference")]
    );
}

#[tokio::test]
async fn a_completed_activity_can_not_go_back_to_planned() {
    let app = spawn_seeded_app().await;
    let nc = app.activity("NC-2020").await;
    assert_eq!(nc["status"], "completed");
    let path = format!("/api/v1/activities/{}", nc["id"].as_str().unwrap());
    let version = nc["version"].as_i64().unwrap();
    assert_eq!(
        field_errors(
            app.patch(&path, Role::Unodc, version, &json!({"status": "planned"}))
                .await
        )
        .await,
        vec![pair("status", "invalid_transition")]
    );
    // A patched end before the stored start.
    assert_eq!(
        field_errors(
            app.patch(
                &path,
                Role::Unodc,
                version,
                &json!({"planned_end": "2019-12-31"})
            )
            .await
        )
        .await,
        vec![pair("planned_end", "out_of_order")]
    );
    let after = app.get_json(&path, Role::Unodc, 200).await;
    assert_eq!(after["status"], "completed");
    assert_eq!(after["version"], version);
}

#[tokio::test]
async fn a_percentage_over_100_is_422() {
    let app = spawn_seeded_app().await;
    let indicators = app
        .get_all("/api/v1/indicators?limit=500", Role::Unodc)
        .await;
    let oc1 = indicators.iter().find(|i| i["code"] == "OC-1").unwrap();
    assert_eq!(oc1["measure"], "percentage");
    let period = &oc1["periods"][0];
    let path = format!(
        "/api/v1/indicators/{}/periods/{}/actual",
        oc1["id"].as_str().unwrap(),
        period["id"].as_str().unwrap()
    );
    let put = |body: Value| {
        app.request(Method::PUT, &path, &app.token(Role::Unodc))
            .header("if-match", format!("\"{}\"", period["version"]))
            .json(&body)
            .send()
    };
    assert_eq!(
        field_errors(put(json!({"value": 150.0})).await.unwrap()).await,
        vec![pair("value", "out_of_range")]
    );
    assert_eq!(
        field_errors(put(json!({"value": -1.0})).await.unwrap()).await,
        vec![pair("value", "invalid_figure")]
    );
    let after = app
        .get_json(
            &format!("/api/v1/indicators/{}", oc1["id"].as_str().unwrap()),
            Role::Unodc,
            200,
        )
        .await;
    assert_eq!(after["periods"][0]["actual"], Value::Null);
    // A period of another indicator is not found under this one.
    let out = indicators.iter().find(|i| i["code"] == "OUT-1.1").unwrap();
    let mixed = format!(
        "/api/v1/indicators/{}/periods/{}/actual",
        out["id"].as_str().unwrap(),
        period["id"].as_str().unwrap()
    );
    let response = app
        .request(Method::PUT, &mixed, &app.token(Role::Unodc))
        .header("if-match", format!("\"{}\"", period["version"]))
        .json(&json!({"value": 50.0}))
        .send()
        .await
        .unwrap();
    refused(response, 404, "not_found").await;
}

// ----- query strings ---------------------------------------------------------------------------

#[tokio::test]
async fn bad_query_strings_are_400() {
    let app = spawn_app().await;
    let cases = [
        ("/api/v1/activities?limit=501", "invalid_limit"),
        ("/api/v1/activities?limit=0", "invalid_limit"),
        ("/api/v1/organizations?limit=501", "invalid_limit"),
        ("/api/v1/activities?limit=abc", "invalid_query"),
        ("/api/v1/activities?limit=-1", "invalid_query"),
        ("/api/v1/activities?limit=99999999999", "invalid_query"),
        ("/api/v1/activities?after=garbage", "invalid_cursor"),
        ("/api/v1/programmes?after=garbage", "invalid_cursor"),
        ("/api/v1/organizations?colour=red", "invalid_query"),
        ("/api/v1/activities?colour=red", "invalid_query"),
        ("/api/v1/activities?kind=nope", "invalid_query"),
        ("/api/v1/activities?status=nope", "invalid_query"),
        ("/api/v1/activities?from=2020-13-01", "invalid_query"),
        ("/api/v1/activities?parent_id=xyz", "invalid_query"),
        ("/api/v1/activities?organization=lower", "invalid_query"),
        ("/api/v1/organizations?kind=nope", "invalid_query"),
        ("/api/v1/organizations?country=XXX", "invalid_query"),
        ("/api/v1/follow-up-actions?status=nope", "invalid_query"),
        ("/api/v1/indicators?result_level=nope", "invalid_query"),
        (
            "/api/v1/activities?changed_after=-1",
            "invalid_changed_after",
        ),
        ("/api/v1/activities?changed_after=abc", "invalid_query"),
    ];
    for (path, code) in cases {
        let response = app.get(path, Role::Unodc).await;
        assert_eq!(response.status(), 400, "{path}");
        let body = refused(response, 400, code).await;
        assert!(
            body["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{path}: {body}"
        );
    }
    let body = refused(
        app.get("/api/v1/organizations?colour=red", Role::Unodc)
            .await,
        400,
        "invalid_query",
    )
    .await;
    assert!(
        body["detail"].as_str().unwrap().contains("colour"),
        "{body}"
    );
    let body = refused(
        app.get("/api/v1/activities?kind=nope", Role::Unodc).await,
        400,
        "invalid_query",
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("kind"), "{body}");
    // The bounds themselves are fine.
    for path in [
        "/api/v1/activities?limit=1",
        "/api/v1/activities?limit=500",
        "/api/v1/activities?changed_after=0",
    ] {
        json(app.get(path, Role::Unodc).await, 200).await;
    }
}

#[tokio::test]
async fn a_cursor_of_another_walk_is_400_invalid_cursor() {
    let app = spawn_seeded_app().await;
    // A cursor of a walk by id, from a real first page.
    let page = app
        .get_json("/api/v1/activities?limit=2", Role::Unodc, 200)
        .await;
    let cursor = page["next_cursor"]
        .as_str()
        .expect("more than one page")
        .to_owned();
    json(
        app.get(
            &format!("/api/v1/activities?limit=2&after={cursor}"),
            Role::Unodc,
        )
        .await,
        200,
    )
    .await;
    // ... can't continue a walk of changes.
    refused(
        app.get(
            &format!("/api/v1/activities?limit=2&changed_after=0&after={cursor}"),
            Role::Unodc,
        )
        .await,
        400,
        "invalid_cursor",
    )
    .await;
    // A change cursor can't continue a walk by id.
    let changes = app
        .get_json(
            "/api/v1/activities?limit=2&changed_after=0",
            Role::Unodc,
            200,
        )
        .await;
    let change_cursor = changes["next_cursor"]
        .as_str()
        .expect("more than one page of changes")
        .to_owned();
    refused(
        app.get(
            &format!("/api/v1/activities?limit=2&after={change_cursor}"),
            Role::Unodc,
        )
        .await,
        400,
        "invalid_cursor",
    )
    .await;
}

// ----- paths and routes ------------------------------------------------------------------------

#[tokio::test]
async fn bad_path_ids_unknown_routes_and_methods() {
    let app = spawn_app().await;
    for path in [
        "/api/v1/activities/not-a-uuid",
        "/api/v1/organizations/123",
        "/api/v1/follow-up-actions/x",
        "/api/v1/indicators/zz",
        "/api/v1/programmes/-1",
    ] {
        let response = app.get(path, Role::Unodc).await;
        assert_eq!(response.status(), 400, "{path}");
        refused(response, 400, "invalid_path").await;
    }
    let random = uuid::Uuid::new_v4();
    for collection in [
        "activities",
        "organizations",
        "follow-up-actions",
        "indicators",
        "programmes",
    ] {
        let path = format!("/api/v1/{collection}/{random}");
        let response = app.get(&path, Role::Unodc).await;
        assert_eq!(response.status(), 404, "{path}");
        let body = refused(response, 404, "not_found").await;
        assert_eq!(body["title"], "Not found");
    }
    // A write to a missing row is a 404 too.
    refused(
        patch_if_match(
            &app,
            &format!("/api/v1/organizations/{random}"),
            Some("\"1\""),
            &json!({"name": "X"}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    let response = app
        .request(
            Method::DELETE,
            &format!("/api/v1/activities/{random}"),
            &app.token(Role::Unodc),
        )
        .header("if-match", "\"1\"")
        .send()
        .await
        .unwrap();
    refused(response, 404, "not_found").await;

    let body = refused(
        app.get("/api/v1/nothing", Role::Unodc).await,
        404,
        "route_not_found",
    )
    .await;
    assert!(
        body["detail"].as_str().unwrap().contains("/api/v1/nothing"),
        "{body}"
    );
    // Unknown routes are 404 without a token as well.
    refused(
        app.client
            .get(format!("{}/api/v2/activities", app.address))
            .send()
            .await
            .unwrap(),
        404,
        "route_not_found",
    )
    .await;

    // A known path asked with another method is 405 with the methods it is served with.
    for (method, path, allow) in [
        (Method::PUT, "/api/v1/organizations".to_owned(), "GET, POST"),
        (
            Method::DELETE,
            "/api/v1/organizations".to_owned(),
            "GET, POST",
        ),
        (
            Method::DELETE,
            format!("/api/v1/organizations/{random}"),
            "GET, PATCH",
        ),
        (
            Method::POST,
            format!("/api/v1/activities/{random}"),
            "DELETE, GET, PATCH",
        ),
        (Method::PATCH, "/api/v1/activities".to_owned(), "GET, POST"),
        (Method::DELETE, "/graphql".to_owned(), "GET, POST"),
    ] {
        let response = app
            .request(method.clone(), &path, &app.token(Role::Unodc))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.headers().get("allow").map(|v| v.to_str().unwrap()),
            Some(allow),
            "{method} {path}"
        );
        refused(response, 405, "method_not_allowed").await;
    }
}

// ----- If-Match --------------------------------------------------------------------------------

#[tokio::test]
async fn writes_need_the_current_version_in_if_match() {
    let app = spawn_seeded_app().await;
    let id = app.org_id("BNWLA").await;
    let path = format!("/api/v1/organizations/{id}");
    let response = app.get(&path, Role::Unodc).await;
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let current = json(response, 200).await;
    let version = current["version"].as_i64().unwrap();
    assert_eq!(etag, format!("\"{version}\""));
    let change = json!({"name": "Bangladesh National Women Lawyers' Association"});

    refused(
        patch_if_match(&app, &path, None, &change).await,
        428,
        "if_match_required",
    )
    .await;
    for garbage in [
        "garbage",
        "3",
        "\"abc\"",
        "\"0\"",
        "\"-1\"",
        "\"99999999999\"",
        "\"\"",
        "*",
    ] {
        let response = patch_if_match(&app, &path, Some(garbage), &change).await;
        assert_eq!(response.status(), 400, "If-Match: {garbage}");
        refused(response, 400, "invalid_if_match").await;
    }
    let stale = format!("\"{}\"", version + 5);
    let body = refused(
        patch_if_match(&app, &path, Some(&stale), &change).await,
        412,
        "version_mismatch",
    )
    .await;
    assert_eq!(body["current_version"], version);

    // Nothing has changed so far.
    assert_eq!(app.get_json(&path, Role::Unodc, 200).await, current);

    let response = patch_if_match(&app, &path, Some(&etag), &change).await;
    let new_etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let updated = json(response, 200).await;
    assert_eq!(updated["name"], change["name"]);
    assert_eq!(updated["version"], version + 1);
    assert_eq!(new_etag, format!("\"{}\"", version + 1));
    assert_ne!(new_etag, etag);

    // The old ETag is stale now.
    let body = refused(
        patch_if_match(&app, &path, Some(&etag), &json!({"name": "Another name"})).await,
        412,
        "version_mismatch",
    )
    .await;
    assert_eq!(body["current_version"], version + 1);
    // A weak tag can't say which version was read: If-Match compares strongly.
    refused(
        patch_if_match(
            &app,
            &path,
            Some(&format!("W/{new_etag}")),
            &json!({"name": "BNWLA"}),
        )
        .await,
        400,
        "invalid_if_match",
    )
    .await;

    // Deletes need it too.
    let vw = app.activity("VW-2020-04").await;
    let vw_path = format!("/api/v1/activities/{}", vw["id"].as_str().unwrap());
    let response = app
        .request(Method::DELETE, &vw_path, &app.token(Role::Unodc))
        .send()
        .await
        .unwrap();
    refused(response, 428, "if_match_required").await;
    let response = app
        .request(Method::DELETE, &vw_path, &app.token(Role::Unodc))
        .header(
            "if-match",
            format!("\"{}\"", vw["version"].as_i64().unwrap() + 1),
        )
        .send()
        .await
        .unwrap();
    let body = refused(response, 412, "version_mismatch").await;
    assert_eq!(body["current_version"], vw["version"]);
}

// ----- conflicts -------------------------------------------------------------------------------

#[tokio::test]
async fn a_duplicate_organization_code_is_409_duplicate_code() {
    let app = spawn_seeded_app().await;
    let body = refused(
        app.post(
            "/api/v1/organizations",
            Role::Unodc,
            &new_organization("BNWLA"),
        )
        .await,
        409,
        "duplicate_code",
    )
    .await;
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{body}"
    );
    // An activity code taken in the programme, too.
    let mut activity = new_activity();
    activity["code"] = json!("NC-2020");
    refused(
        app.post("/api/v1/activities", Role::Unodc, &activity).await,
        409,
        "duplicate_code",
    )
    .await;
    let all = app
        .get_all("/api/v1/organizations?limit=500", Role::Unodc)
        .await;
    assert_eq!(all.iter().filter(|o| o["code"] == "BNWLA").count(), 1);
}

#[tokio::test]
async fn deleting_an_activity_with_live_parts_is_409_has_parts() {
    let app = spawn_seeded_app().await;
    let nc = app.activity("NC-2020").await;
    let path = format!("/api/v1/activities/{}", nc["id"].as_str().unwrap());
    let response = app
        .request(Method::DELETE, &path, &app.token(Role::Unodc))
        .header("if-match", format!("\"{}\"", nc["version"]))
        .send()
        .await
        .unwrap();
    refused(response, 409, "has_parts").await;
    let after = app.get_json(&path, Role::Unodc, 200).await;
    assert_eq!(after["version"], nc["version"]);
    // A meeting on its own has no parts and goes.
    let meeting = app.activity("NC-2020-M01").await;
    let response = app
        .request(
            Method::DELETE,
            &format!("/api/v1/activities/{}", meeting["id"].as_str().unwrap()),
            &app.token(Role::Unodc),
        )
        .header("if-match", format!("\"{}\"", meeting["version"]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
}

#[tokio::test]
async fn odd_text_is_stored_or_refused_per_field_never_a_500() {
    let app = spawn_app().await;
    // What a database chokes on (NUL) or a careless query would run is either stored as sent or
    // refused with a field error.
    let injection = "'; DROP TABLE organization; --";
    let body = json!({"code": "ODD-1", "name": injection, "kind": "other", "country": "BGD"});
    assert_eq!(
        json(
            app.post("/api/v1/organizations", Role::Unodc, &body).await,
            201
        )
        .await["name"],
        injection
    );
    let body =
        json!({"code": "ODD-2", "name": "Smile \u{1F600}", "kind": "other", "country": "BGD"});
    assert_eq!(
        json(
            app.post("/api/v1/organizations", Role::Unodc, &body).await,
            201
        )
        .await["name"],
        "Smile \u{1F600}"
    );
    for (i, odd) in ["nul \u{0000} inside", "bell \u{0007}", "line\nbreak"]
        .into_iter()
        .enumerate()
    {
        let body = json!({"code": format!("ODD-1{i}"), "name": odd, "kind": "other", "country": "BGD", "iati_ref": odd});
        let mut errors =
            field_errors(app.post("/api/v1/organizations", Role::Unodc, &body).await).await;
        errors.sort();
        assert_eq!(
            errors,
            vec![
                pair("iati_ref", "invalid_characters"),
                pair("name", "invalid_characters")
            ],
            "{odd:?}"
        );
    }
    let body =
        json!({"code": "ODD-3", "name": "\u{00e9}".repeat(301), "kind": "other", "country": "BGD"});
    assert_eq!(
        field_errors(app.post("/api/v1/organizations", Role::Unodc, &body).await).await,
        vec![pair("name", "too_long")]
    );
    let body =
        json!({"code": "ODD-3", "name": "\u{00e9}".repeat(300), "kind": "other", "country": "BGD"});
    json(
        app.post("/api/v1/organizations", Role::Unodc, &body).await,
        201,
    )
    .await;
    // NUL and quotes in query strings and paths.
    for (path, status, code) in [
        ("/api/v1/activities?district=%00", 400, "invalid_query"),
        (
            "/api/v1/activities?programme=%27%3B--",
            400,
            "invalid_query",
        ),
        ("/api/v1/activities/%00", 400, "invalid_path"),
        ("/api/v1/activities/%27%20OR%201%3D1", 400, "invalid_path"),
    ] {
        refused(app.get(path, Role::Unodc).await, status, code).await;
    }
    // A well-formed filter matching nothing is an empty page.
    assert_eq!(
        app.get_json("/api/v1/activities?district=Nowhere", Role::Unodc, 200)
            .await["items"],
        json!([])
    );
}

#[tokio::test]
async fn dates_the_database_can_not_hold_are_refused_not_500() {
    let app = spawn_seeded_app().await;
    let date = "-5000-01-01";
    let date_error = |errors: Vec<(String, String)>, field: &str| {
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].0, field);
        assert!(
            ["invalid_date", "out_of_range"].contains(&errors[0].1.as_str()),
            "{errors:?}"
        );
    };
    let mut body = new_activity();
    body["planned_start"] = json!(date);
    date_error(
        field_errors(app.post("/api/v1/activities", Role::Unodc, &body).await).await,
        "planned_start",
    );

    let vw = app.activity("VW-2020-04").await;
    let path = format!("/api/v1/activities/{}", vw["id"].as_str().unwrap());
    date_error(
        field_errors(
            app.patch(
                &path,
                Role::Unodc,
                vw["version"].as_i64().unwrap(),
                &json!({"actual_end": date}),
            )
            .await,
        )
        .await,
        "actual_end",
    );

    let new = json!({"activity_id": vw["id"], "owner": "MOHA-BGD", "title": "Send the invitations", "due_date": date});
    date_error(
        field_errors(
            app.post("/api/v1/follow-up-actions", Role::Unodc, &new)
                .await,
        )
        .await,
        "due_date",
    );

    for filter in ["from", "to"] {
        refused(
            app.get(&format!("/api/v1/activities?{filter}={date}"), Role::Unodc)
                .await,
            400,
            "invalid_query",
        )
        .await;
    }
}

#[tokio::test]
async fn an_organization_can_not_become_its_own_ancestor() {
    let app = spawn_seeded_app().await;
    // UNODC-BGD -> UNODC-ROSA -> UNODC-DO; its own parent is refused already.
    let bgd = app.org_id("UNODC-BGD").await;
    let errors = field_errors(
        app.patch(
            &format!("/api/v1/organizations/{bgd}"),
            Role::Unodc,
            1,
            &json!({"parent": "UNODC-BGD"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        errors.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(),
        ["parent"]
    );
    // Making the root a child of its grandchild closes a cycle.
    let root = app.org_id("UNODC-DO").await;
    let path = format!("/api/v1/organizations/{root}");
    let errors = field_errors(
        app.patch(&path, Role::Unodc, 1, &json!({"parent": "UNODC-BGD"}))
            .await,
    )
    .await;
    assert_eq!(
        errors.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(),
        ["parent"]
    );
    assert_eq!(
        app.get_json(&path, Role::Unodc, 200).await["parent_id"],
        Value::Null
    );
}

#[tokio::test]
async fn loosely_written_dates_are_refused() {
    let app = spawn_seeded_app().await;
    let vw = app.activity("VW-2020-04").await;
    let path = format!("/api/v1/activities/{}", vw["id"].as_str().unwrap());
    for loose in [
        "2020-1-5",
        " 2020-01-05",
        "2020-01-05T00:00:00Z",
        "1850-01-01",
    ] {
        let response = app
            .patch(
                &path,
                Role::Unodc,
                vw["version"].as_i64().unwrap(),
                &json!({"actual_start": loose}),
            )
            .await;
        let errors = field_errors(response).await;
        assert_eq!(errors.len(), 1, "{loose}: {errors:?}");
        assert_eq!(errors[0].0, "actual_start", "{loose}");
    }
}

#[tokio::test]
async fn null_for_a_field_that_cant_be_cleared_is_422() {
    let app = spawn_seeded_app().await;
    let vw = app.activity("VW-2020-04").await;
    let path = format!("/api/v1/activities/{}", vw["id"].as_str().unwrap());
    let response = app
        .patch(
            &path,
            Role::Unodc,
            vw["version"].as_i64().unwrap(),
            &json!({"title": null, "participants": null}),
        )
        .await;
    let body = problem(response, 422, "validation_failed").await;
    let fields: Vec<(&str, &str)> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        fields,
        [
            ("title", "null_not_allowed"),
            ("participants", "null_not_allowed")
        ]
    );
    let id = app.org_id("BNWLA").await;
    let response = app
        .patch(
            &format!("/api/v1/organizations/{id}"),
            Role::Unodc,
            1,
            &json!({"name": null}),
        )
        .await;
    problem(response, 422, "validation_failed").await;
}

#[tokio::test]
async fn an_empty_patch_changes_nothing_but_still_checks_the_version() {
    let app = spawn_seeded_app().await;
    let vw = app.activity("VW-2020-04").await;
    let version = vw["version"].as_i64().unwrap();
    let path = format!("/api/v1/activities/{}", vw["id"].as_str().unwrap());
    let same = json(
        app.patch(&path, Role::Unodc, version, &json!({})).await,
        200,
    )
    .await;
    assert_eq!(same["version"], version);
    assert_eq!(same["change_seq"], vw["change_seq"]);
    refused(
        app.patch(&path, Role::Unodc, version + 5, &json!({})).await,
        412,
        "version_mismatch",
    )
    .await;
}

#[tokio::test]
async fn body_errors_do_not_name_internal_types() {
    let app = spawn_app().await;
    let response = post_raw(&app, "/api/v1/organizations", Some("application/json"), "1").await;
    let body = refused(response, 400, "invalid_body").await;
    let detail = body["detail"].as_str().unwrap();
    assert!(
        !detail.contains("Dto") && detail.contains("JSON object"),
        "{detail}"
    );
}

#[tokio::test]
async fn text_the_database_cannot_hold_is_refused_not_500() {
    let app = spawn_seeded_app().await;
    let admin = app.token_with_scopes(Role::Unodc, "UNODC-BGD", "admin");
    // A NUL byte in a free-text filter or field: PostgreSQL text can't hold it.
    for query in [
        "actor=a%00b",
        "action=%00",
        "resource_id=x%00",
        "request_id=%00",
    ] {
        let response = app
            .request(
                Method::GET,
                &format!("/api/v1/admin/audit-events?{query}"),
                &admin,
            )
            .send()
            .await
            .unwrap();
        refused(response, 400, "invalid_query").await;
    }
    for body in [
        json!({"jti": "a\u{0}b"}),
        json!({"jti": "ok", "reason": "a\u{0}b"}),
    ] {
        let response = app
            .request(Method::POST, "/api/v1/admin/revocations", &admin)
            .json(&body)
            .send()
            .await
            .unwrap();
        refused(response, 422, "validation_failed").await;
    }
    // Times outside what the programme's data can hold.
    let response = app
        .request(
            Method::GET,
            "/api/v1/admin/audit-events?from=1850-01-01T00:00:00Z",
            &admin,
        )
        .send()
        .await
        .unwrap();
    refused(response, 400, "invalid_query").await;
    let report = json!({
        "id": uuid::Uuid::new_v4(), "occurred_at": "1850-01-01T00:00:00Z", "district": "Dhaka",
        "payload": { "kind": "incident", "persons_involved": 1 },
    });
    let response = app
        .request(
            Method::POST,
            "/api/v1/field-reports",
            &app.token(Role::Government),
        )
        .json(&report)
        .send()
        .await
        .unwrap();
    let body = refused(response, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "occurred_at");
}

#[tokio::test]
async fn a_missing_if_match_is_answered_after_the_token_and_the_body() {
    let app = spawn_seeded_app().await;
    let vw = app.activity("VW-2020-04").await;
    let path = format!("/api/v1/activities/{}", vw["id"].as_str().unwrap());
    let response = app
        .client
        .patch(format!("{}{path}", app.address))
        .json(&json!({"title": "A new title"}))
        .send()
        .await
        .unwrap();
    refused(response, 401, "token_missing").await;
    let response = app
        .request(Method::PATCH, &path, &app.token(Role::Unodc))
        .header("content-type", "application/json")
        .body("[1]")
        .send()
        .await
        .unwrap();
    refused(response, 400, "invalid_body").await;
}
