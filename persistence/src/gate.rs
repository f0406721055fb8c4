//! What a token is checked against besides its signature: the revocations, and the kind of the
//! organization it names. Both are small (a revocation is copied only until the token it names
//! expires; organizations are a few dozen), so each replica keeps a copy in memory and reloads it
//! once it is [`FRESH_FOR`] old: one round trip per replica per second, none per request.
//!
//! A revocation recorded on this replica (or an organization written here) is seen from the next
//! request on; one recorded on another replica within about a second. When the copy can't be
//! reloaded it is trusted for [`TRUSTED_FOR`] at most; after that every request is refused as
//! unavailable until the database answers again (fail closed).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use gloact_domain::organization::OrganizationKind;

use crate::db::Db;
use crate::error::StoreError;
use crate::schema::{organization, revoked_subject, revoked_token};

/// How old a copy may be before a request reloads it.
const FRESH_FOR: Duration = Duration::from_secs(1);

/// How old a copy may be, when reloading fails, and still be used.
const TRUSTED_FOR: Duration = Duration::from_secs(2);

/// How old a copy must be before a token naming an organization it lacks reloads it (a token
/// minted for an organization created a moment ago); bounds the reloads such tokens cause.
const MISS_RELOAD_AFTER: Duration = Duration::from_millis(100);

/// What a token's claims come to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Not revoked; its organization exists and is of this kind.
    Good(OrganizationKind),
    /// Revoked, by its id or with every token of its subject.
    Revoked,
    /// Its organization does not exist.
    UnknownOrganization,
}

/// One replica's copy of the revocations and organizations. Every clone of a [`Db`] shares it.
#[derive(Debug, Default)]
pub struct Gate {
    copy: RwLock<Option<Arc<Copy>>>,
    /// Held while reloading, so that requests arriving meanwhile wait for one reload.
    reloading: tokio::sync::Mutex<()>,
}

#[derive(Debug)]
struct Copy {
    loaded: Instant,
    tokens: HashSet<String>,
    /// Tokens of these subjects issued before these times are revoked.
    subjects: HashMap<String, DateTime<Utc>>,
    kinds: HashMap<String, OrganizationKind>,
}

impl Gate {
    /// Forgets the copy: the next request reloads it. Called after every write of a revocation or
    /// an organization.
    pub(crate) fn forget(&self) {
        *self.copy.write().unwrap_or_else(|e| e.into_inner()) = None;
    }

    fn current(&self) -> Option<Arc<Copy>> {
        self.copy.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// A copy no older than `max_age`, reloaded if need be.
    async fn copy(&self, db: &Db, max_age: Duration) -> Result<Arc<Copy>, StoreError> {
        if let Some(copy) = self.current().filter(|c| c.loaded.elapsed() < max_age) {
            return Ok(copy);
        }
        let _reloading = self.reloading.lock().await;
        // Someone may have reloaded while this request waited.
        if let Some(copy) = self.current().filter(|c| c.loaded.elapsed() < max_age) {
            return Ok(copy);
        }
        match load(db).await {
            Ok(copy) => {
                let copy = Arc::new(copy);
                *self.copy.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::clone(&copy));
                Ok(copy)
            }
            Err(error) => match self.current().filter(|c| c.loaded.elapsed() < TRUSTED_FOR) {
                Some(copy) => {
                    tracing::warn!(%error, "revocations could not be reloaded; using the last copy");
                    Ok(copy)
                }
                None => Err(error),
            },
        }
    }
}

impl Db {
    /// Where a verified token stands: revoked or not, and what its organization is.
    pub async fn standing(
        &self,
        token_id: &str,
        subject: &str,
        issued_at: DateTime<Utc>,
        organization: &str,
    ) -> Result<Standing, StoreError> {
        let mut copy = self.gate().copy(self, FRESH_FOR).await?;
        if !copy.kinds.contains_key(organization) {
            copy = self.gate().copy(self, MISS_RELOAD_AFTER).await?;
        }
        let revoked = copy.tokens.contains(token_id)
            || copy
                .subjects
                .get(subject)
                .is_some_and(|not_before| issued_at < *not_before);
        Ok(match (revoked, copy.kinds.get(organization)) {
            (true, _) => Standing::Revoked,
            (false, None) => Standing::UnknownOrganization,
            (false, Some(kind)) => Standing::Good(*kind),
        })
    }
}

async fn load(db: &Db) -> Result<Copy, StoreError> {
    let mut conn = db.uncounted_conn().await?;
    // A revocation outlives its token by a minute at most (the token's expiry, past every
    // leeway): expired tokens are refused before they are looked up, so their revocations, which
    // stay in the table for the record, are not copied.
    let tokens = revoked_token::table
        .filter(revoked_token::expires_at.gt(Utc::now() - chrono::Duration::minutes(1)))
        .select(revoked_token::jti)
        .load::<String>(&mut conn)
        .await?;
    let subjects = revoked_subject::table
        .select((revoked_subject::subject, revoked_subject::not_before))
        .load::<(String, DateTime<Utc>)>(&mut conn)
        .await?;
    let kinds = organization::table
        .filter(organization::deleted_at.is_null())
        .select((organization::code, organization::kind))
        .load::<(String, String)>(&mut conn)
        .await?
        .into_iter()
        .map(|(code, kind)| {
            kind.parse()
                .map(|kind| (code, kind))
                .map_err(|_| StoreError::Internal(format!("unknown organization kind {kind}")))
        })
        .collect::<Result<_, _>>()?;
    Ok(Copy {
        loaded: Instant::now(),
        tokens: tokens.into_iter().collect(),
        subjects: subjects.into_iter().collect(),
        kinds,
    })
}
