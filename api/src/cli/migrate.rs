//! `gloact migrate`: run the database migrations, then exit.

use gloact_api::config::Settings;
use gloact_persistence::migrate;

use super::database::Database;

/// Runs the migrations and prints how many were applied.
pub(crate) async fn run(settings: &Settings) -> anyhow::Result<()> {
    let database = Database::open(settings).await?;
    let result = migrate(&database.url).await;
    database.close().await;
    println!("{} migrations applied", result?);
    Ok(())
}
