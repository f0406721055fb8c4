//! Typed ids: an organization's id can't be passed where an activity's is meant.

use uuid::Uuid;

macro_rules! typed_id {
    ($($(#[$meta:meta])* $name:ident),+ $(,)?) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new id, ordered by creation time (UUIDv7), so that id order is insertion order.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }
    )+};
}

typed_id!(
    /// Identifies an [`crate::organization::Organization`].
    OrganizationId,
    /// Identifies a [`crate::programme::Programme`].
    ProgrammeId,
    /// Identifies an [`crate::activity::Activity`].
    ActivityId,
    /// Identifies a [`crate::activity::Participation`].
    ParticipationId,
    /// Identifies an [`crate::activity::Objective`].
    ObjectiveId,
    /// Identifies a [`crate::follow_up::FollowUpAction`].
    FollowUpActionId,
    /// Identifies an [`crate::indicator::Indicator`].
    IndicatorId,
    /// Identifies an [`crate::indicator::IndicatorPeriod`].
    IndicatorPeriodId,
);
