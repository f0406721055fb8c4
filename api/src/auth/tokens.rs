//! Minting and verifying our JWTs.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use gloact_domain::value::Code;
use gloact_domain::{Actor, Role, Scopes};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::keys::{PublicKey, SigningKey};
use crate::config::AuthSettings;

/// Tokens longer than this are refused before any parsing: no real token comes near it.
const MAX_TOKEN_BYTES: usize = 4096;

/// The claims of our tokens.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// Who: a person or a partner client.
    pub sub: String,
    /// What kind of user (`unodc`, `iom`, `eu`, `government`).
    pub role: String,
    /// The code of their organization.
    pub org: String,
    /// Extra rights, space-separated (`pii`, `stats:exact`, `admin`).
    pub scope: String,
    /// Who issued the token.
    pub iss: String,
    /// Who the token is for.
    pub aud: String,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Not before, seconds since the epoch.
    pub nbf: i64,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Token id.
    pub jti: String,
}

/// Why a token was refused. The message is safe to send: it says what is wrong with the token,
/// nothing about the server.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// No bearer token in the request.
    #[error("a bearer token is required")]
    Missing,
    /// The token is expired.
    #[error("the token has expired")]
    Expired,
    /// The token is not valid yet.
    #[error("the token is not valid yet")]
    NotYetValid,
    /// Anything else: bad signature, algorithm, issuer, audience, claims or shape.
    #[error("the token is invalid")]
    Invalid,
    /// The token was revoked.
    #[error("the token has been revoked")]
    Revoked,
}

/// Why a token could not be minted.
#[derive(Debug, thiserror::Error)]
pub enum MintError {
    /// The lifetime asked for is not positive or longer than allowed.
    #[error("a token's lifetime must be positive and at most {max_secs} s")]
    Lifetime {
        /// The longest lifetime allowed.
        max_secs: i64,
    },
    /// The role can't hold one of the scopes.
    #[error("{0}")]
    Scope(String),
    /// Signing failed.
    #[error("could not sign the token: {0}")]
    Sign(#[from] jsonwebtoken::errors::Error),
}

/// Mints and verifies tokens with the current signing key.
#[derive(Clone)]
pub struct TokenService {
    key: SigningKey,
    encoding: EncodingKey,
    /// Every key that verifies, by kid: the signing key and the retired ones.
    verifying: HashMap<String, (PublicKey, DecodingKey)>,
    validation: Validation,
    issuer: String,
    audience: String,
    max_ttl_secs: i64,
}

impl std::fmt::Debug for TokenService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenService")
            .field("kid", &self.key.kid)
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

impl TokenService {
    /// A service signing with `key` and checking issuer, audience and times as `settings` say.
    pub fn new(key: SigningKey, settings: &AuthSettings) -> Result<Self, super::KeyError> {
        let encoding = EncodingKey::from_ed_pem(key.private_pem().as_bytes())
            .map_err(|_| super::KeyError::NotEd25519)?;
        let public = key.public();
        let decoding = DecodingKey::from_ed_pem(public.pem.as_bytes())
            .map_err(|_| super::KeyError::NotEd25519)?;
        let verifying = HashMap::from([(public.kid.clone(), (public, decoding))]);
        // jsonwebtoken's defaults are loose (60 s leeway, only `exp` required, `nbf` unchecked):
        // everything is set explicitly.
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.algorithms = vec![Algorithm::EdDSA];
        validation.leeway = settings.leeway_secs;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_issuer(&[settings.issuer.as_str()]);
        validation.set_audience(&[settings.audience.as_str()]);
        // jsonwebtoken checks presence only of the claims it knows (`iat` is not among them):
        // `iat` and `jti` are required by `Claims` itself, which has no optional fields.
        validation.required_spec_claims = ["exp", "nbf", "iss", "aud", "sub"]
            .into_iter()
            .map(String::from)
            .collect::<HashSet<_>>();
        Ok(Self {
            key,
            encoding,
            verifying,
            validation,
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
            max_ttl_secs: i64::try_from(settings.max_token_ttl_secs).unwrap_or(i64::MAX),
        })
    }

    /// Also verifies tokens signed by these retired keys (rotation: a new key signs, the old
    /// ones keep verifying until they are removed from the configuration).
    pub fn with_retired_keys(
        mut self,
        keys: impl IntoIterator<Item = PublicKey>,
    ) -> Result<Self, super::KeyError> {
        for key in keys {
            let decoding = DecodingKey::from_ed_pem(key.pem.as_bytes())
                .map_err(|_| super::KeyError::NotEd25519)?;
            self.verifying
                .entry(key.kid.clone())
                .or_insert((key, decoding));
        }
        Ok(self)
    }

    /// The signing key in use.
    pub fn key(&self) -> &SigningKey {
        &self.key
    }

    /// The public key of `kid`, when it is the signing key or a retired one.
    pub fn public_key(&self, kid: &str) -> Option<&PublicKey> {
        self.verifying.get(kid).map(|(key, _)| key)
    }

    /// The public keys that verify our tokens, signing key first, as a JWK Set (RFC 7517/8037).
    pub fn jwks(&self) -> serde_json::Value {
        use base64::Engine;
        let jwk = |key: &PublicKey| {
            serde_json::json!({
                "kty": "OKP",
                "crv": "Ed25519",
                "alg": "EdDSA",
                "use": "sig",
                "kid": key.kid,
                "x": base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.raw),
            })
        };
        let signing = self.key.kid.as_str();
        let mut keys: Vec<&PublicKey> = self.verifying.values().map(|(key, _)| key).collect();
        keys.sort_by_key(|key| (key.kid != signing, key.kid.clone()));
        serde_json::json!({ "keys": keys.into_iter().map(jwk).collect::<Vec<_>>() })
    }

    /// Mints a token for `subject` with this role, organization and scopes, valid for `ttl`
    /// (at most the configured longest lifetime); refuses scopes the role can't hold. The
    /// organization is the caller's to check (it must exist and be of a kind the role fits):
    /// tokens naming another are refused when they are used.
    pub fn mint(
        &self,
        subject: &str,
        role: Role,
        organization: &Code,
        scopes: &Scopes,
        ttl: chrono::Duration,
    ) -> Result<String, MintError> {
        self.mint_with_claims(subject, role, organization, scopes, ttl)
            .map(|(token, _)| token)
    }

    /// Like [`TokenService::mint`], also returning the claims (e.g. the `jti`, for the record).
    pub fn mint_with_claims(
        &self,
        subject: &str,
        role: Role,
        organization: &Code,
        scopes: &Scopes,
        ttl: chrono::Duration,
    ) -> Result<(String, Claims), MintError> {
        if ttl.num_seconds() <= 0 || ttl.num_seconds() > self.max_ttl_secs {
            return Err(MintError::Lifetime {
                max_secs: self.max_ttl_secs,
            });
        }
        role.check_scopes(scopes)
            .map_err(|e| MintError::Scope(e.message))?;
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: subject.to_owned(),
            role: role.as_str().to_owned(),
            org: organization.to_string(),
            scope: scopes.to_scope_string(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            exp: now + ttl.num_seconds(),
            nbf: now,
            iat: now,
            jti: uuid::Uuid::new_v4().to_string(),
        };
        Ok((self.sign(&claims)?, claims))
    }

    /// Signs arbitrary claims with our key (the CLI and tests use this for odd tokens).
    pub fn sign(&self, claims: &Claims) -> Result<String, jsonwebtoken::errors::Error> {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.key.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding)
    }

    /// Verifies a token and returns the caller it names.
    pub fn verify(&self, token: &str) -> Result<Actor, TokenError> {
        use jsonwebtoken::errors::ErrorKind;
        if token.len() > MAX_TOKEN_BYTES {
            return Err(TokenError::Invalid);
        }
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Invalid)?;
        if header.alg != Algorithm::EdDSA {
            return Err(TokenError::Invalid);
        }
        let (_, decoding) = header
            .kid
            .as_deref()
            .and_then(|kid| self.verifying.get(kid))
            .ok_or(TokenError::Invalid)?;
        let data = jsonwebtoken::decode::<Claims>(token, decoding, &self.validation).map_err(
            |e| match e.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                ErrorKind::ImmatureSignature => TokenError::NotYetValid,
                _ => TokenError::Invalid,
            },
        )?;
        let claims = data.claims;
        // `iat` in the future (beyond the leeway) means a clock or a forger is off.
        if claims.iat > Utc::now().timestamp() + i64::try_from(self.validation.leeway).unwrap_or(0)
        {
            return Err(TokenError::NotYetValid);
        }
        if claims.sub.is_empty()
            || claims.jti.is_empty()
            || claims
                .exp
                .checked_sub(claims.iat)
                .is_none_or(|lifetime| lifetime > self.max_ttl_secs)
        {
            return Err(TokenError::Invalid);
        }
        let role: Role = claims.role.parse().map_err(|_| TokenError::Invalid)?;
        let scopes = Scopes::parse(&claims.scope).map_err(|_| TokenError::Invalid)?;
        // A scope the role can't hold is never minted: such a token was forged with our key.
        role.check_scopes(&scopes)
            .map_err(|_| TokenError::Invalid)?;
        Ok(Actor {
            subject: claims.sub,
            role,
            organization: Code::parse(&claims.org).map_err(|_| TokenError::Invalid)?,
            scopes,
            token_id: claims.jti,
            issued_at: chrono::DateTime::from_timestamp(claims.iat, 0)
                .ok_or(TokenError::Invalid)?,
        })
    }
}
