//! The audit trail, for UNODC administrators, and the sealing that chains it.

use std::time::Duration;

use gloact_domain::policy::{Action, Resource};
use gloact_persistence::audit::{self, AuditEvent, AuditFilter, ChainReport};
use gloact_persistence::{Db, StoreError};

use super::{Caller, ServiceResult, authorize};
use crate::auth::{CheckpointKey, TokenService};

/// Events after `after_seq` matching the filter, oldest first; and whether more follow. Seals
/// first, so the trail shows every event committed before the call (this replica's queued reads
/// included).
pub async fn list(
    db: &Db,
    caller: &Caller,
    filter: &AuditFilter,
    after_seq: Option<i64>,
    limit: u16,
) -> ServiceResult<(Vec<AuditEvent>, bool)> {
    authorize(&caller.actor, Resource::AuditEvent, Action::Read)?;
    audit::flush_reads(db).await?;
    audit::seal(db).await?;
    Ok(audit::list(db, filter, after_seq, limit).await?)
}

/// Records that a kept answer naming the row `id` of `resource_type` (a case, a field report)
/// went out again, to a retry under the same `Idempotency-Key`: a read like any other.
pub async fn record_replayed_read(
    db: &Db,
    caller: &Caller,
    resource_type: &'static str,
    id: String,
) -> ServiceResult<()> {
    super::audit_restricted_reads(db, caller, resource_type, vec![id]).await
}

/// The background upkeep of a replica, every `interval` until the task is dropped: seals what
/// committed since the last run and signs a checkpoint of the new head, and folds the
/// dashboards' counts. A failed run is logged and tried again next time: an event waits, it is
/// never lost (it is in the table already), and unfolded counts are still read.
pub async fn keep_up(db: Db, key: CheckpointKey, interval: Duration) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        if let Err(error) = seal_and_sign(&db, &key).await {
            tracing::warn!(%error, "sealing the audit trail failed; trying again");
        }
        if let Err(error) = gloact_persistence::activities::aggregates::fold_tally(&db).await {
            tracing::warn!(%error, "folding the dashboards' counts failed; trying again");
        }
    }
}

/// One sealing run: chain, then checkpoint the head.
pub async fn seal_and_sign(db: &Db, key: &CheckpointKey) -> Result<audit::Sealed, StoreError> {
    let sealed = audit::seal(db).await?;
    audit::checkpoint(db, key).await?;
    if sealed.events > 0 {
        tracing::debug!(events = sealed.events, head = ?sealed.head.as_ref().map(|h| h.0), "audit trail sealed");
    }
    Ok(sealed)
}

/// What `gloact audit verify` found: the chain, and the checkpoints whose signature no known key
/// verifies.
#[derive(Debug)]
pub struct Verification {
    /// The chain's check.
    pub chain: ChainReport,
    /// Checkpoints (their `seq`) signed by an unknown key or with a bad signature.
    pub bad_signatures: Vec<i64>,
}

/// Checks the chain and every checkpoint's signature against the keys `tokens` knows (the
/// signing key and the retired ones).
pub async fn verify(db: &Db, tokens: &TokenService) -> Result<Verification, StoreError> {
    let chain = audit::verify(db).await?;
    let bad_signatures = chain
        .checkpoints
        .iter()
        .filter(|c| {
            !tokens
                .public_key(&c.key_id)
                .is_some_and(|key| key.verifies(&c.message(), &c.signature))
        })
        .map(|c| c.seq)
        .collect();
    Ok(Verification {
        chain,
        bad_signatures,
    })
}
