//! Who is calling: the verified claims of a token, as the policy needs them.

use std::collections::BTreeSet;

use crate::validation::ValueError;
use crate::value::Code;
use crate::wire_enum::wire_enum;

wire_enum! {
    /// The kind of user, which decides what they may do (DESIGN.md section 3).
    pub enum Role {
        /// UNODC programme staff: the lead agency.
        Unodc => "unodc",
        /// IOM staff: implementing partner.
        Iom => "iom",
        /// The EU: the donor.
        Eu => "eu",
        /// A government counterpart.
        Government => "government",
    }
}

wire_enum! {
    /// Extra rights a token may carry on top of its role.
    pub enum Scope {
        /// See identifying fields of cases (every read logged).
        Pii => "pii",
        /// See statistics without small-cell suppression.
        StatsExact => "stats:exact",
        /// Audit log, clients and keys.
        Admin => "admin",
    }
}

/// The scopes of a token.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scopes(BTreeSet<Scope>);

impl Scopes {
    /// Parses an OAuth2 scope string: names separated by spaces. An unknown name is refused so
    /// that a typo can't silently grant less, or a forged name more, than meant.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        raw.split_ascii_whitespace()
            .map(str::parse)
            .collect::<Result<BTreeSet<_>, _>>()
            .map(Self)
    }

    /// Whether the token carries this scope.
    pub fn contains(&self, scope: Scope) -> bool {
        self.0.contains(&scope)
    }

    /// Whether no scope is held.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether every scope here is also in `other`.
    pub fn is_subset(&self, other: &Scopes) -> bool {
        self.0.is_subset(&other.0)
    }

    /// The scopes, in a stable order.
    pub fn iter(&self) -> impl Iterator<Item = Scope> + '_ {
        self.0.iter().copied()
    }

    /// The scopes as an OAuth2 scope string.
    pub fn to_scope_string(&self) -> String {
        self.0
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The caller of one request, from a verified token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The token's subject: a person or a partner client.
    pub subject: String,
    /// What kind of user they are.
    pub role: Role,
    /// The code of their organization.
    pub organization: Code,
    /// Extra rights.
    pub scopes: Scopes,
    /// The token's id, for revocation and the audit trail.
    pub token_id: String,
    /// When the token was issued, for revocations of everything a subject held.
    pub issued_at: chrono::DateTime<chrono::Utc>,
}
