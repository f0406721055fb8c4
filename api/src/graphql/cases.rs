//! Victim-assistance cases, read through the same service as REST: UNODC and IOM read all; the
//! government reads the cases referred by or to its organization; the EU reads none (it has
//! `caseStatistics`). Every read is on the audit trail, as over REST.
//!
//! Who the person is — names, contacts, birth date — is never served here: REST's
//! `/api/v1/cases/{id}/identity` is the one way to read it, for those allowed, each read on the
//! record. A case says only whether an identity is stored (`hasIdentity`).

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object, Result, SimpleObject, Union};
use chrono::{DateTime, NaiveDate, Utc};
use gloact_domain::case::{Case as Stored, Referral as StoredReferral};
use gloact_persistence::cases::CaseFilter;
use uuid::Uuid;

use super::changes::{self, Deleted};
use super::enums::{
    AgeBand, CaseStatus, EventStage, Exploitation, MeansOfControl, RecruiterRelation,
    RecruitmentMethod, ReferralStatus, Service, Sex,
};
use super::errors::{OrGraphqlError, found};
use super::node::{NodeKind, global_id};
use super::{connection, page, page_complexity, request};
use crate::service;

/// A victim-assistance case, served without who the person is.
#[derive(Debug, Clone)]
pub struct Case(pub Stored);

/// A victim-assistance case (HTCDS): a pseudonymous profile, what happened, and the referrals
/// between the organizations assisting the person. Never who the person is: names, contacts and
/// birth date are not in this schema at all; `hasIdentity` says whether they are stored, and
/// REST's `/api/v1/cases/{id}/identity` is the one audited way to read them, for those allowed.
#[Object]
impl Case {
    /// Its global id, for `node(id:)` (opaque).
    pub(super) async fn id(&self) -> ID {
        global_id(NodeKind::Case, self.0.id)
    }
    /// Its id as REST knows it (/api/v1/cases/{uuid}).
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// The code of the organization managing it.
    async fn organization(&self) -> String {
        self.0.organization.to_string()
    }
    /// Who opened it (the token's subject).
    async fn opened_by(&self) -> &str {
        &self.0.opened_by
    }
    /// The day the person was identified as a presumed victim.
    async fn identified_on(&self) -> NaiveDate {
        self.0.identified_on
    }
    /// Where the person was identified.
    async fn district(&self) -> &str {
        self.0.district.as_str()
    }
    /// Sex.
    async fn sex(&self) -> Sex {
        self.0.subject.sex.into()
    }
    /// Age band at identification (never a birth date).
    async fn age_band(&self) -> AgeBand {
        self.0.subject.age_band.into()
    }
    /// Citizenship (ISO 3166-1 alpha-3).
    async fn citizenship(&self) -> &str {
        self.0.subject.citizenship.as_str()
    }
    /// Main type of exploitation.
    async fn exploitation(&self) -> Exploitation {
        self.0.exploitation.into()
    }
    /// How the person was controlled.
    async fn means_of_control(&self) -> Vec<MeansOfControl> {
        self.0
            .means_of_control
            .iter()
            .copied()
            .map(Into::into)
            .collect()
    }
    /// How the person was recruited.
    async fn recruitment(&self) -> Recruitment {
        Recruitment {
            method: self.0.recruitment.method.into(),
            recruiter_relation: self.0.recruitment.recruiter_relation.into(),
        }
    }
    /// What happened where, in order.
    async fn events(&self) -> Vec<TraffickingEvent> {
        self.0
            .events
            .iter()
            .map(|e| TraffickingEvent {
                stage: e.stage.into(),
                place: e.place.as_str().to_owned(),
                country: e.country.as_str().to_owned(),
                occurred_on: e.occurred_on,
            })
            .collect()
    }
    /// Whether the person consented to the management of their personal data.
    async fn consent(&self) -> bool {
        self.0.consent.0
    }
    /// Where the case stands.
    async fn status(&self) -> CaseStatus {
        self.0.status.into()
    }
    /// The referrals, oldest first.
    async fn referrals(&self) -> Vec<Referral> {
        self.0.referrals.iter().map(Referral::from).collect()
    }
    /// Whether identifying fields are stored. They are not served over GraphQL: read them (with
    /// the `pii` scope, UNODC and IOM only, each read on the record) at REST's
    /// `/api/v1/cases/{id}/identity`.
    async fn has_identity(&self) -> bool {
        self.0.has_identity
    }
    /// Its version (REST's ETag).
    async fn version(&self) -> i32 {
        self.0.meta.version
    }
    /// Its position in the change sequence.
    async fn change_seq(&self) -> i64 {
        self.0.meta.change_seq
    }
    /// When it was opened.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.meta.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.meta.updated_at
    }
}

/// How the person was recruited.
#[derive(Debug, SimpleObject)]
pub struct Recruitment {
    /// How.
    pub method: RecruitmentMethod,
    /// Who the recruiter was to the person.
    pub recruiter_relation: RecruiterRelation,
}

/// One step of what happened: where (and when, if known) the person was recruited, moved or
/// exploited.
#[derive(Debug, SimpleObject)]
pub struct TraffickingEvent {
    /// Which stage.
    pub stage: EventStage,
    /// The place, e.g. a town.
    pub place: String,
    /// Its country (ISO 3166-1 alpha-3).
    pub country: String,
    /// When, if known.
    pub occurred_on: Option<NaiveDate>,
}

/// A referral of the person to another organization.
#[derive(Debug, SimpleObject)]
pub struct Referral {
    /// Chosen by the server when the referral is made (a UUIDv7): REST's `referral_id`.
    pub id: Uuid,
    /// The referring organization's code.
    pub from_organization: String,
    /// The receiving organization's code.
    pub to_organization: String,
    /// The service asked for.
    pub service: Service,
    /// Where it stands.
    pub status: ReferralStatus,
    /// A note for the receiving organization.
    pub note: Option<String>,
    /// Who made it (the token's subject).
    pub referred_by: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When its status last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<&StoredReferral> for Referral {
    fn from(r: &StoredReferral) -> Self {
        Self {
            id: r.id,
            from_organization: r.from_organization.to_string(),
            to_organization: r.to_organization.to_string(),
            service: r.service.into(),
            status: r.status.into(),
            note: r.note.as_ref().map(|n| n.as_str().to_owned()),
            referred_by: r.referred_by.clone(),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A change to a case: the case as it is now, or its deletion.
#[derive(Debug, Union)]
pub enum CaseChange {
    /// Created or changed.
    Case(Case),
    /// Deleted.
    Deleted(Deleted),
}

/// How many cases match a list's filters.
#[derive(Debug)]
pub struct CaseTotals(CaseFilter);

#[Object]
impl CaseTotals {
    /// How many cases you may see match the filters, on every page.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let (db, caller) = request(ctx)?;
        service::cases::count(db, caller, &self.0).await.gql()
    }
}

/// Victim-assistance cases.
#[derive(Debug, Default)]
pub struct CasesQuery;

#[Object]
impl CasesQuery {
    /// The cases you may see, in id order: UNODC and IOM all, the government those referred by
    /// or to its organization; the EU none (`forbidden`; it has `caseStatistics`).
    #[graphql(complexity = "page_complexity(first, child_complexity)")]
    async fn cases(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only cases in this status.")] status: Option<CaseStatus>,
        #[graphql(desc = "Items per page, 1 to 500 (default 50).")] first: Option<i32>,
        #[graphql(desc = "The cursor of the last edge of the previous page.")] after: Option<
            String,
        >,
    ) -> Result<Connection<String, Case, CaseTotals>> {
        let (db, caller) = request(ctx)?;
        let filter = CaseFilter {
            status: status.map(Into::into),
        };
        let request = page(first, after.as_deref())?;
        let items = service::cases::list(db, caller, &filter, &request)
            .await
            .gql()?;
        Ok(connection(
            items,
            after.is_some(),
            CaseTotals(filter),
            |c| c.id,
            Case,
        ))
    }

    /// One case, or null when there is none you may see with this id (REST's 404); the EU gets
    /// `forbidden`, as REST's 403.
    async fn case(&self, ctx: &Context<'_>, id: Uuid) -> Result<Option<Case>> {
        let (db, caller) = request(ctx)?;
        Ok(found(service::cases::get(db, caller, id).await)?.map(Case))
    }
}

changes::change_feed! {
    /// Every change to the cases you may see after a change number, in the order made. REST's
    /// `changed_after`, for clients that keep a copy; the EU gets `forbidden`.
    pub struct CaseChangesQuery;
    fn case_changes(ctx, page) -> CaseChange {
        let (db, caller) = request(ctx)?;
        service::cases::list(db, caller, &CaseFilter::default(), &page)
            .await
            .gql()?
    }
    kind: NodeKind::Case,
    change_seq: |x| x.meta.change_seq,
    node: |x| Case(x).into(),
}
