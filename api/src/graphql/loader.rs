//! DataLoaders: every relation a query follows is loaded for all the rows of a level at once,
//! through the service layer (which decides access and scopes the SQL), never row by row.
//!
//! Loaders are made per request, for its caller: what one caller may see is never cached for
//! another. Within the request they cache, so a row asked for by many resolvers is loaded once,
//! and a page can prime them (see `activities`): how many statements a query runs then depends
//! on its shape, not on how its resolvers happen to interleave with the loaders' delay.

use std::collections::HashMap;
use std::time::Duration;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
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
