//! The audit trail: append-only, hash-chained events of every write and every read of restricted
//! data, written in the transaction of the write they record.
//!
//! Writers take no lock: an event is inserted with a position from the change clock (`pos`, see
//! the `lock_free_changes` migration) and nothing else. [`seal`] chains the events afterwards,
//! one sealer at a time across replicas, in position order and only below the change horizon,
//! so the order is fixed once and for all: an event that commits later always has a later
//! position than every event already sealed. Each sealing run can leave a checkpoint of the
//! chain's head signed with a key the database never holds.

use chrono::{DateTime, SubsecRound, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use sha2::{Digest, Sha256};

use crate::db::Db;
use crate::error::StoreError;
use crate::schema::{audit_checkpoint, audit_event};

/// The advisory lock held by the one sealer at work, so each event chains onto the one before it.
const SEAL_LOCK: i64 = 7_243_003;

/// Most events sealed in one transaction.
const SEAL_BATCH: i64 = 1000;

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

/// A sealed event: one with its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// An event as stored: sealed, or still waiting for its place in the chain.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_event, check_for_backend(diesel::pg::Pg))]
struct EventRow {
    pos: i64,
    seq: Option<i64>,
    occurred_at: DateTime<Utc>,
    actor: String,
    role: String,
    organization: String,
    action: String,
    resource_type: String,
    resource_id: Option<String>,
    resource_ids: Vec<String>,
    request_id: Option<String>,
    changed_fields: Vec<String>,
    prev_hash: Option<String>,
    hash: Option<String>,
}

impl EventRow {
    /// The event with its place in the chain: `seq` after `prev_hash`.
    fn chained(self, seq: i64, prev_hash: String) -> AuditEvent {
        let mut event = AuditEvent {
            seq,
            occurred_at: self.occurred_at,
            actor: self.actor,
            role: self.role,
            organization: self.organization,
            action: self.action,
            resource_type: self.resource_type,
            resource_id: self.resource_id,
            resource_ids: self.resource_ids,
            request_id: self.request_id,
            changed_fields: self.changed_fields,
            prev_hash,
            hash: String::new(),
        };
        event.hash = event.expected_hash();
        event
    }

    /// The sealed event, as stored (its hash not checked).
    fn sealed(self) -> Result<AuditEvent, StoreError> {
        let (Some(seq), Some(prev_hash), Some(hash)) =
            (self.seq, self.prev_hash.clone(), self.hash.clone())
        else {
            return Err(StoreError::Corrupt(format!(
                "audit event at position {} is not sealed",
                self.pos
            )));
        };
        let mut event = self.chained(seq, prev_hash);
        event.hash = hash;
        Ok(event)
    }
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

/// Appends events in the caller's transaction. They take their position from the transaction
/// and wait for [`seal`] to be chained: no lock, nothing read.
pub(crate) async fn append(
    conn: &mut AsyncPgConnection,
    audit: &Audit,
    entries: Vec<Entry>,
) -> Result<(), StoreError> {
    if entries.is_empty() {
        return Ok(());
    }
    let at = now();
    let events: Vec<_> = entries
        .into_iter()
        .map(|e| (audit.clone(), e, at))
        .collect();
    append_each(conn, &events).await
}

/// Appends events on their own (for reads, which write nothing else): one statement, committed
/// when it returns.
pub async fn record(db: &Db, audit: &Audit, entries: Vec<Entry>) -> Result<(), StoreError> {
    if entries.is_empty() {
        return Ok(());
    }
    let mut conn = db.conn().await?;
    append(&mut conn, audit, entries).await
}

/// Records a read of restricted activities or follow-up actions: through this replica's
/// [`ReadRecorder`] when it has one (batched, off the request path), else at once.
pub async fn record_read(db: &Db, audit: &Audit, entries: Vec<Entry>) -> Result<(), StoreError> {
    match db.read_recorder() {
        Some(recorder) => recorder.record(audit, entries).await,
        None => record(db, audit, entries).await,
    }
}

/// Waits until the reads this replica queued before the call are committed.
pub async fn flush_reads(db: &Db) -> Result<(), StoreError> {
    match db.read_recorder() {
        Some(recorder) => recorder.flush().await,
        None => Ok(()),
    }
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

/// Sealed events after `after_seq`, oldest first, at most `limit`; plus whether more follow.
/// Events not sealed yet are not listed: [`seal`] first to see everything committed.
pub async fn list(
    db: &Db,
    filter: &AuditFilter,
    after_seq: Option<i64>,
    limit: u16,
) -> Result<(Vec<AuditEvent>, bool), StoreError> {
    let mut conn = db.conn().await?;
    let mut query = audit_event::table
        .filter(audit_event::seq.is_not_null())
        .select(EventRow::as_select())
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
    let rows: Vec<EventRow> = query
        .order(audit_event::seq.asc())
        .limit(i64::from(limit) + 1)
        .load(&mut conn)
        .await?;
    let more = rows.len() > usize::from(limit);
    let events = rows
        .into_iter()
        .take(usize::from(limit))
        .map(EventRow::sealed)
        .collect::<Result<_, _>>()?;
    Ok((events, more))
}

/// The hash of the event at `seq`, if there is one.
pub async fn hash_at(db: &Db, seq: i64) -> Result<Option<String>, StoreError> {
    let mut conn = db.conn().await?;
    Ok(audit_event::table
        .filter(audit_event::seq.eq(seq))
        .select(audit_event::hash)
        .first::<Option<String>>(&mut conn)
        .await
        .optional()?
        .flatten())
}

/// Signs checkpoints of the chain's head with a key kept outside the database.
pub trait CheckpointSigner: Send + Sync {
    /// The id of the key that signs (to find its public half when verifying).
    fn key_id(&self) -> String;
    /// The signature of `message`, as text.
    fn sign(&self, message: &[u8]) -> String;
}

/// A signed statement that the chain's event `seq` had `hash`.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = audit_checkpoint, check_for_backend(diesel::pg::Pg))]
pub struct Checkpoint {
    /// The event's place in the chain.
    pub seq: i64,
    /// That event's hash (SHA-256, hex) when the checkpoint was signed; a chain that no longer has
    /// it was changed.
    pub hash: String,
    /// When the checkpoint was signed.
    pub signed_at: DateTime<Utc>,
    /// The key that signed it.
    pub key_id: String,
    /// The signature over [`Checkpoint::message`].
    pub signature: String,
}

impl Checkpoint {
    /// What is signed: the event's place and hash and the time, in a form no other message of
    /// ours takes (the key also signs tokens).
    pub fn message(&self) -> Vec<u8> {
        format!(
            "gloact-audit-checkpoint/v1\n{}\n{}\n{}",
            self.seq,
            self.hash,
            self.signed_at
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
        )
        .into_bytes()
    }
}

/// What one call of [`seal`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sealed {
    /// Events given their place in the chain.
    pub events: u64,
    /// The chain's head afterwards, when there is one.
    pub head: Option<(i64, String)>,
}

#[derive(QueryableByName)]
struct Head {
    #[diesel(sql_type = BigInt)]
    seq: i64,
    #[diesel(sql_type = Text)]
    hash: String,
}

/// Chains every event committed below the change horizon onto the chain's head, in position
/// order, a thousand per transaction, one sealer at a time across replicas (the others wait for
/// it: sealing is short).
pub async fn seal(db: &Db) -> Result<Sealed, StoreError> {
    let mut conn = db.conn().await?;
    // Events of transactions that ended before this call are sealed by it.
    crate::db::await_change_horizon(&mut conn).await?;
    let mut total = Sealed::default();
    loop {
        let batch = conn
            .transaction(async |conn| seal_batch(conn).await)
            .await?;
        if batch.events == 0 {
            if total.head.is_none() {
                total.head = batch.head;
            }
            return Ok(total);
        }
        total.events += batch.events;
        total.head = batch.head;
    }
}

/// Takes the sealer's lock for the rest of the transaction and reads the chain's head: under
/// READ COMMITTED, read after the lock is held, it is the head the last sealer committed.
async fn lock_head(conn: &mut AsyncPgConnection) -> Result<Option<Head>, StoreError> {
    diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
        .bind::<BigInt, _>(SEAL_LOCK)
        .execute(conn)
        .await?;
    Ok(diesel::sql_query(
        "SELECT seq, hash FROM audit_event WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1",
    )
    .get_result(conn)
    .await
    .optional()?)
}

async fn seal_batch(conn: &mut AsyncPgConnection) -> Result<Sealed, StoreError> {
    let head = lock_head(conn).await?;
    let (mut seq, mut prev_hash) = head.map_or((0, GENESIS.to_owned()), |h| (h.seq, h.hash));
    let pending: Vec<EventRow> = audit_event::table
        .filter(audit_event::seq.is_null())
        .filter(audit_event::pos.lt(crate::page::change_horizon()))
        .order(audit_event::pos.asc())
        .limit(SEAL_BATCH)
        .select(EventRow::as_select())
        .load(conn)
        .await?;
    if pending.is_empty() {
        return Ok(Sealed {
            events: 0,
            head: (seq > 0).then_some((seq, prev_hash)),
        });
    }
    let (mut positions, mut seqs, mut prevs, mut hashes) = (vec![], vec![], vec![], vec![]);
    for row in pending {
        seq += 1;
        let pos = row.pos;
        let event = row.chained(seq, prev_hash);
        positions.push(pos);
        seqs.push(seq);
        prevs.push(event.prev_hash);
        prev_hash = event.hash.clone();
        hashes.push(event.hash);
    }
    let sealed = positions.len() as u64;
    diesel::sql_query(
        "UPDATE audit_event AS e SET seq = v.seq, prev_hash = v.prev_hash, hash = v.hash \
         FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) AS v(pos, seq, prev_hash, hash) \
         WHERE e.pos = v.pos",
    )
    .bind::<Array<BigInt>, _>(&positions)
    .bind::<Array<BigInt>, _>(&seqs)
    .bind::<Array<Text>, _>(&prevs)
    .bind::<Array<Text>, _>(&hashes)
    .execute(conn)
    .await?;
    Ok(Sealed {
        events: sealed,
        head: Some((seq, prev_hash)),
    })
}

/// Signs the chain's head and stores the checkpoint, when the head is past the newest checkpoint;
/// returns the checkpoint stored.
pub async fn checkpoint(
    db: &Db,
    signer: &dyn CheckpointSigner,
) -> Result<Option<Checkpoint>, StoreError> {
    let mut conn = db.conn().await?;
    conn.transaction(async |conn| {
        let Some(head) = lock_head(conn).await? else {
            return Ok(None);
        };
        let newest: Option<i64> = audit_checkpoint::table
            .select(diesel::dsl::max(audit_checkpoint::seq))
            .first(conn)
            .await?;
        if newest.is_some_and(|newest| newest >= head.seq) {
            return Ok(None);
        }
        let mut checkpoint = Checkpoint {
            seq: head.seq,
            hash: head.hash,
            signed_at: now(),
            key_id: signer.key_id(),
            signature: String::new(),
        };
        checkpoint.signature = signer.sign(&checkpoint.message());
        diesel::insert_into(audit_checkpoint::table)
            .values((
                audit_checkpoint::seq.eq(checkpoint.seq),
                audit_checkpoint::hash.eq(&checkpoint.hash),
                audit_checkpoint::signed_at.eq(checkpoint.signed_at),
                audit_checkpoint::key_id.eq(&checkpoint.key_id),
                audit_checkpoint::signature.eq(&checkpoint.signature),
            ))
            .execute(conn)
            .await?;
        Ok(Some(checkpoint))
    })
    .await
}

/// What a check of the chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    /// Events checked.
    pub events: u64,
    /// The last intact event: its position and hash. The chain can't show that events were cut
    /// off its end, so keep this head somewhere else and compare it on the next check (the
    /// signed checkpoints do that too, up to the newest one).
    pub head: Option<(i64, String)>,
    /// The first event whose hash, link or position is wrong, and why.
    pub broken: Option<(i64, &'static str)>,
    /// Events committed but not sealed yet (the sealer runs every second or so).
    pub unsealed: u64,
    /// The signed checkpoints, oldest first, for their signatures to be checked by whoever
    /// holds the public keys. Each one's event is in the chain with that hash (else `broken`).
    pub checkpoints: Vec<Checkpoint>,
}

/// Walks the whole chain in order and recomputes every hash; checks that every checkpoint names
/// an event of the chain with its hash.
pub async fn verify(db: &Db) -> Result<ChainReport, StoreError> {
    const BATCH: i64 = 1000;
    let mut conn = db.conn().await?;
    let checkpoints: Vec<Checkpoint> = audit_checkpoint::table
        .order(audit_checkpoint::seq.asc())
        .select(Checkpoint::as_select())
        .load(&mut conn)
        .await?;
    let unsealed: i64 = audit_event::table
        .filter(audit_event::seq.is_null())
        .count()
        .get_result(&mut conn)
        .await?;
    let mut report = ChainReport {
        events: 0,
        head: None,
        broken: None,
        unsealed: u64::try_from(unsealed).unwrap_or(0),
        checkpoints: Vec::new(),
    };
    let mut pending_checkpoints = checkpoints.iter().peekable();
    let (mut expected_seq, mut prev_hash) = (1i64, GENESIS.to_owned());
    'walk: loop {
        let rows: Vec<EventRow> = audit_event::table
            .filter(audit_event::seq.ge(expected_seq))
            .order(audit_event::seq.asc())
            .limit(BATCH)
            .select(EventRow::as_select())
            .load(&mut conn)
            .await?;
        if rows.is_empty() {
            break;
        }
        for row in rows {
            let event = row.sealed()?;
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
                report.broken = Some((expected_seq.min(event.seq), why));
                break 'walk;
            }
            while let Some(checkpoint) = pending_checkpoints.next_if(|c| c.seq <= event.seq) {
                if checkpoint.seq == event.seq && checkpoint.hash != event.hash {
                    report.broken = Some((event.seq, "a signed checkpoint names another hash"));
                    break 'walk;
                }
            }
            report.events += 1;
            expected_seq += 1;
            prev_hash = event.hash;
        }
    }
    if report.events > 0 {
        report.head = Some((expected_seq - 1, prev_hash));
    }
    if report.broken.is_none()
        && let Some(beyond) = pending_checkpoints.next()
    {
        // A checkpoint past the end: events it vouched for were cut off.
        report.broken = Some((beyond.seq, "events a signed checkpoint names are gone"));
    }
    report.checkpoints = checkpoints;
    Ok(report)
}

/// Reads waiting to be written, or a request to be told when those before it are.
#[derive(Debug)]
enum Queued {
    /// Events of one read, and when it happened.
    Read(Audit, Vec<Entry>, DateTime<Utc>),
    /// Answered once everything queued before it is committed.
    Flush(tokio::sync::oneshot::Sender<()>),
}

/// Writes the events of reads in batches, off the request path: many readers' events go into
/// the database in one statement and one commit (group commit). The queue is bounded; a reader
/// that finds it full waits for room, so an event is never dropped for lack of it. What a crash
/// of the process can lose is what is queued and not yet written: at most the queue's length,
/// a few milliseconds of reads in practice.
#[derive(Debug, Clone)]
pub struct ReadRecorder {
    queue: tokio::sync::mpsc::Sender<Queued>,
}

/// Most events written in one statement.
const READ_BATCH: usize = 500;

impl ReadRecorder {
    /// Starts the writer on the current runtime, with room for `capacity` reads.
    pub(crate) fn start(db: Db, capacity: usize) -> Self {
        let (queue, mut incoming) = tokio::sync::mpsc::channel(capacity.max(1));
        tokio::spawn(async move {
            while let Some(first) = incoming.recv().await {
                let mut batch = Vec::new();
                let mut flushes = Vec::new();
                let mut next = Some(first);
                while let Some(item) = next {
                    match item {
                        Queued::Read(audit, entries, at) => {
                            batch.extend(entries.into_iter().map(|e| (audit.clone(), e, at)));
                        }
                        Queued::Flush(done) => flushes.push(done),
                    }
                    next = if batch.len() < READ_BATCH {
                        incoming.try_recv().ok()
                    } else {
                        None
                    };
                }
                write_until_done(&db, batch).await;
                for done in flushes {
                    let _ = done.send(());
                }
            }
        });
        Self { queue }
    }

    /// Queues the events of a read; waits only when the queue is full.
    pub async fn record(&self, audit: &Audit, entries: Vec<Entry>) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        self.queue
            // The time of the read, not of the write a moment later.
            .send(Queued::Read(audit.clone(), entries, now()))
            .await
            .map_err(|_| StoreError::Unavailable("the audit writer has stopped".into()))
    }

    /// Waits until every read queued before the call is committed.
    pub async fn flush(&self) -> Result<(), StoreError> {
        let (done, written) = tokio::sync::oneshot::channel();
        self.queue
            .send(Queued::Flush(done))
            .await
            .map_err(|_| StoreError::Unavailable("the audit writer has stopped".into()))?;
        written
            .await
            .map_err(|_| StoreError::Unavailable("the audit writer has stopped".into()))
    }
}

/// Writes a batch of read events, trying again (with a growing pause, up to a few seconds)
/// while the database refuses: the queue behind it fills and readers wait, rather than lose an
/// event.
async fn write_until_done(db: &Db, batch: Vec<(Audit, Entry, DateTime<Utc>)>) {
    if batch.is_empty() {
        return;
    }
    let mut pause = std::time::Duration::from_millis(50);
    loop {
        let written = async {
            let mut conn = db.conn().await?;
            append_each(&mut conn, &batch).await
        }
        .await;
        match written {
            Ok(()) => return,
            Err(error) => {
                tracing::warn!(%error, events = batch.len(), "audit events of reads not written yet; trying again");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(std::time::Duration::from_secs(5));
            }
        }
    }
}

/// Now, as stored: Postgres keeps microseconds, and the hash is over what is stored.
fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// Appends events of several callers, each with its time, in one statement.
async fn append_each(
    conn: &mut AsyncPgConnection,
    events: &[(Audit, Entry, DateTime<Utc>)],
) -> Result<(), StoreError> {
    let rows: Vec<_> = events
        .iter()
        .map(|(audit, entry, occurred_at)| {
            (
                audit_event::occurred_at.eq(occurred_at),
                audit_event::actor.eq(&audit.actor),
                audit_event::role.eq(&audit.role),
                audit_event::organization.eq(&audit.organization),
                audit_event::action.eq(entry.action),
                audit_event::resource_type.eq(entry.resource_type),
                audit_event::resource_id.eq(&entry.resource_id),
                audit_event::resource_ids.eq(&entry.resource_ids),
                audit_event::request_id.eq(&audit.request_id),
                audit_event::changed_fields.eq(&entry.changed_fields),
            )
        })
        .collect();
    diesel::insert_into(audit_event::table)
        .values(&rows)
        .execute(conn)
        .await?;
    Ok(())
}
