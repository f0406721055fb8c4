//! Organizations and programmes' partners: everyone reads.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object, Result, Union};
use chrono::{DateTime, Utc};
use gloact_domain::OrganizationId;
use gloact_domain::value::CountryCode;
use gloact_persistence::organizations::OrganizationFilter;
use uuid::Uuid;

use super::changes::{self, Deleted};
use super::enums::OrganizationKind;
use super::errors::{OrGraphqlError, found};
use super::node::{NodeKind, global_id};
use super::{connection, loaders, page, page_complexity, request};
use crate::input::fields::query_value;
use crate::service;

/// An organization: a ministry, a UN agency, the donor, a civil-society group.
#[derive(Debug, Clone)]
pub struct Organization(pub gloact_domain::organization::Organization);

#[Object]
impl Organization {
    /// Its global id, for `node(id:)` (opaque).
    pub(super) async fn id(&self) -> ID {
        global_id(NodeKind::Organization, self.0.id.0)
    }
    /// Its id as REST knows it (/api/v1/organizations/{uuid}).
    async fn uuid(&self) -> Uuid {
        self.0.id.0
    }
    /// Its stable code, e.g. `UNODC-BGD`.
    async fn code(&self) -> &str {
        self.0.code.as_str()
    }
    /// Its full name.
    async fn name(&self) -> &str {
        self.0.name.as_str()
    }
    /// What sort of body it is.
    async fn kind(&self) -> OrganizationKind {
        self.0.kind.into()
    }
    /// Where it sits (ISO 3166-1 alpha-3).
    async fn country(&self) -> &str {
        self.0.country.as_str()
    }
    /// Its IATI organisation identifier.
    async fn iati_ref(&self) -> Option<&str> {
        self.0.iati_ref.as_ref().map(|r| r.as_str())
    }
    /// The organization it belongs to.
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        let Some(parent) = self.0.parent_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?
            .organizations
            .load_one(parent)
            .await?
            .map(Organization))
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

/// A change to an organization: the organization as it is now, or its deletion.
#[derive(Debug, Union)]
pub enum OrganizationChange {
    /// Created or changed.
    Organization(Organization),
    /// Deleted.
    Deleted(Deleted),
}

/// How many organizations match a list's filters.
#[derive(Debug)]
pub struct OrganizationTotals(OrganizationFilter);

#[Object]
impl OrganizationTotals {
    /// How many organizations match the filters, on every page.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let (db, caller) = request(ctx)?;
        service::organizations::count(db, caller, &self.0)
            .await
            .gql()
    }
}

/// Organizations.
#[derive(Debug, Default)]
pub struct OrganizationsQuery;

#[Object]
impl OrganizationsQuery {
    /// Organizations in id order, filtered by kind and country.
    #[graphql(complexity = "page_complexity(first, child_complexity)")]
    async fn organizations(
        &self,
        ctx: &Context<'_>,
        kind: Option<OrganizationKind>,
        #[graphql(desc = "ISO 3166-1 alpha-3, e.g. BGD")] country: Option<String>,
        #[graphql(desc = "Items per page, 1 to 500 (default 50).")] first: Option<i32>,
        #[graphql(desc = "The cursor of the last edge of the previous page.")] after: Option<
            String,
        >,
    ) -> Result<Connection<String, Organization, OrganizationTotals>> {
        let (db, caller) = request(ctx)?;
        let filter = OrganizationFilter {
            kind: kind.map(Into::into),
            country: query_value("country", country.as_deref(), CountryCode::parse).gql()?,
        };
        let request = page(first, after.as_deref())?;
        let items = service::organizations::list(db, caller, &filter, &request)
            .await
            .gql()?;
        Ok(connection(
            items,
            after.is_some(),
            OrganizationTotals(filter),
            |o| o.id.0,
            Organization,
        ))
    }

    /// One organization, or null when there is none with this id.
    async fn organization(&self, ctx: &Context<'_>, id: Uuid) -> Result<Option<Organization>> {
        let (db, caller) = request(ctx)?;
        Ok(
            found(service::organizations::get(db, caller, OrganizationId(id)).await)?
                .map(Organization),
        )
    }
}

changes::change_feed! {
    /// Every change to organizations after a change number, in the order made; deleted ones as
    /// `Deleted`. REST's `changed_after`, for clients that keep a copy.
    pub struct OrganizationChangesQuery;
    fn organization_changes(ctx, page) -> OrganizationChange {
        let (db, caller) = request(ctx)?;
        service::organizations::list(db, caller, &OrganizationFilter::default(), &page)
            .await
            .gql()?
    }
    kind: NodeKind::Organization,
    change_seq: |x| x.meta.change_seq,
    node: |x| Organization(x).into(),
}
