//! Partner clients: systems that get tokens by OAuth2 client credentials, each bound to one role,
//! one organization and the scopes it may ask for.

use crate::actor::{Role, Scopes};
use crate::validation::ValueError;
use crate::value::{Code, Title};

/// The public name of a client's credentials, e.g. `eu-reporting`: lower-case letters, digits
/// and `-`, 3 to 64 long.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientId(String);

impl ClientId {
    /// Parses a client id.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let valid = (3..=64).contains(&raw.len())
            && raw
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            && raw
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !valid {
            return Err(ValueError::new(
                "invalid_client_id",
                "must be 3 to 64 lower-case letters, digits or '-', starting with a letter or digit",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The `sub` of this client's tokens: `client:<id>`, a namespace no person's token may use.
    pub fn subject(&self) -> String {
        format!("{CLIENT_SUBJECT_PREFIX}{}", self.0)
    }
}

/// Prefix of the subjects of partner clients' tokens.
pub const CLIENT_SUBJECT_PREFIX: &str = "client:";

/// Whether a person's token may carry this subject: not empty, and not in the namespaces of
/// partner clients (`client:`) or of the command line's operators (`cli:`), which the audit trail
/// must be able to trust.
pub fn is_person_subject(subject: &str) -> bool {
    !subject.trim().is_empty()
        && !subject.starts_with(CLIENT_SUBJECT_PREFIX)
        && !subject.starts_with("cli:")
}

impl std::fmt::Display for ClientId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A registered client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    /// Its public id.
    pub client_id: ClientId,
    /// What system it is.
    pub name: Title,
    /// The role its tokens carry.
    pub role: Role,
    /// The organization its tokens carry.
    pub organization: Code,
    /// The scopes it may ask for.
    pub scopes: Scopes,
    /// Whether it was disabled (then it gets no tokens).
    pub disabled: bool,
}

impl Client {
    /// Whether a client may hold these scopes: `admin` is for people (UNODC administrators), not
    /// for machine credentials.
    pub fn may_hold(scopes: &Scopes) -> bool {
        !scopes.contains(crate::actor::Scope::Admin)
    }

    /// The scopes of a token for this client: all it may have when `requested` is empty, else
    /// exactly those requested, which must all be allowed.
    pub fn grant(&self, requested: &Scopes) -> Result<Scopes, ValueError> {
        if requested.is_empty() {
            return Ok(self.scopes.clone());
        }
        if !requested.is_subset(&self.scopes) {
            return Err(ValueError::new(
                "scope_not_allowed",
                "the client may not ask for these scopes",
            ));
        }
        Ok(requested.clone())
    }
}
