//! `gloact serve` (the default): serve the API until SIGTERM or Ctrl-C, on the embedded cluster
//! (kept running, seeded with the demo data, demo tokens printed) when no `DATABASE_URL` is set.

use anyhow::Context;
use gloact_api::auth::TokenService;
use gloact_api::config::Settings;
use gloact_api::server::Application;
use gloact_domain::value::Code;
use gloact_domain::{Role, Scopes};
use gloact_persistence::seed::{self, SeedOutcome};
use gloact_persistence::{Db, migrate};

use super::database::Database;
use super::keygen::ensure_pii_key;
use super::token::token_service;

/// Checks the keys, opens the database (watching the embedded cluster), serves, and closes the
/// database once the server has stopped.
pub(crate) async fn run(settings: Settings) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let tokens = token_service(&settings)?;
    if settings.database_url.is_none() && settings.pii.key.is_none() {
        ensure_pii_key(&settings.pii_key_path())?;
    }
    // Checked before anything starts, so a missing key is said plainly.
    settings.sealing_key()?;
    let mut database = Database::open(&settings).await?;
    database.supervise();
    let result = serve_on(&settings, &database, tokens, started).await;
    database.close().await;
    result
}

/// Migrates (and on the embedded cluster seeds), serves, prints where and, on the embedded
/// cluster, the demo tokens; purges what has expired hourly while it serves.
async fn serve_on(
    settings: &Settings,
    database: &Database,
    tokens: TokenService,
    started: std::time::Instant,
) -> anyhow::Result<()> {
    let embedded = database.embedded();
    let applied = migrate(&database.url).await?;
    let db = Db::connect(&settings.db_settings(database.url.clone()))?;
    let db_for_purge = db.clone();
    if embedded && seed::seed(&db).await? == SeedOutcome::Seeded {
        tracing::info!("wrote the GLO.ACT-Bangladesh demo data");
    }
    let app =
        Application::build(settings, db, tokens.clone(), true).with_context(|| {
            match settings.metrics_listen {
                Some(metrics) => format!("could not listen on {} and {metrics}", settings.listen),
                None => format!("could not listen on {}", settings.listen),
            }
        })?;
    let base = settings
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}:{}", settings.listen.ip(), app.port()));
    tracing::info!(
        migrations_applied = applied,
        ready_ms = started.elapsed().as_millis() as u64,
        metrics_port = app.metrics_port(),
        "ready"
    );
    println!(
        "GLO.ACT Partner API ready in {} ms",
        started.elapsed().as_millis()
    );
    println!("  API:      {base}/api/v1");
    println!("  Docs:     {base}/docs/");
    println!("  OpenAPI:  {base}/api/openapi.json");
    println!("  GraphQL:  {base}/graphql");
    if embedded {
        print_demo_tokens(settings, &tokens)?;
    }
    // Revocations of expired tokens and idempotency keys past their day are of no use: forget
    // them hourly.
    let purge_db = db_for_purge;
    let purge = tokio::spawn(async move {
        let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every_hour.tick().await;
            if let Err(error) = gloact_persistence::revocations::purge_expired(&purge_db).await {
                tracing::warn!(%error, "could not purge expired revocations");
            }
            if let Err(error) = gloact_persistence::idempotency::purge_expired(&purge_db).await {
                tracing::warn!(%error, "could not purge expired idempotency keys");
            }
        }
    });
    app.run_until_stopped().await?;
    purge.abort();
    tracing::info!("stopped");
    Ok(())
}

/// One token per demo organization, and one of a case worker with the `pii` scope.
fn print_demo_tokens(settings: &Settings, tokens: &TokenService) -> anyhow::Result<()> {
    let ttl = chrono::Duration::seconds(
        i64::try_from(settings.auth.demo_token_ttl_secs).unwrap_or(43_200),
    );
    println!(
        "Demo tokens (valid {}h; use as 'Authorization: Bearer <token>'):",
        ttl.num_hours()
    );
    for (role, org, sub) in [
        (Role::Unodc, "UNODC-BGD", "demo-unodc"),
        (Role::Iom, "IOM-BGD", "demo-iom"),
        (Role::Eu, "EU-DEL-BGD", "demo-eu"),
        (Role::Government, "MOHA-BGD", "demo-moha"),
    ] {
        let org = Code::parse(org).map_err(|e| anyhow::anyhow!("{e}"))?;
        println!(
            "  {:<11} {}",
            role.as_str(),
            tokens.mint(sub, role, &org, &Scopes::default(), ttl)?
        );
    }
    // A case worker who may read who the people of cases are (every read is audited).
    let iom = Code::parse("IOM-BGD").map_err(|e| anyhow::anyhow!("{e}"))?;
    let pii = Scopes::parse("pii").map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "  {:<11} {}",
        "iom+pii",
        tokens.mint("demo-iom-caseworker", Role::Iom, &iom, &pii, ttl)?
    );
    Ok(())
}
