//! The launcher's files beside the cluster: the data folder's lock, the password and the port.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::error::io_error;
use crate::{ClusterError, Ctx};

/// Takes the exclusive lock on `<data_dir>/pg.lock`, waiting for other starters. The lock is
/// released when the returned file is dropped.
pub(crate) fn lock_data_dir(ctx: &Ctx) -> Result<File, ClusterError> {
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

pub(crate) fn password_path(ctx: &Ctx) -> PathBuf {
    ctx.data_dir.join("pg.password")
}

/// The password of a cluster made with one; `None` for an older cluster with trust
/// authentication.
pub(crate) fn read_password(ctx: &Ctx) -> Result<Option<String>, ClusterError> {
    let path = password_path(ctx);
    if !path.exists() {
        return Ok(None);
    }
    let password =
        fs::read_to_string(&path).map_err(io_error(format!("read {}", path.display())))?;
    Ok(Some(password.trim().to_owned()))
}

/// Writes a file only its owner can read, replacing any left by an unfinished initdb.
pub(crate) fn write_private(path: &Path, contents: &str) -> Result<(), ClusterError> {
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

pub(crate) fn read_port(port_file: &Path) -> Option<u16> {
    fs::read_to_string(port_file)
        .ok()?
        .trim()
        .parse()
        .ok()
        .filter(|&p| p != 0)
}

pub(crate) fn port_is_free(port: u16) -> bool {
    TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok()
}

pub(crate) fn pick_port(port_file: &Path) -> Result<u16, ClusterError> {
    let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map_err(io_error("find a free TCP port on 127.0.0.1"))?
        .port();
    fs::write(port_file, format!("{port}\n"))
        .map_err(io_error(format!("write {}", port_file.display())))?;
    Ok(port)
}
