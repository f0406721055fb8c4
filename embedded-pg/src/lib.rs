//! The embedded local PostgreSQL cluster of the default run: when no `DATABASE_URL` is given,
//! the server starts its own cluster in the data folder with the PostgreSQL binaries installed
//! on the machine.
//!
//! Layout under the data folder:
//!
//! - `pg/` the cluster (created by `initdb` on first start),
//! - `pg.port` the TCP port the server listens on at 127.0.0.1 (chosen once, kept across runs),
//! - `pg.log` the server's log, and the output of any launcher command that failed,
//! - `pg.lock` held exclusively while a process decides whether to init or start the cluster,
//! - `pg.password` the `postgres` user's password (owner-only): TCP connections need it.
//!
//! PostgreSQL refuses to run as root, so when this process is root the server commands run as
//! the `postgres` user through `runuser`.

use std::path::{Path, PathBuf};

mod binaries;
mod command;
mod error;
mod files;
mod lifecycle;
mod supervisor;
#[cfg(feature = "testing")]
pub mod testing;
mod user;

pub use error::ClusterError;
pub use supervisor::Supervisor;

use lifecycle::{ensure_database_blocking, start_blocking, stop_blocking};
use user::{SERVER_USER, ServerUser};

/// Where and how to run the local cluster.
#[derive(Debug, Clone)]
pub struct ClusterOptions {
    /// The data folder; the cluster lives in `<data_dir>/pg`. Created if missing.
    pub data_dir: PathBuf,
    /// The folder holding `initdb`, `pg_ctl` and `postgres` (`PG_BIN_DIR`). When `None`, the
    /// newest `/usr/lib/postgresql/*/bin`, else `pg_config --bindir`.
    pub pg_bin_dir: Option<PathBuf>,
    /// Turn off `fsync` and `full_page_writes`: fast, but a crash of the machine can corrupt the
    /// cluster. For test clusters only. A commit still waits for its write-ahead log to reach
    /// the operating system (`synchronous_commit` stays on), so a crash of the server alone
    /// (`kill -9`) loses nothing it acknowledged, as tests that kill it check.
    pub fsync_off: bool,
}

/// A running local cluster: one this handle started, or one that was already running.
///
/// Dropping the handle leaves the server running; call [`LocalCluster::stop`] at shutdown.
#[derive(Debug)]
pub struct LocalCluster {
    ctx: Ctx,
    port: u16,
    owns_server: bool,
    /// Kept to start the server again with the same settings (see [`Supervisor`]).
    fsync_off: bool,
}

/// What every command needs to know about the cluster; cloned into blocking tasks.
#[derive(Debug, Clone)]
struct Ctx {
    data_dir: PathBuf,
    cluster_dir: PathBuf,
    bin_dir: PathBuf,
    log: PathBuf,
    /// Set when this process is root: the server commands run as this user.
    run_as: Option<ServerUser>,
    /// The `postgres` user's password, from `pg.password`; `None` for a cluster made before
    /// passwords (trust authentication).
    password: Option<String>,
}

impl LocalCluster {
    /// Starts the cluster in `<data_dir>/pg`, running `initdb` first if it does not exist yet,
    /// or reuses the server already running on it (then [`LocalCluster::owns_server`] is
    /// false). Concurrent starters on the same data folder, in this process or others, take
    /// turns.
    pub async fn start(options: ClusterOptions) -> Result<LocalCluster, ClusterError> {
        blocking(move || start_blocking(options)).await
    }

    /// The URL of `database` on this cluster, as user `postgres` with its password. Holds the
    /// password: don't log it.
    pub fn url(&self, database: &str) -> String {
        let password = self
            .ctx
            .password
            .as_ref()
            .map(|p| format!(":{p}"))
            .unwrap_or_default();
        format!(
            "postgres://{SERVER_USER}{password}@127.0.0.1:{}/{database}",
            self.port
        )
    }

    /// The TCP port the server listens on at 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Whether this handle started the server, so [`LocalCluster::stop`] stops it.
    pub fn owns_server(&self) -> bool {
        self.owns_server
    }

    /// The data folder given in [`ClusterOptions::data_dir`], made absolute.
    pub fn data_dir(&self) -> &Path {
        &self.ctx.data_dir
    }

    /// Creates the database `name` unless it exists. `name` must be 1 to 63 of `[a-z0-9_]`.
    pub async fn ensure_database(&self, name: &str) -> Result<(), ClusterError> {
        if name.is_empty()
            || name.len() > 63
            || !name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(ClusterError::InvalidDatabaseName {
                name: name.to_owned(),
            });
        }
        let ctx = self.ctx.clone();
        let port = self.port;
        let name = name.to_owned();
        blocking(move || ensure_database_blocking(&ctx, port, &name)).await
    }

    /// Stops the server (`pg_ctl stop -m fast`) if this handle started it; otherwise leaves it
    /// running for whoever did.
    pub async fn stop(self) -> Result<(), ClusterError> {
        if !self.owns_server {
            tracing::info!(
                port = self.port,
                "leaving the PostgreSQL server in {} running: this process did not start it",
                self.ctx.cluster_dir.display()
            );
            return Ok(());
        }
        blocking(move || stop_blocking(&self.ctx, self.port)).await
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ClusterError> + Send + 'static,
) -> Result<T, ClusterError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ClusterError::Task(e.to_string()))?
}
