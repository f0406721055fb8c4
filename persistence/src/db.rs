//! The connection pool, migrations, and the write transaction every change goes through.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
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

/// The key of the advisory lock under which change numbers are taken (see the first migration).
const CHANGE_LOCK: i64 = 7_243_001;

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
    url: Arc<str>,
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
                // the change lock and stall every writer: the server ends it after a few seconds.
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
            url: settings.url.as_str().into(),
        })
    }

    /// How many SQL statements the pool's connections have sent since it was built (each
    /// connection's set-up and the pool's checks before reuse aside), for the `/metrics`
    /// endpoint: a query plan that loads per row instead of per batch shows as a count that grows
    /// with the rows.
    pub fn statements_run(&self) -> u64 {
        AtomicU64::load(&self.statements, Ordering::Relaxed)
    }

    /// A connection of its own, outside the pool, for `LISTEN`: it stays open as long as its
    /// listener, and holds nothing a pooled request could be waiting for.
    pub(crate) async fn dedicated(&self) -> Result<AsyncPgConnection, StoreError> {
        AsyncPgConnection::establish(&self.url)
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))
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

    /// Checks that the database answers a query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        diesel::sql_query("SELECT 1").execute(&mut conn).await?;
        Ok(())
    }

    /// The newest change number handed out so far (0 on an empty database).
    pub async fn last_change_seq(&self) -> Result<i64, StoreError> {
        #[derive(QueryableByName)]
        struct Last {
            #[diesel(sql_type = BigInt)]
            last: i64,
        }
        let mut conn = self.conn().await?;
        let row: Last = diesel::sql_query(
            "SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS last FROM change_seq",
        )
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

/// Takes the change-number lock for the rest of the transaction. Every writing transaction calls
/// this first, before it locks any row, so writers queue here instead of deadlocking in the
/// trigger (see the first migration for why numbers are taken under a lock).
pub(crate) async fn lock_changes(conn: &mut AsyncPgConnection) -> Result<(), StoreError> {
    diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
        .bind::<BigInt, _>(CHANGE_LOCK)
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
        conn.run_pending_migrations(MIGRATIONS)
            .map(|ran| ran.len())
            .map_err(|e| StoreError::Internal(format!("migration failed: {e}")))
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
