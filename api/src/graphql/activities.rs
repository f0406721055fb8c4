//! Activities with the organizations taking part, their objectives, follow-up actions, parts
//! and parent. What hangs off an activity comes with its page (three queries per page); its
//! parent, parts, programme and organizations come through the request's loaders.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject, Union};
use chrono::{DateTime, NaiveDate, Utc};
use gloact_domain::ActivityId;
use gloact_domain::activity::{ActivityDetail, ParticipantCounts};
use gloact_domain::value::{Code, DateSpan, District};
use gloact_persistence::activities::ActivityFilter;
use uuid::Uuid;

use super::changes::{self, Deleted};
use super::enums::{ActivityKind, ActivityStatus, ParticipationRole, Pillar, Visibility};
use super::errors::{OrGraphqlError, found};
use super::follow_ups::FollowUpAction;
use super::loader;
use super::node::{NodeKind, global_id};
use super::organizations::Organization;
use super::programmes::Programme;
use super::{connection, loaders, page, page_complexity, request};
use crate::error::ApiError;
use crate::input::fields::{check_day, query_value};
use crate::service;

/// What a list that is not a connection (an activity's participations, objectives, follow-up
/// actions, parts) counts for in a query's complexity: as many items as an activity usually has
/// at most, so that lists nested in lists (`parts { parent { parts … } }`) can't multiply the
/// answer past the limit unseen.
const NESTED_LIST: usize = 10;

/// An activity of the work plan: a consultation, a meeting, a workshop, a study...
#[derive(Debug, Clone)]
pub struct Activity(pub ActivityDetail);

#[Object]
impl Activity {
    /// Its global id, for `node(id:)` (opaque).
    pub(super) async fn id(&self) -> ID {
        global_id(NodeKind::Activity, self.0.activity.id.0)
    }
    /// Its id as REST knows it (/api/v1/activities/{uuid}).
    async fn uuid(&self) -> Uuid {
        self.0.activity.id.0
    }
    /// Its code, unique within the programme.
    async fn code(&self) -> &str {
        self.0.activity.code.as_str()
    }
    /// One line of at most 300 characters, trimmed; never blank.
    async fn title(&self) -> &str {
        self.0.activity.title.as_str()
    }
    /// What it is about.
    async fn description(&self) -> Option<&str> {
        self.0.activity.description.as_ref().map(|d| d.as_str())
    }
    /// What it is.
    async fn kind(&self) -> ActivityKind {
        self.0.activity.kind.into()
    }
    /// The pillar it serves.
    async fn pillar(&self) -> Pillar {
        self.0.activity.pillar.into()
    }
    /// Where it stands.
    async fn status(&self) -> ActivityStatus {
        self.0.activity.status.into()
    }
    /// Who may see it.
    async fn visibility(&self) -> Visibility {
        self.0.activity.visibility.into()
    }
    /// When it was planned.
    async fn planned(&self) -> Span {
        self.0.activity.planned.into()
    }
    /// When it took place.
    async fn actual(&self) -> Span {
        self.0.activity.actual.into()
    }
    /// Where.
    async fn location(&self) -> Option<&str> {
        self.0.activity.location.as_ref().map(|l| l.as_str())
    }
    /// In which district.
    async fn district(&self) -> Option<&str> {
        self.0.activity.district.as_ref().map(|d| d.as_str())
    }
    /// Who took part, by sex and by actor type.
    async fn participants(&self) -> Participants {
        self.0.activity.participants.into()
    }
    /// The organizations taking part, and how.
    #[graphql(complexity = "NESTED_LIST * child_complexity")]
    async fn participations(&self) -> Vec<Participation> {
        self.0
            .participations
            .iter()
            .cloned()
            .map(Participation)
            .collect()
    }
    /// What it sets out to do.
    #[graphql(complexity = "NESTED_LIST * child_complexity")]
    async fn objectives(&self) -> Vec<Objective> {
        self.0
            .objectives
            .iter()
            .map(|o| Objective {
                id: o.id.0,
                description: o.description.as_str().to_owned(),
                achieved: o.achieved,
                evidence: o.evidence.as_ref().map(|e| e.as_str().to_owned()),
            })
            .collect()
    }
    /// What is to be done after it.
    #[graphql(complexity = "NESTED_LIST * child_complexity")]
    async fn follow_up_actions(&self) -> Vec<FollowUpAction> {
        self.0
            .follow_ups
            .iter()
            .cloned()
            .map(FollowUpAction)
            .collect()
    }
    /// The programme it belongs to.
    async fn programme(&self, ctx: &Context<'_>) -> Result<Option<Programme>> {
        Ok(loaders(ctx)?
            .programmes
            .load_one(self.0.activity.programme_id)
            .await?
            .map(Programme))
    }
    /// The activity it is part of (e.g. the consultation of a meeting).
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<Activity>> {
        let Some(parent) = self.0.activity.parent_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?
            .activities
            .load_one(parent)
            .await?
            .map(Activity))
    }
    /// Its parts (e.g. the meetings of a consultation) that you may see, in id order.
    #[graphql(complexity = "NESTED_LIST * child_complexity")]
    async fn parts(&self, ctx: &Context<'_>) -> Result<Vec<Activity>> {
        Ok(loaders(ctx)?
            .parts
            .load_one(self.0.activity.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(Activity)
            .collect())
    }
    /// Its version: send it back as `expectedVersion` when you change it.
    async fn version(&self) -> i32 {
        self.0.activity.meta.version
    }
    /// Its position in the change sequence.
    async fn change_seq(&self) -> i64 {
        self.0.activity.meta.change_seq
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.activity.meta.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.activity.meta.updated_at
    }
}

/// A change to an activity: the activity as it is now, or its deletion.
#[derive(Debug, Union)]
#[expect(
    clippy::large_enum_variant,
    reason = "one short-lived value per edge of a page; boxing would only add an allocation each"
)]
pub enum ActivityChange {
    /// Created or changed.
    Activity(Activity),
    /// Deleted.
    Deleted(Deleted),
}

/// Days from and to, either open.
#[derive(Debug, SimpleObject)]
pub struct Span {
    /// The first day.
    pub start: Option<NaiveDate>,
    /// The last day.
    pub end: Option<NaiveDate>,
}

impl From<DateSpan> for Span {
    fn from(span: DateSpan) -> Self {
        Self {
            start: span.start(),
            end: span.end(),
        }
    }
}

/// Who took part: by sex, and by actor type among them.
#[derive(Debug, SimpleObject)]
pub struct Participants {
    /// Women.
    pub female: u32,
    /// Men.
    pub male: u32,
    /// Other or not recorded.
    pub other: u32,
    /// Everyone.
    pub total: u64,
    /// Judges among them.
    pub judges: u32,
    /// Prosecutors among them.
    pub prosecutors: u32,
    /// Law-enforcement officers among them.
    pub law_enforcement: u32,
    /// Government officials among them.
    pub officials: u32,
    /// Civil-society representatives among them.
    pub civil_society: u32,
}

impl From<ParticipantCounts> for Participants {
    fn from(counts: ParticipantCounts) -> Self {
        let c = counts.get();
        Self {
            female: c.female.get(),
            male: c.male.get(),
            other: c.other.get(),
            total: c.total(),
            judges: c.judges.get(),
            prosecutors: c.prosecutors.get(),
            law_enforcement: c.law_enforcement.get(),
            officials: c.officials.get(),
            civil_society: c.civil_society.get(),
        }
    }
}

/// An organization's part in an activity.
#[derive(Debug, Clone)]
pub struct Participation(pub gloact_domain::activity::Participation);

#[Object]
impl Participation {
    /// Chosen by the server when its activity is created, with it (a UUIDv7).
    async fn id(&self) -> Uuid {
        self.0.id.0
    }
    /// How the organization takes part.
    async fn role(&self) -> ParticipationRole {
        self.0.role.into()
    }
    /// The IATI organisation-role code (1 funding, 2 accountable, 3 extending, 4 implementing).
    async fn iati_role(&self) -> Option<u8> {
        self.0.role.iati_code()
    }
    /// The organization's code.
    async fn organization_code(&self) -> &str {
        self.0.organization_code.as_str()
    }
    /// The organization.
    async fn organization(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        Ok(loaders(ctx)?
            .organizations
            .load_one(self.0.organization_id)
            .await?
            .map(Organization))
    }
}

/// What an activity set out to do, and whether it did.
#[derive(Debug, SimpleObject)]
pub struct Objective {
    /// Chosen by the server when its activity is created, with it (a UUIDv7).
    pub id: Uuid,
    /// The goal.
    pub description: String,
    /// Whether it was reached.
    pub achieved: bool,
    /// What shows it.
    pub evidence: Option<String>,
}

/// Filters of activities: all given must hold.
#[derive(Debug, Default, InputObject)]
pub struct ActivityFilterInput {
    /// Only activities of the programme with this code.
    pub programme: Option<String>,
    /// Only the parts of this activity.
    pub parent_id: Option<Uuid>,
    /// Only this kind.
    pub kind: Option<ActivityKind>,
    /// Only this pillar.
    pub pillar: Option<Pillar>,
    /// Only this status.
    pub status: Option<ActivityStatus>,
    /// Only those the organization with this code takes part in.
    pub organization: Option<String>,
    /// Only those in this district.
    pub district: Option<String>,
    /// Only those planned to end on or after this day.
    pub from: Option<NaiveDate>,
    /// Only those planned to start on or before this day.
    pub to: Option<NaiveDate>,
}

impl ActivityFilterInput {
    /// The filter, with the same checks (and codes) as REST's query parameters.
    pub fn parse(self) -> Result<ActivityFilter, ApiError> {
        Ok(ActivityFilter {
            programme: query_value("programme", self.programme.as_deref(), Code::parse)?,
            parent_id: self.parent_id.map(ActivityId),
            kind: self.kind.map(Into::into),
            pillar: self.pillar.map(Into::into),
            status: self.status.map(Into::into),
            organization: query_value("organization", self.organization.as_deref(), Code::parse)?,
            district: query_value("district", self.district.as_deref(), District::parse)?,
            from: check_day("from", self.from)?,
            to: check_day("to", self.to)?,
        })
    }
}

/// How many activities match a list's filters.
#[derive(Debug)]
pub struct ActivityTotals(ActivityFilter);

#[Object]
impl ActivityTotals {
    /// How many activities you may see match the filters, on every page.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let (db, caller) = request(ctx)?;
        service::activities::count(db, caller, &self.0).await.gql()
    }
}

/// Activities.
#[derive(Debug, Default)]
pub struct ActivitiesQuery;

#[Object]
impl ActivitiesQuery {
    /// The activities you may see, in id order (creation order), filtered.
    #[graphql(complexity = "page_complexity(first, child_complexity)")]
    async fn activities(
        &self,
        ctx: &Context<'_>,
        filter: Option<ActivityFilterInput>,
        #[graphql(desc = "Items per page, 1 to 500 (default 50).")] first: Option<i32>,
        #[graphql(desc = "The cursor of the last edge of the previous page.")] after: Option<
            String,
        >,
    ) -> Result<Connection<String, Activity, ActivityTotals>> {
        let (db, caller) = request(ctx)?;
        let filter = filter.unwrap_or_default().parse().gql()?;
        let request = page(first, after.as_deref())?;
        let items = service::activities::list(db, caller, &filter, &request)
            .await
            .gql()?;
        let node = ctx.look_ahead().field("edges").field("node");
        loader::prime(loaders(ctx)?, node, &items.items).await?;
        Ok(connection(
            items,
            after.is_some(),
            ActivityTotals(filter),
            |d| d.activity.id.0,
            Activity,
        ))
    }

    /// One activity, or null when there is none you may see with this id.
    async fn activity(&self, ctx: &Context<'_>, id: Uuid) -> Result<Option<Activity>> {
        let (db, caller) = request(ctx)?;
        Ok(found(service::activities::get(db, caller, ActivityId(id)).await)?.map(Activity))
    }
}

changes::change_feed! {
    /// Every change to the activities you may see after a change number, in the order made;
    /// deleted activities as `Deleted`. REST's `changed_after`, for clients that keep a copy.
    pub struct ActivityChangesQuery;
    fn activity_changes(ctx, page) -> ActivityChange {
        let (db, caller) = request(ctx)?;
        let items = service::activities::list(db, caller, &ActivityFilter::default(), &page)
            .await
            .gql()?;
        let node = ctx.look_ahead().field("edges").field("node");
        loader::prime(loaders(ctx)?, node, &items.items).await?;
        items
    }
    kind: NodeKind::Activity,
    change_seq: |d| d.activity.meta.change_seq,
    node: |d| Activity(d).into(),
}
