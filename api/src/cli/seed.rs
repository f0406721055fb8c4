//! `gloact seed`: write the GLO.ACT-Bangladesh demo data unless it is there already.

use gloact_api::config::Settings;
use gloact_persistence::seed::{self, SeedOutcome};

use super::database::{Database, migrated_db};

/// Migrates the database, then writes the demo data unless it is there.
pub(crate) async fn run(settings: &Settings) -> anyhow::Result<()> {
    let database = Database::open(settings).await?;
    let result = seed_database(settings, &database.url).await;
    database.close().await;
    match result? {
        SeedOutcome::Seeded => println!("demo data written"),
        SeedOutcome::AlreadySeeded => {
            println!("demo data already present: nothing written")
        }
    }
    Ok(())
}

async fn seed_database(settings: &Settings, url: &str) -> anyhow::Result<SeedOutcome> {
    let db = migrated_db(settings, url).await?;
    Ok(seed::seed(&db).await?)
}
