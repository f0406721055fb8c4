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
    let mut socket = open(app, Some(token), Value::Null).await;
    assert_eq!(next_message(&mut socket).await["type"], "connection_ack");
    send(&mut socket, "1", query).await;
    socket
}

/// Opens a graphql-transport-ws connection, with `token` in the upgrade request's
/// `Authorization` header if given, and sends `connection_init` with `init` as its payload.
async fn open(app: &TestApp, token: Option<&str>, init: Value) -> Socket {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let url = format!("{}/graphql", app.address.replace("http://", "ws://"));
    let mut request = url.into_client_request().unwrap();
    let headers = request.headers_mut();
    if let Some(token) = token {
        headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
    }
    headers.insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let init = json!({ "type": "connection_init", "payload": init });
    socket
        .send(tokio_tungstenite::tungstenite::Message::text(
            init.to_string(),
        ))
        .await
        .unwrap();
    socket
}

/// Opens a graphql-transport-ws connection as a browser does (the token in `connection_init`,
/// none on the upgrade) and sends `query` over it.
async fn subscribe_from_browser(app: &TestApp, token: &str, query: &str) -> Socket {
    let init = json!({ "Authorization": format!("Bearer {token}") });
    let mut socket = open(app, None, init).await;
    assert_eq!(next_message(&mut socket).await["type"], "connection_ack");
    send(&mut socket, "1", query).await;
    socket
}

/// Waits (5 s at most) for the server to end a socket, with nothing but pings and the close
/// before the end: no answer to anything sent.
async fn ends_unanswered(socket: &mut Socket, which: &str) {
    use futures_util::StreamExt;
    let ended = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        while let Some(Ok(message)) = socket.next().await {
            assert!(
                message.is_ping() || message.is_close(),
                "nothing but pings before the end of the {which} socket: {message:?}"
            );
        }
    })
    .await;
    assert!(ended.is_ok(), "the {which} socket is still open after 5 s");
}

/// Sends a `subscribe` message with this id and query.
async fn send(socket: &mut Socket, id: &str, query: &str) {
    use futures_util::SinkExt;
    let message = json!({ "id": id, "type": "subscribe", "payload": { "query": query } });
    socket
        .send(tokio_tungstenite::tungstenite::Message::text(
            message.to_string(),
        ))
        .await
        .unwrap();
}

/// The code and reason the server closes a socket with, within 10 seconds.
async fn closed(socket: &mut Socket) -> (u16, String) {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let message = tokio::time::timeout_at(deadline, socket.next())
            .await
            .expect("a message within 10 s")
            .expect("a close frame before the end");
        match message {
            Ok(Message::Close(Some(frame))) => {
                return (frame.code.into(), frame.reason.to_string());
            }
            Ok(Message::Text(text)) => panic!("a message before the close: {text}"),
            Ok(_) => {}
            Err(e) => panic!("closed without a close frame: {e}"),
        }
    }
}

/// The errors of a refused subscription, in either of the shapes the protocol allows.
fn errors_of(refused: &Value) -> Value {
    match refused["type"].as_str() {
        Some("error") => refused["payload"].clone(),
        _ => refused["payload"]["errors"].clone(),
    }
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
        .header("authorization", "Bearer not-a-token")
        .header("connection", "upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "x3JJHMbDL1EzLkh9GBhXDw==")
        .header("sec-websocket-protocol", "graphql-transport-ws")
        .send()
        .await
        .unwrap();
    problem(upgrade, 401, "token_invalid").await;
    let mut eu = subscribe(&app, &app.token(Role::Eu)).await;
    let refused = next_message(&mut eu).await;
    let errors = errors_of(&refused);
    assert_eq!(errors[0]["extensions"]["code"], "forbidden", "{refused}");

    let government_token = app.token(Role::Government);
    let mut unodc = subscribe(&app, &app.token(Role::Unodc)).await;
    let mut government = subscribe(&app, &government_token).await;
    // A subscription watches from the change horizon at its start (`field_reports::listen`, no
    // LISTEN any more): give both time to start before anything is sent.
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
    let errors = errors_of(&refused);
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
    for (query, code) in [
        (
            "{ fieldReports(first: 1) { edges { node { uuid } } } }",
            "subscriptions_only",
        ),
        (
            "mutation { reviewFieldReport(id: \"x\", expectedVersion: 1, decision: VERIFIED) { uuid } }",
            "subscriptions_only",
        ),
        // Errors before execution are coded over the socket as over HTTP.
        ("subscription { noSuchEvents { uuid } }", "invalid_graphql"),
        (
            "subscription { fieldReportEvents { uuid ",
            "invalid_graphql",
        ),
    ] {
        let mut socket = subscribe_with(&app, &app.token(Role::Unodc), query).await;
        let refused = next_message(&mut socket).await;
        assert_eq!(
            errors_of(&refused)[0]["extensions"]["code"],
            code,
            "{query}: {refused}"
        );
    }
}

#[tokio::test]
async fn browsers_send_the_token_in_connection_init_and_nothing_runs_without_one() {
    let app = spawn_seeded_app().await;
    let government = app.token(Role::Government);
    let mut socket = subscribe_from_browser(
        &app,
        &government,
        "subscription { fieldReportEvents { uuid organization } }",
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let theirs = "7a2d0b63-3e5f-4b8c-8a1f-2d3e4f5a6b7c";
    let ours = "6f1c9a52-2d4e-4a7b-9f0e-1c2d3e4f5a6b";
    for (role, id) in [(Role::Iom, theirs), (Role::Government, ours)] {
        let sent = app
            .post("/api/v1/field-reports", role, &report(id, "Dhaka"))
            .await;
        assert_eq!(sent.status(), 201);
    }
    // The caller is the token's: the government officer gets its organization's report only.
    assert_eq!(
        next_event(&mut socket).await,
        json!({ "uuid": ours, "organization": "MOHA-BGD" })
    );

    // No token, a bad one, a revoked one: the socket closes before anything runs, its reason
    // starting with the code.
    let admin = app.token_with_scopes(Role::Unodc, "UNODC-BGD", "admin");
    let revoked = app.token(Role::Iom);
    let jti = {
        use base64::Engine;
        let claims = revoked.split('.').nth(1).unwrap();
        let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(claims)
            .unwrap();
        serde_json::from_slice::<Value>(&claims).unwrap()["jti"].clone()
    };
    let response = app
        .request(Method::POST, "/api/v1/admin/revocations", &admin)
        .json(&json!({ "jti": jti }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    for (init, code) in [
        (Value::Null, "token_missing"),
        (
            json!({ "Authorization": "Bearer not-a-token" }),
            "token_invalid",
        ),
        (
            json!({ "Authorization": format!("Basic {government}") }),
            "token_invalid",
        ),
        (
            json!({ "Authorization": format!("Bearer {revoked}") }),
            "token_revoked",
        ),
    ] {
        let mut socket = open(&app, None, init.clone()).await;
        let (status, reason) = closed(&mut socket).await;
        assert_eq!(status, 1002, "{init}: {reason}");
        assert!(reason.starts_with(&format!("{code}: ")), "{init}: {reason}");
    }
}

#[tokio::test]
async fn one_caller_holds_at_most_its_share_of_subscriptions() {
    let app = spawn_seeded_app_with(|s| s.graphql.max_subscriptions_per_caller = 1).await;
    let mut first = subscribe(&app, &app.token(Role::Unodc)).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    // The same caller again (another tab): refused.
    let mut again = subscribe(&app, &app.token(Role::Unodc)).await;
    let refused = next_message(&mut again).await;
    assert_eq!(
        errors_of(&refused)[0]["extensions"]["code"],
        "too_many_subscriptions",
        "{refused}"
    );
    // Another caller still gets one, and both hear of the next report.
    let mut other = subscribe(&app, &app.token(Role::Iom)).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let id = "6f1c9a52-2d4e-4a7b-9f0e-1c2d3e4f5a6b";
    let sent = app
        .post("/api/v1/field-reports", Role::Iom, &report(id, "Dhaka"))
        .await;
    assert_eq!(sent.status(), 201);
    assert_eq!(next_event(&mut first).await["uuid"], id);
    assert_eq!(next_event(&mut other).await["uuid"], id);
}

#[tokio::test]
async fn a_socket_without_a_token_is_closed_unless_its_connection_init_brings_one() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let app = spawn_seeded_app_with(|s| s.graphql.connection_init_timeout_ms = 500).await;
    // Silent after the upgrade: closed soon after the deadline.
    let url = format!("{}/graphql", app.address.replace("http://", "ws://"));
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut silent, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    ends_unanswered(&mut silent, "silent").await;

    // One that sends more than 16 KiB before it is authenticated is closed, even if a valid
    // token is in there.
    let token = app.token(Role::Unodc);
    let padded = json!({ "Authorization": format!("Bearer {token}"), "pad": "x".repeat(20_000) });
    let mut flooding = open(&app, None, padded).await;
    ends_unanswered(&mut flooding, "flooding").await;

    // One that authenticates in time stays open past the deadline.
    let mut socket =
        subscribe_from_browser(&app, &token, "subscription { fieldReportEvents { uuid } }").await;
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    let id = "6f1c9a52-2d4e-4a7b-9f0e-1c2d3e4f5a6b";
    let sent = app
        .post("/api/v1/field-reports", Role::Iom, &report(id, "Dhaka"))
        .await;
    assert_eq!(sent.status(), 201);
    assert_eq!(next_event(&mut socket).await["uuid"], id);
}
