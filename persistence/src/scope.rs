//! Row scoping in SQL: which activities a caller may see. Every query of activities, and of what
//! hangs off them, filters with this, so a row a caller may not see is never loaded.

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use gloact_domain::activity::Visibility;
use gloact_domain::policy::ActivityScope;

use crate::schema::{activity, organization, participation};

/// A condition on activity rows.
pub(crate) type ActivityCondition = Box<dyn BoxableExpression<activity::table, Pg, SqlType = Bool>>;

/// The condition an activity must meet to be visible to a caller, or `None` when the caller sees
/// every activity (so that their queries carry no sub-select).
pub(crate) fn activity_visible(scope: &ActivityScope) -> Option<ActivityCondition> {
    match scope {
        ActivityScope::All => None,
        ActivityScope::PublicOrParticipating(org) => Some(Box::new(
            activity::visibility
                .eq(Visibility::Public.as_str())
                .or(activity::id.eq_any(participating_in(org.as_str().to_owned()))),
        )),
    }
}

/// Ids of the activities visible to a caller, or `None` when the caller sees them all.
pub(crate) fn visible_activity_ids(
    scope: &ActivityScope,
) -> Option<activity::BoxedQuery<'static, Pg, diesel::sql_types::Uuid>> {
    activity_visible(scope).map(|visible| {
        activity::table
            .select(activity::id)
            .filter(visible)
            .into_boxed()
    })
}

/// Ids of the activities an organization takes part in. Participations stay when their activity
/// is deleted, so that those who could see it are told of the deletion.
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
