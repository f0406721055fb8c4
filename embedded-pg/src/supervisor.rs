//! Keeps the embedded cluster's server running. A task checks every second that the postmaster
//! named by `postmaster.pid` is there; when it is gone (killed, crashed, stopped by hand) the task
//! starts the server again on the same folder, port and settings, and PostgreSQL recovers from
//! its write-ahead log. Meanwhile the API answers 503 as in any database outage; the pool
//! replaces its dead connections on their next use, so nothing else has to be told.

use std::time::{Duration, Instant};

use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

use crate::lifecycle::{Postmaster, Restart, postmaster, restart_if_gone};
use crate::{ClusterError, LocalCluster, blocking};

/// The longest wait between two attempts at starting a server that would not start.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// A [`LocalCluster`] under watch (see [`LocalCluster::supervise`]); [`Supervisor::stop`] ends
/// the watch and gives the cluster back, to be stopped. Dropped, the watch ends and the server is
/// left running, as a dropped [`LocalCluster`] leaves it.
#[derive(Debug)]
pub struct Supervisor {
    stop: oneshot::Sender<()>,
    task: JoinHandle<LocalCluster>,
}

impl LocalCluster {
    /// Watches the server from a task of its own, every `every`, and starts it again when it is
    /// gone. Must be called within a Tokio runtime.
    pub fn supervise(self, every: Duration) -> Supervisor {
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(watch(self, every, stopped));
        Supervisor { stop, task }
    }
}

impl Supervisor {
    /// Ends the watch and returns the cluster. A restart under way is finished first, so that no
    /// server is left starting behind the caller's back.
    pub async fn stop(self) -> Result<LocalCluster, ClusterError> {
        // An error means the task already ended (the receiver is gone); the join tells how.
        let _ = self.stop.send(());
        self.task
            .await
            .map_err(|e| ClusterError::Task(e.to_string()))
    }
}

async fn watch(
    mut cluster: LocalCluster,
    every: Duration,
    mut stopped: oneshot::Receiver<()>,
) -> LocalCluster {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut backoff = every;
    let mut next_attempt = Instant::now();
    let mut waiting_for = None;
    loop {
        // Only the wait between checks is raced against the stop: a restart runs to its end.
        tokio::select! {
            _ = &mut stopped => return cluster,
            _ = ticks.tick() => {}
        }
        if Instant::now() < next_attempt {
            continue;
        }
        let ctx = cluster.ctx.clone();
        match blocking(move || postmaster(&ctx)).await {
            Ok(Postmaster::Running) => continue,
            Ok(Postmaster::Unreaped(pid)) => {
                if waiting_for != Some(pid) {
                    tracing::warn!(
                        pid,
                        "the embedded PostgreSQL server died; it starts again once its process \
                         is reaped"
                    );
                    waiting_for = Some(pid);
                }
                continue;
            }
            Ok(Postmaster::Gone) => {}
            Err(error) => {
                tracing::warn!(%error, "could not check the embedded PostgreSQL server");
                continue;
            }
        }
        let port = cluster.port;
        tracing::warn!(
            port,
            "the embedded PostgreSQL server is gone; starting it again in {}",
            cluster.ctx.cluster_dir.display()
        );
        let began = Instant::now();
        let (ctx, fsync_off) = (cluster.ctx.clone(), cluster.fsync_off);
        match blocking(move || restart_if_gone(&ctx, port, fsync_off)).await {
            Ok(Restart::Restarted) => {
                // Stopping it at shutdown is now this process's job, whoever started it first.
                cluster.owns_server = true;
                backoff = every;
                waiting_for = None;
                tracing::info!(
                    port,
                    restart_ms = u64::try_from(began.elapsed().as_millis()).unwrap_or(u64::MAX),
                    "started the embedded PostgreSQL server again"
                );
            }
            // Another starter got there first, or the process is not reaped yet: the next check
            // sees which.
            Ok(Restart::NotNeeded | Restart::Unreaped(_)) => {}
            Err(error) => {
                tracing::error!(
                    %error,
                    retry_in_s = backoff.as_secs(),
                    "could not start the embedded PostgreSQL server again"
                );
                next_attempt = Instant::now() + backoff;
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    }
}
