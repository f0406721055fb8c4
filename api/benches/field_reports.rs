//! Field reports accepted per second, one by one and in batches, with latency percentiles: the
//! real server over HTTP against PostgreSQL (fsync on, as in production). Run with
//! `DATABASE_URL=postgres://…/empty_db cargo bench -p gloact-api --bench field_reports`.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    missing_docs,
    reason = "a benchmark binary"
)]

mod support;

use std::time::{Duration, Instant};

use gloact_api::auth::{SigningKey, TokenService};
use gloact_api::server::Application;
use gloact_domain::value::Code;
use gloact_domain::{Role, Scopes};
use gloact_persistence::{Db, migrate, seed};

const CONCURRENCY: usize = 16;
const RUN_FOR: Duration = Duration::from_secs(10);

fn report() -> serde_json::Value {
    serde_json::json!({
        "id": uuid::Uuid::new_v4(),
        "occurred_at": "2020-02-25T14:05:00Z",
        "district": "Cox's Bazar",
        "gps": { "latitude": 21.4272, "longitude": 92.0058, "accuracy_m": 15.0 },
        "narrative": "Young woman met at the bus terminal, promised work abroad.",
        "payload": { "kind": "victim_identification", "sex": "female", "age_band": "18_25", "citizenship": "BGD", "exploitation": "labour" },
    })
}

/// Runs `CONCURRENCY` senders for `RUN_FOR`; each request carries `per_request` reports.
async fn run(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    per_request: usize,
) -> (usize, Vec<Duration>) {
    let deadline = Instant::now() + RUN_FOR;
    let workers = (0..CONCURRENCY).map(|_| {
        let (client, url, token) = (client.clone(), url.to_owned(), token.to_owned());
        tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let body = if per_request == 1 {
                    report()
                } else {
                    serde_json::json!({ "reports": (0..per_request).map(|_| report()).collect::<Vec<_>>() })
                };
                let started = Instant::now();
                let response = client.post(&url).bearer_auth(&token).json(&body).send().await.unwrap();
                assert!(response.status().is_success(), "{}", response.status());
                response.bytes().await.unwrap();
                latencies.push(started.elapsed());
            }
            latencies
        })
    })
    // Spawned all at once (an iterator is lazy: awaiting while mapping would run them one
    // after another).
    .collect::<Vec<_>>();
    let mut latencies: Vec<Duration> = Vec::new();
    for worker in workers {
        latencies.extend(worker.await.unwrap());
    }
    latencies.sort();
    (latencies.len() * per_request, latencies)
}

#[tokio::main]
async fn main() {
    let Ok(url) = std::env::var("DATABASE_URL") else {
        println!("set DATABASE_URL to an empty database to run this benchmark");
        return;
    };
    let mut settings = support::settings(&url);
    settings.max_body_bytes = 4 * 1024 * 1024;
    migrate(&url).await.unwrap();
    let db = Db::connect(&settings.db_settings(url)).unwrap();
    seed::seed(&db).await.unwrap();
    let tokens = TokenService::new(SigningKey::generate().unwrap(), &settings.auth).unwrap();
    let token = tokens
        .mint(
            "bench-officer",
            Role::Government,
            &Code::parse("MOHA-BGD").unwrap(),
            &Scopes::default(),
            chrono::Duration::hours(1),
        )
        .unwrap();
    let app = Application::build(&settings, db, tokens, false).unwrap();
    let base = format!("http://127.0.0.1:{}/api/v1", app.port());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::new();

    for (label, path, per_request) in [
        ("single", "/field-reports", 1),
        ("batch of 100", "/field-reports:batch", 100),
    ] {
        let (reports, latencies) =
            run(&client, &format!("{base}{path}"), &token, per_request).await;
        println!(
            "{label:>13}: {:>7.0} reports/s ({} requests, {CONCURRENCY} senders, {}s); latency p50 {:.1} ms, p99 {:.1} ms",
            reports as f64 / RUN_FOR.as_secs_f64(),
            latencies.len(),
            RUN_FOR.as_secs(),
            support::percentile(&latencies, 0.50).as_secs_f64() * 1e3,
            support::percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        );
    }
}
