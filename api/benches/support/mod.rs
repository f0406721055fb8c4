//! What the HTTP benchmarks share: the server's settings on a database, the generated programme
//! of 100,000 activities, and percentiles.

#![allow(dead_code, reason = "each benchmark uses a part of it")]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use gloact_api::config::Settings;

/// Settings for a server on `url`, on a free port, with a fresh key of identifying fields.
pub fn settings(url: &str) -> Settings {
    let mut settings = Settings {
        database_url: Some(url.to_owned()),
        ..Settings::default()
    };
    settings.listen = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    settings.pii.key = Some(gloact_persistence::sealed::SealingKey::generate_base64().into());
    settings
}

/// The `p` quantile (0 to 1) of sorted latencies.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// How many activities the generated programme has.
pub const ACTIVITIES: i64 = 100_000;

/// Adds generated activities (and what hangs off them) up to `ACTIVITIES`, in bulk with the
/// row triggers off (their change numbers are still drawn from the one sequence).
const GENERATE: &str = r#"
SET session_replication_role = replica;
WITH orgs AS (SELECT array_agg(id ORDER BY code) AS ids FROM organization),
     prog AS (SELECT id FROM programme ORDER BY code LIMIT 1),
     n AS (SELECT generate_series(1, $1) AS i)
INSERT INTO activity (id, programme_id, code, title, kind, pillar, status, visibility,
                      planned_start, planned_end, district, participants_female, participants_male,
                      judges, prosecutors, change_seq)
SELECT gen_random_uuid(), prog.id, 'GEN-' || i, 'Generated activity ' || i,
       (ARRAY['consultation','meeting','workshop','training','validation_workshop','study',
              'legislative_review','awareness','assistance','other'])[1 + i % 10],
       (ARRAY['coordination','research_evidence','legislative_review','capacity_building',
              'international_cooperation','victim_assistance'])[1 + i % 6],
       (ARRAY['planned','ongoing','completed','postponed','cancelled'])[1 + (i / 7) % 5],
       CASE WHEN i % 4 = 0 THEN 'restricted' ELSE 'public' END,
       date '2019-01-01' + (i % 1800), date '2019-01-03' + (i % 1800),
       (ARRAY['Dhaka','Cox''s Bazar','Teknaf','Sylhet','Khulna','Jessore','Chattogram','Rajshahi'])[1 + i % 8],
       5 + i % 20, 5 + i % 15, i % 3, i % 4, nextval('change_seq')
FROM n, prog;
WITH orgs AS (SELECT array_agg(id ORDER BY code) AS ids, count(*) AS k FROM organization)
INSERT INTO participation (id, activity_id, organization_id, role, change_seq)
SELECT gen_random_uuid(), a.id, orgs.ids[1 + (g.r + abs(hashtext(a.code))) % orgs.k],
       CASE g.r WHEN 0 THEN 'organizer' ELSE 'implementing' END, nextval('change_seq')
FROM activity a, orgs, generate_series(0, 1) AS g(r) WHERE a.code LIKE 'GEN-%';
INSERT INTO objective (id, activity_id, description, achieved, change_seq)
SELECT gen_random_uuid(), a.id, 'Objective ' || g.r || ' of ' || a.code, g.r = 0, nextval('change_seq')
FROM activity a, generate_series(0, 1) AS g(r) WHERE a.code LIKE 'GEN-%';
WITH orgs AS (SELECT array_agg(id ORDER BY code) AS ids, count(*) AS k FROM organization)
INSERT INTO follow_up_action (id, activity_id, owner_organization_id, title, status, change_seq)
SELECT gen_random_uuid(), a.id, orgs.ids[1 + abs(hashtext(a.code)) % orgs.k],
       'Follow up ' || a.code, (ARRAY['open','in_progress','done','dropped'])[1 + abs(hashtext(a.code)) % 4],
       nextval('change_seq')
FROM activity a, orgs WHERE a.code LIKE 'GEN-%';
SET session_replication_role = origin;
ANALYZE;
"#;

#[derive(diesel::QueryableByName)]
pub struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub n: i64,
}

pub async fn generate(url: &str) {
    let mut conn = AsyncPgConnection::establish(url).await.unwrap();
    let have: Count =
        diesel::sql_query("SELECT count(*) AS n FROM activity WHERE code LIKE 'GEN-%'")
            .get_result(&mut conn)
            .await
            .unwrap();
    if have.n >= ACTIVITIES {
        println!("{} generated activities already there", have.n);
        return;
    }
    assert_eq!(
        have.n, 0,
        "a partly generated database: start from an empty one"
    );
    let started = Instant::now();
    // One statement at a time (the extended protocol takes one per call); $1 inlined as a number.
    for statement in GENERATE
        .split(";\n")
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        diesel::sql_query(statement.replace("$1", &ACTIVITIES.to_string()))
            .execute(&mut conn)
            .await
            .unwrap();
    }
    println!(
        "generated {ACTIVITIES} activities, {} participations, {} objectives, {} follow-up actions in {:.1} s",
        2 * ACTIVITIES,
        2 * ACTIVITIES,
        ACTIVITIES,
        started.elapsed().as_secs_f64()
    );
}

/// The `i`-th request of a workload.
pub type MakeRequest = Arc<dyn Fn(usize) -> reqwest::RequestBuilder + Send + Sync>;

/// Rate and sorted latencies.
pub struct Run {
    /// Answers per second.
    pub rate: f64,
    /// Their latencies, sorted.
    pub latencies: Vec<Duration>,
}

impl Run {
    /// One line: the rate and its p50 and p99.
    pub fn print(&self, label: &str) {
        println!(
            "{label:<44} {:>7.0} /s   p50 {:>6.1} ms   p99 {:>6.1} ms",
            self.rate,
            percentile(&self.latencies, 0.50).as_secs_f64() * 1e3,
            percentile(&self.latencies, 0.99).as_secs_f64() * 1e3,
        );
    }
}

/// Sends a request and reads the whole answer, which must be a success: a 2xx, and for GraphQL
/// (a JSON object answer) one without `errors`.
pub async fn send(request: reqwest::RequestBuilder) {
    let response = request.send().await.unwrap();
    let status = response.status();
    let body = response.bytes().await.unwrap();
    let failed = || String::from_utf8_lossy(&body).into_owned();
    assert!(status.is_success(), "{status}: {}", failed());
    if body.starts_with(b"{\"data\"") || body.starts_with(b"{\"errors\"") {
        let answer: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert!(answer.get("errors").is_none(), "{}", failed());
    }
}

/// `clients` clients, each sending its next request when the last is answered.
pub async fn closed_loop(make: &MakeRequest, clients: usize, duration: Duration) -> Run {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + duration;
    let workers = (0..clients)
        .map(|_| {
            let (make, next) = (Arc::clone(make), Arc::clone(&next));
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while Instant::now() < deadline {
                    let request = make(next.fetch_add(1, Ordering::Relaxed));
                    let sent = Instant::now();
                    send(request).await;
                    latencies.push(sent.elapsed());
                }
                latencies
            })
        })
        .collect::<Vec<_>>();
    collect(workers, started).await
}

/// Requests due at a fixed `rate`, each sent when due whatever the others are doing; latency from
/// when it was due.
pub async fn fixed_rate(make: &MakeRequest, rate: f64, duration: Duration) -> Run {
    let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let started = Instant::now();
    let mut requests = Vec::new();
    let mut i = 0;
    while started.elapsed() < duration {
        let due = ticks.tick().await.into_std();
        let request = make(i);
        i += 1;
        requests.push(tokio::spawn(async move {
            send(request).await;
            vec![due.elapsed()]
        }));
    }
    collect(requests, started).await
}

/// The latencies the workers measured, sorted, and the rate since `started`.
pub async fn collect(
    workers: Vec<tokio::task::JoinHandle<Vec<Duration>>>,
    started: Instant,
) -> Run {
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await.unwrap());
    }
    let took = started.elapsed();
    latencies.sort();
    Run {
        rate: latencies.len() as f64 / took.as_secs_f64(),
        latencies,
    }
}
