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

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

mod supervisor;

pub use supervisor::Supervisor;

/// The system user the server runs as when this process is root.
const SERVER_USER: &str = "postgres";
/// The binaries a bin folder must hold to be usable.
const REQUIRED_BINARIES: [&str; 3] = ["initdb", "pg_ctl", "postgres"];
/// How long `pg_ctl` waits for the server to start or stop, and how long a server started by
/// someone else may take to answer.
const SERVER_TIMEOUT: Duration = Duration::from_secs(60);
/// How many lines of a failed command's output go into [`ClusterError::CommandFailed`].
const TAIL_LINES: usize = 20;
/// Unix socket paths are limited to 107 bytes; the socket file name adds up to 16 bytes
/// (`/.s.PGSQL.65535`). A cluster folder longer than this puts its socket in `/tmp` instead.
const MAX_SOCKET_DIR_LEN: usize = 90;
/// `max_connections` of every local cluster.
const MAX_CONNECTIONS: u32 = 200;

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

fn io_error(what: impl Into<String>) -> impl FnOnce(io::Error) -> ClusterError {
    let what = what.into();
    move |source| ClusterError::Io { what, source }
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

#[derive(Debug, Clone)]
struct ServerUser {
    uid: u32,
    gid: u32,
    runuser: PathBuf,
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

fn start_blocking(options: ClusterOptions) -> Result<LocalCluster, ClusterError> {
    let began = Instant::now();
    let data_dir = std::path::absolute(&options.data_dir)
        .map_err(io_error(format!("resolve {}", options.data_dir.display())))?;
    fs::create_dir_all(&data_dir).map_err(io_error(format!("create {}", data_dir.display())))?;
    let bin_dir = find_bin_dir(options.pg_bin_dir.as_deref())?;
    let run_as = server_user()?;
    if let Some(user) = &run_as {
        check_reachable(user, &data_dir)?;
    }
    let mut ctx = Ctx {
        cluster_dir: data_dir.join("pg"),
        log: data_dir.join("pg.log"),
        data_dir,
        bin_dir,
        run_as,
        password: None,
    };

    let lock = lock_data_dir(&ctx)?;
    let port_file = ctx.data_dir.join("pg.port");
    // pg_ctl opens the log as the server user: it must exist and belong to that user.
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(&ctx.log)
        .map_err(io_error(format!("create {}", ctx.log.display())))?;
    if let Some(user) = &ctx.run_as {
        for file in [&ctx.log, &ctx.data_dir.join("pg.lock")] {
            chown(file, user)?;
        }
    }

    let fresh = !ctx.cluster_dir.join("PG_VERSION").exists();
    if fresh && !is_running(&ctx)? {
        init_cluster(&ctx, options.fsync_off)?;
    }
    ctx.password = read_password(&ctx)?;

    if is_running(&ctx)? {
        let port = wait_until_answering(&ctx, &port_file)?;
        drop(lock);
        tracing::info!(
            "reusing PostgreSQL {} already running at 127.0.0.1:{port} on {}",
            pg_version(&ctx),
            ctx.cluster_dir.display()
        );
        return Ok(LocalCluster {
            ctx,
            port,
            owns_server: false,
            fsync_off: options.fsync_off,
        });
    }

    if !fresh && let Some(user) = &ctx.run_as {
        let owner = fs::metadata(&ctx.cluster_dir)
            .map_err(io_error(format!("read {}", ctx.cluster_dir.display())))?
            .uid();
        if owner != user.uid {
            chown_tree(&ctx.cluster_dir, user)?;
        }
    }

    let port = start_server(&ctx, &port_file, options.fsync_off, None)?;
    drop(lock);
    tracing::info!(
        "started PostgreSQL {} at 127.0.0.1:{port} in {:.1}s{}",
        pg_version(&ctx),
        began.elapsed().as_secs_f64(),
        if fresh { " (new cluster)" } else { "" }
    );
    Ok(LocalCluster {
        ctx,
        port,
        owns_server: true,
        fsync_off: options.fsync_off,
    })
}

fn find_bin_dir(explicit: Option<&Path>) -> Result<PathBuf, ClusterError> {
    let has_binaries = |dir: &Path| REQUIRED_BINARIES.iter().all(|b| dir.join(b).is_file());
    // An explicit folder is what the operator asked for: no silent fallback elsewhere.
    if let Some(dir) = explicit {
        return if has_binaries(dir) {
            Ok(dir.to_path_buf())
        } else {
            Err(ClusterError::BinariesNotFound {
                searched: vec![dir.to_path_buf()],
            })
        };
    }
    let mut searched = Vec::new();
    let mut versions: Vec<(Vec<u64>, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let version = name
                .split('.')
                .map(str::parse)
                .collect::<Result<Vec<u64>, _>>()
                .ok()?;
            Some((version, entry.path().join("bin")))
        })
        .collect();
    versions.sort();
    for (_, dir) in versions.into_iter().rev() {
        if has_binaries(&dir) {
            return Ok(dir);
        }
        searched.push(dir);
    }
    if let Ok(output) = Command::new("pg_config")
        .arg("--bindir")
        .stdin(Stdio::null())
        .output()
        && output.status.success()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
        if has_binaries(&dir) {
            return Ok(dir);
        }
        searched.push(dir);
    }
    Err(ClusterError::BinariesNotFound { searched })
}

/// The user to run the server as when this process is root; `None` otherwise.
fn server_user() -> Result<Option<ServerUser>, ClusterError> {
    if effective_uid() != Some(0) {
        return Ok(None);
    }
    let id = |flag: &str| -> Option<u32> {
        let output = Command::new("id")
            .args([flag, SERVER_USER])
            .stdin(Stdio::null())
            .output()
            .ok()?;
        if !output.status.success() {
            return None;
        }
        String::from_utf8_lossy(&output.stdout).trim().parse().ok()
    };
    let (Some(uid), Some(gid)) = (id("-u"), id("-g")) else {
        return Err(ClusterError::ServerUserMissing);
    };
    let runuser = find_program("runuser", &["/usr/sbin", "/sbin", "/usr/bin", "/bin"])
        .ok_or(ClusterError::RunuserMissing)?;
    Ok(Some(ServerUser { uid, gid, runuser }))
}

/// The effective uid, from `/proc/self/status` or else `id -u`; `None` when neither tells.
fn effective_uid() -> Option<u32> {
    let from_proc = fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("Uid:"))?;
            // Uid: real effective saved filesystem
            line.split_whitespace().nth(2)?.parse().ok()
        });
    from_proc.or_else(|| {
        let output = Command::new("id")
            .arg("-u")
            .stdin(Stdio::null())
            .output()
            .ok()?;
        String::from_utf8_lossy(&output.stdout).trim().parse().ok()
    })
}

/// `program` from `PATH`, else from `extra` folders (root's `PATH` may lack the sbin folders).
fn find_program(program: &str, extra: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(extra.iter().map(PathBuf::from))
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

fn check_reachable(user: &ServerUser, data_dir: &Path) -> Result<(), ClusterError> {
    let output = Command::new(&user.runuser)
        .args(["-u", SERVER_USER, "--", "/bin/sh", "-c", "cd \"$1\"", "sh"])
        .arg(data_dir)
        .current_dir("/")
        .stdin(Stdio::null())
        .output()
        .map_err(io_error(format!("run {}", user.runuser.display())))?;
    if output.status.success() {
        Ok(())
    } else {
        tracing::debug!(
            stderr = %String::from_utf8_lossy(&output.stderr),
            "the server user cannot enter the data folder"
        );
        Err(ClusterError::DataDirNotReachable {
            path: data_dir.to_path_buf(),
        })
    }
}

/// Takes the exclusive lock on `<data_dir>/pg.lock`, waiting for other starters. The lock is
/// released when the returned file is dropped.
fn lock_data_dir(ctx: &Ctx) -> Result<File, ClusterError> {
    let path = ctx.data_dir.join("pg.lock");
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io_error(format!("open {}", path.display())))?;
    file.lock()
        .map_err(io_error(format!("lock {}", path.display())))?;
    Ok(file)
}

fn chown(path: &Path, user: &ServerUser) -> Result<(), ClusterError> {
    std::os::unix::fs::lchown(path, Some(user.uid), Some(user.gid)).map_err(io_error(format!(
        "give {} to the {SERVER_USER} user",
        path.display()
    )))
}

fn chown_tree(path: &Path, user: &ServerUser) -> Result<(), ClusterError> {
    chown(path, user)?;
    let metadata =
        fs::symlink_metadata(path).map_err(io_error(format!("read {}", path.display())))?;
    if metadata.is_dir() {
        let entries = fs::read_dir(path).map_err(io_error(format!("list {}", path.display())))?;
        for entry in entries {
            let entry = entry.map_err(io_error(format!("list {}", path.display())))?;
            chown_tree(&entry.path(), user)?;
        }
    }
    Ok(())
}

/// A command for a PostgreSQL binary; through `runuser` when this process is root.
fn server_command(ctx: &Ctx, program: &str) -> Command {
    let binary = ctx.bin_dir.join(program);
    let mut command = match &ctx.run_as {
        Some(user) => {
            let mut command = Command::new(&user.runuser);
            command.args(["-u", SERVER_USER, "--"]).arg(binary);
            command
        }
        None => Command::new(binary),
    };
    // The server user may not be able to enter our working folder; it can enter the data folder.
    command.current_dir(&ctx.data_dir).stdin(Stdio::null());
    command
}

/// A client command (`psql`, `createdb`) against the cluster; these may run as root.
fn client_command(ctx: &Ctx, program: &str, port: u16) -> Command {
    let mut command = Command::new(ctx.bin_dir.join(program));
    command
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "-U",
            SERVER_USER,
        ])
        .env("PGCONNECT_TIMEOUT", "10")
        .env("PGPASSWORD", ctx.password.as_deref().unwrap_or_default())
        // These would change how the client connects to a server that has no TLS and no services.
        .env_remove("PGSERVICE")
        .env_remove("PGOPTIONS")
        .env_remove("PGSSLMODE")
        .current_dir(&ctx.data_dir)
        .stdin(Stdio::null());
    command
}

fn output_of(mut command: Command, program: &str) -> Result<Output, ClusterError> {
    command.output().map_err(io_error(format!("run {program}")))
}

/// Appends a failed command's output to the log and builds the error. `server_log_since` is
/// the log's length before a `pg_ctl` command: the detail then also holds what the server
/// logged since, which is where the reason usually is.
fn command_failed(
    ctx: &Ctx,
    what: &str,
    output: &Output,
    server_log_since: Option<u64>,
) -> ClusterError {
    let mut text = format!("--- could not {what} ({}) ---\n", output.status);
    text.push_str(&String::from_utf8_lossy(&output.stdout));
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    if !text.ends_with('\n') {
        text.push('\n');
    }
    let appended = OpenOptions::new()
        .append(true)
        .open(&ctx.log)
        .and_then(|mut log| log.write_all(text.as_bytes()));
    let detail = match (appended, server_log_since) {
        (Ok(()), Some(since)) => log_tail(&ctx.log, since).unwrap_or_else(|| tail(&text)),
        _ => tail(&text),
    };
    tracing::debug!(%detail, "could not {what}");
    ClusterError::CommandFailed {
        what: what.to_owned(),
        log: ctx.log.clone(),
        detail,
    }
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(TAIL_LINES)..].join("\n")
}

/// The last lines of the log, from byte `since` on.
fn log_tail(log: &Path, since: u64) -> Option<String> {
    let mut file = File::open(log).ok()?;
    let len = file.metadata().ok()?.len();
    file.seek(SeekFrom::Start(since.max(len.saturating_sub(16 * 1024))))
        .ok()?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).ok()?;
    Some(tail(&String::from_utf8_lossy(&bytes)))
}

fn log_len(ctx: &Ctx) -> u64 {
    fs::metadata(&ctx.log).map(|m| m.len()).unwrap_or(0)
}

fn is_running(ctx: &Ctx) -> Result<bool, ClusterError> {
    if !ctx.cluster_dir.join("postmaster.pid").exists() {
        return Ok(false);
    }
    let mut command = server_command(ctx, "pg_ctl");
    command.arg("status").arg("-D").arg(&ctx.cluster_dir);
    let output = output_of(command, "pg_ctl")?;
    // pg_ctl status: 0 running, 3 not running, 4 no accessible cluster.
    match output.status.code() {
        Some(0) => Ok(true),
        Some(3 | 4) => Ok(false),
        _ => Err(command_failed(
            ctx,
            "check whether PostgreSQL is running",
            &output,
            None,
        )),
    }
}

/// Waits for a server someone else started to accept connections; returns its port.
fn wait_until_answering(ctx: &Ctx, port_file: &Path) -> Result<u16, ClusterError> {
    let pid_file = ctx.cluster_dir.join("postmaster.pid");
    let deadline = Instant::now() + SERVER_TIMEOUT;
    let mut port = read_port(port_file).unwrap_or(0);
    loop {
        // postmaster.pid lines: pid, folder, start time, port, socket folder, listen address,
        // shared memory key, status.
        let pid_lines: Vec<String> = fs::read_to_string(&pid_file)
            .map(|text| text.lines().map(str::to_owned).collect())
            .unwrap_or_default();
        if let Some(p) = pid_lines.get(3).and_then(|l| l.trim().parse().ok()) {
            port = p;
        }
        let ready = pid_lines
            .get(7)
            .is_some_and(|s| matches!(s.trim(), "ready" | "standby"));
        if ready && port != 0 {
            let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
            if TcpStream::connect_timeout(&address, Duration::from_secs(1)).is_ok() {
                return Ok(port);
            }
        }
        if Instant::now() >= deadline {
            return Err(ClusterError::NotAnswering {
                cluster_dir: ctx.cluster_dir.clone(),
                port,
            });
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn init_cluster(ctx: &Ctx, fsync_off: bool) -> Result<(), ClusterError> {
    let dir = &ctx.cluster_dir;
    if dir.exists() {
        // No PG_VERSION: an initdb that did not finish. initdb wants an empty folder.
        tracing::warn!("removing the unfinished cluster in {}", dir.display());
        fs::remove_dir_all(dir).map_err(io_error(format!("remove {}", dir.display())))?;
    }
    fs::create_dir(dir).map_err(io_error(format!("create {}", dir.display())))?;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
        .map_err(io_error(format!("restrict {}", dir.display())))?;
    if let Some(user) = &ctx.run_as {
        chown(dir, user)?;
    }
    tracing::info!("creating a PostgreSQL cluster in {}", dir.display());
    // TCP connections need the password (kept beside the cluster, readable by its owner only),
    // so other users of the machine can't reach the data; the socket admits only the server user.
    let password_file = password_path(ctx);
    let password = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    write_private(&password_file, &password)?;
    if let Some(user) = &ctx.run_as {
        chown(&password_file, user)?;
    }
    let mut command = server_command(ctx, "initdb");
    command.args([
        "--auth-host=scram-sha-256",
        "--auth-local=peer",
        "--username=postgres",
        "--encoding=UTF8",
        "--locale=C",
    ]);
    command.arg(format!("--pwfile={}", password_file.display()));
    if fsync_off {
        command.arg("--no-sync");
    }
    command.arg("-D").arg(dir);
    let output = output_of(command, "initdb")?;
    if output.status.success() {
        Ok(())
    } else {
        Err(command_failed(
            ctx,
            "create the PostgreSQL cluster",
            &output,
            None,
        ))
    }
}

fn password_path(ctx: &Ctx) -> PathBuf {
    ctx.data_dir.join("pg.password")
}

/// The password of a cluster made with one; `None` for an older cluster with trust
/// authentication.
fn read_password(ctx: &Ctx) -> Result<Option<String>, ClusterError> {
    let path = password_path(ctx);
    if !path.exists() {
        return Ok(None);
    }
    let password =
        fs::read_to_string(&path).map_err(io_error(format!("read {}", path.display())))?;
    Ok(Some(password.trim().to_owned()))
}

/// Writes a file only its owner can read, replacing any left by an unfinished initdb.
fn write_private(path: &Path, contents: &str) -> Result<(), ClusterError> {
    let _ = fs::remove_file(path);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io_error(format!("create {}", path.display())))?;
    file.write_all(contents.as_bytes())
        .map_err(io_error(format!("write {}", path.display())))
}

fn read_port(port_file: &Path) -> Option<u16> {
    fs::read_to_string(port_file)
        .ok()?
        .trim()
        .parse()
        .ok()
        .filter(|&p| p != 0)
}

fn port_is_free(port: u16) -> bool {
    TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok()
}

fn pick_port(port_file: &Path) -> Result<u16, ClusterError> {
    let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map_err(io_error("find a free TCP port on 127.0.0.1"))?
        .port();
    fs::write(port_file, format!("{port}\n"))
        .map_err(io_error(format!("write {}", port_file.display())))?;
    Ok(port)
}

/// Starts the server on the stored port, or on a new one when that is taken; returns the port.
/// With `fixed_port`, on that port or not at all: clients hold URLs naming it.
fn start_server(
    ctx: &Ctx,
    port_file: &Path,
    fsync_off: bool,
    fixed_port: Option<u16>,
) -> Result<u16, ClusterError> {
    let mut port = match (fixed_port, read_port(port_file)) {
        (Some(port), _) => port,
        (None, Some(port)) if port_is_free(port) => port,
        (None, Some(port)) => {
            tracing::info!("port {port} of the local PostgreSQL is taken; picking another");
            pick_port(port_file)?
        }
        (None, None) => pick_port(port_file)?,
    };
    if let Some(user) = &ctx.run_as {
        chown(port_file, user)?;
    }
    let socket_dir = if ctx.cluster_dir.as_os_str().len() <= MAX_SOCKET_DIR_LEN {
        ctx.cluster_dir.clone()
    } else {
        PathBuf::from("/tmp")
    };
    let mut attempt = 0;
    loop {
        attempt += 1;
        // pg_ctl hands these options to the shell: the socket folder is quoted.
        let mut server_options = format!(
            "-h 127.0.0.1 -p {port} -k {} -c max_connections={MAX_CONNECTIONS}",
            shell_quote(&socket_dir)
        );
        if fsync_off {
            server_options.push_str(" -c fsync=off -c full_page_writes=off");
        }
        let mut command = server_command(ctx, "pg_ctl");
        command
            .args([
                "start",
                "-w",
                "-t",
                &SERVER_TIMEOUT.as_secs().to_string(),
                "-D",
            ])
            .arg(&ctx.cluster_dir)
            .arg("-l")
            .arg(&ctx.log)
            .arg("-o")
            .arg(server_options);
        let since = log_len(ctx);
        let output = output_of(command, "pg_ctl")?;
        if output.status.success() {
            return Ok(port);
        }
        // Something took the port between our check and the server's bind: pick another once.
        let port_taken = log_tail(&ctx.log, since)
            .is_some_and(|t| t.contains(&format!("port {port}")) && t.contains("could not bind"));
        if attempt == 1 && port_taken && fixed_port.is_none() {
            tracing::info!("port {port} was taken while PostgreSQL started; picking another");
            port = pick_port(port_file)?;
            if let Some(user) = &ctx.run_as {
                chown(port_file, user)?;
            }
            continue;
        }
        return Err(command_failed(
            ctx,
            "start PostgreSQL",
            &output,
            Some(since),
        ));
    }
}

/// What `postmaster.pid` says of the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Postmaster {
    /// Its process is there.
    Running,
    /// No `postmaster.pid`, or it names no process: the server can be started.
    Gone,
    /// Its process died and its parent has not reaped it yet. PostgreSQL refuses to start while
    /// the pid in `postmaster.pid` names any process, so starting must wait.
    Unreaped(u32),
}

fn postmaster(ctx: &Ctx) -> Result<Postmaster, ClusterError> {
    let pid_file = ctx.cluster_dir.join("postmaster.pid");
    let pid = match fs::read_to_string(&pid_file) {
        Ok(text) => text
            .lines()
            .next()
            .and_then(|l| l.trim().parse::<u32>().ok()),
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Postmaster::Gone),
        Err(error) => return Err(io_error(format!("read {}", pid_file.display()))(error)),
    };
    let Some(pid) = pid else {
        // Being written by a starting server: running, as far as anyone should act on it.
        return Ok(Postmaster::Running);
    };
    // /proc tells a zombie from a live process without running a command every second.
    if Path::new("/proc/self/stat").exists() {
        return Ok(match fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => Postmaster::Gone,
            // `pid (comm) state …`: the state follows the last `)`.
            Ok(stat)
                if stat
                    .rsplit_once(')')
                    .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')) =>
            {
                Postmaster::Unreaped(pid)
            }
            Ok(_) => Postmaster::Running,
        });
    }
    Ok(if is_running(ctx)? {
        Postmaster::Running
    } else {
        Postmaster::Gone
    })
}

/// What [`restart_if_gone`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Restart {
    /// The server was running: nothing done.
    NotNeeded,
    /// The server had stopped and was started again.
    Restarted,
    /// The server died but its process is not reaped yet: try again later.
    Unreaped(u32),
}

/// Starts the server again on `port` when it is not running. Under the data folder's lock, so a
/// concurrent starter (another server on the same folder, an administration command) and this
/// one don't both start it.
fn restart_if_gone(ctx: &Ctx, port: u16, fsync_off: bool) -> Result<Restart, ClusterError> {
    if postmaster(ctx)? == Postmaster::Running {
        return Ok(Restart::NotNeeded);
    }
    let lock = lock_data_dir(ctx)?;
    match postmaster(ctx)? {
        Postmaster::Running => return Ok(Restart::NotNeeded),
        Postmaster::Unreaped(pid) => return Ok(Restart::Unreaped(pid)),
        Postmaster::Gone => {}
    }
    start_server(ctx, &ctx.data_dir.join("pg.port"), fsync_off, Some(port))?;
    drop(lock);
    Ok(Restart::Restarted)
}

fn shell_quote(path: &Path) -> String {
    format!("'{}'", path.to_string_lossy().replace('\'', r"'\''"))
}

fn pg_version(ctx: &Ctx) -> String {
    fs::read_to_string(ctx.cluster_dir.join("PG_VERSION"))
        .map(|v| v.trim().to_owned())
        .unwrap_or_default()
}

fn stop_blocking(ctx: &Ctx, port: u16) -> Result<(), ClusterError> {
    let began = Instant::now();
    // Under the lock, so a concurrent starter does not take a stopping server for a running one.
    let lock = lock_data_dir(ctx)?;
    let mut command = server_command(ctx, "pg_ctl");
    command
        .args([
            "stop",
            "-m",
            "fast",
            "-w",
            "-t",
            &SERVER_TIMEOUT.as_secs().to_string(),
            "-D",
        ])
        .arg(&ctx.cluster_dir);
    let since = log_len(ctx);
    let output = output_of(command, "pg_ctl")?;
    if !output.status.success() {
        if is_running(ctx)? {
            return Err(command_failed(ctx, "stop PostgreSQL", &output, Some(since)));
        }
        tracing::warn!("the local PostgreSQL at 127.0.0.1:{port} was already stopped");
    }
    drop(lock);
    tracing::info!(
        "stopped PostgreSQL at 127.0.0.1:{port} in {:.1}s",
        began.elapsed().as_secs_f64()
    );
    Ok(())
}

fn ensure_database_blocking(ctx: &Ctx, port: u16, name: &str) -> Result<(), ClusterError> {
    // The name is checked to be [a-z0-9_]+, so it is safe inside the literal.
    let exists = || -> Result<bool, ClusterError> {
        let mut command = client_command(ctx, "psql", port);
        command
            .args(["-X", "-q", "-t", "-A", "-d", "postgres", "-c"])
            .arg(format!(
                "SELECT 1 FROM pg_database WHERE datname = '{name}'"
            ));
        let output = output_of(command, "psql")?;
        if !output.status.success() {
            return Err(command_failed(
                ctx,
                &format!("look for database {name}"),
                &output,
                None,
            ));
        }
        Ok(String::from_utf8_lossy(&output.stdout).trim() == "1")
    };
    if exists()? {
        return Ok(());
    }
    let mut command = client_command(ctx, "createdb", port);
    command.arg(name);
    let output = output_of(command, "createdb")?;
    if output.status.success() {
        tracing::info!("created database {name} on the local PostgreSQL at 127.0.0.1:{port}");
        return Ok(());
    }
    // Someone else may have created it meanwhile.
    if exists()? {
        return Ok(());
    }
    Err(command_failed(
        ctx,
        &format!("create database {name}"),
        &output,
        None,
    ))
}
