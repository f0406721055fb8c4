//! Keys: partners verify our tokens with the served JWK Set; rotation lets old tokens verify
//! while a new key signs.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gloact_api::auth::{SigningKey, TokenService};
use gloact_domain::Role;
use gloact_tests::{json, problem, spawn_app, spawn_app_with_tokens, test_settings};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::Method;

#[tokio::test]
async fn partners_verify_our_tokens_with_the_served_key_set() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(format!("{}/.well-known/jwks.json", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["cache-control"], "public, max-age=300");
    let jwks = json(response, 200).await;
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    let key = &keys[0];
    assert_eq!(
        (
            key["kty"].as_str(),
            key["crv"].as_str(),
            key["alg"].as_str()
        ),
        (Some("OKP"), Some("Ed25519"), Some("EdDSA"))
    );
    assert_eq!(key["kid"], app.tokens.key().kid.as_str());
    assert!(key.get("d").is_none(), "no private part is ever served");
    assert_eq!(
        URL_SAFE_NO_PAD.decode(key["x"].as_str().unwrap()).unwrap(),
        app.tokens.key().public_raw
    );

    // What a partner does: pick the key by kid, verify the signature and the claims.
    let token = app.token(Role::Eu);
    let header = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!(header.kid.as_deref(), key["kid"].as_str());
    let decoding = DecodingKey::from_ed_components(key["x"].as_str().unwrap()).unwrap();
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_audience(&["gloact-api"]);
    validation.set_issuer(&["gloact"]);
    let claims = jsonwebtoken::decode::<serde_json::Value>(&token, &decoding, &validation)
        .unwrap()
        .claims;
    assert_eq!(claims["role"], "eu");
}

#[tokio::test]
async fn after_a_rotation_old_tokens_verify_until_their_key_is_removed() {
    let settings = test_settings("postgres://unused/none");
    let old = TokenService::new(SigningKey::generate().unwrap(), &settings.auth).unwrap();
    let old_token = {
        let org = gloact_domain::value::Code::parse("UNODC-BGD").unwrap();
        old.mint(
            "before-rotation",
            Role::Unodc,
            &org,
            &gloact_domain::Scopes::default(),
            chrono::Duration::minutes(5),
        )
        .unwrap()
    };

    // The new key signs; the old one is listed as retired.
    let rotated = TokenService::new(SigningKey::generate().unwrap(), &settings.auth)
        .unwrap()
        .with_retired_keys([old.key().public()])
        .unwrap();
    let app = spawn_app_with_tokens(rotated).await;
    let ok = app
        .request(Method::GET, "/api/v1/programmes", &old_token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        ok.status(),
        200,
        "a token of the retired key still verifies"
    );
    let ok = app
        .request(Method::GET, "/api/v1/programmes", &app.token(Role::Unodc))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200, "new tokens are signed by the new key");
    assert_ne!(
        jsonwebtoken::decode_header(app.token(Role::Unodc))
            .unwrap()
            .kid
            .as_deref(),
        Some(old.key().kid.as_str())
    );
    let jwks = json(
        app.client
            .get(format!("{}/.well-known/jwks.json", app.address))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(
        kids,
        [app.tokens.key().kid.as_str(), old.key().kid.as_str()],
        "the signing key comes first"
    );

    // Once the old key is removed from the configuration, its tokens are refused.
    let app = spawn_app_with_tokens(
        TokenService::new(SigningKey::generate().unwrap(), &settings.auth).unwrap(),
    )
    .await;
    let refused = app
        .request(Method::GET, "/api/v1/programmes", &old_token)
        .send()
        .await
        .unwrap();
    problem(refused, 401, "token_invalid").await;
}
