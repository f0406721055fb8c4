//! The commands run against the cluster, and what a failed one leaves in the log and the error.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::error::io_error;
use crate::user::SERVER_USER;
use crate::{ClusterError, Ctx};

/// How many lines of a failed command's output go into [`ClusterError::CommandFailed`].
const TAIL_LINES: usize = 20;

/// A command for a PostgreSQL binary; through `runuser` when this process is root.
pub(crate) fn server_command(ctx: &Ctx, program: &str) -> Command {
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
pub(crate) fn client_command(ctx: &Ctx, program: &str, port: u16) -> Command {
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

pub(crate) fn output_of(mut command: Command, program: &str) -> Result<Output, ClusterError> {
    command.output().map_err(io_error(format!("run {program}")))
}

/// Appends a failed command's output to the log and builds the error. `server_log_since` is
/// the log's length before a `pg_ctl` command: the detail then also holds what the server
/// logged since, which is where the reason usually is.
pub(crate) fn command_failed(
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
pub(crate) fn log_tail(log: &Path, since: u64) -> Option<String> {
    let mut file = File::open(log).ok()?;
    let len = file.metadata().ok()?.len();
    file.seek(SeekFrom::Start(since.max(len.saturating_sub(16 * 1024))))
        .ok()?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).ok()?;
    Some(tail(&String::from_utf8_lossy(&bytes)))
}

pub(crate) fn log_len(ctx: &Ctx) -> u64 {
    fs::metadata(&ctx.log).map(|m| m.len()).unwrap_or(0)
}
