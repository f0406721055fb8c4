//! The identity of a case, sealed apart from it (see [`crate::sealed`]): stored only with the
//! person's consent, opened only for those the service lets read it, resealed after a key
//! rotation.

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use gloact_domain::ValueError;
use gloact_domain::case::{Case, Email, Identity, Phone};
use gloact_domain::policy::CaseScope;
use gloact_domain::value::{Narrative, Title};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::read::find;
use super::write::{current_for_write, touch};
use crate::audit::{Audit, Entry, append};
use crate::db::Db;
use crate::error::StoreError;
use crate::schema::case_identity;
use crate::sealed::SealingKey;

/// An identity as sealed: plain JSON inside the ciphertext. No `Debug`: it holds the values.
#[derive(Serialize, Deserialize)]
struct SealedIdentity {
    given_name: Option<String>,
    family_name: Option<String>,
    other_names: Option<String>,
    birth_date: Option<NaiveDate>,
    phone: Option<String>,
    email: Option<String>,
    address: Option<String>,
}

impl From<&Identity> for SealedIdentity {
    fn from(i: &Identity) -> Self {
        Self {
            given_name: i.given_name.as_ref().map(|v| v.as_str().to_owned()),
            family_name: i.family_name.as_ref().map(|v| v.as_str().to_owned()),
            other_names: i.other_names.as_ref().map(|v| v.as_str().to_owned()),
            birth_date: i.birth_date,
            phone: i.phone.as_ref().map(|v| v.as_str().to_owned()),
            email: i.email.as_ref().map(|v| v.as_str().to_owned()),
            address: i.address.as_ref().map(|v| v.as_str().to_owned()),
        }
    }
}

impl TryFrom<SealedIdentity> for Identity {
    type Error = ValueError;

    fn try_from(s: SealedIdentity) -> Result<Self, ValueError> {
        Ok(Self {
            given_name: s.given_name.as_deref().map(Title::parse).transpose()?,
            family_name: s.family_name.as_deref().map(Title::parse).transpose()?,
            other_names: s.other_names.as_deref().map(Title::parse).transpose()?,
            birth_date: s.birth_date,
            phone: s.phone.as_deref().map(Phone::parse).transpose()?,
            email: s.email.as_deref().map(Email::parse).transpose()?,
            address: s.address.as_deref().map(Narrative::parse).transpose()?,
        })
    }
}

pub(super) async fn seal_identity(
    conn: &mut AsyncPgConnection,
    case_id: Uuid,
    identity: &Identity,
    key: &SealingKey,
) -> Result<(), StoreError> {
    let plaintext = serde_json::to_vec(&SealedIdentity::from(identity))
        .map_err(|e| StoreError::Internal(e.to_string()))?;
    let (nonce, ciphertext) = key.seal(case_id, &plaintext)?;
    diesel::insert_into(case_identity::table)
        .values((
            case_identity::case_id.eq(case_id),
            case_identity::key_id.eq(key.id()),
            case_identity::nonce.eq(&nonce),
            case_identity::ciphertext.eq(&ciphertext),
        ))
        .on_conflict(case_identity::case_id)
        .do_update()
        .set((
            case_identity::key_id.eq(key.id()),
            case_identity::nonce.eq(&nonce),
            case_identity::ciphertext.eq(&ciphertext),
            case_identity::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Seals again with `key` every identity sealed with one of its retired keys, a hundred per
/// transaction, each batch on the audit trail; how many. Run after rotating the key, before the
/// old one leaves `pii.retired_key_files`. An identity sealed with a key `key` doesn't know
/// stops it with an error naming that key (nothing of the batch is written).
pub async fn reseal_identities(
    db: &Db,
    key: &SealingKey,
    audit: &Audit,
) -> Result<u64, StoreError> {
    const BATCH: i64 = 100;
    let mut conn = db.conn().await?;
    let mut resealed = 0;
    loop {
        let batch = conn
            .transaction(async |conn| {
                let rows: Vec<(Uuid, String, Vec<u8>, Vec<u8>)> = case_identity::table
                    .filter(case_identity::key_id.ne(key.id()))
                    .select((
                        case_identity::case_id,
                        case_identity::key_id,
                        case_identity::nonce,
                        case_identity::ciphertext,
                    ))
                    .order(case_identity::case_id)
                    .limit(BATCH)
                    .for_update()
                    .load(conn)
                    .await?;
                for (case_id, key_id, nonce, ciphertext) in &rows {
                    // The case is named so the operator can find what stops the run.
                    let plaintext = key.open(*case_id, key_id, nonce, ciphertext).map_err(|e| {
                        StoreError::Corrupt(format!("the identity of case {case_id}: {e}"))
                    })?;
                    let (nonce, ciphertext) = key.seal(*case_id, &plaintext)?;
                    diesel::update(case_identity::table.filter(case_identity::case_id.eq(case_id)))
                        .set((
                            case_identity::key_id.eq(key.id()),
                            case_identity::nonce.eq(nonce),
                            case_identity::ciphertext.eq(ciphertext),
                            case_identity::updated_at.eq(Utc::now()),
                        ))
                        .execute(conn)
                        .await?;
                }
                if !rows.is_empty() {
                    let ids = rows.iter().map(|r| r.0.to_string()).collect();
                    append(
                        conn,
                        audit,
                        vec![Entry::many("reseal", "case_identity", ids)],
                    )
                    .await?;
                }
                Ok::<_, StoreError>(rows.len())
            })
            .await?;
        if batch == 0 {
            return Ok(resealed);
        }
        resealed += batch as u64;
    }
}

/// How many identities are sealed with another key than `key`: 0 once `gloact reseal` is done
/// and no server seals with an old key any more.
pub async fn identities_not_under(db: &Db, key: &SealingKey) -> Result<i64, StoreError> {
    let mut conn = db.conn().await?;
    Ok(case_identity::table
        .filter(case_identity::key_id.ne(key.id()))
        .count()
        .get_result(&mut conn)
        .await?)
}

/// The identity of a case, opened with `key`; `None` when none is stored.
pub async fn identity(
    db: &Db,
    case_id: Uuid,
    key: &SealingKey,
) -> Result<Option<Identity>, StoreError> {
    let mut conn = db.conn().await?;
    find(&mut conn, &CaseScope::All, case_id).await?;
    let sealed: Option<(String, Vec<u8>, Vec<u8>)> = case_identity::table
        .filter(case_identity::case_id.eq(case_id))
        .select((
            case_identity::key_id,
            case_identity::nonce,
            case_identity::ciphertext,
        ))
        .first(&mut conn)
        .await
        .optional()?;
    let Some((key_id, nonce, ciphertext)) = sealed else {
        return Ok(None);
    };
    let plaintext = key.open(case_id, &key_id, &nonce, &ciphertext)?;
    // The messages of these errors could quote the opened values: only the case is named.
    let sealed: SealedIdentity = serde_json::from_slice(&plaintext).map_err(|_| {
        StoreError::Corrupt(format!("the identity of case {case_id} does not decode"))
    })?;
    Identity::try_from(sealed)
        .map(Some)
        .map_err(|_| StoreError::Corrupt(format!("the identity of case {case_id} does not parse")))
}

/// Stores (or replaces) the identity of a case whose person consented, at the case's version the
/// writer read.
pub async fn put_identity(
    db: &Db,
    case_id: Uuid,
    expected_version: i32,
    identity: &Identity,
    key: &SealingKey,
    audit: &Audit,
) -> Result<Case, StoreError> {
    let mut conn = db.conn().await?;
    conn.transaction(async |conn| {
        let current = current_for_write(conn, case_id, Some(expected_version)).await?;
        current
            .check_may_hold_identity()
            .map_err(|e| StoreError::invalid("consent", e))?;
        seal_identity(conn, case_id, identity, key).await?;
        touch(conn, case_id).await?;
        let action = if current.has_identity {
            "update"
        } else {
            "create"
        };
        append(
            conn,
            audit,
            vec![Entry::new(action, "case_identity", case_id)],
        )
        .await?;
        find(conn, &CaseScope::All, case_id).await
    })
    .await
}

/// Erases the identity of a case, at the case's version the writer read.
pub async fn erase_identity(
    db: &Db,
    case_id: Uuid,
    expected_version: i32,
    audit: &Audit,
) -> Result<Case, StoreError> {
    let mut conn = db.conn().await?;
    conn.transaction(async |conn| {
        let current = current_for_write(conn, case_id, Some(expected_version)).await?;
        if !current.has_identity {
            return Err(StoreError::NotFound);
        }
        diesel::delete(case_identity::table.filter(case_identity::case_id.eq(case_id)))
            .execute(conn)
            .await?;
        touch(conn, case_id).await?;
        append(
            conn,
            audit,
            vec![Entry::new("erase", "case_identity", case_id)],
        )
        .await?;
        find(conn, &CaseScope::All, case_id).await
    })
    .await
}
