//! Programmes: everyone reads.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object, Result, Union};
use chrono::{DateTime, NaiveDate, Utc};
use gloact_domain::ProgrammeId;
use uuid::Uuid;

use super::changes::{self, Deleted};
use super::errors::{OrGraphqlError, found};
use super::node::{NodeKind, global_id};
use super::{connection, page, page_complexity, request};
use crate::service;

/// A programme, e.g. GLO.ACT-Bangladesh.
#[derive(Debug, Clone)]
pub struct Programme(pub gloact_domain::programme::Programme);

#[Object]
impl Programme {
    /// Its global id, for `node(id:)` (opaque).
    pub(super) async fn id(&self) -> ID {
        global_id(NodeKind::Programme, self.0.id.0)
    }
    /// Its id as REST knows it (/api/v1/programmes/{uuid}).
    async fn uuid(&self) -> Uuid {
        self.0.id.0
    }
    /// Its stable code, e.g. `GLOACT-BGD`.
    async fn code(&self) -> &str {
        self.0.code.as_str()
    }
    /// One line of at most 300 characters, trimmed; never blank.
    async fn title(&self) -> &str {
        self.0.title.as_str()
    }
    /// Its first day.
    async fn start(&self) -> NaiveDate {
        self.0.period.start()
    }
    /// Its last day.
    async fn end(&self) -> NaiveDate {
        self.0.period.end()
    }
    /// The countries it works in (ISO 3166-1 alpha-3).
    async fn countries(&self) -> Vec<&str> {
        self.0.countries.iter().map(|c| c.as_str()).collect()
    }
    /// Its IATI activity identifier.
    async fn iati_identifier(&self) -> Option<&str> {
        self.0.iati_identifier.as_ref().map(|r| r.as_str())
    }
    /// Codes of the organizations that fund it.
    async fn funders(&self) -> Vec<&str> {
        self.0.funders.iter().map(|c| c.as_str()).collect()
    }
    /// Codes of the organizations that implement it.
    async fn implementers(&self) -> Vec<&str> {
        self.0.implementers.iter().map(|c| c.as_str()).collect()
    }
    /// Its version (REST's ETag): starts at 1 and grows by one on every change; programmes are not
    /// changed over the API.
    async fn version(&self) -> i32 {
        self.0.meta.version
    }
    /// Its position in the change sequence.
    async fn change_seq(&self) -> i64 {
        self.0.meta.change_seq
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.meta.updated_at
    }
}

/// A change to a programme: the programme as it is now, or its deletion.
#[derive(Debug, Union)]
pub enum ProgrammeChange {
    /// Created or changed.
    Programme(Programme),
    /// Deleted.
    Deleted(Deleted),
}

/// How many programmes there are.
#[derive(Debug)]
pub struct ProgrammeTotals;

#[Object]
impl ProgrammeTotals {
    /// How many programmes there are, on every page.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let (db, caller) = request(ctx)?;
        service::programmes::count(db, caller).await.gql()
    }
}

/// Programmes.
#[derive(Debug, Default)]
pub struct ProgrammesQuery;

#[Object]
impl ProgrammesQuery {
    /// Programmes in id order.
    #[graphql(complexity = "page_complexity(first, child_complexity)")]
    async fn programmes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items per page, 1 to 500 (default 50).")] first: Option<i32>,
        #[graphql(desc = "The cursor of the last edge of the previous page.")] after: Option<
            String,
        >,
    ) -> Result<Connection<String, Programme, ProgrammeTotals>> {
        let (db, caller) = request(ctx)?;
        let request = page(first, after.as_deref())?;
        let items = service::programmes::list(db, caller, &request)
            .await
            .gql()?;
        Ok(connection(
            items,
            after.is_some(),
            ProgrammeTotals,
            |p| p.id.0,
            Programme,
        ))
    }

    /// One programme, or null when there is none with this id.
    async fn programme(&self, ctx: &Context<'_>, id: Uuid) -> Result<Option<Programme>> {
        let (db, caller) = request(ctx)?;
        Ok(found(service::programmes::get(db, caller, ProgrammeId(id)).await)?.map(Programme))
    }
}

changes::change_feed! {
    /// Every change to programmes after a change number, in the order made; deleted ones as
    /// `Deleted`. REST's `changed_after`, for clients that keep a copy.
    pub struct ProgrammeChangesQuery;
    fn programme_changes(ctx, page) -> ProgrammeChange {
        let (db, caller) = request(ctx)?;
        service::programmes::list(db, caller, &page).await.gql()?
    }
    kind: NodeKind::Programme,
    change_seq: |x| x.meta.change_seq,
    node: |x| Programme(x).into(),
}
