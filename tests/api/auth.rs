//! Tokens and roles: every bad token is a 401 with a stable code, writes follow the policy matrix
//! (403 `forbidden`), reads are open to every role, and government callers see only public
//! activities and those their organization takes part in.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gloact_api::auth::{Claims, MintError, SigningKey, TokenService};
use gloact_domain::value::Code;
use gloact_domain::{Role, Scopes};
use gloact_tests::{
    TestApp, claims_for, json, problem, spawn_app, spawn_seeded_app, test_settings,
};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Method, Response};
use serde_json::{Value, json};

const ALL_ROLES: [Role; 4] = [Role::Unodc, Role::Iom, Role::Eu, Role::Government];

/// Claims the test server would accept, to be spoiled one way or another.
fn good_claims() -> Claims {
    claims_for(&test_settings("postgres://x/y"))
}

/// Claims as loose JSON, for tokens our `Claims` type can't express.
fn good_claims_json() -> serde_json::Map<String, Value> {
    match serde_json::to_value(good_claims()).unwrap() {
        Value::Object(map) => map,
        other => panic!("claims are an object: {other}"),
    }
}

/// Any JSON payload signed with the server's own key and kid.
fn sign_raw(app: &TestApp, payload: &Value) -> String {
    let key = EncodingKey::from_ed_pem(app.tokens.key().private_pem().as_bytes()).unwrap();
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(app.tokens.key().kid.clone());
    jsonwebtoken::encode(&header, payload, &key).unwrap()
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// GET a list with a raw `Authorization` header (or none).
async fn get_with_authorization(app: &TestApp, authorization: Option<&str>) -> Response {
    let mut request = app
        .client
        .get(format!("{}/api/v1/organizations", app.address));
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    request.send().await.unwrap()
}

/// Error bodies name nothing of the server's insides.
fn assert_clean(body: &Value) {
    let text = body.to_string().to_lowercase();
    for word in [
        "diesel",
        "postgres",
        "panicked",
        "select ",
        "jsonwebtoken",
        "ed25519",
    ] {
        assert!(!text.contains(word), "an error body names {word:?}: {text}");
    }
}

/// Checks a 401 with this code and a `WWW-Authenticate: Bearer` challenge.
async fn unauthorized(response: Response, code: &str) -> Value {
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    assert!(
        challenge.starts_with("Bearer "),
        "a Bearer challenge, got {challenge:?}"
    );
    if code != "token_missing" {
        assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    }
    let body = problem(response, 401, code).await;
    assert_clean(&body);
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{body}"
    );
    body
}

/// A token is refused with a 401 of this code.
async fn token_refused(app: &TestApp, token: &str, code: &str) {
    let response = get_with_authorization(app, Some(&format!("Bearer {token}"))).await;
    unauthorized(response, code).await;
}

/// Every item of a list as a caller with this token sees it, walking the pages.
async fn list_all(app: &TestApp, path: &str, token: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut url = path.to_owned();
    loop {
        let page = json(
            app.request(Method::GET, &url, token).send().await.unwrap(),
            200,
        )
        .await;
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(cursor) => url = format!("{path}&after={cursor}"),
            None => return items,
        }
    }
}

fn codes(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["code"].as_str().unwrap().to_owned())
        .collect()
}

// ----- 401: missing and malformed headers ------------------------------------------------------

#[tokio::test]
async fn a_request_without_a_token_is_401_token_missing_with_a_bearer_challenge() {
    let app = spawn_app().await;
    let response = get_with_authorization(&app, None).await;
    let challenge = response.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(challenge.starts_with("Bearer "), "{challenge}");
    assert!(
        !challenge.contains("invalid_token"),
        "no error for a missing token: {challenge}"
    );
    problem(response, 401, "token_missing").await;
}

#[tokio::test]
async fn a_wrong_scheme_or_an_empty_bearer_is_401_token_invalid() {
    let app = spawn_app().await;
    let token = app.token(Role::Unodc);
    for authorization in [
        "Basic xyz",
        &format!("Basic {token}"),
        "Bearer",
        "Bearer ",
        "Token abc",
        "xyz",
    ] {
        let response = get_with_authorization(&app, Some(authorization)).await;
        assert_eq!(response.status(), 401, "{authorization:?}");
        unauthorized(response, "token_invalid").await;
    }
    // The scheme is case-insensitive, so a lower-case `bearer` with a good token works.
    let response = get_with_authorization(&app, Some(&format!("bearer {token}"))).await;
    json(response, 200).await;
}

#[tokio::test]
async fn a_token_only_in_the_query_string_is_401_token_missing() {
    let app = spawn_app().await;
    let token = app.token(Role::Unodc);
    for path in ["/api/v1/organizations", "/api/v1/activities"] {
        let response = app
            .client
            .get(format!("{}{path}?access_token={token}", app.address))
            .send()
            .await
            .unwrap();
        unauthorized(response, "token_missing").await;
    }
}

// ----- 401: times ------------------------------------------------------------------------------

#[tokio::test]
async fn an_expired_token_is_401_token_expired_but_the_leeway_holds() {
    let app = spawn_app().await;
    let now = chrono::Utc::now().timestamp();
    let expired = Claims {
        exp: now - 60,
        nbf: now - 600,
        iat: now - 600,
        ..good_claims()
    };
    token_refused(&app, &app.sign(&expired), "token_expired").await;
    // Just past expiry but within the 5 s leeway: still accepted.
    let within_leeway = Claims {
        exp: now - 1,
        nbf: now - 600,
        iat: now - 600,
        ..good_claims()
    };
    json(
        get_with_authorization(&app, Some(&format!("Bearer {}", app.sign(&within_leeway)))).await,
        200,
    )
    .await;
}

#[tokio::test]
async fn a_token_not_valid_yet_is_401_token_not_yet_valid() {
    let app = spawn_app().await;
    let now = chrono::Utc::now().timestamp();
    let early = Claims {
        nbf: now + 600,
        exp: now + 1200,
        ..good_claims()
    };
    token_refused(&app, &app.sign(&early), "token_not_yet_valid").await;
}

#[tokio::test]
async fn a_token_issued_in_the_future_is_401() {
    let app = spawn_app().await;
    let now = chrono::Utc::now().timestamp();
    let future = Claims {
        iat: now + 3600,
        nbf: now,
        exp: now + 7200,
        ..good_claims()
    };
    token_refused(&app, &app.sign(&future), "token_not_yet_valid").await;
}

// ----- 401: forged and broken tokens -----------------------------------------------------------

#[tokio::test]
async fn a_tampered_payload_is_401_token_invalid() {
    let app = spawn_app().await;
    let token = app.token(Role::Government);
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    // The good token works.
    json(
        get_with_authorization(&app, Some(&format!("Bearer {token}"))).await,
        200,
    )
    .await;

    // One character of the payload changed.
    let mut payload = parts[1].to_owned();
    let last = payload.pop().unwrap();
    payload.push(if last == 'A' { 'B' } else { 'A' });
    token_refused(
        &app,
        &format!("{}.{payload}.{}", parts[0], parts[2]),
        "token_invalid",
    )
    .await;

    // The payload re-encoded with the role raised to unodc, the signature kept.
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    assert_eq!(claims["role"], "government");
    claims["role"] = json!("unodc");
    claims["org"] = json!("UNODC-BGD");
    let forged = format!("{}.{}.{}", parts[0], b64(&claims), parts[2]);
    token_refused(&app, &forged, "token_invalid").await;
    // ... nor does it let the forger write.
    let body = json!({"code": "FORGED", "name": "Forged", "kind": "other", "country": "BGD"});
    let response = app
        .request(Method::POST, "/api/v1/organizations", &forged)
        .json(&body)
        .send()
        .await
        .unwrap();
    unauthorized(response, "token_invalid").await;

    // A changed signature.
    let mut signature = parts[2].to_owned();
    let first = signature.remove(0);
    signature.insert(0, if first == 'A' { 'B' } else { 'A' });
    token_refused(
        &app,
        &format!("{}.{}.{signature}", parts[0], parts[1]),
        "token_invalid",
    )
    .await;
}

#[tokio::test]
async fn a_wrong_audience_or_issuer_is_401_token_invalid() {
    let app = spawn_app().await;
    let wrong_audience = Claims {
        aud: "someone-else".into(),
        ..good_claims()
    };
    token_refused(&app, &app.sign(&wrong_audience), "token_invalid").await;
    let wrong_issuer = Claims {
        iss: "evil".into(),
        ..good_claims()
    };
    token_refused(&app, &app.sign(&wrong_issuer), "token_invalid").await;
    // The untouched claims pass, so the refusals above are about aud and iss.
    json(
        get_with_authorization(&app, Some(&format!("Bearer {}", app.sign(&good_claims())))).await,
        200,
    )
    .await;
}

#[tokio::test]
async fn a_token_missing_a_claim_is_401_token_invalid() {
    let app = spawn_app().await;
    // The full set, signed the same way, is accepted: only the missing claim matters below.
    let full = Value::Object(good_claims_json());
    json(
        get_with_authorization(&app, Some(&format!("Bearer {}", sign_raw(&app, &full)))).await,
        200,
    )
    .await;
    for claim in [
        "exp", "sub", "nbf", "iat", "iss", "aud", "jti", "role", "org",
    ] {
        let mut claims = good_claims_json();
        assert!(claims.remove(claim).is_some(), "{claim}");
        let response = get_with_authorization(
            &app,
            Some(&format!(
                "Bearer {}",
                sign_raw(&app, &Value::Object(claims))
            )),
        )
        .await;
        assert_eq!(response.status(), 401, "without {claim}");
        unauthorized(response, "token_invalid").await;
    }
    // Empty subject or token id.
    for claim in ["sub", "jti"] {
        let mut claims = good_claims_json();
        claims.insert(claim.to_owned(), json!(""));
        token_refused(
            &app,
            &sign_raw(&app, &Value::Object(claims)),
            "token_invalid",
        )
        .await;
    }
}

#[tokio::test]
async fn a_token_signed_by_another_key_is_401_token_invalid() {
    let app = spawn_app().await;
    let other = TokenService::new(
        SigningKey::generate().unwrap(),
        &test_settings("postgres://x/y").auth,
    )
    .unwrap();
    assert_ne!(other.key().kid, app.tokens.key().kid);
    let token = other.sign(&good_claims()).unwrap();
    token_refused(&app, &token, "token_invalid").await;

    // Another key that claims the server's kid: the signature still doesn't verify.
    let key = EncodingKey::from_ed_pem(other.key().private_pem().as_bytes()).unwrap();
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(app.tokens.key().kid.clone());
    let token = jsonwebtoken::encode(&header, &good_claims(), &key).unwrap();
    token_refused(&app, &token, "token_invalid").await;
}

#[tokio::test]
async fn an_alg_none_token_is_401_token_invalid() {
    let app = spawn_app().await;
    let kid = app.tokens.key().kid.clone();
    let payload = b64(&serde_json::to_value(good_claims()).unwrap());
    for alg in ["none", "None", "NONE"] {
        let header = b64(&json!({"alg": alg, "typ": "JWT", "kid": kid}));
        token_refused(&app, &format!("{header}.{payload}."), "token_invalid").await;
        token_refused(&app, &format!("{header}.{payload}"), "token_invalid").await;
    }
}

#[tokio::test]
async fn an_hs256_token_keyed_with_the_public_key_is_401_token_invalid() {
    let app = spawn_app().await;
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(app.tokens.key().kid.clone());
    let secret = EncodingKey::from_secret(app.tokens.key().public_pem.as_bytes()).unwrap();
    let token = jsonwebtoken::encode(&header, &good_claims(), &secret).unwrap();
    token_refused(&app, &token, "token_invalid").await;
    // The raw public key as the secret, too.
    let secret = EncodingKey::from_secret(&app.tokens.key().public_raw).unwrap();
    let token = jsonwebtoken::encode(&header, &good_claims(), &secret).unwrap();
    token_refused(&app, &token, "token_invalid").await;
}

#[tokio::test]
async fn an_unknown_or_missing_kid_is_401_token_invalid() {
    let app = spawn_app().await;
    let key = EncodingKey::from_ed_pem(app.tokens.key().private_pem().as_bytes()).unwrap();
    for kid in [
        Some("0000000000000000".to_owned()),
        Some(String::new()),
        None,
    ] {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = kid.clone();
        let token = jsonwebtoken::encode(&header, &good_claims(), &key).unwrap();
        let response = get_with_authorization(&app, Some(&format!("Bearer {token}"))).await;
        assert_eq!(response.status(), 401, "kid {kid:?}");
        unauthorized(response, "token_invalid").await;
    }
}

#[tokio::test]
async fn an_oversized_token_is_401_never_500() {
    let app = spawn_app().await;
    // Properly signed by the server's key, valid in every way but its size.
    let big = Claims {
        sub: "x".repeat(10 * 1024),
        ..good_claims()
    };
    let token = app.sign(&big);
    assert!(token.len() > 10 * 1024);
    token_refused(&app, &token, "token_invalid").await;
    // Plain junk of 10 KB.
    token_refused(&app, &"a".repeat(10 * 1024), "token_invalid").await;
    // Junk with the dots of a token.
    token_refused(
        &app,
        &format!(
            "{}.{}.{}",
            "a".repeat(3000),
            "b".repeat(4000),
            "c".repeat(3000)
        ),
        "token_invalid",
    )
    .await;
}

#[tokio::test]
async fn garbage_tokens_are_401_token_invalid() {
    let app = spawn_app().await;
    for token in [
        "a.b.c",
        "...",
        "not-a-jwt",
        "eyJ.eyJ.sig",
        "\u{00e9}t\u{00e9}",
    ] {
        let response = get_with_authorization(&app, Some(&format!("Bearer {token}"))).await;
        assert_eq!(response.status(), 401, "{token:?}");
        unauthorized(response, "token_invalid").await;
    }
}

#[tokio::test]
async fn an_unknown_role_scope_or_organization_is_401_token_invalid() {
    let app = spawn_app().await;
    for role in ["admin", "UNODC", "", "root"] {
        let claims = Claims {
            role: role.into(),
            ..good_claims()
        };
        token_refused(&app, &app.sign(&claims), "token_invalid").await;
    }
    for scope in ["superuser", "pii superuser", "ADMIN"] {
        let claims = Claims {
            scope: scope.into(),
            ..good_claims()
        };
        token_refused(&app, &app.sign(&claims), "token_invalid").await;
    }
    for org in ["unodc-bgd", "", "A B"] {
        let claims = Claims {
            org: org.into(),
            ..good_claims()
        };
        token_refused(&app, &app.sign(&claims), "token_invalid").await;
    }
    // Known scopes pass.
    let claims = Claims {
        scope: "pii stats:exact".into(),
        ..good_claims()
    };
    json(
        get_with_authorization(&app, Some(&format!("Bearer {}", app.sign(&claims)))).await,
        200,
    )
    .await;
}

#[tokio::test]
async fn a_token_that_should_not_exist_is_not_minted_and_is_401_token_invalid() {
    let app = spawn_app().await;
    // The token service refuses scopes the role can't hold...
    for (role, org, scope) in [
        (Role::Government, "MOHA-BGD", "pii"),
        (Role::Eu, "EU-DEL-BGD", "stats:exact"),
        (Role::Iom, "IOM-BGD", "admin"),
    ] {
        let minted = app.tokens.mint(
            "someone",
            role,
            &Code::parse(org).unwrap(),
            &Scopes::parse(scope).unwrap(),
            chrono::Duration::minutes(5),
        );
        assert!(
            matches!(minted, Err(MintError::Scope(_))),
            "{role} with {scope}: {minted:?}"
        );
    }
    // ...and the API refuses them signed by hand with the key, as it does a token for an
    // organization that does not exist or whose kind the role does not fit.
    for (role, org, scope) in [
        ("government", "MOHA-BGD", "pii"),
        ("government", "MOHA-BGD", "stats:exact"),
        ("eu", "EU-DEL-BGD", "admin"),
        ("iom", "IOM-BGD", "admin"),
        ("government", "IOM-BGD", ""),
        ("unodc", "MOHA-BGD", ""),
        ("eu", "UNODC-BGD", ""),
        ("iom", "NO-SUCH-ORG", ""),
    ] {
        let claims = Claims {
            role: role.into(),
            org: org.into(),
            scope: scope.into(),
            ..good_claims()
        };
        token_refused(&app, &app.sign(&claims), "token_invalid").await;
    }
    // A token for an organization created a moment ago works at once.
    let unodc = app.token(Role::Unodc);
    json(
        app.request(Method::POST, "/api/v1/organizations", &unodc)
            .json(&new_organization("MOWCA-BGD"))
            .send()
            .await
            .unwrap(),
        201,
    )
    .await;
    json(
        get_with_authorization(
            &app,
            Some(&format!(
                "Bearer {}",
                app.token_for(Role::Government, "MOWCA-BGD")
            )),
        )
        .await,
        200,
    )
    .await;
}

// ----- 403: writes by roles that may not --------------------------------------------------------

fn new_organization(code: &str) -> Value {
    json!({"code": code, "name": "Ministry of Women and Children Affairs", "kind": "government", "country": "BGD"})
}

fn new_activity(code: &str, participations: &Value) -> Value {
    json!({
        "programme": "GLOACT-BGD",
        "code": code,
        "title": "Training of labour attaches on safe migration",
        "kind": "training",
        "pillar": "capacity_building",
        "visibility": "public",
        "planned_start": "2020-06-01",
        "planned_end": "2020-06-02",
        "district": "Dhaka",
        "participations": participations,
    })
}

async fn forbidden(response: Response) -> Value {
    let body = problem(response, 403, "forbidden").await;
    assert_clean(&body);
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{body}"
    );
    body
}

#[tokio::test]
async fn eu_and_government_may_not_create_organizations() {
    let app = spawn_seeded_app().await;
    for role in [Role::Eu, Role::Government, Role::Iom] {
        forbidden(
            app.post(
                "/api/v1/organizations",
                role,
                &new_organization("MOWCA-BGD"),
            )
            .await,
        )
        .await;
    }
    let all = app
        .get_all("/api/v1/organizations?limit=500", Role::Unodc)
        .await;
    assert!(
        !codes(&all).contains(&"MOWCA-BGD".to_owned()),
        "nothing was written"
    );
    // The same body from UNODC is fine.
    json(
        app.post(
            "/api/v1/organizations",
            Role::Unodc,
            &new_organization("MOWCA-BGD"),
        )
        .await,
        201,
    )
    .await;
}

#[tokio::test]
async fn eu_and_government_may_not_create_or_update_activities() {
    let app = spawn_seeded_app().await;
    let participations = json!([{"organization": "UNODC-BGD", "role": "implementing"}]);
    for role in [Role::Eu, Role::Government] {
        forbidden(
            app.post(
                "/api/v1/activities",
                role,
                &new_activity("TR-2020-01", &participations),
            )
            .await,
        )
        .await;
    }
    let vw = app.activity("VW-2020-04").await;
    let path = format!("/api/v1/activities/{}", vw["id"].as_str().unwrap());
    for role in [Role::Eu, Role::Government] {
        forbidden(
            app.patch(
                &path,
                role,
                vw["version"].as_i64().unwrap(),
                &json!({"title": "Renamed"}),
            )
            .await,
        )
        .await;
    }
    assert_eq!(
        app.activity("VW-2020-04").await["version"],
        vw["version"],
        "nothing changed"
    );
    assert!(
        app.get_all("/api/v1/activities?limit=500", Role::Unodc)
            .await
            .iter()
            .all(|a| a["code"] != "TR-2020-01")
    );
}

#[tokio::test]
async fn iom_creates_only_activities_it_implements() {
    let app = spawn_seeded_app().await;
    let without_iom = json!([{"organization": "UNODC-BGD", "role": "implementing"}, {"organization": "IOM-BGD", "role": "participant"}]);
    let body = forbidden(
        app.post(
            "/api/v1/activities",
            Role::Iom,
            &new_activity("TR-2020-01", &without_iom),
        )
        .await,
    )
    .await;
    assert!(
        body["detail"].as_str().unwrap().contains("IOM-BGD"),
        "{body}"
    );
    assert!(
        app.get_all("/api/v1/activities?limit=500", Role::Unodc)
            .await
            .iter()
            .all(|a| a["code"] != "TR-2020-01")
    );

    let with_iom = json!([{"organization": "UNODC-BGD", "role": "organizer"}, {"organization": "IOM-BGD", "role": "implementing"}]);
    // Restricted: only UNODC makes an activity public.
    let mut body = new_activity("TR-2020-01", &with_iom);
    body["visibility"] = json!("restricted");
    let created = json(app.post("/api/v1/activities", Role::Iom, &body).await, 201).await;
    assert_eq!(created["code"], "TR-2020-01");
    assert!(
        created["participations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["organization"] == "IOM-BGD" && p["role"] == "implementing"),
        "{created}"
    );
}

#[tokio::test]
async fn iom_may_not_delete_activities() {
    let app = spawn_seeded_app().await;
    let vw = app.activity("VW-2020-04").await;
    let path = format!("/api/v1/activities/{}", vw["id"].as_str().unwrap());
    let response = app
        .request(Method::DELETE, &path, &app.token(Role::Iom))
        .header("if-match", format!("\"{}\"", vw["version"]))
        .send()
        .await
        .unwrap();
    forbidden(response).await;
    // Still there, unchanged.
    let after = app.get_json(&path, Role::Unodc, 200).await;
    assert_eq!(after["version"], vw["version"]);
}

#[tokio::test]
async fn government_may_not_update_a_follow_up_it_does_not_own() {
    let app = spawn_seeded_app().await;
    let actions = app
        .get_all("/api/v1/follow-up-actions?limit=500", Role::Unodc)
        .await;
    let seeded = actions
        .iter()
        .find(|a| a["owner"] == "UNODC-BGD")
        .expect("the seeded follow-up owned by UNODC-BGD");
    let path = format!(
        "/api/v1/follow-up-actions/{}",
        seeded["id"].as_str().unwrap()
    );
    let version = seeded["version"].as_i64().unwrap();
    // Government can read it (its activity is public) ...
    app.get_json(&path, Role::Government, 200).await;
    // ... but not change it, nor can IOM or the EU.
    for role in [Role::Government, Role::Iom, Role::Eu] {
        forbidden(
            app.patch(&path, role, version, &json!({"status": "in_progress"}))
                .await,
        )
        .await;
    }
    let after = app.get_json(&path, Role::Unodc, 200).await;
    assert_eq!(after["status"], "open");
    assert_eq!(after["version"], version);
}

#[tokio::test]
async fn only_unodc_records_indicator_actuals() {
    let app = spawn_seeded_app().await;
    let indicators = app
        .get_all("/api/v1/indicators?limit=500", Role::Unodc)
        .await;
    let indicator = indicators
        .iter()
        .find(|i| i["code"] == "OUT-1.2")
        .expect("OUT-1.2");
    let period = &indicator["periods"][0];
    let path = format!(
        "/api/v1/indicators/{}/periods/{}/actual",
        indicator["id"].as_str().unwrap(),
        period["id"].as_str().unwrap()
    );
    let version = indicator["version"].as_i64().unwrap();
    for role in [Role::Iom, Role::Eu, Role::Government] {
        let response = app
            .request(Method::PUT, &path, &app.token(role))
            .header("if-match", format!("\"{version}\""))
            .json(&json!({"value": 1.0}))
            .send()
            .await
            .unwrap();
        forbidden(response).await;
    }
    let unchanged = app
        .get_json(
            &format!("/api/v1/indicators/{}", indicator["id"].as_str().unwrap()),
            Role::Unodc,
            200,
        )
        .await;
    assert_eq!(unchanged["periods"][0]["actual"], 0.0);
    // UNODC may.
    let response = app
        .request(Method::PUT, &path, &app.token(Role::Unodc))
        .header("if-match", format!("\"{version}\""))
        .json(&json!({"value": 1.0}))
        .send()
        .await
        .unwrap();
    assert_eq!(json(response, 200).await["periods"][0]["actual"], 1.0);
}

#[tokio::test]
async fn government_updates_its_own_follow_up_but_may_not_hand_it_on() {
    let app = spawn_seeded_app().await;
    let nc = app.activity("NC-2020").await;
    let new = json!({"activity_id": nc["id"], "owner": "MOHA-BGD", "title": "Share the list of trainees with UNODC"});
    let created = json(
        app.post("/api/v1/follow-up-actions", Role::Unodc, &new)
            .await,
        201,
    )
    .await;
    assert_eq!(created["owner"], "MOHA-BGD");
    let path = format!(
        "/api/v1/follow-up-actions/{}",
        created["id"].as_str().unwrap()
    );
    let version = created["version"].as_i64().unwrap();

    // Government may not create follow-ups itself.
    forbidden(
        app.post("/api/v1/follow-up-actions", Role::Government, &new)
            .await,
    )
    .await;

    let updated = json(
        app.patch(
            &path,
            Role::Government,
            version,
            &json!({"status": "in_progress"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(updated["status"], "in_progress");
    assert_eq!(updated["owner"], "MOHA-BGD");
    let version = updated["version"].as_i64().unwrap();

    for body in [
        json!({"owner": "MOFA-BGD"}),
        json!({"owner": "MOFA-BGD", "status": "done"}),
    ] {
        forbidden(app.patch(&path, Role::Government, version, &body).await).await;
    }
    // Another ministry may not touch it either.
    let mofa = app.token_for(Role::Government, "MOFA-BGD");
    let response = app
        .request(Method::PATCH, &path, &mofa)
        .header("if-match", format!("\"{version}\""))
        .json(&json!({"status": "done"}))
        .send()
        .await
        .unwrap();
    forbidden(response).await;

    let after = app.get_json(&path, Role::Unodc, 200).await;
    assert_eq!(after["owner"], "MOHA-BGD");
    assert_eq!(after["status"], "in_progress");
    assert_eq!(after["version"], version);
}

// ----- reads -----------------------------------------------------------------------------------

#[tokio::test]
async fn every_role_may_read_every_list() {
    let app = spawn_seeded_app().await;
    for path in [
        "/api/v1/organizations",
        "/api/v1/programmes",
        "/api/v1/activities",
        "/api/v1/follow-up-actions",
        "/api/v1/indicators",
    ] {
        for role in ALL_ROLES {
            let page = app.get_json(path, role, 200).await;
            let items = page["items"]
                .as_array()
                .unwrap_or_else(|| panic!("{path} as {role}: {page}"));
            assert!(
                !items.is_empty(),
                "{path} as {role} shows something of the demo data"
            );
        }
    }
}

// ----- government scoping ----------------------------------------------------------------------

#[tokio::test]
async fn government_sees_restricted_activities_only_where_it_takes_part() {
    let app = spawn_seeded_app().await;
    let ws1 = app.activity("WS-2020-01").await;
    let ws2 = app.activity("WS-2020-02").await;
    assert_eq!(ws1["visibility"], "restricted");
    assert_eq!(ws2["visibility"], "restricted");
    let ws1_path = format!("/api/v1/activities/{}", ws1["id"].as_str().unwrap());
    let ws2_path = format!("/api/v1/activities/{}", ws2["id"].as_str().unwrap());

    // MOHA-BGD: not WS-2020-01 (only MOLJPA-BGD takes part), but WS-2020-02.
    let moha = app.token(Role::Government);
    let seen = codes(&list_all(&app, "/api/v1/activities?limit=500", &moha).await);
    assert!(!seen.contains(&"WS-2020-01".to_owned()), "{seen:?}");
    assert!(seen.contains(&"WS-2020-02".to_owned()), "{seen:?}");
    assert!(
        seen.contains(&"NC-2020".to_owned()),
        "public ones: {seen:?}"
    );
    let body = problem(
        app.request(Method::GET, &ws1_path, &moha)
            .send()
            .await
            .unwrap(),
        404,
        "not_found",
    )
    .await;
    assert!(!body.to_string().contains("WS-2020-01"), "{body}");
    assert_eq!(
        json(
            app.request(Method::GET, &ws2_path, &moha)
                .send()
                .await
                .unwrap(),
            200
        )
        .await["code"],
        "WS-2020-02"
    );

    // MOLJPA-BGD: the other way round.
    let moljpa = app.token_for(Role::Government, "MOLJPA-BGD");
    let seen = codes(&list_all(&app, "/api/v1/activities?limit=500", &moljpa).await);
    assert!(seen.contains(&"WS-2020-01".to_owned()), "{seen:?}");
    assert!(!seen.contains(&"WS-2020-02".to_owned()), "{seen:?}");
    assert_eq!(
        json(
            app.request(Method::GET, &ws1_path, &moljpa)
                .send()
                .await
                .unwrap(),
            200
        )
        .await["code"],
        "WS-2020-01"
    );
    problem(
        app.request(Method::GET, &ws2_path, &moljpa)
            .send()
            .await
            .unwrap(),
        404,
        "not_found",
    )
    .await;

    // The EU (and IOM) see both.
    for role in [Role::Eu, Role::Iom] {
        let seen = codes(&list_all(&app, "/api/v1/activities?limit=500", &app.token(role)).await);
        assert!(
            seen.contains(&"WS-2020-01".to_owned()) && seen.contains(&"WS-2020-02".to_owned()),
            "{role}: {seen:?}"
        );
        app.get_json(&ws1_path, role, 200).await;
        app.get_json(&ws2_path, role, 200).await;
    }
}

#[tokio::test]
async fn government_sees_nothing_hanging_off_a_hidden_activity() {
    let app = spawn_seeded_app().await;
    let ws1 = app.activity("WS-2020-01").await;
    let path = format!("/api/v1/activities/{}", ws1["id"].as_str().unwrap());
    // Lists filtered on a hidden activity are empty, and a write to it is refused.
    let moha = app.token(Role::Government);
    let page = json(
        app.request(
            Method::GET,
            &format!(
                "/api/v1/follow-up-actions?activity_id={}",
                ws1["id"].as_str().unwrap()
            ),
            &moha,
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert_eq!(page["items"], json!([]));
    let children = json(
        app.request(
            Method::GET,
            &format!(
                "/api/v1/activities?parent_id={}",
                ws1["id"].as_str().unwrap()
            ),
            &moha,
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert_eq!(children["items"], json!([]));
    let response = app
        .request(Method::PATCH, &path, &moha)
        .header("if-match", format!("\"{}\"", ws1["version"]))
        .json(&json!({"title": "x"}))
        .send()
        .await
        .unwrap();
    forbidden(response).await;
}

#[tokio::test]
async fn a_token_living_longer_than_allowed_is_refused() {
    let app = spawn_app().await;
    let settings = test_settings("postgres://unused/none");
    let mut claims = claims_for(&settings);
    claims.exp = claims.iat + i64::try_from(settings.auth.max_token_ttl_secs).unwrap() + 60;
    let token = app.sign(&claims);
    let response = app
        .request(Method::GET, "/api/v1/programmes", &token)
        .send()
        .await
        .unwrap();
    problem(response, 401, "token_invalid").await;
    // Nor is one minted.
    let org = gloact_domain::value::Code::parse("UNODC-BGD").unwrap();
    assert!(
        app.tokens
            .mint(
                "someone",
                Role::Unodc,
                &org,
                &gloact_domain::Scopes::default(),
                chrono::Duration::days(365)
            )
            .is_err()
    );
}

#[tokio::test]
async fn only_unodc_decides_who_sees_an_activity() {
    let app = spawn_seeded_app().await;
    let body = |visibility: &str| {
        json!({
            "programme": "GLOACT-BGD", "code": format!("IOM-{visibility}").to_uppercase(), "title": "Assistance to returnees",
            "kind": "assistance", "pillar": "victim_assistance", "visibility": visibility,
            "participations": [{"organization": "IOM-BGD", "role": "implementing"}],
        })
    };
    forbidden(
        app.post("/api/v1/activities", Role::Iom, &body("public"))
            .await,
    )
    .await;
    let created = json(
        app.post("/api/v1/activities", Role::Iom, &body("restricted"))
            .await,
        201,
    )
    .await;
    let path = format!("/api/v1/activities/{}", created["id"].as_str().unwrap());
    forbidden(
        app.patch(&path, Role::Iom, 1, &json!({"visibility": "public"}))
            .await,
    )
    .await;
    let changed = json(
        app.patch(&path, Role::Iom, 1, &json!({"status": "ongoing"}))
            .await,
        200,
    )
    .await;
    assert_eq!(changed["visibility"], "restricted");
    assert_eq!(
        json(
            app.patch(&path, Role::Unodc, 2, &json!({"visibility": "public"}))
                .await,
            200
        )
        .await["visibility"],
        "public"
    );
}
