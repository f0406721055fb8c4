//! The nested dashboard query over GraphQL, on a generated programme of 100,000 activities (each
//! with two participations, two objectives and a follow-up action): requests per second and
//! latency percentiles of this server, and — when `POSTGRAPHILE_URL` names a PostGraphile 4
//! serving the same database — of PostGraphile for the same nested query, side by side.
//!
//! ```sh
//! DATABASE_URL=postgres://…/an_empty_database cargo bench -p gloact-api --bench graphql_dashboard
//! # then, for the comparison, with PostGraphile on the same (now generated) database:
//! npx postgraphile@4 -c postgres://…/that_database --port 5000 --disable-graphiql &
//! POSTGRAPHILE_URL=http://127.0.0.1:5000/graphql DATABASE_URL=… cargo bench -p gloact-api --bench graphql_dashboard
//! ```

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
/// The whole dashboard scans every activity four times: a few viewers at once, not sixteen (at
/// sixteen the pool's connections run out and requests are shed with 503 after 5 s).
const DASHBOARD_VIEWERS: usize = 4;
const WARM_UP: Duration = Duration::from_secs(2);
const RUN_FOR: Duration = Duration::from_secs(10);

/// The nested part of a dashboard: a page of activities with their organizations, objectives
/// and follow-up actions (and the owners of those).
const NESTED: &str = r#"query Nested {
  activities(first: 50, filter: { pillar: VICTIM_ASSISTANCE, status: COMPLETED }) {
    totalCount
    edges { cursor node {
      code title status district
      participations { role organization { code name } }
      objectives { description achieved }
      followUpActions { title status owner { code } }
    } }
  }
}"#;

/// The whole dashboard: the nested page plus the aggregates over all 100,000 activities.
const DASHBOARD: &str = r#"query Dashboard {
  byPillar: activityCounts(by: PILLAR) { key count }
  byStatus: activityCounts(by: STATUS) { key count }
  byMonth: activityCounts(by: MONTH) { key count }
  participantTotals { activities total female male judges prosecutors lawEnforcement }
  activities(first: 50, filter: { pillar: VICTIM_ASSISTANCE, status: COMPLETED }) {
    totalCount
    edges { cursor node {
      code title status district
      participations { role organization { code name } }
      objectives { description achieved }
      followUpActions { title status owner { code } }
    } }
  }
}"#;

/// The same nested page in PostGraphile 4's default inflection.
const NESTED_POSTGRAPHILE: &str = r#"query Nested {
  allActivities(first: 50, orderBy: ID_ASC, condition: { pillar: "victim_assistance", status: "completed" }) {
    totalCount
    edges { cursor node {
      code title status district
      participationsByActivityId { nodes { role organizationByOrganizationId { code name } } }
      objectivesByActivityId { nodes { description achieved } }
      followUpActionsByActivityId { nodes { title status organizationByOwnerOrganizationId { code } } }
    } }
  }
}"#;

/// Sends `query` from `clients` clients for `duration`; the sorted latencies, and how long it
/// took until the last answer came (requests sent before the deadline are waited for).
async fn load(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    query: &str,
    clients: usize,
    duration: Duration,
) -> (Vec<Duration>, Duration) {
    let started = Instant::now();
    let deadline = started + duration;
    let body = serde_json::json!({ "query": query });
    let workers = (0..clients)
        .map(|_| {
            let (client, url, token, body) = (
                client.clone(),
                url.to_owned(),
                token.map(str::to_owned),
                body.clone(),
            );
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while Instant::now() < deadline {
                    let started = Instant::now();
                    let mut request = client.post(&url).json(&body);
                    if let Some(token) = &token {
                        request = request.bearer_auth(token);
                    }
                    let response = request.send().await.unwrap();
                    assert!(response.status().is_success(), "{}", response.status());
                    let answer: serde_json::Value = response.json().await.unwrap();
                    assert!(answer.get("errors").is_none(), "{answer}");
                    latencies.push(started.elapsed());
                }
                latencies
            })
        })
        // Spawned all at once (an iterator is lazy: awaiting while mapping would run them one
        // after another).
        .collect::<Vec<_>>();
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await.unwrap());
    }
    latencies.sort();
    (latencies, started.elapsed())
}

async fn measure(
    name: &str,
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    query: &str,
    clients: usize,
) {
    load(client, url, token, query, clients, WARM_UP).await;
    let (latencies, took) = load(client, url, token, query, clients, RUN_FOR).await;
    println!(
        "{name:<34} {:>7.0} req/s   p50 {:>6.1} ms   p99 {:>6.1} ms   ({} requests, {clients} clients)",
        latencies.len() as f64 / took.as_secs_f64(),
        support::percentile(&latencies, 0.50).as_secs_f64() * 1000.0,
        support::percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
        latencies.len(),
    );
}

#[tokio::main]
async fn main() {
    let Ok(url) = std::env::var("DATABASE_URL") else {
        println!("set DATABASE_URL to an empty database to run this benchmark");
        return;
    };
    let mut settings = support::settings(&url);
    settings.database.max_connections = 16;
    migrate(&url).await.unwrap();
    let db = Db::connect(&settings.db_settings(url.clone())).unwrap();
    seed::seed(&db).await.unwrap();
    support::generate(&url).await;

    let tokens = TokenService::new(SigningKey::generate().unwrap(), &settings.auth).unwrap();
    // The donor's dashboard: the EU sees every activity, and statistics protected.
    let token = tokens
        .mint(
            "bench-dashboard",
            Role::Eu,
            &Code::parse("EU-DEL-BGD").unwrap(),
            &Scopes::default(),
            chrono::Duration::hours(1),
        )
        .unwrap();
    let app = Application::build(&settings, db, tokens, false).unwrap();
    let endpoint = format!("http://127.0.0.1:{}/graphql", app.port());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::new();

    measure(
        "gloact: nested page",
        &client,
        &endpoint,
        Some(&token),
        NESTED,
        CONCURRENCY,
    )
    .await;
    measure(
        "gloact: whole dashboard",
        &client,
        &endpoint,
        Some(&token),
        DASHBOARD,
        DASHBOARD_VIEWERS,
    )
    .await;
    match std::env::var("POSTGRAPHILE_URL") {
        Ok(postgraphile) => {
            measure(
                "PostGraphile 4: nested page",
                &client,
                &postgraphile,
                None,
                NESTED_POSTGRAPHILE,
                CONCURRENCY,
            )
            .await
        }
        Err(_) => println!("(set POSTGRAPHILE_URL to compare with PostGraphile 4)"),
    }
}
