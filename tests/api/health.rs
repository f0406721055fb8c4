//! Liveness, readiness, request ids, and the database going away.

use gloact_tests::{json, problem, spawn_app, spawn_on};

#[tokio::test]
async fn live_and_ready_answer_ok() {
    let app = spawn_app().await;
    for path in ["/health/live", "/health/ready"] {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(json(response, 200).await["status"], "ok");
    }
}

#[tokio::test]
async fn request_ids_are_echoed_or_made() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(format!("{}/health/live", app.address))
        .header("x-request-id", "trace-42")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "trace-42");
    // An id that could forge log lines is replaced by a fresh one.
    let response = app
        .client
        .get(format!("{}/health/live", app.address))
        .header("x-request-id", "a b\"c")
        .send()
        .await
        .unwrap();
    let made = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(uuid::Uuid::parse_str(&made).is_ok(), "{made}");
}

#[tokio::test]
async fn an_unreachable_database_is_a_503_with_retry_after() {
    // A port nothing listens on: bind one, then let it go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = spawn_on(
        String::new(),
        &format!("postgres://postgres@127.0.0.1:{port}/none"),
    )
    .await;
    let response = app
        .client
        .get(format!("{}/health/ready", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["retry-after"], "5");
    problem(response, 503, "unavailable").await;
    let response = app
        .get("/api/v1/activities", gloact_domain::Role::Unodc)
        .await;
    let body = problem(response, 503, "unavailable").await;
    assert!(
        !body.to_string().contains("127.0.0.1"),
        "no internal detail leaks: {body}"
    );
}
