//! Follow-up actions: read as their activities; UNODC writes; owners update their own.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, Union};
use chrono::{DateTime, NaiveDate, Utc};
use gloact_domain::follow_up::{FollowUpChanges, NewFollowUpAction};
use gloact_domain::value::Code;
use gloact_domain::{ActivityId, FollowUpActionId};
use gloact_persistence::follow_ups::FollowUpFilter;
use uuid::Uuid;

use std::collections::HashSet;

use super::activities::Activity;
use super::changes::{self, Deleted};
use super::enums::FollowUpStatus;
use super::errors::{OrGraphqlError, found};
use super::loader;
use super::node::{NodeKind, global_id};
use super::organizations::Organization;
use super::{clearable, connection, loaders, page, page_complexity, request, wire};
use crate::error::ApiError;
use crate::input::fields::query_value;
use crate::input::follow_ups::{FollowUpPatchDto, NewFollowUpDto};
use crate::service;

/// Something to be done after an activity, owned by one organization.
#[derive(Debug, Clone)]
pub struct FollowUpAction(pub gloact_domain::follow_up::FollowUpAction);

#[Object]
impl FollowUpAction {
    /// Its global id, for `node(id:)` (opaque).
    pub(super) async fn id(&self) -> ID {
        global_id(NodeKind::FollowUpAction, self.0.id.0)
    }
    /// Its id as REST knows it (/api/v1/follow-up-actions/{uuid}).
    async fn uuid(&self) -> Uuid {
        self.0.id.0
    }
    /// What is to be done.
    async fn title(&self) -> &str {
        self.0.title.as_str()
    }
    /// More detail.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_ref().map(|d| d.as_str())
    }
    /// By when.
    async fn due_date(&self) -> Option<NaiveDate> {
        self.0.due_date
    }
    /// Where it stands.
    async fn status(&self) -> FollowUpStatus {
        self.0.status.into()
    }
    /// The owner's code.
    async fn owner_code(&self) -> &str {
        self.0.owner_code.as_str()
    }
    /// The organization that owns it.
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        Ok(loaders(ctx)?
            .organizations
            .load_one(self.0.owner_id)
            .await?
            .map(Organization))
    }
    /// The id of the activity it came from.
    async fn activity_id(&self) -> Uuid {
        self.0.activity_id.0
    }
    /// The activity it came from.
    async fn activity(&self, ctx: &Context<'_>) -> Result<Option<Activity>> {
        Ok(loaders(ctx)?
            .activities
            .load_one(self.0.activity_id)
            .await?
            .map(Activity))
    }
    /// Its version: send it back as `expectedVersion` when you change it.
    async fn version(&self) -> i32 {
        self.0.meta.version
    }
    /// Its position in the change sequence.
    async fn change_seq(&self) -> i64 {
        self.0.meta.change_seq
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.meta.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.meta.updated_at
    }
}

/// Loads what the actions of a page refer to (owners, activities and what those refer to) for
/// the whole page at once, where the query asks for it (see [`loader::prime`]).
async fn prime(
    ctx: &Context<'_>,
    items: &[gloact_domain::follow_up::FollowUpAction],
) -> Result<()> {
    let loaders = loaders(ctx)?;
    let node = ctx.look_ahead().field("edges").field("node");
    let owner = [node.field("owner")];
    let owners =
        loader::prime_organizations(loaders, &owner, items.iter().map(|a| a.owner_id).collect());
    let activity = node.field("activity");
    let activities = async {
        if activity.exists() {
            let ids: HashSet<_> = items.iter().map(|a| a.activity_id).collect();
            let found = loaders.activities.load_many(ids).await?;
            let found: Vec<_> = found.into_values().collect();
            loader::prime(loaders, activity, &found).await?;
        }
        Ok(())
    };
    futures_util::try_join!(owners, activities)?;
    Ok(())
}

/// A change to a follow-up action: the action as it is now, or its deletion.
#[derive(Debug, Union)]
pub enum FollowUpActionChange {
    /// Created or changed.
    FollowUpAction(FollowUpAction),
    /// Deleted.
    Deleted(Deleted),
}

/// How many follow-up actions match a list's filters.
#[derive(Debug)]
pub struct FollowUpTotals(FollowUpFilter);

#[Object]
impl FollowUpTotals {
    /// How many follow-up actions you may see match the filters, on every page.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let (db, caller) = request(ctx)?;
        service::follow_ups::count(db, caller, &self.0).await.gql()
    }
}

/// Follow-up actions.
#[derive(Debug, Default)]
pub struct FollowUpsQuery;

#[Object]
impl FollowUpsQuery {
    /// The follow-up actions you may see (those of activities you may see), in id order.
    #[graphql(complexity = "page_complexity(first, child_complexity)")]
    async fn follow_up_actions(
        &self,
        ctx: &Context<'_>,
        activity_id: Option<Uuid>,
        #[graphql(desc = "The owner's code.")] owner: Option<String>,
        status: Option<FollowUpStatus>,
        #[graphql(desc = "Items per page, 1 to 500 (default 50).")] first: Option<i32>,
        #[graphql(desc = "The cursor of the last edge of the previous page.")] after: Option<
            String,
        >,
    ) -> Result<Connection<String, FollowUpAction, FollowUpTotals>> {
        let (db, caller) = request(ctx)?;
        let filter = FollowUpFilter {
            activity_id: activity_id.map(ActivityId),
            owner: query_value("owner", owner.as_deref(), Code::parse).gql()?,
            status: status.map(Into::into),
        };
        let request = page(first, after.as_deref())?;
        let items = service::follow_ups::list(db, caller, &filter, &request)
            .await
            .gql()?;
        prime(ctx, &items.items).await?;
        Ok(connection(
            items,
            after.is_some(),
            FollowUpTotals(filter),
            |a| a.id.0,
            FollowUpAction,
        ))
    }

    /// One follow-up action, or null when there is none you may see with this id.
    async fn follow_up_action(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
    ) -> Result<Option<FollowUpAction>> {
        let (db, caller) = request(ctx)?;
        Ok(
            found(service::follow_ups::get(db, caller, FollowUpActionId(id)).await)?
                .map(FollowUpAction),
        )
    }
}

/// A new follow-up action.
#[derive(Debug, InputObject)]
pub struct NewFollowUpActionInput {
    /// The activity it comes from.
    pub activity_id: Uuid,
    /// The owner's code.
    pub owner: String,
    /// What is to be done.
    pub title: String,
    /// More detail.
    pub description: Option<String>,
    /// By when.
    pub due_date: Option<NaiveDate>,
    /// Where it stands (default open).
    pub status: Option<FollowUpStatus>,
}

/// Changes to a follow-up action: only the fields given change; `null` clears an optional one.
#[derive(Debug, Default, InputObject)]
pub struct FollowUpActionPatch {
    /// New owner's code (UNODC only).
    pub owner: MaybeUndefined<String>,
    /// New title.
    pub title: MaybeUndefined<String>,
    /// New detail.
    pub description: MaybeUndefined<String>,
    /// New due date.
    pub due_date: MaybeUndefined<NaiveDate>,
    /// New status.
    pub status: MaybeUndefined<FollowUpStatus>,
}

impl TryFrom<NewFollowUpActionInput> for NewFollowUpAction {
    type Error = ApiError;

    /// Parsed by the same rules as REST's body, with the same field errors.
    fn try_from(input: NewFollowUpActionInput) -> Result<Self, ApiError> {
        Ok(NewFollowUpAction::try_from(NewFollowUpDto {
            activity_id: input.activity_id,
            owner: input.owner,
            title: input.title,
            description: input.description,
            due_date: input.due_date.map(|d| d.to_string()),
            status: input
                .status
                .map(wire::<gloact_domain::follow_up::FollowUpStatus, _>),
        })?)
    }
}

impl TryFrom<FollowUpActionPatch> for FollowUpChanges {
    type Error = ApiError;

    fn try_from(patch: FollowUpActionPatch) -> Result<Self, ApiError> {
        Ok(FollowUpChanges::try_from(FollowUpPatchDto {
            owner: clearable(patch.owner, |o| o),
            title: clearable(patch.title, |t| t),
            description: clearable(patch.description, |d| d),
            due_date: clearable(patch.due_date, |d| d.to_string()),
            status: clearable(
                patch.status,
                wire::<gloact_domain::follow_up::FollowUpStatus, _>,
            ),
        })?)
    }
}

/// Writes of follow-up actions.
#[derive(Debug, Default)]
pub struct FollowUpsMutation;

#[Object]
impl FollowUpsMutation {
    /// Creates a follow-up action (UNODC).
    async fn create_follow_up_action(
        &self,
        ctx: &Context<'_>,
        input: NewFollowUpActionInput,
    ) -> Result<FollowUpAction> {
        let (db, caller) = request(ctx)?;
        let new = NewFollowUpAction::try_from(input).gql()?;
        Ok(FollowUpAction(
            service::follow_ups::create(db, caller, &new).await.gql()?,
        ))
    }

    /// Changes a follow-up action (UNODC; its owner) at the version you read: a stale version
    /// is refused with `version_mismatch` and the current version.
    async fn update_follow_up_action(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        expected_version: i32,
        patch: FollowUpActionPatch,
    ) -> Result<FollowUpAction> {
        let (db, caller) = request(ctx)?;
        let changes = FollowUpChanges::try_from(patch).gql()?;
        Ok(FollowUpAction(
            service::follow_ups::update(
                db,
                caller,
                FollowUpActionId(id),
                expected_version,
                &changes,
            )
            .await
            .gql()?,
        ))
    }
}

changes::change_feed! {
    /// Every change to the follow-up actions you may see after a change number, in the order
    /// made; deleted ones as `Deleted`. REST's `changed_after`, for clients that keep a copy.
    pub struct FollowUpActionChangesQuery;
    fn follow_up_action_changes(ctx, page) -> FollowUpActionChange {
        let (db, caller) = request(ctx)?;
        let items = service::follow_ups::list(db, caller, &FollowUpFilter::default(), &page)
            .await
            .gql()?;
        prime(ctx, &items.items).await?;
        items
    }
    kind: NodeKind::FollowUpAction,
    change_seq: |x| x.meta.change_seq,
    node: |x| FollowUpAction(x).into(),
}
