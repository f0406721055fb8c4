//! The access policy (the table in the README's "Roles, scopes and tokens"), in one place: which
//! role may do what to which resource, and which rows of a resource a caller may see at all.
//!
//! The service layer asks [`grant`] before every operation and scopes every query with
//! [`ActivityScope`], so REST and GraphQL can't disagree and a row a caller may not see is never
//! loaded.

use crate::actor::{Actor, Role, Scope};
use crate::value::Code;
use crate::wire_enum::wire_enum;

wire_enum! {
    /// What the policy protects.
    pub enum Resource {
        /// Organizations.
        Organization => "organization",
        /// Programmes.
        Programme => "programme",
        /// Activities with their participations and objectives.
        Activity => "activity",
        /// Follow-up actions.
        FollowUpAction => "follow_up_action",
        /// Indicators and their periods.
        Indicator => "indicator",
        /// Field reports from officers' phones.
        FieldReport => "field_report",
        /// Victim-assistance cases with their referrals (not their identity).
        Case => "case",
        /// Who the person of a case is: names, contacts, birth date.
        CaseIdentity => "case_identity",
        /// Aggregate counts (small cells withheld unless `stats:exact`).
        Statistics => "statistics",
        /// Partner clients and their credentials.
        Client => "client",
        /// Revocations of tokens.
        Revocation => "revocation",
        /// The audit trail.
        AuditEvent => "audit_event",
    }
}

wire_enum! {
    /// What a caller wants to do.
    pub enum Action {
        /// See it.
        Read => "read",
        /// Make a new one.
        Create => "create",
        /// Change one.
        Update => "update",
        /// Remove one.
        Delete => "delete",
    }
}

/// The answer of the policy for a role, resource and action, before looking at a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// Never.
    Denied,
    /// Always (reads further scoped by [`ActivityScope`]).
    Allowed,
    /// Only for activities the caller's organization implements.
    IfImplementing,
    /// Only for rows the caller's organization owns.
    IfOwner,
    /// Only as a referral from the caller's organization: a case made to be referred (at least
    /// one referral), or a referral added to a case it may read. (Identifying fields stay out
    /// because [`Resource::CaseIdentity`] is denied to such callers.)
    IfReferring,
}

/// The scope a token needs on top of its role for a resource: the audit trail, clients and keys
/// are for UNODC administrators only.
pub const fn required_scope(resource: Resource) -> Option<Scope> {
    match resource {
        Resource::Client | Resource::Revocation | Resource::AuditEvent => Some(Scope::Admin),
        Resource::CaseIdentity => Some(Scope::Pii),
        _ => None,
    }
}

/// What `role` may do with `action` on `resource` (scopes aside: see [`required_scope`]).
///
/// The match is on the resource first and has no arm for "any other resource", so that a
/// resource added to [`Resource`] does not compile until someone writes down who may do what
/// with it; within a resource every role and action is named too, for the same reason.
pub const fn grant(role: Role, resource: Resource, action: Action) -> Grant {
    use Action::{Create, Delete, Read, Update};
    use Grant::{Allowed, Denied, IfImplementing, IfOwner, IfReferring};
    use Role::{Eu, Government, Iom, Unodc};
    match resource {
        // Reference data: everyone reads it, UNODC keeps it.
        Resource::Organization | Resource::Programme | Resource::Indicator => {
            match (role, action) {
                (Unodc | Iom | Eu | Government, Read) => Allowed,
                (Unodc, Create | Update | Delete) => Allowed,
                (Iom | Eu | Government, Create | Update | Delete) => Denied,
            }
        }
        // Everyone reads activities (the government only public ones and those it takes part
        // in: `ActivityScope`); IOM writes those it implements; UNODC all.
        Resource::Activity => match (role, action) {
            (Unodc | Iom | Eu | Government, Read) => Allowed,
            (Unodc, Create | Update | Delete) => Allowed,
            (Iom, Create | Update) => IfImplementing,
            (Iom, Delete) => Denied,
            (Eu | Government, Create | Update | Delete) => Denied,
        },
        // Follow-up actions are read as their activities; owners update their own.
        Resource::FollowUpAction => match (role, action) {
            (Unodc | Iom | Eu | Government, Read) => Allowed,
            (Unodc, Create | Update | Delete) => Allowed,
            (Iom | Government, Update) => IfOwner,
            (Iom | Government, Create | Delete) => Denied,
            (Eu, Create | Update | Delete) => Denied,
        },
        // Field reports: UNODC reads all and reviews; IOM and government send them; the EU sees
        // statistics only. Government reads its own organization's (see `FieldReportScope`).
        Resource::FieldReport => match (role, action) {
            (Unodc, Read | Update) => Allowed,
            (Unodc, Create | Delete) => Denied,
            (Iom | Government, Create | Read) => Allowed,
            (Iom | Government, Update | Delete) => Denied,
            (Eu, Read | Create | Update | Delete) => Denied,
        },
        // Cases: UNODC and IOM keep them; the government makes referrals and reads the cases it
        // referred or received (see `CaseScope`); the EU sees statistics only.
        Resource::Case => match (role, action) {
            (Unodc | Iom, Read | Create | Update | Delete) => Allowed,
            (Government, Read) => Allowed,
            (Government, Create) => IfReferring,
            (Government, Update | Delete) => Denied,
            (Eu, Read | Create | Update | Delete) => Denied,
        },
        // Identities only for UNODC and IOM, and only with the `pii` scope (`required_scope`).
        Resource::CaseIdentity => match role {
            Unodc | Iom => Allowed,
            Eu | Government => Denied,
        },
        // Counts are computed, never written; everyone may ask (small cells withheld unless
        // `stats:exact`).
        Resource::Statistics => match action {
            Read => Allowed,
            Create | Update | Delete => Denied,
        },
        // Administration: UNODC only, with the `admin` scope (`required_scope`).
        Resource::Client | Resource::Revocation | Resource::AuditEvent => match role {
            Unodc => Allowed,
            Iom | Eu | Government => Denied,
        },
    }
}

/// Which activities (and what hangs off them) a caller may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActivityScope {
    /// All of them.
    All,
    /// Public ones and those this organization takes part in.
    PublicOrParticipating(Code),
}

impl ActivityScope {
    /// The scope of a caller: restricted activities are only for UNODC, IOM, the EU and the
    /// organizations taking part.
    pub fn of(actor: &Actor) -> Self {
        match actor.role {
            Role::Unodc | Role::Iom | Role::Eu => Self::All,
            Role::Government => Self::PublicOrParticipating(actor.organization.clone()),
        }
    }
}

/// Which field reports a caller may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldReportScope {
    /// All of them.
    All,
    /// Those this organization sent, and referrals addressed to it.
    Organization(Code),
    /// Only those this organization sent (to add to them).
    SentBy(Code),
    /// None (the EU sees statistics only); `grant` refuses it first, this makes sure.
    Nothing,
}

impl FieldReportScope {
    /// The scope of a caller who may read field reports at all: government sees its own
    /// organization's, UNODC and IOM all.
    pub fn of(actor: &Actor) -> Self {
        match actor.role {
            Role::Government => Self::Organization(actor.organization.clone()),
            Role::Unodc | Role::Iom => Self::All,
            Role::Eu => Self::Nothing,
        }
    }
}

/// Which cases a caller may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseScope {
    /// All of them.
    All,
    /// Those with a referral made by or to this organization.
    ReferredByOrTo(Code),
    /// None.
    Nothing,
}

impl CaseScope {
    /// The scope of a caller: UNODC and IOM see all cases, the government those it referred or
    /// received, the EU none.
    pub fn of(actor: &Actor) -> Self {
        match actor.role {
            Role::Unodc | Role::Iom => Self::All,
            Role::Government => Self::ReferredByOrTo(actor.organization.clone()),
            Role::Eu => Self::Nothing,
        }
    }
}

/// Whether a caller may decide who sees an activity (make it public, or restrict it). UNODC
/// decides; implementing partners' activities stay restricted until it does.
pub fn may_set_visibility(actor: &Actor) -> bool {
    actor.role == Role::Unodc
}

/// Whether a caller may change who owns a follow-up action. Owners may update their own actions
/// but not hand them to someone else.
pub fn may_reassign_follow_up(actor: &Actor) -> bool {
    actor.role == Role::Unodc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_open_and_writes_follow_the_matrix() {
        for role in Role::ALL {
            for resource in Resource::ALL.iter().filter(|r| {
                required_scope(**r).is_none()
                    && !matches!(**r, Resource::FieldReport | Resource::Case)
            }) {
                assert_eq!(grant(*role, *resource, Action::Read), Grant::Allowed);
            }
        }
        for resource in [Resource::Client, Resource::Revocation, Resource::AuditEvent] {
            assert_eq!(required_scope(resource), Some(Scope::Admin));
            assert_eq!(grant(Role::Unodc, resource, Action::Read), Grant::Allowed);
            for role in [Role::Iom, Role::Eu, Role::Government] {
                assert_eq!(grant(role, resource, Action::Read), Grant::Denied);
            }
        }
        assert_eq!(
            grant(Role::Eu, Resource::Activity, Action::Create),
            Grant::Denied
        );
        assert_eq!(
            grant(Role::Government, Resource::Organization, Action::Update),
            Grant::Denied
        );
        assert_eq!(
            grant(Role::Iom, Resource::Activity, Action::Update),
            Grant::IfImplementing
        );
        assert_eq!(
            grant(Role::Iom, Resource::Activity, Action::Delete),
            Grant::Denied
        );
        assert_eq!(
            grant(Role::Government, Resource::FollowUpAction, Action::Update),
            Grant::IfOwner
        );
        assert_eq!(
            grant(Role::Government, Resource::FollowUpAction, Action::Create),
            Grant::Denied
        );
        assert_eq!(
            grant(Role::Unodc, Resource::Indicator, Action::Update),
            Grant::Allowed
        );
    }

    /// The policy written out: for each resource, what each role (unodc, iom, eu, government)
    /// may do with read, create, update and delete, as the README's "Roles, scopes and tokens"
    /// table says.
    #[test]
    fn every_role_resource_and_action_is_as_the_design_says() {
        const A: Grant = Grant::Allowed;
        const D: Grant = Grant::Denied;
        const IMPL: Grant = Grant::IfImplementing;
        const OWN: Grant = Grant::IfOwner;
        const REF: Grant = Grant::IfReferring;
        //                     read create update delete
        let table: &[(Resource, [[Grant; 4]; 4])] = &[
            (
                Resource::Organization,
                [[A, A, A, A], [A, D, D, D], [A, D, D, D], [A, D, D, D]],
            ),
            (
                Resource::Programme,
                [[A, A, A, A], [A, D, D, D], [A, D, D, D], [A, D, D, D]],
            ),
            (
                Resource::Indicator,
                [[A, A, A, A], [A, D, D, D], [A, D, D, D], [A, D, D, D]],
            ),
            (
                Resource::Activity,
                [[A, A, A, A], [A, IMPL, IMPL, D], [A, D, D, D], [A, D, D, D]],
            ),
            (
                Resource::FollowUpAction,
                [[A, A, A, A], [A, D, OWN, D], [A, D, D, D], [A, D, OWN, D]],
            ),
            (
                Resource::FieldReport,
                [[A, D, A, D], [A, A, D, D], [D, D, D, D], [A, A, D, D]],
            ),
            (
                Resource::Case,
                [[A, A, A, A], [A, A, A, A], [D, D, D, D], [A, REF, D, D]],
            ),
            (
                Resource::CaseIdentity,
                [[A, A, A, A], [A, A, A, A], [D, D, D, D], [D, D, D, D]],
            ),
            (
                Resource::Statistics,
                [[A, D, D, D], [A, D, D, D], [A, D, D, D], [A, D, D, D]],
            ),
            (
                Resource::Client,
                [[A, A, A, A], [D, D, D, D], [D, D, D, D], [D, D, D, D]],
            ),
            (
                Resource::Revocation,
                [[A, A, A, A], [D, D, D, D], [D, D, D, D], [D, D, D, D]],
            ),
            (
                Resource::AuditEvent,
                [[A, A, A, A], [D, D, D, D], [D, D, D, D], [D, D, D, D]],
            ),
        ];
        let roles = [Role::Unodc, Role::Iom, Role::Eu, Role::Government];
        let actions = [Action::Read, Action::Create, Action::Update, Action::Delete];
        assert_eq!(roles.len(), Role::ALL.len(), "a new role needs its column");
        assert_eq!(
            actions.len(),
            Action::ALL.len(),
            "a new action needs its column"
        );
        for resource in Resource::ALL {
            let rows: Vec<_> = table.iter().filter(|(r, _)| r == resource).collect();
            assert_eq!(
                rows.len(),
                1,
                "{resource} needs exactly one row in the table"
            );
            for (role, row) in roles.iter().zip(rows[0].1) {
                for (action, expected) in actions.iter().zip(row) {
                    assert_eq!(
                        grant(*role, *resource, *action),
                        expected,
                        "{role} {action} {resource}"
                    );
                }
            }
        }
    }

    #[test]
    fn cases_are_for_case_workers_and_identities_need_pii() {
        assert_eq!(required_scope(Resource::CaseIdentity), Some(Scope::Pii));
        for role in [Role::Unodc, Role::Iom] {
            for action in Action::ALL {
                assert_eq!(grant(role, Resource::Case, *action), Grant::Allowed);
                assert_eq!(grant(role, Resource::CaseIdentity, *action), Grant::Allowed);
            }
        }
        for action in Action::ALL {
            assert_eq!(grant(Role::Eu, Resource::Case, *action), Grant::Denied);
            assert_eq!(
                grant(Role::Government, Resource::CaseIdentity, *action),
                Grant::Denied
            );
        }
        assert_eq!(
            grant(Role::Government, Resource::Case, Action::Create),
            Grant::IfReferring
        );
        assert_eq!(
            grant(Role::Government, Resource::Case, Action::Update),
            Grant::Denied
        );
    }
}
