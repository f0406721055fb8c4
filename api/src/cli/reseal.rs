//! `gloact reseal`: seal again with the configured key every identity sealed with a retired one,
//! the last step of rotating the key for identifying fields.

use gloact_api::config::Settings;
use gloact_persistence::cases::{identities_not_under, reseal_identities};
use gloact_persistence::sealed::SealingKey;

use super::database::{Database, existing_db};

/// Reseals and prints how many identities were sealed again; fails when some are left under
/// another key than the configured one.
pub(crate) async fn run(settings: &Settings) -> anyhow::Result<()> {
    // Read before the database starts: a missing key file is said plainly, at once.
    let key = settings.sealing_key()?;
    let database = Database::open(settings).await?;
    let result = reseal(settings, &database.url, &key).await;
    database.close().await;
    let (resealed, left) = result?;
    println!(
        "sealed again with key {}: {resealed} identities; {left} under other keys",
        key.id()
    );
    if left > 0 {
        anyhow::bail!(
            "{left} identities were sealed with another key meanwhile: is a server still running with the old key as its key?"
        );
    }
    Ok(())
}

/// Seals again every identity under a retired key; how many, and how many are under another
/// key than the current one afterwards.
async fn reseal(settings: &Settings, url: &str, key: &SealingKey) -> anyhow::Result<(u64, i64)> {
    let db = existing_db(settings, url).await?;
    let operator = gloact_api::service::access::operator();
    let resealed = reseal_identities(&db, key, &operator).await?;
    Ok((resealed, identities_not_under(&db, key).await?))
}
