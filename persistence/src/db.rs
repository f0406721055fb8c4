//! The connection pool, migrations, the wait for the change horizon before a walk of changes,
//! and the row lock a versioned write takes before it reads the version it decides on.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use futures_util::FutureExt;

use crate::error::StoreError;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// No transaction of ours waits on the client between statements, so one idle this long is
/// abandoned.
const IDLE_IN_TRANSACTION_MS: u64 = 5_000;

/// The key of the advisory lock that keeps two starting replicas from migrating at once.
const MIGRATION_LOCK: i64 = 7_243_000;

/// How to reach the database.
#[derive(Debug, Clone)]
pub struct DbSettings {
    /// `postgres://` URL.
    pub url: String,
    /// Most connections the pool opens.
    pub max_connections: usize,
    /// How long a request waits for a free connection before the database counts as unavailable.
    pub acquire_timeout: Duration,
    /// Postgres `statement_timeout`: a statement running longer is cancelled. Transactions are
    /// not cancel-safe in diesel-async, so this is the only timeout put on queries.
    pub statement_timeout: Duration,
}

/// A pooled connection.
pub type Conn = Object<AsyncPgConnection>;

/// The database: a pool of connections. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: Pool<AsyncPgConnection>,
    statements: Arc<AtomicU64>,
    /// The writer of audit events of reads, once started (see [`Db::start_read_recorder`]).
    reads: Arc<OnceLock<crate::audit::ReadRecorder>>,
    /// This replica's copy of the revocations and organizations (see [`crate::gate`]).
    gate: Arc<crate::gate::Gate>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("status", &self.pool.status())
            .finish()
    }
}

impl Db {
    /// Builds the pool. Connections open lazily; [`Db::ping`] checks that the server answers.
    pub fn connect(settings: &DbSettings) -> Result<Self, StoreError> {
        let statement_timeout_ms = settings.statement_timeout.as_millis();
        let statements = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&statements);
        let mut config = ManagerConfig::default();
        config.custom_setup = Box::new(move |url| {
            let counter = Arc::clone(&counter);
            async move {
                let mut conn = AsyncPgConnection::establish(url).await?;
                // A transaction left open (its future dropped when a client went away) would hold
                // back the change horizon, and with it every client's delta sync and the sealing
                // of the audit chain: the server ends it after a few seconds.
                for setting in [
                    format!("SET statement_timeout = {statement_timeout_ms}"),
                    format!("SET idle_in_transaction_session_timeout = {IDLE_IN_TRANSACTION_MS}"),
                ] {
                    diesel::sql_query(setting)
                        .execute(&mut conn)
                        .await
                        .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                }
                // Counted from here on: the statements requests run, not the session's set-up.
                conn.set_instrumentation(StatementCounter(counter));
                Ok(conn)
            }
            .boxed()
        });
        // Before a pooled connection is reused, the pool checks that it still answers; that
        // check is the pool's, not a statement of the request that gets the connection, so it
        // goes uncounted (whether a request gets a new or a reused connection must not change
        // what `/metrics` says it ran).
        let counter = Arc::clone(&statements);
        config.recycling_method = RecyclingMethod::CustomFunction(Box::new(move |conn| {
            let counter = Arc::clone(&counter);
            async move {
                conn.set_instrumentation(|_: InstrumentationEvent<'_>| {});
                let alive = diesel::sql_query("SELECT 1").execute(conn).await.map(drop);
                conn.set_instrumentation(StatementCounter(counter));
                alive
            }
            .boxed()
        }));
        let manager = AsyncDieselConnectionManager::new_with_config(settings.url.clone(), config);
        let pool = Pool::builder(manager)
            .max_size(settings.max_connections)
            .wait_timeout(Some(settings.acquire_timeout))
            .create_timeout(Some(settings.acquire_timeout))
            .runtime(deadpool::Runtime::Tokio1)
            .build()
            .map_err(|e| StoreError::Internal(e.to_string()))?;
        Ok(Self {
            pool,
            statements,
            reads: Arc::new(OnceLock::new()),
            gate: Arc::default(),
        })
    }

    /// Writes the audit events of reads of restricted activities in batches from now on, on a
    /// task of the current runtime, with room for `capacity` reads waiting (see
    /// [`crate::audit::ReadRecorder`]). Every clone of this `Db` shares it; a second call
    /// changes nothing.
    pub fn start_read_recorder(&self, capacity: usize) {
        // The writer's own handle has no recorder: clones of it don't keep the writer alive.
        let plain = Self {
            pool: self.pool.clone(),
            statements: Arc::clone(&self.statements),
            reads: Arc::new(OnceLock::new()),
            gate: Arc::clone(&self.gate),
        };
        self.reads
            .get_or_init(|| crate::audit::ReadRecorder::start(plain, capacity));
    }

    pub(crate) fn gate(&self) -> &crate::gate::Gate {
        &self.gate
    }

    pub(crate) fn read_recorder(&self) -> Option<&crate::audit::ReadRecorder> {
        self.reads.get()
    }

    /// How many SQL statements the pool's connections have sent since it was built (each
    /// connection's set-up and the pool's checks before reuse aside), for the `/metrics`
    /// endpoint: a query plan that loads per row instead of per batch shows as a count that grows
    /// with the rows.
    pub fn statements_run(&self) -> u64 {
        AtomicU64::load(&self.statements, Ordering::Relaxed)
    }

    /// The pool's size and idle connections, for the `/metrics` endpoint.
    pub fn pool_status(&self) -> (usize, usize) {
        let status = self.pool.status();
        (status.size, status.available)
    }

    /// A connection from the pool.
    pub async fn conn(&self) -> Result<Conn, StoreError> {
        Ok(self.pool.get().await?)
    }

    /// A connection whose statements `statements_run` does not count: for the replica's own
    /// housekeeping (reloading [`crate::gate`]), which is no request's doing and would make the
    /// count depend on when it ran. The pool counts again once the connection is back.
    pub(crate) async fn uncounted_conn(&self) -> Result<Conn, StoreError> {
        let mut conn = self.conn().await?;
        conn.set_instrumentation(|_: InstrumentationEvent<'_>| {});
        Ok(conn)
    }

    /// Checks that the database answers a query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        diesel::sql_query("SELECT 1").execute(&mut conn).await?;
        Ok(())
    }

    /// The highest change number stored (0 on an empty database).
    pub async fn last_change_seq(&self) -> Result<i64, StoreError> {
        #[derive(QueryableByName)]
        struct Last {
            #[diesel(sql_type = BigInt)]
            last: i64,
        }
        let mut conn = self.conn().await?;
        let row: Last = diesel::sql_query("SELECT gloact_last_change_number() AS last")
            .get_result(&mut conn)
            .await?;
        Ok(row.last)
    }
}

/// Counts the statements a connection starts (diesel's instrumentation hook).
struct StatementCounter(Arc<AtomicU64>);

impl Instrumentation for StatementCounter {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { .. } = event {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// How long a walk of changes (or a sealing of the audit trail) waits for the transactions
/// running when it starts to end, so that it sees what committed before it (see
/// [`await_change_horizon`]). Writers' transactions last milliseconds; this bounds the wait
/// behind a long one anywhere in the cluster (transaction ids are the cluster's).
const CHANGE_HORIZON_WAIT_MS: i32 = 2_000;

/// Waits, briefly, until every transaction that was running when it was called has ended. A walk
/// of changes serves rows only below the change horizon (the oldest running transaction, see
/// the `lock_free_changes` migration); waiting first makes a client that writes and then syncs
/// see its own write. After the wait a page is still correct, only possibly shorter: a
/// transaction that runs longer is served on a later page. Runs outside a REPEATABLE READ
/// transaction, which would keep one snapshot.
pub(crate) async fn await_change_horizon(conn: &mut AsyncPgConnection) -> Result<(), StoreError> {
    diesel::sql_query("SELECT gloact_await_change_horizon($1)")
        .bind::<diesel::sql_types::Integer, _>(CHANGE_HORIZON_WAIT_MS)
        .execute(conn)
        .await?;
    Ok(())
}

/// Locks the row `id` of `table` for the rest of the transaction, before a write reads the
/// version it decides on: two writers at the same version then take turns, and the second finds
/// the version moved (no lost update). `table` is one of ours, never input.
pub(crate) async fn lock_row(
    conn: &mut AsyncPgConnection,
    table: &'static str,
    id: uuid::Uuid,
) -> Result<(), StoreError> {
    diesel::sql_query(format!("SELECT 1 FROM {table} WHERE id = $1 FOR UPDATE"))
        .bind::<diesel::sql_types::Uuid, _>(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Runs the pending migrations; returns how many ran.
pub async fn migrate(url: &str) -> Result<usize, StoreError> {
    let url = url.to_owned();
    // The wrapper drives its own runtime, so it must run off the async threads.
    tokio::task::spawn_blocking(move || {
        let mut conn =
            <AsyncConnectionWrapper<AsyncPgConnection> as diesel::Connection>::establish(&url)
                .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        // Replicas starting together queue here; the second finds nothing left to run. The lock
        // is the session's and goes with the connection.
        diesel::RunQueryDsl::execute(
            diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK})")),
            &mut conn,
        )?;
        let ran = conn
            .run_pending_migrations(MIGRATIONS)
            .map(|ran| ran.len())
            .map_err(|e| StoreError::Internal(format!("migration failed: {e}")))?;
        // A database restored into another cluster sees transaction ids below those its change
        // clock started at: set the clock again before anything is written (under the
        // migration lock, so one replica does it).
        diesel::RunQueryDsl::execute(
            diesel::sql_query(
                "SELECT gloact_rebase_change_clock() FROM change_clock \
                 WHERE gloact_change_clock_behind()",
            ),
            &mut conn,
        )?;
        Ok(ran)
    })
    .await
    .map_err(|e| StoreError::Internal(e.to_string()))?
}

/// How many embedded migrations the database at `url` has not run yet.
pub async fn pending_migrations(url: &str) -> Result<usize, StoreError> {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut conn =
            <AsyncConnectionWrapper<AsyncPgConnection> as diesel::Connection>::establish(&url)
                .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        conn.pending_migrations(MIGRATIONS)
            .map(|pending| pending.len())
            .map_err(|e| StoreError::Internal(format!("reading the migrations failed: {e}")))
    })
    .await
    .map_err(|e| StoreError::Internal(e.to_string()))?
}

/// Reverts every applied migration; returns how many were reverted. For proving the `down.sql`
/// files in tests, and for operators who must take the schema apart.
pub async fn revert_all(url: &str) -> Result<usize, StoreError> {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut conn =
            <AsyncConnectionWrapper<AsyncPgConnection> as diesel::Connection>::establish(&url)
                .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        conn.revert_all_migrations(MIGRATIONS)
            .map(|reverted| reverted.len())
            .map_err(|e| StoreError::Internal(format!("reverting migrations failed: {e}")))
    })
    .await
    .map_err(|e| StoreError::Internal(e.to_string()))?
}

/// A fingerprint of the embedded migrations (16 hex digits): names a test template database,
/// so a change to the migrations builds a new template.
pub fn migrations_fingerprint() -> &'static str {
    env!("GLOACT_MIGRATIONS_FINGERPRINT")
}
