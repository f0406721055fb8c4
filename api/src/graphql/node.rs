//! Relay's object identification: every top-level object has an opaque global `id`, and
//! `node(id:)` finds any of them again, through the same service call (and so the same access
//! decision) as its own lookup.

use async_graphql::{Context, ID, Interface, Object, Result};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gloact_domain::{ActivityId, FollowUpActionId, IndicatorId, OrganizationId, ProgrammeId};
use uuid::Uuid;

use super::activities::Activity;
use super::cases::Case;
use super::errors::{coded, found};
use super::field_reports::FieldReport;
use super::follow_ups::FollowUpAction;
use super::indicators::Indicator;
use super::organizations::Organization;
use super::programmes::Programme;
use super::request;
use crate::service;

/// The kinds of object a global id can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// An activity.
    Activity,
    /// A victim-assistance case.
    Case,
    /// A field report.
    FieldReport,
    /// A follow-up action.
    FollowUpAction,
    /// An indicator.
    Indicator,
    /// An organization.
    Organization,
    /// A programme.
    Programme,
}

impl NodeKind {
    const ALL: [NodeKind; 7] = [
        Self::Activity,
        Self::Case,
        Self::FieldReport,
        Self::FollowUpAction,
        Self::Indicator,
        Self::Organization,
        Self::Programme,
    ];

    const fn name(self) -> &'static str {
        match self {
            Self::Activity => "Activity",
            Self::Case => "Case",
            Self::FieldReport => "FieldReport",
            Self::FollowUpAction => "FollowUpAction",
            Self::Indicator => "Indicator",
            Self::Organization => "Organization",
            Self::Programme => "Programme",
        }
    }
}

/// The global id of an object: its kind and id, opaque to clients.
pub fn global_id(kind: NodeKind, id: Uuid) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{id}", kind.name())))
}

/// The kind and id a global id names, when it is one of ours.
fn parse_global_id(id: &str) -> Option<(NodeKind, Uuid)> {
    let bytes = URL_SAFE_NO_PAD.decode(id).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    let (name, uuid) = text.split_once(':')?;
    let kind = NodeKind::ALL.into_iter().find(|k| k.name() == name)?;
    Some((kind, Uuid::parse_str(uuid).ok()?))
}

/// An object with a global id.
#[derive(Interface, Debug)]
#[graphql(field(
    name = "id",
    ty = "ID",
    desc = "Its global id, for `node(id:)` (opaque)."
))]
pub enum Node {
    /// An activity.
    Activity(Activity),
    /// A victim-assistance case (never with who the person is).
    Case(Case),
    /// A field report.
    FieldReport(FieldReport),
    /// A follow-up action.
    FollowUpAction(FollowUpAction),
    /// An indicator.
    Indicator(Indicator),
    /// An organization.
    Organization(Organization),
    /// A programme.
    Programme(Programme),
}

/// Lookup by global id.
#[derive(Debug, Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// The object with this global id, or null when there is none you may see (`invalid_id`
    /// when it is not a global id of this API).
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        let Some((kind, uuid)) = parse_global_id(&id) else {
            return Err(coded("invalid_id", "not a global id of this API"));
        };
        let (db, caller) = request(ctx)?;
        Ok(match kind {
            NodeKind::Activity => {
                found(service::activities::get(db, caller, ActivityId(uuid)).await)?
                    .map(|d| Node::Activity(Activity(d)))
            }
            NodeKind::Case => {
                found(service::cases::get(db, caller, uuid).await)?.map(|c| Node::Case(Case(c)))
            }
            NodeKind::FieldReport => found(service::field_reports::get(db, caller, uuid).await)?
                .map(|r| Node::FieldReport(FieldReport(r))),
            NodeKind::FollowUpAction => {
                found(service::follow_ups::get(db, caller, FollowUpActionId(uuid)).await)?
                    .map(|a| Node::FollowUpAction(FollowUpAction(a)))
            }
            NodeKind::Indicator => {
                found(service::indicators::get(db, caller, IndicatorId(uuid)).await)?
                    .map(|i| Node::Indicator(Indicator(i)))
            }
            NodeKind::Organization => {
                found(service::organizations::get(db, caller, OrganizationId(uuid)).await)?
                    .map(|o| Node::Organization(Organization(o)))
            }
            NodeKind::Programme => {
                found(service::programmes::get(db, caller, ProgrammeId(uuid)).await)?
                    .map(|p| Node::Programme(Programme(p)))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_ids_round_trip_and_refuse_what_is_not_ours() {
        let uuid = Uuid::new_v4();
        for kind in NodeKind::ALL {
            assert_eq!(parse_global_id(&global_id(kind, uuid)), Some((kind, uuid)));
        }
        assert_eq!(parse_global_id("not base64!"), None);
        assert_eq!(parse_global_id(&URL_SAFE_NO_PAD.encode("Case:x")), None);
        assert_eq!(
            parse_global_id(&URL_SAFE_NO_PAD.encode(format!("Nothing:{uuid}"))),
            None
        );
        assert_eq!(parse_global_id(&uuid.to_string()), None);
    }
}
