//! Field reports from officers' phones: UNODC reads all and reviews; IOM reads all; government
//! reads its own organization's (and referrals made to it); the EU reads none. Every read is on
//! the audit trail, as over REST.

use async_graphql::connection::Connection;

use async_graphql::{Context, Enum, ID, Json, Object, Result, SimpleObject, Subscription, Union};
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};
use gloact_domain::field_report::{FieldReport as Report, PayloadInput, Review};
use gloact_persistence::field_reports::FieldReportFilter;
use uuid::Uuid;

use std::collections::HashSet;

use super::activities::Activity;
use super::changes::{self, Deleted};
use super::enums::{FieldReportKind, ReviewStatus};
use super::errors::{OrGraphqlError, api_error, found, service_error};
use super::loader;
use super::node::{NodeKind, global_id};
use super::slots::SubscriptionSlots;
use super::{connection, loaders, page, page_complexity, request};
use crate::auth::BearerToken;
use crate::error::ApiError;
use crate::input::field_reports::ReviewDto;
use crate::service;

/// A change to a field report: the report as it is now, or its deletion.
#[derive(Debug, Union)]
#[expect(
    clippy::large_enum_variant,
    reason = "one short-lived value per edge of a page; boxing would only add an allocation each"
)]
pub enum FieldReportChange {
    /// Created or changed.
    FieldReport(FieldReport),
    /// Deleted.
    Deleted(Deleted),
}

/// Loads the activities a page of reports concerns at once, where the query asks for them.
async fn prime(ctx: &Context<'_>, items: &[Report]) -> Result<()> {
    let activity = ctx
        .look_ahead()
        .field("edges")
        .field("node")
        .field("activity");
    if activity.exists() {
        let loaders = loaders(ctx)?;
        let ids: HashSet<_> = items.iter().filter_map(|r| r.report.activity_id).collect();
        let found: Vec<_> = loaders
            .activities
            .load_many(ids)
            .await?
            .into_values()
            .collect();
        loader::prime(loaders, activity, &found).await?;
    }
    Ok(())
}

/// A report from a field officer's phone.
#[derive(Debug, Clone)]
pub struct FieldReport(pub Report);

#[Object]
impl FieldReport {
    /// Its global id, for `node(id:)` (opaque).
    pub(super) async fn id(&self) -> ID {
        global_id(NodeKind::FieldReport, self.0.report.id)
    }
    /// Its id as REST knows it (the id the phone chose; /api/v1/field-reports/{uuid}).
    async fn uuid(&self) -> Uuid {
        self.0.report.id
    }
    /// What it is about.
    async fn kind(&self) -> FieldReportKind {
        self.0.report.payload.kind().into()
    }
    /// When it happened (the phone's clock).
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.report.occurred_at
    }
    /// When the server received it.
    async fn received_at(&self) -> DateTime<Utc> {
        self.0.received_at
    }
    /// Where.
    async fn district(&self) -> &str {
        self.0.report.district.as_str()
    }
    /// Where exactly.
    async fn gps(&self) -> Option<Gps> {
        self.0.report.gps.map(|g| Gps {
            latitude: g.latitude(),
            longitude: g.longitude(),
            accuracy_m: g.accuracy_m(),
        })
    }
    /// What the officer wrote.
    async fn narrative(&self) -> Option<&str> {
        self.0.report.narrative.as_ref().map(|n| n.as_str())
    }
    /// What was reported, by kind (as REST serves it: a pseudonymous profile, never a name).
    async fn payload(&self) -> Json<PayloadInput> {
        Json(PayloadInput::from(&self.0.report.payload))
    }
    /// Who sent it (the token's subject).
    async fn reporter(&self) -> &str {
        &self.0.reporter
    }
    /// The sending organization's code.
    async fn organization(&self) -> &str {
        self.0.organization.as_str()
    }
    /// Where it stands in review.
    async fn review(&self) -> ReviewStatus {
        self.0.review.into()
    }
    /// Why it was rejected.
    async fn review_reason(&self) -> Option<&str> {
        self.0.review_reason.as_ref().map(|r| r.as_str())
    }
    /// The activity it concerns, when you may see it.
    async fn activity(&self, ctx: &Context<'_>) -> Result<Option<Activity>> {
        let Some(id) = self.0.report.activity_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?.activities.load_one(id).await?.map(Activity))
    }
    /// Its version: send it back as `expectedVersion` when you review it.
    async fn version(&self) -> i32 {
        self.0.meta.version
    }
    /// Its position in the change sequence.
    async fn change_seq(&self) -> i64 {
        self.0.meta.change_seq
    }
}

/// A position from the phone's GPS.
#[derive(Debug, SimpleObject)]
pub struct Gps {
    /// Degrees north.
    pub latitude: f64,
    /// Degrees east.
    pub longitude: f64,
    /// How far off it may be, in metres.
    pub accuracy_m: f64,
}

/// How many reports match a list's filters.
#[derive(Debug)]
pub struct FieldReportTotals(FieldReportFilter);

#[Object]
impl FieldReportTotals {
    /// How many reports you may see match the filters, on every page.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let (db, caller) = request(ctx)?;
        service::field_reports::count(db, caller, &self.0)
            .await
            .gql()
    }
}

/// Field reports.
#[derive(Debug, Default)]
pub struct FieldReportsQuery;

#[Object]
impl FieldReportsQuery {
    /// The reports you may see, in id order (the EU may see none: `forbidden`).
    #[graphql(complexity = "page_complexity(first, child_complexity)")]
    async fn field_reports(
        &self,
        ctx: &Context<'_>,
        kind: Option<FieldReportKind>,
        review: Option<ReviewStatus>,
        #[graphql(desc = "Items per page, 1 to 500 (default 50).")] first: Option<i32>,
        #[graphql(desc = "The cursor of the last edge of the previous page.")] after: Option<
            String,
        >,
    ) -> Result<Connection<String, FieldReport, FieldReportTotals>> {
        let (db, caller) = request(ctx)?;
        let filter = FieldReportFilter {
            kind: kind.map(Into::into),
            review: review.map(Into::into),
        };
        let request = page(first, after.as_deref())?;
        let items = service::field_reports::list(db, caller, &filter, &request)
            .await
            .gql()?;
        prime(ctx, &items.items).await?;
        Ok(connection(
            items,
            after.is_some(),
            FieldReportTotals(filter),
            |r| r.report.id,
            FieldReport,
        ))
    }

    /// One report, or null when there is none you may see with this id.
    async fn field_report(&self, ctx: &Context<'_>, id: Uuid) -> Result<Option<FieldReport>> {
        let (db, caller) = request(ctx)?;
        Ok(found(service::field_reports::get(db, caller, id).await)?.map(FieldReport))
    }
}

/// A review decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ReviewDecision {
    /// Accepted.
    Verified,
    /// Refused: give the reason the officer will see.
    Rejected,
}

/// Reviews of field reports.
#[derive(Debug, Default)]
pub struct FieldReportsMutation;

#[Object]
impl FieldReportsMutation {
    /// Reviews a report (UNODC) at the version you read: a rejection needs a reason, a
    /// verification has none.
    async fn review_field_report(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        expected_version: i32,
        decision: ReviewDecision,
        reason: Option<String>,
    ) -> Result<FieldReport> {
        let (db, caller) = request(ctx)?;
        let decision = Review::try_from(ReviewDto {
            decision: match decision {
                ReviewDecision::Verified => "verified",
                ReviewDecision::Rejected => "rejected",
            }
            .to_owned(),
            reason,
        })
        .map_err(ApiError::from)
        .gql()?;
        Ok(FieldReport(
            service::field_reports::review(db, caller, id, expected_version, &decision)
                .await
                .gql()?,
        ))
    }
}

/// Field reports as they happen.
#[derive(Debug, Default)]
pub struct FieldReportsSubscription;

/// How often a subscription without events checks its token again.
const TOKEN_RECHECK: std::time::Duration = std::time::Duration::from_secs(60);

/// What wakes a subscription: an event, or the time to check its token again.
enum Wake {
    Event(Result<Uuid, crate::service::ServiceError>),
    Recheck,
}

#[Subscription]
impl FieldReportsSubscription {
    /// Each report you may see, as it is submitted and again as it is reviewed. The token is
    /// checked again before every event: the subscription ends with `token_expired` or
    /// `token_revoked` when it no longer holds.
    async fn field_report_events(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = Result<FieldReport>> + use<>> {
        let (db, caller) = request(ctx)?;
        let (db, caller) = (db.clone(), caller.clone());
        let token = ctx.data::<BearerToken>()?.clone();
        let slot = ctx
            .data::<SubscriptionSlots>()?
            .take(&caller.actor.subject)
            .map_err(api_error)?;
        let ids = service::field_reports::watch(&db, &caller).await.gql()?;
        // The token is checked before every event, and also every minute without one, so a
        // quiet subscription ends soon after its token expires or is revoked.
        let rechecks = futures_util::stream::unfold((), |()| async {
            tokio::time::sleep(TOKEN_RECHECK).await;
            Some((Wake::Recheck, ()))
        });
        let wakes = futures_util::stream::select(ids.map(Wake::Event), rechecks);
        let events = wakes.filter_map(move |wake| {
            let (db, caller, token) = (db.clone(), caller.clone(), token.clone());
            // Held as long as the stream.
            let _slot = &slot;
            async move {
                if let Err(e) = token.check(&db).await {
                    return Some(Err(api_error(e)));
                }
                let id = match wake {
                    Wake::Recheck => return None,
                    Wake::Event(Ok(id)) => id,
                    Wake::Event(Err(e)) => return Some(Err(service_error(e))),
                };
                // Reports the caller may not see are not there for it.
                found(service::field_reports::get(&db, &caller, id).await)
                    .transpose()
                    .map(|r| r.map(FieldReport))
            }
        });
        // The first error ends the subscription, at once.
        Ok(futures_util::stream::unfold(
            (Box::pin(events), false),
            |(mut events, failed)| async move {
                if failed {
                    return None;
                }
                let item = events.next().await?;
                let failed = item.is_err();
                Some((item, (events, failed)))
            },
        ))
    }
}

changes::change_feed! {
    /// Every change to the reports you may see (new, reviewed) after a change number, in the
    /// order made. REST's `changed_after`, for clients that keep a copy.
    pub struct FieldReportChangesQuery;
    fn field_report_changes(ctx, page) -> FieldReportChange {
        let (db, caller) = request(ctx)?;
        let items = service::field_reports::list(db, caller, &FieldReportFilter::default(), &page)
            .await
            .gql()?;
        prime(ctx, &items.items).await?;
        items
    }
    kind: NodeKind::FieldReport,
    change_seq: |x| x.meta.change_seq,
    node: |x| FieldReport(x).into(),
}
