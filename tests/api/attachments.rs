//! Photos and documents of field reports: types told by content, a size cap, retried uploads kept
//! once, and served back to those who may read the report.

use gloact_domain::Role;
use gloact_tests::{TestApp, jpeg, json, multipart_file, problem, spawn_seeded_app};
use reqwest::{Method, Response};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

async fn report_of(app: &TestApp, token: &str) -> String {
    let body = json!({
        "id": Uuid::new_v4(), "occurred_at": "2020-02-24T09:30:00Z", "district": "Teknaf",
        "payload": { "kind": "border_observation", "crossing_point": "Teknaf jetty", "direction": "outbound", "persons_observed": 23, "suspected_smuggling": true },
    });
    let stored = json(
        app.request(Method::POST, "/api/v1/field-reports", token)
            .json(&body)
            .send()
            .await
            .unwrap(),
        201,
    )
    .await;
    stored["id"].as_str().unwrap().to_owned()
}

async fn upload(
    app: &TestApp,
    token: &str,
    report: &str,
    content: &[u8],
    claimed: &str,
) -> Response {
    let (content_type, body) = multipart_file(content, claimed);
    app.request(
        Method::POST,
        &format!("/api/v1/field-reports/{report}/attachments"),
        token,
    )
    .header("content-type", content_type)
    .body(body)
    .send()
    .await
    .unwrap()
}

#[tokio::test]
async fn a_photo_is_kept_once_and_served_back_as_it_was() {
    let app = spawn_seeded_app().await;
    let moha = app.token(Role::Government);
    let report = report_of(&app, &moha).await;
    let photo = jpeg("boat at the jetty");
    let first = upload(&app, &moha, &report, &photo, "image/jpeg").await;
    assert!(
        first.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with(&format!("/api/v1/field-reports/{report}/attachments/"))
    );
    let attached = json(first, 201).await;
    let sha: String = Sha256::digest(&photo)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        (attached["media_type"].as_str(), attached["sha256"].as_str()),
        (Some("image/jpeg"), Some(sha.as_str()))
    );
    assert_eq!(attached["size_bytes"], photo.len());
    // The upload is retried: the same attachment, not a second one.
    let again = json(
        upload(&app, &moha, &report, &photo, "image/jpeg").await,
        200,
    )
    .await;
    assert_eq!(again["id"], attached["id"]);
    let list = json(
        app.request(
            Method::GET,
            &format!("/api/v1/field-reports/{report}/attachments"),
            &moha,
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);

    let path = format!(
        "/api/v1/field-reports/{report}/attachments/{}",
        attached["id"].as_str().unwrap()
    );
    for token in [moha.clone(), app.token(Role::Unodc), app.token(Role::Iom)] {
        let download = app
            .request(Method::GET, &path, &token)
            .send()
            .await
            .unwrap();
        assert_eq!(download.status(), 200);
        assert_eq!(download.headers()["content-type"], "image/jpeg");
        assert_eq!(download.headers()["x-content-type-options"], "nosniff");
        assert_eq!(download.bytes().await.unwrap().as_ref(), photo.as_slice());
    }
    // Those who may not read the report learn nothing, the EU is refused.
    problem(
        app.request(
            Method::GET,
            &path,
            &app.token_for(Role::Government, "MOFA-BGD"),
        )
        .send()
        .await
        .unwrap(),
        404,
        "not_found",
    )
    .await;
    problem(
        app.request(Method::GET, &path, &app.token(Role::Eu))
            .send()
            .await
            .unwrap(),
        403,
        "forbidden",
    )
    .await;
    // Nor may another organization add to the report.
    problem(
        upload(
            &app,
            &app.token_for(Role::Government, "MOFA-BGD"),
            &report,
            &jpeg("x"),
            "image/jpeg",
        )
        .await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn types_are_told_by_content_and_size_is_capped() {
    let app = spawn_seeded_app().await;
    let iom = app.token(Role::Iom);
    let report = report_of(&app, &iom).await;
    // An executable that says it is a JPEG is refused; so is HTML.
    problem(
        upload(&app, &iom, &report, b"MZ\x90\x00 not a photo", "image/jpeg").await,
        415,
        "unsupported_media_type",
    )
    .await;
    problem(
        upload(
            &app,
            &iom,
            &report,
            b"<html><script>alert(1)</script>",
            "image/png",
        )
        .await,
        415,
        "unsupported_media_type",
    )
    .await;
    // PNG and PDF are accepted, whatever the client claims.
    let png = json(
        upload(
            &app,
            &iom,
            &report,
            b"\x89PNG\r\n\x1a\n0000",
            "application/octet-stream",
        )
        .await,
        201,
    )
    .await;
    assert_eq!(png["media_type"], "image/png");
    let pdf = json(
        upload(&app, &iom, &report, b"%PDF-1.7\n%%EOF", "text/plain").await,
        201,
    )
    .await;
    assert_eq!(pdf["media_type"], "application/pdf");
    // Over 5 MiB is refused without being kept.
    let big = {
        let mut content = jpeg("");
        content.resize(5 * 1024 * 1024 + 1, 0);
        content
    };
    problem(
        upload(&app, &iom, &report, &big, "image/jpeg").await,
        413,
        "payload_too_large",
    )
    .await;
    let list = json(
        app.request(
            Method::GET,
            &format!("/api/v1/field-reports/{report}/attachments"),
            &iom,
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    // Not a form at all.
    let not_a_form = app
        .request(
            Method::POST,
            &format!("/api/v1/field-reports/{report}/attachments"),
            &iom,
        )
        .json(&json!({"file": "x"}))
        .send()
        .await
        .unwrap();
    let status = not_a_form.status().as_u16();
    let body: Value = not_a_form.json().await.unwrap();
    assert!(status == 400 || status == 415, "{status} {body}");
    assert!(body["code"].is_string(), "{body}");
}
