//! Who is calling: the verified claims of a token, as the policy needs them.

use std::collections::BTreeSet;

use crate::organization::OrganizationKind;
use crate::validation::ValueError;
use crate::value::Code;
use crate::wire_enum::wire_enum;

wire_enum! {
    /// The kind of user, which decides what they may do (see [`crate::policy`]).
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

impl Role {
    /// Whether someone of an organization of this kind can hold this role: UNODC's and IOM's
    /// staff belong to UN agencies (IOM also to an international organization), the EU's to a
    /// donor, and the government role is that of national counterparts: ministries and
    /// civil-society organizations, who read what they take part in. (Kinds can't tell UNODC from
    /// another UN agency: that is the minting operator's to get right.)
    pub fn fits(self, kind: OrganizationKind) -> bool {
        use OrganizationKind as Kind;
        match self {
            Self::Unodc => matches!(kind, Kind::UnAgency),
            Self::Iom => matches!(kind, Kind::UnAgency | Kind::InternationalOrg),
            Self::Eu => matches!(kind, Kind::Donor),
            Self::Government => matches!(kind, Kind::Government | Kind::CivilSociety),
        }
    }

    /// Whether this role can hold this scope: identities and exact statistics are for UNODC and
    /// IOM, the audit log, clients and keys for UNODC. A scope its role can't use is never put in
    /// a token, so a token says only what it grants.
    pub fn may_hold(self, scope: Scope) -> bool {
        match (self, scope) {
            (Self::Unodc, Scope::Pii | Scope::StatsExact | Scope::Admin) => true,
            (Self::Iom, Scope::Pii | Scope::StatsExact) => true,
            (Self::Iom, Scope::Admin) => false,
            (Self::Eu | Self::Government, Scope::Pii | Scope::StatsExact | Scope::Admin) => false,
        }
    }

    /// Checks that a token of this role may carry these scopes.
    pub fn check_scopes(self, scopes: &Scopes) -> Result<(), ValueError> {
        match scopes.iter().find(|scope| !self.may_hold(*scope)) {
            None => Ok(()),
            Some(scope) => Err(ValueError::new(
                "scope_not_for_role",
                format!("the {self} role can't hold the scope {scope}"),
            )),
        }
    }

    /// Checks that someone of an organization of this kind may hold this role.
    pub fn check_kind(self, kind: OrganizationKind) -> Result<(), ValueError> {
        if self.fits(kind) {
            Ok(())
        } else {
            Err(ValueError::new(
                "role_not_for_organization",
                format!("the {self} role is not for an organization of kind {kind}"),
            ))
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_role_fits_only_organizations_of_its_kinds() {
        assert!(Role::Government.fits(OrganizationKind::Government));
        assert!(Role::Government.fits(OrganizationKind::CivilSociety));
        assert!(!Role::Government.fits(OrganizationKind::UnAgency));
        assert!(Role::Iom.fits(OrganizationKind::UnAgency));
        assert!(!Role::Eu.fits(OrganizationKind::Government));
        assert!(!Role::Unodc.fits(OrganizationKind::Donor));
        assert_eq!(
            Role::Government
                .check_kind(OrganizationKind::UnAgency)
                .unwrap_err()
                .code,
            "role_not_for_organization"
        );
    }

    #[test]
    fn only_unodc_and_iom_hold_scopes_and_only_unodc_admin() {
        let all = Scopes::parse("pii stats:exact admin").unwrap();
        assert!(Role::Unodc.check_scopes(&all).is_ok());
        assert!(Role::Iom.check_scopes(&all).is_err());
        assert!(
            Role::Iom
                .check_scopes(&Scopes::parse("pii stats:exact").unwrap())
                .is_ok()
        );
        for role in [Role::Eu, Role::Government] {
            for scope in ["pii", "stats:exact", "admin"] {
                let refused = role.check_scopes(&Scopes::parse(scope).unwrap());
                assert_eq!(refused.unwrap_err().code, "scope_not_for_role");
            }
            assert!(role.check_scopes(&Scopes::default()).is_ok());
        }
    }
}
