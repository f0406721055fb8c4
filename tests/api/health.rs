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

#[tokio::test]
async fn metrics_are_on_the_main_listener_or_on_their_own_when_given_one() {
    let metrics = |base: &str| format!("{base}/metrics");
    let app = spawn_app().await;
    let served = app.client.get(metrics(&app.address)).send().await.unwrap();
    assert_eq!(served.status(), 200);
    assert!(app.metrics_address.is_none());

    let app = gloact_tests::spawn_seeded_app_with(|s| {
        s.metrics_listen = Some(std::net::SocketAddr::from(([127, 0, 0, 1], 0)));
    })
    .await;
    let own = app.metrics_address.clone().expect("a listener of its own");
    let text = app
        .client
        .get(metrics(&own))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("gloact_db_statements_total "), "{text}");
    // Not on the public listener any more, and nothing else on the metrics one.
    let public = app.client.get(metrics(&app.address)).send().await.unwrap();
    problem(public, 404, "route_not_found").await;
    let api = app
        .client
        .get(format!("{own}/api/v1/programmes"))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 404);
}
