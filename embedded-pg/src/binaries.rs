//! Finding PostgreSQL's binaries on the machine.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::{ClusterError, Ctx};

/// The binaries a bin folder must hold to be usable.
const REQUIRED_BINARIES: [&str; 3] = ["initdb", "pg_ctl", "postgres"];

pub(crate) fn find_bin_dir(explicit: Option<&Path>) -> Result<PathBuf, ClusterError> {
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

/// `program` from `PATH`, else from `extra` folders (root's `PATH` may lack the sbin folders).
pub(crate) fn find_program(program: &str, extra: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(extra.iter().map(PathBuf::from))
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

pub(crate) fn pg_version(ctx: &Ctx) -> String {
    fs::read_to_string(ctx.cluster_dir.join("PG_VERSION"))
        .map(|v| v.trim().to_owned())
        .unwrap_or_default()
}
