//! Access itself: partner clients getting tokens by client credentials, and revocation.

use chrono::{Duration, Utc};
use gloact_domain::Scopes;
use gloact_domain::client::{Client, ClientId};
use gloact_domain::policy::{Action, Resource};
use gloact_persistence::audit::{self, Audit, Entry};
use gloact_persistence::clients::{self, NewClient};
use gloact_persistence::organizations;
use gloact_persistence::revocations::{self, Revocation};
use gloact_persistence::{Db, StoreError};

use super::{Caller, ServiceResult, authorize};
use crate::auth::TokenService;
use crate::auth::secrets::{self, SecretError};

/// A token issued to a client.
#[derive(Debug)]
pub struct IssuedToken {
    /// The JWT.
    pub access_token: String,
    /// Its lifetime in seconds.
    pub expires_in: i64,
    /// The scopes it carries.
    pub scopes: Scopes,
}

/// Why a client gets no token, in the terms of RFC 6749 section 5.2.
#[derive(Debug, thiserror::Error)]
pub enum ClientTokenError {
    /// Unknown client, wrong secret, or a disabled client: the same answer for all three.
    #[error("client authentication failed")]
    InvalidClient,
    /// The client asked for scopes it may not have.
    #[error("{0}")]
    InvalidScope(String),
    /// Too many secrets are being checked at once; retry shortly.
    #[error(transparent)]
    Busy(#[from] secrets::Busy),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Minting failed.
    #[error("could not mint the token: {0}")]
    Mint(String),
}

/// Checks a client's credentials and mints a short-lived token bound to its role, organization
/// and the scopes it asked for (all it may have when it asked for none).
pub async fn issue_client_token(
    db: &Db,
    tokens: &TokenService,
    request: &TokenRequest<'_>,
    ttl: Duration,
) -> Result<IssuedToken, ClientTokenError> {
    let found = match ClientId::parse(request.client_id) {
        Ok(id) => clients::find(db, &id).await?,
        Err(_) => None,
    };
    let (client, hash) = match found {
        Some((client, hash)) => (Some(client), Some(hash)),
        None => (None, None),
    };
    // The secret is checked even for an unknown client, so timing tells nothing.
    let secret_matches = secrets::verify_secret(request.secret.to_owned(), hash).await?;
    let client = match client {
        Some(client) if secret_matches && !client.disabled => client,
        _ => return Err(ClientTokenError::InvalidClient),
    };
    let scopes = client
        .grant(request.scopes)
        .map_err(|e| ClientTokenError::InvalidScope(e.message))?;
    let subject = client.client_id.subject();
    let (access_token, claims) = tokens
        .mint_with_claims(&subject, client.role, &client.organization, &scopes, ttl)
        .map_err(|e| ClientTokenError::Mint(e.to_string()))?;
    // Recorded so that an operator can find, and revoke, what a client holds.
    let who = Audit {
        actor: subject,
        role: client.role.as_str().to_owned(),
        organization: client.organization.to_string(),
        request_id: Some(request.request_id.to_owned()),
    };
    audit::record(db, &who, vec![Entry::new("issue", "token", &claims.jti)]).await?;
    Ok(IssuedToken {
        access_token,
        expires_in: ttl.num_seconds(),
        scopes,
    })
}

/// A client's request for a token.
#[derive(Debug)]
pub struct TokenRequest<'a> {
    /// The client's id as sent.
    pub client_id: &'a str,
    /// Its secret as sent.
    pub secret: &'a str,
    /// The scopes asked for (none: all it may have).
    pub scopes: &'a Scopes,
    /// The request's id, for the audit trail.
    pub request_id: &'a str,
}

/// Revokes the token with this id; it gets 401 from the next request on here, within about a
/// second on every other replica (see `gloact_persistence::gate`).
pub async fn revoke(
    db: &Db,
    caller: &Caller,
    jti: &str,
    reason: Option<String>,
    max_token_ttl: Duration,
) -> ServiceResult<()> {
    let actor = &caller.actor;
    authorize(actor, Resource::Revocation, Action::Create)?;
    revoke_as(db, &caller.audit_identity(), jti, reason, max_token_ttl).await
}

/// The audit identity of an operator at the server's command line.
pub fn operator() -> Audit {
    let user = std::env::var("USER").unwrap_or_else(|_| "operator".into());
    Audit {
        actor: format!("cli:{user}"),
        role: "operator".into(),
        organization: "-".into(),
        request_id: None,
    }
}

/// Revokes a token on behalf of `who` (e.g. the CLI's [`operator`]).
pub async fn revoke_as(
    db: &Db,
    who: &Audit,
    jti: &str,
    reason: Option<String>,
    max_token_ttl: Duration,
) -> ServiceResult<()> {
    // The token's own expiry is unknown here; no token lives longer than the longest lifetime.
    let revocation = Revocation {
        jti: jti.to_owned(),
        expires_at: Utc::now() + max_token_ttl,
        revoked_by: who.actor.clone(),
        reason,
    };
    Ok(revocations::revoke(db, &revocation, who).await?)
}

/// Registers a client; returns it with its secret, which is shown this once and kept only as a
/// hash.
pub async fn create_client(
    db: &Db,
    new: ClientRegistration,
    who: &Audit,
) -> Result<(Client, String), CreateClientError> {
    if !Client::may_hold(&new.scopes) {
        return Err(CreateClientError::AdminScope);
    }
    check_holder(db, new.role, &new.organization, &new.scopes).await?;
    let secret = secrets::generate_secret()?;
    let secret_hash = secrets::hash_secret(secret.clone()).await?;
    let client = clients::create(
        db,
        &NewClient {
            client_id: new.client_id,
            name: new.name,
            role: new.role,
            organization: new.organization,
            scopes: new.scopes,
            secret_hash,
        },
        who,
    )
    .await?;
    Ok((client, secret))
}

/// What registering a client needs.
#[derive(Debug, Clone)]
pub struct ClientRegistration {
    /// Its public id.
    pub client_id: ClientId,
    /// What system it is.
    pub name: gloact_domain::value::Title,
    /// The role its tokens carry.
    pub role: gloact_domain::Role,
    /// The organization its tokens carry.
    pub organization: gloact_domain::value::Code,
    /// The scopes it may ask for.
    pub scopes: Scopes,
}

/// Why a client could not be registered.
#[derive(Debug, thiserror::Error)]
pub enum CreateClientError {
    /// `admin` is for people, not for machine credentials.
    #[error("a client may not hold the admin scope: administration is for people")]
    AdminScope,
    /// The role does not fit the organization or the scopes (see [`check_holder`]).
    #[error(transparent)]
    Holder(#[from] HolderError),
    /// Making or hashing the secret failed.
    #[error(transparent)]
    Secret(#[from] SecretError),
    /// Storage refused (e.g. the id is taken, the organization unknown).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why tokens of a role, organization and scopes may not be given out.
#[derive(Debug, thiserror::Error)]
pub enum HolderError {
    /// No live organization has this code.
    #[error("no organization has the code {0}")]
    UnknownOrganization(String),
    /// The role does not fit the organization's kind, or can't hold a scope.
    #[error("{0}")]
    Misfit(String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks, before tokens are given out (by the command line or to a partner client), that the
/// organization exists, that its kind fits the role and that the role can hold the scopes; a
/// token that fails these checks is refused when it is used anyway.
pub async fn check_holder(
    db: &Db,
    role: gloact_domain::Role,
    organization: &gloact_domain::value::Code,
    scopes: &Scopes,
) -> Result<(), HolderError> {
    role.check_scopes(scopes)
        .map_err(|e| HolderError::Misfit(e.message))?;
    let kind = organizations::kind_by_code(db, organization)
        .await?
        .ok_or_else(|| HolderError::UnknownOrganization(organization.to_string()))?;
    role.check_kind(kind)
        .map_err(|e| HolderError::Misfit(e.message))
}
