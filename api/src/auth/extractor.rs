//! The caller of a request, as a handler argument: a missing, bad or revoked token is a 401,
//! never an anonymous caller.

use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use gloact_domain::Actor;
use gloact_persistence::Db;
use gloact_persistence::gate::Standing;

use super::{TokenError, TokenService};
use crate::error::ApiError;
use crate::service::Caller;
use crate::telemetry::RequestId;

/// A caller whose bearer token was verified and is not revoked, with the request's id.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Caller);

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let token = BearerToken::of(req);
        let db = req.app_data::<web::Data<Db>>().cloned();
        let request_id = RequestId::of(req);
        Box::pin(async move {
            let token = token?;
            let db = db.ok_or_else(|| ApiError::internal("database missing from app data"))?;
            let actor = token.verify(&db).await?;
            tracing::Span::current().record("sub", actor.subject.as_str());
            Ok(Authenticated(Caller { actor, request_id }))
        })
    }
}

/// A bearer token as sent, kept to check it again later (a subscription checks it before every
/// event, so it ends when the token expires or is revoked).
#[derive(Clone)]
pub struct BearerToken {
    token: String,
    tokens: TokenService,
}

impl std::fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BearerToken(***)")
    }
}

impl BearerToken {
    /// The request's bearer token, unchecked: [`Authenticated`] checks it.
    pub fn of(req: &HttpRequest) -> Result<Self, ApiError> {
        Self::parse(bearer(req)?, token_service(req)?)
    }

    /// A token sent as `Bearer <token>` other than in a request's header (a WebSocket's
    /// `connection_init` payload: browsers can't set headers on a WebSocket), unchecked.
    pub fn parse(authorization: &str, tokens: TokenService) -> Result<Self, ApiError> {
        let (scheme, token) = authorization.split_once(' ').ok_or(TokenError::Invalid)?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(TokenError::Invalid.into());
        }
        Ok(Self {
            token: token.trim().to_owned(),
            tokens,
        })
    }

    /// Verifies the token: valid, not expired, not revoked. The actor it names.
    pub async fn verify(&self, db: &Db) -> Result<Actor, ApiError> {
        let actor = self.tokens.verify(&self.token)?;
        // Against this replica's copy of the revocations and organizations, at most a second old.
        let standing = db
            .standing(
                &actor.token_id,
                &actor.subject,
                actor.issued_at,
                actor.organization.as_str(),
            )
            .await?;
        match standing {
            Standing::Revoked => Err(TokenError::Revoked.into()),
            // A token for an organization that does not exist, or of a role its organization
            // can't hold, was minted by mistake or forged with our key: it names no one.
            Standing::UnknownOrganization => Err(TokenError::Invalid.into()),
            Standing::Good(kind) if !actor.role.fits(kind) => Err(TokenError::Invalid.into()),
            Standing::Good(_) => Ok(actor),
        }
    }

    /// Checks the token again: still valid (not expired) and not revoked.
    pub async fn check(&self, db: &Db) -> Result<(), ApiError> {
        self.verify(db).await.map(drop)
    }
}

/// The server's token service.
pub fn token_service(req: &HttpRequest) -> Result<TokenService, ApiError> {
    req.app_data::<web::Data<TokenService>>()
        .map(|tokens| tokens.get_ref().clone())
        .ok_or_else(|| ApiError::internal("token service missing from app data"))
}

/// The value of the `Authorization` header.
fn bearer(req: &HttpRequest) -> Result<&str, ApiError> {
    // Tokens in URLs end up in logs and browser histories: only the header is accepted.
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or(TokenError::Missing)?;
    Ok(header.to_str().map_err(|_| TokenError::Invalid)?)
}
