//! Row scoping in SQL: which activities a caller may see.

use diesel::pg::Pg;
use diesel::prelude::*;
use gloact_domain::policy::ActivityScope;

use crate::schema::{activity, organization, participation};

/// Ids of the activities visible to a caller, or `None` when the caller sees them all (so that
/// queries of unrestricted callers carry no sub-select).
pub(crate) fn visible_activity_ids(
    scope: &ActivityScope,
) -> Option<activity::BoxedQuery<'static, Pg, diesel::sql_types::Uuid>> {
    match scope {
        ActivityScope::All => None,
        ActivityScope::PublicOrParticipating(org) => Some(
            activity::table
                .select(activity::id)
                .filter(
                    activity::visibility
                        .eq("public")
                        .or(activity::id.eq_any(participating_in(org.as_str().to_owned()))),
                )
                .into_boxed(),
        ),
    }
}

/// Ids of the activities an organization takes part in.
pub(crate) fn participating_in(
    org_code: String,
) -> participation::BoxedQuery<'static, Pg, diesel::sql_types::Uuid> {
    let organization_ids = organization::table
        .filter(organization::code.eq(org_code))
        .select(organization::id);
    participation::table
        .filter(participation::organization_id.eq_any(organization_ids))
        .filter(participation::deleted_at.is_null())
        .select(participation::activity_id)
        .into_boxed()
}
