//! Subscriptions over WebSocket: each subscriber gets what it may see, while its token holds.

use gloact_domain::Role;
use gloact_tests::{TestApp, problem, spawn_seeded_app, spawn_seeded_app_with};
use reqwest::Method;
use serde_json::{Value, json};

use super::report;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens a graphql-transport-ws connection with `token` and subscribes to field-report events.
async fn subscribe(app: &TestApp, token: &str) -> Socket {
    subscribe_with(
        app,
        token,
        "subscription { fieldReportEvents { uuid organization review } }",
    )
    .await
}

/// Opens a graphql-transport-ws connection with `token` and sends `query` over it.
async fn subscribe_with(app: &TestApp, token: &str, query: &str) -> Socket {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let url = format!("{}/graphql", app.address.replace("http://", "ws://"));
    let mut request = url.into_client_request().unwrap();
    let headers = request.headers_mut();
    headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
    headers.insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let send = |v: Value| tokio_tungstenite::tungstenite::Message::text(v.to_string());
    socket
        .send(send(json!({ "type": "connection_init" })))
        .await
        .unwrap();
    assert_eq!(next_message(&mut socket).await["type"], "connection_ack");
    socket
        .send(send(
            json!({ "id": "1", "type": "subscribe", "payload": { "query": query } }),
        ))
        .await
        .unwrap();
    socket
}

/// The next GraphQL message of a socket (pings aside), within 10 seconds.
async fn next_message(socket: &mut Socket) -> Value {
    use futures_util::StreamExt;
    // One deadline for the message, however many WebSocket pings come meanwhile.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let message = tokio::time::timeout_at(deadline, socket.next())
            .await
            .expect("a message within 10 s")
            .expect("the socket is open")
            .unwrap();
        if let Ok(text) = message.to_text()
            && !text.is_empty()
        {
            let value: Value = serde_json::from_str(text).unwrap();
            if value["type"] != "ping" && value["type"] != "pong" {
                return value;
            }
        }
    }
}

/// The report of the next event of a subscription.
async fn next_event(socket: &mut Socket) -> Value {
    let message = next_message(socket).await;
    assert_eq!(message["type"], "next", "{message}");
    message["payload"]["data"]["fieldReportEvents"].clone()
}

#[tokio::test]
async fn subscribers_get_the_reports_they_may_see_as_they_come_and_are_reviewed() {
    let app = spawn_seeded_app().await;
    let upgrade = app
        .client
        .get(format!("{}/graphql", app.address))
        .header("connection", "upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "x3JJHMbDL1EzLkh9GBhXDw==")
        .header("sec-websocket-protocol", "graphql-transport-ws")
        .send()
        .await
        .unwrap();
    problem(upgrade, 401, "token_missing").await;
    let mut eu = subscribe(&app, &app.token(Role::Eu)).await;
    let refused = next_message(&mut eu).await;
    let errors = match refused["type"].as_str() {
        Some("error") => refused["payload"].clone(),
        _ => refused["payload"]["errors"].clone(),
    };
    assert_eq!(errors[0]["extensions"]["code"], "forbidden", "{refused}");

    let government_token = app.token(Role::Government);
    let mut unodc = subscribe(&app, &app.token(Role::Unodc)).await;
    let mut government = subscribe(&app, &government_token).await;
    // The subscriptions are listening once their connection has run LISTEN.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let iom_report = "7a2d0b63-3e5f-4b8c-8a1f-2d3e4f5a6b7c";
    let own_report = "6f1c9a52-2d4e-4a7b-9f0e-1c2d3e4f5a6b";
    let sent = app
        .post(
            "/api/v1/field-reports",
            Role::Iom,
            &report(iom_report, "Jessore"),
        )
        .await;
    assert_eq!(sent.status(), 201);
    let sent = app
        .post(
            "/api/v1/field-reports",
            Role::Government,
            &report(own_report, "Dhaka"),
        )
        .await;
    assert_eq!(sent.status(), 201);

    assert_eq!(next_event(&mut unodc).await["uuid"], iom_report);
    assert_eq!(next_event(&mut unodc).await["uuid"], own_report);
    // The government officer's organization sees its own report only: the IOM one never comes.
    let first = next_event(&mut government).await;
    assert_eq!(
        first,
        json!({ "uuid": own_report, "organization": "MOHA-BGD", "review": "SUBMITTED" })
    );

    let review = app
        .request(
            Method::POST,
            &format!("/api/v1/field-reports/{own_report}/review"),
            &app.token(Role::Unodc),
        )
        .header("if-match", "\"1\"")
        .json(&json!({ "decision": "verified" }))
        .send()
        .await
        .unwrap();
    assert_eq!(review.status(), 200);
    assert_eq!(next_event(&mut government).await["review"], "VERIFIED");
    assert_eq!(next_event(&mut unodc).await["review"], "VERIFIED");

    // Revoked, the subscription ends at the next event, and tells why.
    use base64::Engine;
    let claims = government_token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(claims)
            .unwrap(),
    )
    .unwrap();
    let admin = app.token_with_scopes(Role::Unodc, "UNODC-BGD", "admin");
    let revoked = app
        .request(Method::POST, "/api/v1/admin/revocations", &admin)
        .json(&json!({ "jti": claims["jti"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 204);
    let later = "00000000-0000-4000-8000-0000000000aa";
    let sent = app
        .post(
            "/api/v1/field-reports",
            Role::Government,
            &report(later, "Dhaka"),
        )
        .await;
    assert_eq!(sent.status(), 201);
    let ended = next_message(&mut government).await;
    assert_eq!(
        ended["payload"]["errors"][0]["extensions"]["code"], "token_revoked",
        "{ended}"
    );
    assert_eq!(next_message(&mut government).await["type"], "complete");
    assert_eq!(next_event(&mut unodc).await["uuid"], later);
}

#[tokio::test]
async fn subscriptions_beyond_the_cap_are_refused_as_unavailable() {
    let app = spawn_seeded_app_with(|s| s.graphql.max_subscriptions = 1).await;
    let mut first = subscribe(&app, &app.token(Role::Unodc)).await;
    // The first holds the only slot once it listens.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let mut second = subscribe(&app, &app.token(Role::Iom)).await;
    let refused = next_message(&mut second).await;
    let errors = match refused["type"].as_str() {
        Some("error") => refused["payload"].clone(),
        _ => refused["payload"]["errors"].clone(),
    };
    assert_eq!(errors[0]["extensions"]["code"], "unavailable", "{refused}");
    let id = "6f1c9a52-2d4e-4a7b-9f0e-1c2d3e4f5a6b";
    let sent = app
        .post("/api/v1/field-reports", Role::Iom, &report(id, "Dhaka"))
        .await;
    assert_eq!(sent.status(), 201);
    assert_eq!(next_event(&mut first).await["uuid"], id);
    // Closing the first frees its slot.
    drop(first);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let mut third = subscribe(&app, &app.token(Role::Iom)).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let later = "7a2d0b63-3e5f-4b8c-8a1f-2d3e4f5a6b7c";
    let sent = app
        .post("/api/v1/field-reports", Role::Iom, &report(later, "Dhaka"))
        .await;
    assert_eq!(sent.status(), 201);
    assert_eq!(next_event(&mut third).await["uuid"], later);
}

#[tokio::test]
async fn the_socket_carries_subscriptions_only() {
    // Its token is checked at the upgrade and by the subscription; queries and mutations must
    // go over HTTP, where every request's token is checked.
    let app = spawn_seeded_app().await;
    for query in [
        "{ fieldReports(first: 1) { edges { node { uuid } } } }",
        "mutation { reviewFieldReport(id: \"x\", expectedVersion: 1, decision: VERIFIED) { uuid } }",
    ] {
        let mut socket = subscribe_with(&app, &app.token(Role::Unodc), query).await;
        let refused = next_message(&mut socket).await;
        let errors = match refused["type"].as_str() {
            Some("error") => refused["payload"].clone(),
            _ => refused["payload"]["errors"].clone(),
        };
        assert_eq!(
            errors[0]["extensions"]["code"], "subscriptions_only",
            "{refused}"
        );
    }
}
