//! The cluster's life: created by `initdb`, started, waited for, stopped, started again when it
//! is gone, and its databases created.

use std::fs::{self, OpenOptions};
use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::binaries::{find_bin_dir, pg_version};
use crate::command::{
    client_command, command_failed, log_len, log_tail, output_of, server_command,
};
use crate::error::io_error;
use crate::files::{
    lock_data_dir, password_path, pick_port, port_is_free, read_password, read_port, write_private,
};
use crate::user::{check_reachable, chown, chown_tree, server_user};
use crate::{ClusterError, ClusterOptions, Ctx, LocalCluster};

/// How long `pg_ctl` waits for the server to start or stop, and how long a server started by
/// someone else may take to answer.
const SERVER_TIMEOUT: Duration = Duration::from_secs(60);
/// Unix socket paths are limited to 107 bytes; the socket file name adds up to 16 bytes
/// (`/.s.PGSQL.65535`). A cluster folder longer than this puts its socket in `/tmp` instead.
const MAX_SOCKET_DIR_LEN: usize = 90;
/// `max_connections` of every local cluster.
const MAX_CONNECTIONS: u32 = 200;

pub(crate) fn start_blocking(options: ClusterOptions) -> Result<LocalCluster, ClusterError> {
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
pub(crate) enum Postmaster {
    /// Its process is there.
    Running,
    /// No `postmaster.pid`, or it names no process: the server can be started.
    Gone,
    /// Its process died and its parent has not reaped it yet. PostgreSQL refuses to start while
    /// the pid in `postmaster.pid` names any process, so starting must wait.
    Unreaped(u32),
}

pub(crate) fn postmaster(ctx: &Ctx) -> Result<Postmaster, ClusterError> {
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
pub(crate) enum Restart {
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
pub(crate) fn restart_if_gone(
    ctx: &Ctx,
    port: u16,
    fsync_off: bool,
) -> Result<Restart, ClusterError> {
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

pub(crate) fn stop_blocking(ctx: &Ctx, port: u16) -> Result<(), ClusterError> {
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

pub(crate) fn ensure_database_blocking(
    ctx: &Ctx,
    port: u16,
    name: &str,
) -> Result<(), ClusterError> {
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
