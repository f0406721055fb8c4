//! `gloact audit verify`: check the audit trail's hash chain and its signed checkpoints.

use anyhow::Context;
use gloact_api::config::Settings;

use super::database::{Database, existing_db};
use super::token::token_service;

#[derive(Debug, clap::Subcommand)]
pub(crate) enum AuditAction {
    /// Recompute every event's hash and link; fails on the first event that was edited, removed
    /// or inserted, and prints the head (`SEQ:HASH`) to keep elsewhere for the next check.
    Verify {
        /// The head printed by an earlier check: fails when the chain no longer reaches it (events
        /// were cut off its end).
        #[arg(long)]
        expect_head: Option<String>,
    },
}

/// Runs the audit command on the database.
pub(crate) async fn run(settings: &Settings, action: AuditAction) -> anyhow::Result<()> {
    let AuditAction::Verify { expect_head } = action;
    let database = Database::open(settings).await?;
    let result = verify_audit(settings, &database.url, expect_head.as_deref()).await;
    database.close().await;
    result
}

/// Checks the chain (up to the head of an earlier check when given) and the checkpoints'
/// signatures; prints what was checked and the head.
async fn verify_audit(
    settings: &Settings,
    url: &str,
    expect_head: Option<&str>,
) -> anyhow::Result<()> {
    let db = existing_db(settings, url).await?;
    let tokens = token_service(settings)?;
    let verification = gloact_api::service::audit::verify(&db, &tokens).await?;
    let report = verification.chain;
    if let Some((seq, why)) = report.broken {
        anyhow::bail!(
            "audit trail broken at event {seq}: {why} ({} events before it are intact)",
            report.events
        );
    }
    let head = report.head.map(|(seq, hash)| format!("{seq}:{hash}"));
    if let Some(expected) = expect_head {
        let (seq, hash) = expected
            .split_once(':')
            .context("--expect-head is SEQ:HASH, as printed by an earlier check")?;
        let seq: i64 = seq.parse().context("--expect-head: SEQ is a number")?;
        let still_there = gloact_persistence::audit::hash_at(&db, seq).await?;
        if still_there.as_deref() != Some(hash) {
            anyhow::bail!(
                "audit trail broken: the head {expected} of an earlier check is gone or changed (events were cut off)"
            );
        }
    }
    if let [first, ..] = verification.bad_signatures.as_slice() {
        anyhow::bail!(
            "audit trail not vouched for: {} signed checkpoints (the first at event {first}) have a signature no known key verifies",
            verification.bad_signatures.len()
        );
    }
    println!(
        "audit trail intact: {} events, {} signed checkpoints verified, {} events not sealed yet",
        report.events,
        report.checkpoints.len(),
        report.unsealed
    );
    if let Some(head) = head {
        println!("head: {head}");
    }
    Ok(())
}
