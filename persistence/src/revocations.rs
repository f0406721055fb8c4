//! Revoked tokens, by `jti`, and subjects all of whose tokens were revoked: every replica
//! checks tokens against them (through [`crate::gate`]).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};

use crate::audit::{Audit, Entry, append};
use crate::db::Db;
use crate::error::StoreError;
use crate::schema::{revoked_subject, revoked_token};

/// A revocation to record.
#[derive(Debug, Clone)]
pub struct Revocation {
    /// The token's id.
    pub jti: String,
    /// When the token expires at the latest; the row may go after that.
    pub expires_at: DateTime<Utc>,
    /// Who revoked it.
    pub revoked_by: String,
    /// Why.
    pub reason: Option<String>,
}

/// Records a revocation; revoking a revoked token again changes nothing.
pub async fn revoke(db: &Db, revocation: &Revocation, audit: &Audit) -> Result<(), StoreError> {
    let mut conn = db.conn().await?;
    let written = conn
        .transaction(async |conn| {
            diesel::insert_into(revoked_token::table)
                .values((
                    revoked_token::jti.eq(&revocation.jti),
                    revoked_token::expires_at.eq(revocation.expires_at),
                    revoked_token::revoked_by.eq(&revocation.revoked_by),
                    revoked_token::reason.eq(&revocation.reason),
                ))
                .on_conflict(revoked_token::jti)
                .do_nothing()
                .execute(conn)
                .await?;
            append(
                conn,
                audit,
                vec![Entry::new("revoke", "token", &revocation.jti)],
            )
            .await
        })
        .await;
    // Tokens are checked against this from the next request on.
    db.gate().forget();
    written
}

/// Revokes every token of `subject` issued until now, in the caller's transaction.
pub(crate) async fn revoke_subject(
    conn: &mut diesel_async::AsyncPgConnection,
    subject: &str,
) -> Result<(), StoreError> {
    diesel::insert_into(revoked_subject::table)
        .values((
            revoked_subject::subject.eq(subject),
            revoked_subject::not_before.eq(diesel::dsl::now),
        ))
        .on_conflict(revoked_subject::subject)
        .do_update()
        .set(revoked_subject::not_before.eq(diesel::dsl::now))
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets revocations of tokens that have expired anyway; returns how many.
pub async fn purge_expired(db: &Db) -> Result<usize, StoreError> {
    let mut conn = db.conn().await?;
    Ok(
        diesel::delete(revoked_token::table.filter(revoked_token::expires_at.lt(diesel::dsl::now)))
            .execute(&mut conn)
            .await?,
    )
}
