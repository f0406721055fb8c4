//! What can go wrong, as one error for the whole launcher.

use std::io;
use std::path::PathBuf;

/// What can go wrong when starting, using or stopping the local cluster.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// No candidate folder holds `initdb`, `pg_ctl` and `postgres`.
    #[error(
        "PostgreSQL server binaries not found{}: install PostgreSQL (e.g. `apt-get install \
         postgresql`), set PG_BIN_DIR, or set DATABASE_URL to use an existing server",
        looked_in(searched)
    )]
    BinariesNotFound {
        /// The folders that were looked in.
        searched: Vec<PathBuf>,
    },
    /// This process is root and there is no `postgres` user to run the server as.
    #[error(
        "running as root, PostgreSQL must run as the `postgres` user, which does not exist: \
         create it (installing PostgreSQL does), run as a regular user, or set DATABASE_URL"
    )]
    ServerUserMissing,
    /// This process is root and `runuser` (util-linux) is not installed.
    #[error(
        "running as root, PostgreSQL must be run as the `postgres` user through `runuser`, \
         which was not found: install util-linux, run as a regular user, or set DATABASE_URL"
    )]
    RunuserMissing,
    /// This process is root and the `postgres` user cannot traverse the data folder's path.
    #[error(
        "the data folder {} is not reachable by the `postgres` user: make it and every parent \
         folder traversable by that user (e.g. `chmod o+x`) or choose another data folder",
        path.display()
    )]
    DataDirNotReachable {
        /// The data folder.
        path: PathBuf,
    },
    /// The database name is not made of lowercase letters, digits and underscores.
    #[error(
        "'{name}' is not a valid database name: use 1 to 63 lowercase letters, digits and \
         underscores"
    )]
    InvalidDatabaseName {
        /// The refused name.
        name: String,
    },
    /// A server is running on the cluster (per its `postmaster.pid`) but does not answer.
    #[error(
        "a PostgreSQL server seems to run on {} but does not answer on 127.0.0.1:{port}: stop \
         it, or remove its postmaster.pid if no such server runs",
        cluster_dir.display()
    )]
    NotAnswering {
        /// The cluster folder.
        cluster_dir: PathBuf,
        /// The port its `postmaster.pid` names.
        port: u16,
    },
    /// A PostgreSQL command (`initdb`, `pg_ctl`, `psql`, `createdb`) failed.
    #[error("could not {what}; see {} for details", log.display())]
    CommandFailed {
        /// What was being done, e.g. `start PostgreSQL`.
        what: String,
        /// The log the command's output was appended to (`<data_dir>/pg.log`).
        log: PathBuf,
        /// The last lines of the command's output and of the log, for logging.
        detail: String,
    },
    /// A file operation or the launch of a command failed.
    #[error("could not {what}: {source}")]
    Io {
        /// What was being done, e.g. `create /srv/data`.
        what: String,
        /// The underlying error.
        source: io::Error,
    },
    /// The blocking task that runs the commands panicked or was cancelled.
    #[error("the PostgreSQL launcher task failed: {0}")]
    Task(String),
}

fn looked_in(searched: &[PathBuf]) -> String {
    if searched.is_empty() {
        return String::new();
    }
    let folders: Vec<String> = searched.iter().map(|p| p.display().to_string()).collect();
    format!(" in {}", folders.join(", "))
}

pub(crate) fn io_error(what: impl Into<String>) -> impl FnOnce(io::Error) -> ClusterError {
    let what = what.into();
    move |source| ClusterError::Io { what, source }
}
