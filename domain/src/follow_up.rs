//! Follow-up actions agreed at an activity, owned by one organization.

use chrono::NaiveDate;

use crate::activity::Visibility;
use crate::change::RowMeta;
use crate::id::{ActivityId, FollowUpActionId, OrganizationId};
use crate::value::{Code, Narrative, Title};
use crate::wire_enum::wire_enum;

wire_enum! {
    /// Where a follow-up action stands.
    pub enum FollowUpStatus {
        /// Agreed, not started.
        Open => "open",
        /// Being worked on.
        InProgress => "in_progress",
        /// Done.
        Done => "done",
        /// Given up.
        Dropped => "dropped",
    }
}

/// A follow-up action as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpAction {
    /// Chosen by the server when the action is added (a UUIDv7, so id order is creation order).
    pub id: FollowUpActionId,
    /// The activity it came from.
    pub activity_id: ActivityId,
    /// The organization that owns it.
    pub owner_id: OrganizationId,
    /// The owner's code.
    pub owner_code: Code,
    /// The visibility of its activity, which it shares: reads of restricted ones are audited.
    pub activity_visibility: Visibility,
    /// What is to be done.
    pub title: Title,
    /// More detail.
    pub description: Option<Narrative>,
    /// By when.
    pub due_date: Option<NaiveDate>,
    /// Where it stands.
    pub status: FollowUpStatus,
    /// Bookkeeping.
    pub meta: RowMeta,
}

/// A new follow-up action, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct NewFollowUpAction {
    /// The activity it comes from.
    pub activity_id: ActivityId,
    /// The owner's code.
    pub owner: Code,
    /// What is to be done.
    pub title: Title,
    /// More detail.
    pub description: Option<Narrative>,
    /// By when.
    pub due_date: Option<NaiveDate>,
    /// Where it stands.
    pub status: FollowUpStatus,
}

/// Changes to a follow-up action; `None` leaves a field as it is.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FollowUpChanges {
    /// New owner (by code); only for those who may reassign.
    pub owner: Option<Code>,
    /// New title.
    pub title: Option<Title>,
    /// New description, or `Some(None)` to clear it.
    pub description: Option<Option<Narrative>>,
    /// New due date, or `Some(None)` to clear it.
    pub due_date: Option<Option<NaiveDate>>,
    /// New status.
    pub status: Option<FollowUpStatus>,
}

impl FollowUpChanges {
    /// The wire names of the fields these changes set.
    pub fn changed_fields(&self) -> Vec<&'static str> {
        [
            ("owner", self.owner.is_some()),
            ("title", self.title.is_some()),
            ("description", self.description.is_some()),
            ("due_date", self.due_date.is_some()),
            ("status", self.status.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect()
    }
}
