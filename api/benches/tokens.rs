//! What verifying a token costs per request: the signature and claims check, and the revocation
//! lookup every request makes. Run with `cargo bench -p gloact-api --bench tokens` (set
//! DATABASE_URL to include the lookup).

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    missing_docs,
    reason = "a benchmark binary"
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use gloact_api::auth::{SigningKey, TokenService};
use gloact_api::config::Settings;
use gloact_domain::value::Code;
use gloact_domain::{Role, Scopes};

fn per_op(iterations: u32, mut op: impl FnMut()) -> Duration {
    for _ in 0..iterations / 10 {
        op();
    }
    let started = Instant::now();
    for _ in 0..iterations {
        op();
    }
    started.elapsed() / iterations
}

fn main() {
    let settings = Settings::default();
    let tokens = TokenService::new(SigningKey::generate().unwrap(), &settings.auth).unwrap();
    let org = Code::parse("MOHA-BGD").unwrap();
    let token = tokens
        .mint(
            "bench",
            Role::Government,
            &org,
            &Scopes::default(),
            chrono::Duration::minutes(15),
        )
        .unwrap();

    let verify = per_op(20_000, || {
        black_box(tokens.verify(black_box(&token)).unwrap());
    });
    println!(
        "verify (EdDSA signature + claims + actor): {:.1} µs per token",
        verify.as_secs_f64() * 1e6
    );
    let garbage = format!("{}x", &token[..token.len() - 1]);
    let refuse = per_op(20_000, || {
        black_box(tokens.verify(black_box(&garbage)).is_err());
    });
    println!(
        "refuse a tampered token: {:.1} µs",
        refuse.as_secs_f64() * 1e6
    );

    let Ok(url) = std::env::var("DATABASE_URL") else {
        println!("revocation lookup: skipped (set DATABASE_URL to a migrated database)");
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        gloact_persistence::migrate(&url).await.unwrap();
        let db = gloact_persistence::Db::connect(&settings.db_settings(url.clone())).unwrap();
        let actor = tokens.verify(&token).unwrap();
        let jti = actor.token_id.clone();
        let iterations = 5_000u32;
        for _ in 0..500 {
            db.standing(&jti, &actor.subject, actor.issued_at, actor.organization.as_str())
                .await
                .unwrap();
        }
        let started = Instant::now();
        for _ in 0..iterations {
            black_box(
                db.standing(&jti, &actor.subject, actor.issued_at, actor.organization.as_str())
                    .await
                    .unwrap(),
            );
        }
        let lookup = started.elapsed() / iterations;
        println!(
            "revocation and organization check (from the replica's copy, reloaded each second): {:.1} µs",
            lookup.as_secs_f64() * 1e6
        );
        println!(
            "per request in all: {:.1} µs",
            (verify + lookup).as_secs_f64() * 1e6
        );
    });
}
