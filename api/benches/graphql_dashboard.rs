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

use std::sync::Arc;
use std::time::Duration;

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

async fn measure(
    name: &str,
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    query: &str,
    clients: usize,
) {
    let make: support::MakeRequest = {
        let (client, url, token) = (client.clone(), url.to_owned(), token.map(str::to_owned));
        let body = serde_json::json!({ "query": query });
        Arc::new(move |_| {
            let request = client.post(&url).json(&body);
            match &token {
                Some(token) => request.bearer_auth(token),
                None => request,
            }
        })
    };
    support::closed_loop(&make, clients, WARM_UP).await;
    let run = support::closed_loop(&make, clients, RUN_FOR).await;
    run.print(&format!(
        "{name} ({} requests, {clients} clients)",
        run.latencies.len()
    ));
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
