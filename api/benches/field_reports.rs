//! Field reports accepted per second, one by one and in batches, with latency percentiles: the
//! real server over HTTP against PostgreSQL (fsync on, as in production), and beside it, in the
//! same run on the same table, the same inserts as raw SQL from the bench's own connections (one
//! per sender, statements prepared), so the two can be compared as a ratio; then the API at a
//! fixed 80 % of its closed-loop rate, for the latency a steady load sees. Run with
//! `DATABASE_URL=postgres://…/empty_db cargo bench -p gloact-api --bench field_reports`.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    missing_docs,
    reason = "a benchmark binary"
)]

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::sql_types::{Array, Text, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
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

/// Runs `CONCURRENCY` senders for `RUN_FOR`, each request carrying `per_request` reports, then
/// sends at a fixed 80 % of the requests per second they reached (latency measured from when
/// each request was due); the reports sent and the latencies of both runs.
async fn run(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    per_request: usize,
) -> (usize, Vec<Duration>, support::Run) {
    let make: support::MakeRequest = {
        let (client, url, token) = (client.clone(), url.to_owned(), token.to_owned());
        Arc::new(move |_| {
            let body = if per_request == 1 {
                report()
            } else {
                serde_json::json!({ "reports": (0..per_request).map(|_| report()).collect::<Vec<_>>() })
            };
            client.post(&url).bearer_auth(&token).json(&body)
        })
    };
    let run = support::closed_loop(&make, CONCURRENCY, RUN_FOR).await;
    let fixed = support::fixed_rate(&make, 0.8 * run.rate, RUN_FOR).await;
    (run.latencies.len() * per_request, run.latencies, fixed)
}

/// The raw SQL beside the API: `CONCURRENCY` connections inserting `per_statement` rows per
/// statement (a multi-row insert from arrays) into `field_report` for `RUN_FOR`, each statement
/// committed on its own as the API's are. Rows as the API writes them: the same columns, the
/// table's triggers.
async fn run_sql(url: &str, per_statement: usize) -> (usize, Vec<Duration>) {
    let deadline = Instant::now() + RUN_FOR;
    let workers = (0..CONCURRENCY)
        .map(|_| {
            let url = url.to_owned();
            tokio::spawn(async move {
                let mut conn = AsyncPgConnection::establish(&url).await.unwrap();
                let payload = report()["payload"].to_string();
                let mut latencies = Vec::new();
                while Instant::now() < deadline {
                    let ids: Vec<uuid::Uuid> =
                        (0..per_statement).map(|_| uuid::Uuid::new_v4()).collect();
                    let hashes: Vec<String> =
                        ids.iter().map(|id| id.simple().to_string()).collect();
                    let started = Instant::now();
                    diesel::sql_query(
                        "INSERT INTO field_report (id, kind, payload, occurred_at, reporter, \
                         organization_id, district, latitude, longitude, accuracy_m, narrative, \
                         content_hash) \
                         SELECT r.id, 'victim_identification', $2::jsonb, '2020-02-25T14:05:00Z', \
                         'bench-officer', (SELECT id FROM organization WHERE code = 'MOHA-BGD'), \
                         'Cox''s Bazar', 21.4272, 92.0058, 15.0, \
                         'Young woman met at the bus terminal, promised work abroad.', r.hash \
                         FROM unnest($1::uuid[], $3::text[]) AS r (id, hash)",
                    )
                    .bind::<Array<SqlUuid>, _>(&ids)
                    .bind::<Text, _>(&payload)
                    .bind::<Array<Text>, _>(&hashes)
                    .execute(&mut conn)
                    .await
                    .unwrap();
                    latencies.push(started.elapsed());
                }
                latencies
            })
        })
        .collect::<Vec<_>>();
    let mut latencies: Vec<Duration> = Vec::new();
    for worker in workers {
        latencies.extend(worker.await.unwrap());
    }
    latencies.sort();
    (latencies.len() * per_statement, latencies)
}

/// One line of the table: a rate and its latencies.
fn line(label: &str, reports: usize, latencies: &[Duration]) -> f64 {
    let rate = reports as f64 / RUN_FOR.as_secs_f64();
    println!(
        "{label:>22}: {rate:>7.0} reports/s ({} statements or requests, {CONCURRENCY} clients, {}s); latency p50 {:.1} ms, p99 {:.1} ms",
        latencies.len(),
        RUN_FOR.as_secs(),
        support::percentile(latencies, 0.50).as_secs_f64() * 1e3,
        support::percentile(latencies, 0.99).as_secs_f64() * 1e3,
    );
    rate
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
    let db = Db::connect(&settings.db_settings(url.clone())).unwrap();
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
        let (reports, latencies, fixed) =
            run(&client, &format!("{base}{path}"), &token, per_request).await;
        let api = line(&format!("API, {label}"), reports, &latencies);
        fixed.print(&format!("API at 80 % of its rate, {label} (requests)"));
        let (rows, latencies) = run_sql(&url, per_request).await;
        let raw = line(&format!("raw SQL, {label}"), rows, &latencies);
        println!("{:>22}: {:.0} %", "API / raw SQL", 100.0 * api / raw);
    }
}
