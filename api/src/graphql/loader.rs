//! DataLoaders: every relation a query follows is loaded for all the rows of a level at once,
//! through the service layer (which decides access and scopes the SQL), never row by row.
//!
//! Loaders are made per request, for its caller: what one caller may see is never cached for
//! another. Within the request they cache, so a row asked for by many resolvers is loaded once,
//! and a page can prime them (see `activities`): how many statements a query runs then depends
//! on its shape, not on how its resolvers happen to interleave with the loaders' delay.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use async_graphql::{Lookahead, Result};
use gloact_domain::activity::ActivityDetail;
use gloact_domain::organization::Organization;
use gloact_domain::programme::Programme;
use gloact_domain::{ActivityId, OrganizationId, ProgrammeId};
use gloact_persistence::Db;

use super::errors::service_error;
use crate::service::{self, Caller};

/// How long a loader waits to collect keys before it queries: each level of a query that goes
/// through a loader waits this long once, so a long wait adds up (async-graphql issue 1306).
/// Lists prime the loaders of what their items refer to, so batching does not depend on it.
pub const LOADER_DELAY: Duration = Duration::from_millis(2);

/// Keys per query: a page holds at most 500 rows, so one level is one query.
const MAX_BATCH: usize = 1_000;

/// The loaders of one request.
pub struct Loaders {
    /// Activities by id (a part's parent, a follow-up action's activity).
    pub activities: DataLoader<ActivityLoader, HashMapCache>,
    /// The parts of activities, by the parent's id.
    pub parts: DataLoader<PartsLoader, HashMapCache>,
    /// Organizations by id.
    pub organizations: DataLoader<OrganizationLoader, HashMapCache>,
    /// Programmes by id.
    pub programmes: DataLoader<ProgrammeLoader, HashMapCache>,
}

impl std::fmt::Debug for Loaders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Loaders").finish_non_exhaustive()
    }
}

impl Loaders {
    /// The loaders of a request by `caller`.
    pub fn new(db: &Db, caller: &Caller) -> Self {
        let of = |db: &Db, caller: &Caller| Scoped {
            db: db.clone(),
            caller: caller.clone(),
        };
        Self {
            activities: loader(ActivityLoader(of(db, caller))),
            parts: loader(PartsLoader(of(db, caller))),
            organizations: loader(OrganizationLoader(of(db, caller))),
            programmes: loader(ProgrammeLoader(of(db, caller))),
        }
    }
}

impl Loaders {
    /// Turns the caches off, for a connection that lives long (a subscription).
    pub fn uncached(&self) {
        self.activities.enable_all_cache(false);
        self.parts.enable_all_cache(false);
        self.organizations.enable_all_cache(false);
        self.programmes.enable_all_cache(false);
    }
}

fn loader<T: Send + Sync + 'static>(inner: T) -> DataLoader<T, HashMapCache> {
    DataLoader::with_cache(inner, tokio::spawn, HashMapCache::default())
        .delay(LOADER_DELAY)
        .max_batch_size(MAX_BATCH)
}

/// The database and the caller a loader loads for.
#[derive(Debug, Clone)]
pub struct Scoped {
    db: Db,
    caller: Caller,
}

/// Loads activities by id; those the caller may not see are absent.
#[derive(Debug)]
pub struct ActivityLoader(Scoped);

impl Loader<ActivityId> for ActivityLoader {
    type Value = ActivityDetail;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[ActivityId],
    ) -> Result<HashMap<ActivityId, ActivityDetail>, Self::Error> {
        let found = service::activities::get_many(&self.0.db, &self.0.caller, keys)
            .await
            .map_err(service_error)?;
        Ok(found.into_iter().map(|d| (d.activity.id, d)).collect())
    }
}

/// Loads the parts of activities by the parent's id; parts the caller may not see are absent.
#[derive(Debug)]
pub struct PartsLoader(Scoped);

impl Loader<ActivityId> for PartsLoader {
    type Value = Vec<ActivityDetail>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[ActivityId],
    ) -> Result<HashMap<ActivityId, Vec<ActivityDetail>>, Self::Error> {
        let found = service::activities::parts_of(&self.0.db, &self.0.caller, keys)
            .await
            .map_err(service_error)?;
        // Every key gets an answer, none included, so that it is cached.
        let mut by_parent: HashMap<ActivityId, Vec<ActivityDetail>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for part in found {
            if let Some(parent) = part.activity.parent_id {
                by_parent.entry(parent).or_default().push(part);
            }
        }
        Ok(by_parent)
    }
}

/// Loads organizations by id.
#[derive(Debug)]
pub struct OrganizationLoader(Scoped);

impl Loader<OrganizationId> for OrganizationLoader {
    type Value = Organization;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[OrganizationId],
    ) -> Result<HashMap<OrganizationId, Organization>, Self::Error> {
        let found = service::organizations::get_many(&self.0.db, &self.0.caller, keys)
            .await
            .map_err(service_error)?;
        Ok(found.into_iter().map(|o| (o.id, o)).collect())
    }
}

/// Loads programmes by id.
#[derive(Debug)]
pub struct ProgrammeLoader(Scoped);

impl Loader<ProgrammeId> for ProgrammeLoader {
    type Value = Programme;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[ProgrammeId],
    ) -> Result<HashMap<ProgrammeId, Programme>, Self::Error> {
        let found = service::programmes::get_many(&self.0.db, &self.0.caller, keys)
            .await
            .map_err(service_error)?;
        Ok(found.into_iter().map(|p| (p.id, p)).collect())
    }
}

/// Loads what the activities of a page refer to, where the query asks for it, for the whole page
/// at once (one batch per relation), before any of them is resolved: they then find it in the
/// request's loaders, and a level of the query costs one batch however many rows it has. What
/// the activities hold themselves (the follow-up actions' activity) is fed to the loaders
/// without a query. `node` is where the query selects the activities' fields.
pub async fn prime(loaders: &Loaders, node: Lookahead<'_>, items: &[ActivityDetail]) -> Result<()> {
    if items.is_empty() || !node.exists() {
        return Ok(());
    }
    if node.field("followUpActions").field("activity").exists() {
        loaders
            .activities
            .feed_many(items.iter().map(|d| (d.activity.id, d.clone())))
            .await;
    }
    let programmes = async {
        if node.field("programme").exists() {
            let ids: HashSet<_> = items.iter().map(|d| d.activity.programme_id).collect();
            loaders.programmes.load_many(ids).await?;
        }
        Ok::<_, async_graphql::Error>(())
    };
    let parents = async {
        if node.field("parent").exists() {
            let ids: HashSet<_> = items.iter().filter_map(|d| d.activity.parent_id).collect();
            loaders.activities.load_many(ids).await?;
        }
        Ok(())
    };
    let parts = async {
        if node.field("parts").exists() {
            let ids = items.iter().map(|d| d.activity.id);
            loaders.parts.load_many(ids).await?;
        }
        Ok(())
    };
    let organization = node.field("participations").field("organization");
    let owner = node.field("followUpActions").field("owner");
    let mut ids = HashSet::new();
    for d in items {
        ids.extend(d.participations.iter().map(|p| p.organization_id));
        ids.extend(d.follow_ups.iter().map(|f| f.owner_id));
    }
    let selections = [organization, owner];
    let organizations = prime_organizations(loaders, &selections, ids);
    futures_util::try_join!(programmes, parents, parts, organizations)?;
    Ok(())
}

/// Loads the organizations with these ids where any of `selections` asks for them, with their
/// parents where asked for too.
pub async fn prime_organizations(
    loaders: &Loaders,
    selections: &[Lookahead<'_>],
    ids: HashSet<OrganizationId>,
) -> Result<()> {
    if !selections.iter().any(Lookahead::exists) {
        return Ok(());
    }
    let found = loaders.organizations.load_many(ids).await?;
    if selections.iter().any(|s| s.field("parent").exists()) {
        let parents: HashSet<_> = found.values().filter_map(|o| o.parent_id).collect();
        loaders.organizations.load_many(parents).await?;
    }
    Ok(())
}
