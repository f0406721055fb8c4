//! The database a command works on: `DATABASE_URL`'s server, or the embedded cluster, started for
//! the command and stopped after it.

use std::path::PathBuf;

use gloact_api::config::Settings;
use gloact_embedded_pg::{ClusterOptions, LocalCluster, Supervisor};
use gloact_persistence::{Db, migrate};

/// How often the server checks that its embedded cluster still runs: a killed cluster is back
/// within about this long plus its recovery.
const CLUSTER_CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// The database to use: `DATABASE_URL`'s server, or the embedded cluster.
pub(crate) struct Database {
    pub(crate) url: String,
    cluster: Option<LocalCluster>,
    /// The embedded cluster while it is watched (see [`Database::supervise`]).
    supervisor: Option<Supervisor>,
}

impl Database {
    /// `DATABASE_URL`'s server, or else the embedded cluster, started (created on first use)
    /// with its database `gloact`.
    pub(crate) async fn open(settings: &Settings) -> anyhow::Result<Self> {
        if let Some(url) = &settings.database_url {
            return Ok(Self {
                url: url.clone(),
                cluster: None,
                supervisor: None,
            });
        }
        let cluster = LocalCluster::start(ClusterOptions {
            data_dir: settings.data_dir.clone(),
            pg_bin_dir: settings
                .pg_bin_dir
                .clone()
                .or_else(|| std::env::var_os("PG_BIN_DIR").map(PathBuf::from)),
            fsync_off: false,
        })
        .await?;
        if let Err(error) = cluster.ensure_database("gloact").await {
            let _ = cluster.stop().await;
            return Err(error.into());
        }
        Ok(Self {
            url: cluster.url("gloact"),
            cluster: Some(cluster),
            supervisor: None,
        })
    }

    /// Whether this is the embedded cluster.
    pub(crate) fn embedded(&self) -> bool {
        self.cluster.is_some() || self.supervisor.is_some()
    }

    /// Watches the embedded cluster and starts it again when it dies, for as long as the server
    /// runs, so that a killed cluster does not leave the API answering 503 until restarted by
    /// hand.
    pub(crate) fn supervise(&mut self) {
        if let Some(cluster) = self.cluster.take() {
            self.supervisor = Some(cluster.supervise(CLUSTER_CHECK_EVERY));
        }
    }

    /// Ends the watch and stops the embedded cluster if this process started it; what fails is
    /// logged.
    pub(crate) async fn close(mut self) {
        if let Some(supervisor) = self.supervisor.take() {
            match supervisor.stop().await {
                Ok(cluster) => self.cluster = Some(cluster),
                Err(error) => {
                    tracing::error!(%error, "the embedded PostgreSQL cluster's watch failed");
                }
            }
        }
        if let Some(cluster) = self.cluster
            && let Err(error) = cluster.stop().await
        {
            tracing::error!(%error, "could not stop the embedded PostgreSQL cluster");
        }
    }
}

/// A connection to a database that must be migrated already: administration commands don't
/// change the schema of a server that may be in production.
pub(crate) async fn existing_db(settings: &Settings, url: &str) -> anyhow::Result<Db> {
    let pending = gloact_persistence::pending_migrations(url).await?;
    if pending > 0 {
        anyhow::bail!(
            "the database lacks {pending} migrations: run `gloact migrate` (or start the server) first"
        );
    }
    Ok(Db::connect(&settings.db_settings(url.to_owned()))?)
}

/// A connection to the database once its migrations have run.
pub(crate) async fn migrated_db(settings: &Settings, url: &str) -> anyhow::Result<Db> {
    migrate(url).await?;
    Ok(Db::connect(&settings.db_settings(url.to_owned()))?)
}
