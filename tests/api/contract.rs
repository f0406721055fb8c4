//! The contract: `openapi/openapi.json` is exactly what the server serves, every route the code
//! declares is in it, and every operation in it is served.

use std::path::Path;

use gloact_domain::Role;
use gloact_tests::{json, spawn_app};
use reqwest::Method;
use serde_json::Value;

fn committed_spec() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json");
    let text = std::fs::read_to_string(&path).expect("openapi/openapi.json exists");
    serde_json::from_str(&text).expect("openapi/openapi.json is JSON")
}

#[tokio::test]
async fn the_committed_openapi_document_is_the_served_one() {
    let app = spawn_app().await;
    let served = json(
        app.client
            .get(format!("{}/api/openapi.json", app.address))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(
        served == committed_spec(),
        "openapi/openapi.json has drifted from the served document; regenerate it with `cargo run -- openapi > openapi/openapi.json` and review the diff"
    );
}

/// (method, path, function) of every route macro in the REST sources.
fn declared_routes() -> Vec<(String, String, String)> {
    let mut files = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("../api/src/rest")];
    let mut sources = Vec::new();
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(
                std::fs::read_dir(&path)
                    .unwrap()
                    .map(|entry| entry.unwrap().path()),
            );
        } else {
            sources.push(std::fs::read_to_string(&path).unwrap());
        }
    }
    let mut routes = Vec::new();
    for source in sources {
        let mut pending: Option<(String, String)> = None;
        for line in source.lines().map(str::trim) {
            for method in ["get", "post", "put", "patch", "delete"] {
                if let Some(rest) = line.strip_prefix(&format!("#[{method}(\"")) {
                    let path = rest.split('"').next().unwrap().to_owned();
                    pending = Some((method.to_owned(), path));
                }
            }
            if let (Some((method, path)), Some(rest)) =
                (&pending, line.strip_prefix("pub async fn "))
            {
                let name = rest.split('(').next().unwrap().to_owned();
                routes.push((method.clone(), path.clone(), name));
                pending = None;
            }
        }
    }
    routes
}

#[test]
fn every_declared_route_is_documented_under_its_handler_name() {
    let spec = committed_spec();
    let routes = declared_routes();
    assert!(
        routes.len() >= 20,
        "found only {} routes: is the scan broken?",
        routes.len()
    );
    for (method, path, name) in routes {
        let full = if path.starts_with("/health") || path.starts_with("/.well-known") {
            path.clone()
        } else {
            format!("/api/v1{path}")
        };
        let operation = &spec["paths"][&full][&method];
        assert!(
            operation.is_object(),
            "{} {full} ({name}) is served but not in openapi.json",
            method.to_uppercase()
        );
        assert_eq!(
            operation["operationId"],
            name.as_str(),
            "{full}: operation id must be the handler's name"
        );
    }
}

#[tokio::test]
async fn every_documented_operation_is_served_and_guarded() {
    let app = spawn_app().await;
    let spec = committed_spec();
    let id = uuid::Uuid::now_v7().to_string();
    let mut checked = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        let concrete = path
            .replace("{id}", &id)
            .replace("{period_id}", &id)
            .replace("{attachment_id}", &id)
            .replace("{kind}", "activities");
        for method in item.as_object().unwrap().keys() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let url = format!("{}{concrete}", app.address);
            // Without a token: every /api/v1 operation refuses, and none is an unknown route.
            let anonymous = app
                .client
                .request(method.clone(), &url)
                .send()
                .await
                .unwrap();
            let status = anonymous.status().as_u16();
            let body: Value = anonymous.json().await.unwrap_or(Value::Null);
            assert_ne!(
                body["code"], "route_not_found",
                "{method} {path} is documented but not served"
            );
            if path.starts_with("/api/v1/") && path != "/api/v1/oauth/token" {
                assert_eq!(status, 401, "{method} {path} must require a token");
            }
            // With a token the route is reached (the id is unknown, so reads of it are 404s).
            let response = app
                .request(method.clone(), &concrete, &app.token(Role::Unodc))
                .header("if-match", "\"1\"")
                .json(&serde_json::json!({}))
                .send()
                .await
                .unwrap();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            assert_ne!(
                body["code"], "route_not_found",
                "{method} {path} is documented but not served"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 47);
}

#[tokio::test]
async fn swagger_ui_is_served_from_the_binary() {
    let app = spawn_app().await;
    let redirect = app
        .client
        .get(format!("{}/docs", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(redirect.status(), 308);
    assert_eq!(redirect.headers()["location"], "/docs/");
    let page = app
        .client
        .get(format!("{}/docs/", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(
        !html.contains("https://"),
        "no asset is fetched from the internet: {html}"
    );
    for asset in [
        "swagger-ui-bundle.js",
        "swagger-ui.css",
        "swagger-initializer.js",
    ] {
        let response = app
            .client
            .get(format!("{}/docs/{asset}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{asset}");
    }
    let spec = json(
        app.client
            .get(format!("{}/docs/openapi.json", app.address))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(
        spec == committed_spec(),
        "Swagger UI shows the served contract"
    );
}

/// Every `enum` anywhere in a JSON value, with where it is.
fn enums<'a>(value: &'a Value, at: String, found: &mut Vec<(String, &'a Vec<Value>)>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(values)) = map.get("enum") {
                found.push((at.clone(), values));
            }
            for (key, inner) in map {
                enums(inner, format!("{at}/{key}"), found);
            }
        }
        Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                enums(inner, format!("{at}/{i}"), found);
            }
        }
        _ => {}
    }
}

#[test]
fn every_enum_in_the_contract_is_its_wire_value() {
    use gloact_domain::activity::{ActivityKind, ActivityStatus, Pillar, Visibility};
    use gloact_domain::field_report::{AgeBand, Sex};
    let spec = gloact_tests::conformance::spec();
    let mut found = Vec::new();
    enums(spec, String::new(), &mut found);
    assert!(found.len() >= 20, "{}", found.len());
    for (at, values) in &found {
        for value in *values {
            let value = value.as_str().unwrap_or_default();
            assert!(
                !value.is_empty() && !value.chars().any(|c| c.is_ascii_uppercase()),
                "{at}: {value:?} is not a wire value"
            );
        }
    }
    let listed = |name: &str| -> Vec<String> {
        spec["components"]["schemas"][name]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} is an enum"))
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    fn wire<T: Copy>(all: &[T], as_str: fn(T) -> &'static str) -> Vec<String> {
        all.iter().map(|v| as_str(*v).to_owned()).collect()
    }
    assert_eq!(
        listed("ActivityStatus"),
        wire(ActivityStatus::ALL, ActivityStatus::as_str)
    );
    assert_eq!(
        listed("ActivityKind"),
        wire(ActivityKind::ALL, ActivityKind::as_str)
    );
    assert_eq!(listed("Pillar"), wire(Pillar::ALL, Pillar::as_str));
    assert_eq!(
        listed("Visibility"),
        wire(Visibility::ALL, Visibility::as_str)
    );
    assert_eq!(listed("Sex"), wire(Sex::ALL, Sex::as_str));
    assert_eq!(listed("AgeBand"), wire(AgeBand::ALL, AgeBand::as_str));
}

#[tokio::test]
async fn a_body_the_contract_does_not_describe_fails_the_conformance_check() {
    let app = gloact_tests::spawn_seeded_app().await;
    // A served activity passes (json() checks it)...
    let activity = app.activity("NC-2020").await;
    let path = format!("/api/v1/activities/{}", activity["id"].as_str().unwrap());
    let served = json(app.get(&path, Role::Eu).await, 200).await;
    gloact_tests::conformance::check(&path, 200, &served);
    // ...and the same with an enum as a generated client of the old contract would send it, a
    // field of the wrong type, or a required field missing, does not.
    let mut pascal = served.clone();
    pascal["status"] = "Completed".into();
    let mut wrong_type = served.clone();
    wrong_type["version"] = "1".into();
    let mut missing = served.clone();
    missing.as_object_mut().unwrap().remove("code");
    for bad in [pascal, wrong_type, missing] {
        let caught =
            std::panic::catch_unwind(|| gloact_tests::conformance::check(&path, 200, &bad));
        assert!(caught.is_err(), "{bad}");
    }
    // A status the path does not document is caught too, unless it is a problem.
    let caught = std::panic::catch_unwind(|| gloact_tests::conformance::check(&path, 201, &served));
    assert!(caught.is_err());
}
