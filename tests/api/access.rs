//! Partner clients get short-lived tokens by OAuth2 client credentials; administrators revoke
//! tokens, which then fail on every request.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use gloact_api::service::access::{self, ClientRegistration};
use gloact_domain::client::ClientId;
use gloact_domain::value::{Code, Title};
use gloact_domain::{Role, Scopes};
use gloact_tests::{TestApp, json, problem, spawn_seeded_app};
use reqwest::{Method, Response};
use serde_json::{Value, json};

async fn register(app: &TestApp, client_id: &str, role: Role, org: &str, scopes: &str) -> String {
    let registration = ClientRegistration {
        client_id: ClientId::parse(client_id).unwrap(),
        name: Title::parse("EU results reporting").unwrap(),
        role,
        organization: Code::parse(org).unwrap(),
        scopes: Scopes::parse(scopes).unwrap(),
    };
    access::create_client(&app.db, registration, &access::operator())
        .await
        .unwrap()
        .1
}

async fn token_request(app: &TestApp, form: &[(&str, &str)]) -> Response {
    app.client
        .post(format!("{}/api/v1/oauth/token", app.address))
        .form(form)
        .send()
        .await
        .unwrap()
}

/// An RFC 6749 section 5.2 refusal: plain JSON with `error`, never cached.
async fn oauth_error(response: Response, status: u16, error: &str) -> Value {
    assert_eq!(response.status(), status);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], error, "{body}");
    assert!(body["error_description"].is_string());
    body
}

fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

#[tokio::test]
async fn a_partner_client_gets_a_short_lived_token_bound_to_its_role_and_organization() {
    let app = spawn_seeded_app().await;
    let secret = register(&app, "iom-reporting", Role::Iom, "IOM-BGD", "stats:exact").await;
    let response = token_request(
        &app,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "iom-reporting"),
            ("client_secret", &secret),
        ],
    )
    .await;
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body = json(response, 200).await;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900, "15 minutes by default");
    assert_eq!(
        body["scope"], "stats:exact",
        "all it may have when it asks for none"
    );
    let token = body["access_token"].as_str().unwrap();
    let claims = claims_of(token);
    assert_eq!(
        (
            claims["sub"].as_str(),
            claims["role"].as_str(),
            claims["org"].as_str()
        ),
        (Some("client:iom-reporting"), Some("iom"), Some("IOM-BGD"))
    );
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        900
    );

    // The token works, with the role's rights and no more.
    let read = app
        .request(Method::GET, "/api/v1/activities", token)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    let write = app
        .request(Method::POST, "/api/v1/organizations", token)
        .json(&json!({"code": "X-1", "name": "X", "kind": "other", "country": "BGD"}))
        .send()
        .await
        .unwrap();
    problem(write, 403, "forbidden").await;

    // HTTP Basic authentication works the same; asking for no more than allowed is fine.
    let basic = STANDARD.encode(format!("iom-reporting:{secret}"));
    let response = app
        .client
        .post(format!("{}/api/v1/oauth/token", app.address))
        .header("authorization", format!("Basic {basic}"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", "stats:exact"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(json(response, 200).await["scope"], "stats:exact");
}

#[tokio::test]
async fn client_credentials_refusals_follow_rfc_6749() {
    let app = spawn_seeded_app().await;
    let secret = register(&app, "moha-mis", Role::Government, "MOHA-BGD", "").await;
    let grant = ("grant_type", "client_credentials");

    let wrong = token_request(
        &app,
        &[grant, ("client_id", "moha-mis"), ("client_secret", "guess")],
    )
    .await;
    let wrong = oauth_error(wrong, 401, "invalid_client").await;
    let unknown = oauth_error(
        token_request(
            &app,
            &[grant, ("client_id", "nobody"), ("client_secret", &secret)],
        )
        .await,
        401,
        "invalid_client",
    )
    .await;
    assert_eq!(
        wrong, unknown,
        "an unknown client and a wrong secret look the same"
    );
    oauth_error(
        token_request(&app, &[grant, ("client_id", "moha-mis")]).await,
        401,
        "invalid_client",
    )
    .await;
    oauth_error(
        token_request(
            &app,
            &[
                grant,
                ("client_id", "moha-mis"),
                ("client_secret", &secret),
                ("scope", "pii"),
            ],
        )
        .await,
        400,
        "invalid_scope",
    )
    .await;
    oauth_error(
        token_request(
            &app,
            &[
                grant,
                ("client_id", "moha-mis"),
                ("client_secret", &secret),
                ("scope", "everything"),
            ],
        )
        .await,
        400,
        "invalid_scope",
    )
    .await;
    oauth_error(
        token_request(
            &app,
            &[
                ("grant_type", "password"),
                ("client_id", "moha-mis"),
                ("client_secret", &secret),
            ],
        )
        .await,
        400,
        "unsupported_grant_type",
    )
    .await;
    oauth_error(
        token_request(
            &app,
            &[("client_id", "moha-mis"), ("client_secret", &secret)],
        )
        .await,
        400,
        "invalid_request",
    )
    .await;
    oauth_error(
        token_request(
            &app,
            &[
                grant,
                grant,
                ("client_id", "moha-mis"),
                ("client_secret", &secret),
            ],
        )
        .await,
        400,
        "invalid_request",
    )
    .await;
    let as_json = app
        .client
        .post(format!("{}/api/v1/oauth/token", app.address))
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap();
    oauth_error(as_json, 400, "invalid_request").await;

    // A disabled client gets nothing.
    json(
        token_request(
            &app,
            &[grant, ("client_id", "moha-mis"), ("client_secret", &secret)],
        )
        .await,
        200,
    )
    .await;
    assert!(
        gloact_persistence::clients::disable(
            &app.db,
            &ClientId::parse("moha-mis").unwrap(),
            &access::operator()
        )
        .await
        .unwrap()
    );
    oauth_error(
        token_request(
            &app,
            &[grant, ("client_id", "moha-mis"), ("client_secret", &secret)],
        )
        .await,
        401,
        "invalid_client",
    )
    .await;
}

#[tokio::test]
async fn the_secret_is_kept_only_as_an_argon2_hash() {
    let app = spawn_seeded_app().await;
    let secret = register(&app, "iom-cms", Role::Iom, "IOM-BGD", "").await;
    assert!(secret.len() >= 43, "32 random bytes");
    let (_, hash) =
        gloact_persistence::clients::find(&app.db, &ClientId::parse("iom-cms").unwrap())
            .await
            .unwrap()
            .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains(&secret));
}

#[tokio::test]
async fn a_revoked_token_is_refused_from_the_next_request_on() {
    let app = spawn_seeded_app().await;
    let victim = app.token(Role::Iom);
    assert_eq!(
        app.request(Method::GET, "/api/v1/activities", &victim)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let jti = claims_of(&victim)["jti"].as_str().unwrap().to_owned();

    // Only UNODC with the admin scope may revoke.
    for token in [
        app.token(Role::Unodc),
        app.token_with_scopes(Role::Iom, "IOM-BGD", "pii stats:exact"),
    ] {
        let refused = app
            .request(Method::POST, "/api/v1/admin/revocations", &token)
            .json(&json!({"jti": jti}))
            .send()
            .await
            .unwrap();
        problem(refused, 403, "forbidden").await;
    }
    let admin = app.token_with_scopes(Role::Unodc, "UNODC-BGD", "admin");
    let revoked = app
        .request(Method::POST, "/api/v1/admin/revocations", &admin)
        .json(&json!({"jti": jti, "reason": "laptop stolen"}))
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 204);
    let again = app
        .request(Method::POST, "/api/v1/admin/revocations", &admin)
        .json(&json!({"jti": jti}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 204, "revoking twice changes nothing");

    let refused = app
        .request(Method::GET, "/api/v1/activities", &victim)
        .send()
        .await
        .unwrap();
    problem(refused, 401, "token_revoked").await;
    // Other tokens of the same role still work.
    assert_eq!(app.get("/api/v1/activities", Role::Iom).await.status(), 200);
}

#[tokio::test]
async fn basic_authentication_is_checked_like_the_form_and_not_both() {
    let app = spawn_seeded_app().await;
    let secret = register(&app, "mofa-mis", Role::Government, "MOFA-BGD", "").await;
    let basic = |credentials: String| format!("Basic {}", STANDARD.encode(credentials));
    let send = |authorization: String, form: Vec<(&'static str, String)>| {
        app.client
            .post(format!("{}/api/v1/oauth/token", app.address))
            .header("authorization", authorization)
            .form(&form)
            .send()
    };
    let grant = ("grant_type", "client_credentials".to_owned());
    oauth_error(
        send(basic("mofa-mis:guess".into()), vec![grant.clone()])
            .await
            .unwrap(),
        401,
        "invalid_client",
    )
    .await;
    let both = send(
        basic(format!("mofa-mis:{secret}")),
        vec![
            grant.clone(),
            ("client_id", "mofa-mis".into()),
            ("client_secret", secret.clone()),
        ],
    )
    .await
    .unwrap();
    oauth_error(both, 400, "invalid_request").await;
    json(
        send(basic(format!("mofa-mis:{secret}")), vec![grant])
            .await
            .unwrap(),
        200,
    )
    .await;
}

#[tokio::test]
async fn disabling_a_client_revokes_the_tokens_it_holds() {
    let app = spawn_seeded_app().await;
    let secret = register(&app, "iom-sync", Role::Iom, "IOM-BGD", "").await;
    let issued = json(
        token_request(
            &app,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "iom-sync"),
                ("client_secret", &secret),
            ],
        )
        .await,
        200,
    )
    .await;
    let token = issued["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        app.request(Method::GET, "/api/v1/activities", &token)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // Issuing is on the record, with the token's id, so it can be found and revoked.
    let admin = app.token_with_scopes(Role::Unodc, "UNODC-BGD", "admin");
    let trail = json(
        app.request(
            Method::GET,
            "/api/v1/admin/audit-events?action=issue",
            &admin,
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert_eq!(trail["items"][0]["actor"], "client:iom-sync");
    assert_eq!(trail["items"][0]["resource_id"], claims_of(&token)["jti"]);

    // A second later (tokens carry whole seconds), the client is disabled: its token stops working.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert!(
        gloact_persistence::clients::disable(
            &app.db,
            &ClientId::parse("iom-sync").unwrap(),
            &access::operator()
        )
        .await
        .unwrap()
    );
    problem(
        app.request(Method::GET, "/api/v1/activities", &token)
            .send()
            .await
            .unwrap(),
        401,
        "token_revoked",
    )
    .await;
    assert!(
        !gloact_persistence::clients::disable(
            &app.db,
            &ClientId::parse("iom-sync").unwrap(),
            &access::operator()
        )
        .await
        .unwrap(),
        "disabling twice changes nothing"
    );
}

#[tokio::test]
async fn clients_may_not_hold_the_admin_scope() {
    let app = spawn_seeded_app().await;
    let registration = ClientRegistration {
        client_id: ClientId::parse("unodc-robot").unwrap(),
        name: Title::parse("A robot administrator").unwrap(),
        role: Role::Unodc,
        organization: Code::parse("UNODC-BGD").unwrap(),
        scopes: Scopes::parse("admin").unwrap(),
    };
    assert!(matches!(
        access::create_client(&app.db, registration, &access::operator()).await,
        Err(access::CreateClientError::AdminScope)
    ));
}

#[tokio::test]
async fn a_revocation_reaches_another_replica_within_about_a_second() {
    let app = spawn_seeded_app().await;
    let other = app.replica().await;
    let victim = app.token(Role::Iom);
    let status = |replica: &TestApp| {
        replica
            .request(Method::GET, "/api/v1/organizations", &victim)
            .send()
    };
    // Both replicas have read the revocations (and found none).
    assert_eq!(status(&app).await.unwrap().status(), 200);
    assert_eq!(status(&other).await.unwrap().status(), 200);

    let admin = app.token_with_scopes(Role::Unodc, "UNODC-BGD", "admin");
    let jti = claims_of(&victim)["jti"].as_str().unwrap().to_owned();
    let revoked = app
        .request(Method::POST, "/api/v1/admin/revocations", &admin)
        .json(&json!({"jti": jti}))
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 204);
    // At once on the replica that recorded it...
    problem(status(&app).await.unwrap(), 401, "token_revoked").await;
    // ...and on the other once its copy is a second old.
    let started = std::time::Instant::now();
    loop {
        let response = status(&other).await.unwrap();
        if response.status() == 401 {
            problem(response, 401, "token_revoked").await;
            break;
        }
        assert_eq!(response.status(), 200);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(3),
            "the other replica still takes a revoked token"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_client_is_registered_only_for_a_role_its_organization_can_hold() {
    let app = spawn_seeded_app().await;
    for (role, org, scopes, why) in [
        (Role::Government, "IOM-BGD", "", "role_not_for_organization"),
        (Role::Unodc, "MOHA-BGD", "", "role_not_for_organization"),
        (Role::Eu, "EU-DEL-BGD", "stats:exact", "scope_not_for_role"),
        (Role::Government, "MOHA-BGD", "pii", "scope_not_for_role"),
        (Role::Iom, "NO-SUCH-ORG", "", "no organization"),
    ] {
        let registration = ClientRegistration {
            client_id: ClientId::parse("misfit").unwrap(),
            name: Title::parse("A client that should not exist").unwrap(),
            role,
            organization: Code::parse(org).unwrap(),
            scopes: Scopes::parse(scopes).unwrap(),
        };
        let refused = access::create_client(&app.db, registration, &access::operator())
            .await
            .expect_err("refused");
        let message = refused.to_string();
        let expected = match why {
            "role_not_for_organization" => "is not for an organization of kind",
            "scope_not_for_role" => "can't hold the scope",
            other => other,
        };
        assert!(
            message.contains(expected),
            "{role} {org} {scopes}: {message}"
        );
    }
    // The fitting ones are registered.
    register(&app, "iom-sync", Role::Iom, "IOM-BGD", "pii").await;
    register(&app, "ngo-mis", Role::Government, "BNWLA", "").await;
}
