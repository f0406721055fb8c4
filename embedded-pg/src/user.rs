//! Running as the `postgres` user: PostgreSQL refuses to run as root, so a root process runs the
//! server commands through `runuser` and gives that user the files the server opens.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::ClusterError;
use crate::binaries::find_program;
use crate::error::io_error;

/// The system user the server runs as when this process is root.
pub(crate) const SERVER_USER: &str = "postgres";

/// The `postgres` user, and the `runuser` that runs commands as it.
#[derive(Debug, Clone)]
pub(crate) struct ServerUser {
    pub(crate) uid: u32,
    pub(crate) gid: u32,
    pub(crate) runuser: PathBuf,
}

/// The user to run the server as when this process is root; `None` otherwise.
pub(crate) fn server_user() -> Result<Option<ServerUser>, ClusterError> {
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

pub(crate) fn check_reachable(user: &ServerUser, data_dir: &Path) -> Result<(), ClusterError> {
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

pub(crate) fn chown(path: &Path, user: &ServerUser) -> Result<(), ClusterError> {
    std::os::unix::fs::lchown(path, Some(user.uid), Some(user.gid)).map_err(io_error(format!(
        "give {} to the {SERVER_USER} user",
        path.display()
    )))
}

pub(crate) fn chown_tree(path: &Path, user: &ServerUser) -> Result<(), ClusterError> {
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
