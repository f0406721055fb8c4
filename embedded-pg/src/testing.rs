//! For tests that kill the server as a crash would (feature `testing`).

use std::io;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// How long the killed processes may take to be reaped.
const REAP_TIMEOUT: Duration = Duration::from_secs(20);

/// SIGKILL to the postmaster named by `<cluster_dir>/postmaster.pid` and to its children at once,
/// as a crash (or the OOM killer) would: they are in sessions of their own, so no process group
/// holds them all. Returns the postmaster's pid once all of them are reaped, not merely dead:
/// PostgreSQL refuses to start while the pid in `postmaster.pid` names a process, even a zombie.
pub fn kill_postmaster(cluster_dir: &Path) -> io::Result<u32> {
    let pid_file = cluster_dir.join("postmaster.pid");
    let postmaster: u32 = std::fs::read_to_string(&pid_file)?
        .lines()
        .next()
        .and_then(|l| l.trim().parse().ok())
        .ok_or_else(|| {
            io::Error::other(format!("{} does not start with a pid", pid_file.display()))
        })?;
    let mut pids = vec![postmaster];
    pids.extend(children_of(postmaster)?);
    let status = Command::new("kill")
        .arg("-KILL")
        .args(pids.iter().map(u32::to_string))
        .status()?;
    if !status.success() {
        return Err(io::Error::other(format!("kill -KILL {pids:?}: {status}")));
    }
    let deadline = Instant::now() + REAP_TIMEOUT;
    while pids.iter().any(|&pid| parent_of(pid).is_some()) {
        if Instant::now() >= deadline {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!(
                    "the server's processes {pids:?} are still there {} s after SIGKILL (is \
                     init reaping zombies?)",
                    REAP_TIMEOUT.as_secs()
                ),
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(postmaster)
}

/// The parent of a process (`None` once it is reaped), from `/proc/<pid>/stat`: `pid (comm)
/// state ppid …`, read after the last `)` since the command name may hold spaces and parentheses.
fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn children_of(parent: u32) -> io::Result<Vec<u32>> {
    Ok(std::fs::read_dir("/proc")?
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| parent_of(pid) == Some(parent))
        .collect())
}
