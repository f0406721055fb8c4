//! The audit trail: append-only, hash-chained events of every write and every read of restricted
//! data, written in the transaction of the write they record.

use chrono::{DateTime, SubsecRound, Utc};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use sha2::{Digest, Sha256};

use crate::db::Db;
use crate::error::StoreError;
use crate::schema::audit_event;

/// The advisory lock that orders appends, so each event chains onto the one before it.
const AUDIT_LOCK: i64 = 7_243_003;

/// The `prev_hash` of the first event.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who acts, and in which request: the part of every event that comes from the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audit {
    /// The token's subject (or `cli:<user>` for the command line).
    pub actor: String,
    /// The caller's role.
    pub role: String,
    /// The caller's organization code.
    pub organization: String,
    /// The request's id, when there is a request.
    pub request_id: Option<String>,
}

/// What one event records about the resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// `create`, `update`, `delete`, `read`, `revoke`, …
    pub action: &'static str,
    /// `organization`, `activity`, …
    pub resource_type: &'static str,
    /// The resource's id.
    pub resource_id: Option<String>,
    /// The ids of several resources read at once (a page).
    pub resource_ids: Vec<String>,
    /// The fields a write changed.
    pub changed_fields: Vec<&'static str>,
}

impl Entry {
    /// An event about one resource.
    pub fn new(
        action: &'static str,
        resource_type: &'static str,
        resource_id: impl ToString,
    ) -> Self {
        Self {
            action,
            resource_type,
            resource_id: Some(resource_id.to_string()),
            resource_ids: Vec::new(),
            changed_fields: Vec::new(),
        }
    }

    /// One event about several resources, e.g. the rows of a page that was read.
    pub fn many(action: &'static str, resource_type: &'static str, ids: Vec<String>) -> Self {
        Self {
            action,
            resource_type,
            resource_id: None,
            resource_ids: ids,
            changed_fields: Vec::new(),
        }
    }

    /// The same event naming the fields that changed.
    pub fn changing(mut self, fields: Vec<&'static str>) -> Self {
        self.changed_fields = fields;
        self
    }
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = audit_event, check_for_backend(diesel::pg::Pg))]
pub struct AuditEvent {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When.
    pub occurred_at: DateTime<Utc>,
    /// Who.
    pub actor: String,
    /// In which role.
    pub role: String,
    /// For which organization.
    pub organization: String,
    /// What they did.
    pub action: String,
    /// To what kind of resource.
    pub resource_type: String,
    /// To which one.
    pub resource_id: Option<String>,
    /// To which ones, for an event about several.
    pub resource_ids: Vec<String>,
    /// In which request.
    pub request_id: Option<String>,
    /// The fields a write changed.
    pub changed_fields: Vec<String>,
    /// The hash of the event before.
    pub prev_hash: String,
    /// SHA-256 over this event's fields and `prev_hash`.
    pub hash: String,
}

impl AuditEvent {
    /// The hash this event must carry: SHA-256 over its fields in a fixed JSON form (so no
    /// field's text can pass for another's) and the previous event's hash.
    fn expected_hash(&self) -> String {
        let canonical = serde_json::json!([
            self.prev_hash,
            self.seq,
            self.occurred_at
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            self.actor,
            self.role,
            self.organization,
            self.action,
            self.resource_type,
            self.resource_id,
            self.resource_ids,
            self.request_id,
            self.changed_fields,
        ]);
        Sha256::digest(canonical.to_string().as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// Appends events in the caller's transaction: takes the audit lock, chains onto the last event.
/// This relies on READ COMMITTED (PostgreSQL's default): the last event is read after the lock is
/// held, so it is the last committed one; under REPEATABLE READ an older snapshot could be read.
pub(crate) async fn append(
    conn: &mut AsyncPgConnection,
    audit: &Audit,
    entries: Vec<Entry>,
) -> Result<(), StoreError> {
    if entries.is_empty() {
        return Ok(());
    }
    diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
        .bind::<BigInt, _>(AUDIT_LOCK)
        .execute(conn)
        .await?;
    let last: Option<(i64, String)> = audit_event::table
        .order(audit_event::seq.desc())
        .select((audit_event::seq, audit_event::hash))
        .first(conn)
        .await
        .optional()?;
    let (mut seq, mut prev_hash) = last.unwrap_or((0, GENESIS.to_owned()));
    // Postgres keeps microseconds: the hash is over what is stored.
    let occurred_at = Utc::now().trunc_subsecs(6);
    let mut events = Vec::with_capacity(entries.len());
    for entry in entries {
        seq += 1;
        let mut event = AuditEvent {
            seq,
            occurred_at,
            actor: audit.actor.clone(),
            role: audit.role.clone(),
            organization: audit.organization.clone(),
            action: entry.action.to_owned(),
            resource_type: entry.resource_type.to_owned(),
            resource_id: entry.resource_id,
            resource_ids: entry.resource_ids,
            request_id: audit.request_id.clone(),
            changed_fields: entry
                .changed_fields
                .into_iter()
                .map(str::to_owned)
                .collect(),
            prev_hash: prev_hash.clone(),
            hash: String::new(),
        };
        event.hash = event.expected_hash();
        prev_hash = event.hash.clone();
        events.push(event);
    }
    let rows: Vec<_> = events
        .iter()
        .map(|e| {
            (
                audit_event::seq.eq(e.seq),
                audit_event::occurred_at.eq(e.occurred_at),
                audit_event::actor.eq(&e.actor),
                audit_event::role.eq(&e.role),
                audit_event::organization.eq(&e.organization),
                audit_event::action.eq(&e.action),
                audit_event::resource_type.eq(&e.resource_type),
                audit_event::resource_id.eq(&e.resource_id),
                audit_event::resource_ids.eq(&e.resource_ids),
                audit_event::request_id.eq(&e.request_id),
                audit_event::changed_fields.eq(&e.changed_fields),
                audit_event::prev_hash.eq(&e.prev_hash),
                audit_event::hash.eq(&e.hash),
            )
        })
        .collect();
    diesel::insert_into(audit_event::table)
        .values(&rows)
        .execute(conn)
        .await?;
    Ok(())
}

/// Appends events in a transaction of their own (for reads, which write nothing else).
pub async fn record(db: &Db, audit: &Audit, entries: Vec<Entry>) -> Result<(), StoreError> {
    if entries.is_empty() {
        return Ok(());
    }
    let mut conn = db.conn().await?;
    conn.transaction(async |conn| append(conn, audit, entries).await)
        .await
}

/// Filters of the audit trail.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only events by this subject.
    pub actor: Option<String>,
    /// Only this action.
    pub action: Option<String>,
    /// Only events about this kind of resource.
    pub resource_type: Option<String>,
    /// Only events about this resource.
    pub resource_id: Option<String>,
    /// Only events of this request.
    pub request_id: Option<String>,
    /// Only events at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Only events before this time.
    pub to: Option<DateTime<Utc>>,
}

/// Events after `after_seq`, oldest first, at most `limit`; plus whether more follow.
pub async fn list(
    db: &Db,
    filter: &AuditFilter,
    after_seq: Option<i64>,
    limit: u16,
) -> Result<(Vec<AuditEvent>, bool), StoreError> {
    let mut conn = db.conn().await?;
    let mut query = audit_event::table
        .select(AuditEvent::as_select())
        .into_boxed();
    if let Some(after) = after_seq {
        query = query.filter(audit_event::seq.gt(after));
    }
    if let Some(actor) = &filter.actor {
        query = query.filter(audit_event::actor.eq(actor.clone()));
    }
    if let Some(action) = &filter.action {
        query = query.filter(audit_event::action.eq(action.clone()));
    }
    if let Some(resource_type) = &filter.resource_type {
        query = query.filter(audit_event::resource_type.eq(resource_type.clone()));
    }
    if let Some(resource_id) = &filter.resource_id {
        // A resource read in a page is named in `resource_ids`.
        query = query.filter(
            audit_event::resource_id
                .eq(resource_id.clone())
                .or(audit_event::resource_ids.contains(vec![resource_id.clone()])),
        );
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_event::occurred_at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(audit_event::occurred_at.lt(to));
    }
    if let Some(request_id) = &filter.request_id {
        query = query.filter(audit_event::request_id.eq(request_id.clone()));
    }
    let mut events: Vec<AuditEvent> = query
        .order(audit_event::seq.asc())
        .limit(i64::from(limit) + 1)
        .load(&mut conn)
        .await?;
    let more = events.len() > usize::from(limit);
    events.truncate(usize::from(limit));
    Ok((events, more))
}

/// The hash of the event at `seq`, if there is one.
pub async fn hash_at(db: &Db, seq: i64) -> Result<Option<String>, StoreError> {
    let mut conn = db.conn().await?;
    Ok(audit_event::table
        .filter(audit_event::seq.eq(seq))
        .select(audit_event::hash)
        .first(&mut conn)
        .await
        .optional()?)
}

/// What a check of the chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    /// Events checked.
    pub events: u64,
    /// The last intact event: its position and hash. The chain can't show that events were cut
    /// off its end, so keep this head somewhere else and compare it on the next check.
    pub head: Option<(i64, String)>,
    /// The first event whose hash, link or position is wrong, and why.
    pub broken: Option<(i64, &'static str)>,
}

/// Walks the whole chain in order and recomputes every hash.
pub async fn verify(db: &Db) -> Result<ChainReport, StoreError> {
    const BATCH: i64 = 1000;
    let mut conn = db.conn().await?;
    let (mut expected_seq, mut prev_hash, mut checked) = (1i64, GENESIS.to_owned(), 0u64);
    let head = |checked: u64, seq: i64, hash: &str| (checked > 0).then(|| (seq, hash.to_owned()));
    loop {
        let events: Vec<AuditEvent> = audit_event::table
            .filter(audit_event::seq.ge(expected_seq))
            .order(audit_event::seq.asc())
            .limit(BATCH)
            .select(AuditEvent::as_select())
            .load(&mut conn)
            .await?;
        if events.is_empty() {
            return Ok(ChainReport {
                events: checked,
                head: head(checked, expected_seq - 1, &prev_hash),
                broken: None,
            });
        }
        for event in events {
            let broken = if event.seq != expected_seq {
                Some("an event is missing before this one")
            } else if event.prev_hash != prev_hash {
                Some("it does not link to the event before")
            } else if event.hash != event.expected_hash() {
                Some("its fields do not match its hash")
            } else {
                None
            };
            if let Some(why) = broken {
                return Ok(ChainReport {
                    events: checked,
                    head: head(checked, expected_seq - 1, &prev_hash),
                    broken: Some((expected_seq.min(event.seq), why)),
                });
            }
            checked += 1;
            expected_seq += 1;
            prev_hash = event.hash;
        }
    }
}
