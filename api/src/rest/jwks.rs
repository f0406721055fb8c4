//! `/.well-known/jwks.json`: the public keys that verify our tokens, so partners can check them.

use actix_web::{HttpResponse, get, web};

use crate::auth::TokenService;

/// A JSON Web Key Set (RFC 7517) of Ed25519 keys (RFC 8037).
#[derive(Debug, utoipa::ToSchema)]
#[schema(example = json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": "a516e81f55c41e9b", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}))]
pub struct Jwks {
    /// The keys: the signing key first, then retired keys that still verify.
    pub keys: Vec<serde_json::Value>,
}

/// The public keys that verify our tokens.
#[utoipa::path(tag = "operations", responses((status = 200, description = "The key set; cache it for up to 5 minutes", body = Jwks)))]
#[get("/.well-known/jwks.json")]
pub async fn get_jwks(tokens: web::Data<TokenService>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("cache-control", "public, max-age=300"))
        .json(tokens.jwks())
}
