//! Idempotency keys: the first request under a key runs, and its answer is kept for retries.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::Db;
use crate::error::StoreError;
use crate::schema::idempotency_key;

/// How long keys are kept (the draft asks for at least a day).
pub const KEEP: Duration = Duration::hours(24);

/// A request still running after this long was abandoned (the server stopped mid-way): a retry
/// may take it over.
pub const ABANDONED_AFTER: Duration = Duration::seconds(60);

/// A kept answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptAnswer {
    /// The HTTP status.
    pub status: u16,
    /// Its `ETag`.
    pub etag: Option<String>,
    /// Its `Location`.
    pub location: Option<String>,
    /// Its `Content-Type`.
    pub content_type: Option<String>,
    /// Its body, byte for byte as first sent.
    pub body: Vec<u8>,
}

/// What a request under a key should do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// Run: this request owns the key now, under this claim.
    Run(Uuid),
    /// Answer with what the first request answered.
    Replay(KeptAnswer),
    /// The key was used for a different request.
    Mismatch,
    /// The first request is still running.
    InProgress,
}

#[derive(Queryable)]
struct KeyRow {
    fingerprint: String,
    started_at: DateTime<Utc>,
    status_code: Option<i32>,
    etag: Option<String>,
    location: Option<String>,
    content_type: Option<String>,
    body: Option<Vec<u8>>,
}

/// Claims `key` of `owner` for a request with these fingerprints: the first is stored; any of
/// them matches a stored one (the others are under retired keys, for requests sent before a
/// rotation).
pub async fn claim(
    db: &Db,
    owner: &str,
    key: &str,
    fingerprints: &[String],
) -> Result<Claim, StoreError> {
    let fingerprint = fingerprints
        .first()
        .ok_or_else(|| StoreError::Internal("a claim needs a fingerprint".into()))?;
    let mut conn = db.conn().await?;
    conn.transaction(async |conn| {
        let claim = Uuid::new_v4();
        let inserted = diesel::insert_into(idempotency_key::table)
            .values((
                idempotency_key::owner.eq(owner),
                idempotency_key::key.eq(key),
                idempotency_key::fingerprint.eq(fingerprint),
                idempotency_key::claim.eq(claim),
            ))
            .on_conflict_do_nothing()
            .execute(conn)
            .await?;
        if inserted == 1 {
            return Ok(Claim::Run(claim));
        }
        let row: KeyRow = idempotency_key::table
            .filter(idempotency_key::owner.eq(owner))
            .filter(idempotency_key::key.eq(key))
            .select((
                idempotency_key::fingerprint,
                idempotency_key::started_at,
                idempotency_key::status_code,
                idempotency_key::etag,
                idempotency_key::location,
                idempotency_key::content_type,
                idempotency_key::body,
            ))
            .for_update()
            .first(conn)
            .await?;
        let now = Utc::now();
        let expired = row.started_at < now - KEEP;
        let abandoned = row.status_code.is_none() && row.started_at < now - ABANDONED_AFTER;
        if expired || abandoned {
            // A key past its keeping time starts afresh; an abandoned request is taken over.
            diesel::update(
                idempotency_key::table
                    .filter(idempotency_key::owner.eq(owner))
                    .filter(idempotency_key::key.eq(key)),
            )
            .set((
                idempotency_key::fingerprint.eq(fingerprint),
                idempotency_key::claim.eq(claim),
                idempotency_key::started_at.eq(diesel::dsl::now),
                idempotency_key::status_code.eq(None::<i32>),
                idempotency_key::body.eq(None::<Vec<u8>>),
                idempotency_key::completed_at.eq(None::<DateTime<Utc>>),
            ))
            .execute(conn)
            .await?;
            return Ok(Claim::Run(claim));
        }
        if !fingerprints.contains(&row.fingerprint) {
            return Ok(Claim::Mismatch);
        }
        Ok(match row.status_code {
            None => Claim::InProgress,
            Some(status) => Claim::Replay(KeptAnswer {
                status: u16::try_from(status).unwrap_or(500),
                etag: row.etag,
                location: row.location,
                content_type: row.content_type,
                body: row.body.unwrap_or_default(),
            }),
        })
    })
    .await
}

/// Keeps the answer of the run that still owns the key (a run taken over keeps nothing).
pub async fn complete(
    db: &Db,
    owner: &str,
    key: &str,
    claim: Uuid,
    answer: &KeptAnswer,
) -> Result<(), StoreError> {
    let mut conn = db.conn().await?;
    diesel::update(
        idempotency_key::table
            .filter(idempotency_key::owner.eq(owner))
            .filter(idempotency_key::key.eq(key))
            .filter(idempotency_key::claim.eq(claim)),
    )
    .set((
        idempotency_key::status_code.eq(i32::from(answer.status)),
        idempotency_key::etag.eq(&answer.etag),
        idempotency_key::location.eq(&answer.location),
        idempotency_key::content_type.eq(&answer.content_type),
        idempotency_key::body.eq(&answer.body),
        idempotency_key::completed_at.eq(diesel::dsl::now),
    ))
    .execute(&mut conn)
    .await?;
    Ok(())
}

/// Lets go of a key whose run failed on our side, so that a retry runs again (unless another run
/// owns it by now).
pub async fn release(db: &Db, owner: &str, key: &str, claim: Uuid) -> Result<(), StoreError> {
    let mut conn = db.conn().await?;
    diesel::delete(
        idempotency_key::table
            .filter(idempotency_key::owner.eq(owner))
            .filter(idempotency_key::key.eq(key))
            .filter(idempotency_key::claim.eq(claim)),
    )
    .execute(&mut conn)
    .await?;
    Ok(())
}

/// Forgets keys past their keeping time; returns how many.
pub async fn purge_expired(db: &Db) -> Result<usize, StoreError> {
    let mut conn = db.conn().await?;
    Ok(diesel::delete(
        idempotency_key::table.filter(idempotency_key::started_at.lt(Utc::now() - KEEP)),
    )
    .execute(&mut conn)
    .await?)
}
