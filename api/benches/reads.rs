//! Reads through the API beside the same reads as raw SQL, in one run on the same database: an
//! activity by id (public, and restricted, whose every read is audited), a page of 100, the
//! GraphQL dashboard's nested page and the whole dashboard (that page and its aggregates), on the
//! generated programme of 100,000 activities; with PostGraphile 4 beside the nested page when
//! `POSTGRAPHILE_URL` names one serving the same database. Closed loop
//! (16 clients as fast as answers come) for the rates and the ratio, then an open loop at 80 % of
//! the API's closed-loop rate for the latency a steady load sees (measured from when each request
//! was due, so a stall counts against every request it delays). Ends with the process's peak
//! RSS (server and load generator together: an upper bound on the server's).
//!
//! ```sh
//! DATABASE_URL=postgres://…/an_empty_database cargo bench -p gloact-api --bench reads
//! # for the comparison, with PostGraphile on the same (now generated) database:
//! npx postgraphile@4 -c postgres://…/that_database --port 5000 --disable-graphiql &
//! POSTGRAPHILE_URL=http://127.0.0.1:5000/graphql DATABASE_URL=… cargo bench -p gloact-api --bench reads
//! ```

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    missing_docs,
    reason = "a benchmark binary"
)]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use gloact_api::auth::{SigningKey, TokenService};
use gloact_api::server::Application;
use gloact_domain::value::Code;
use gloact_domain::{Role, Scopes};
use gloact_persistence::{Db, migrate, seed};
use uuid::Uuid;

const CONCURRENCY: usize = 16;
const WARM_UP: Duration = Duration::from_secs(2);
const RUN_FOR: Duration = Duration::from_secs(8);

/// An activity with its three embeds, as one JSON document: the raw side of a read by id.
const ONE: &str = "SELECT json_build_object(
     'activity', a,
     'participations', (SELECT json_agg(p) FROM participation p WHERE p.activity_id = a.id),
     'objectives', (SELECT json_agg(o) FROM objective o WHERE o.activity_id = a.id),
     'follow_up_actions', (SELECT json_agg(f) FROM follow_up_action f WHERE f.activity_id = a.id)
   )::text AS body
   FROM activity a WHERE a.id = $1 AND a.deleted_at IS NULL";

/// The first 100 live activities by id, each with its embeds.
const PAGE: &str = "SELECT json_agg(x.doc)::text AS body FROM (
     SELECT json_build_object(
       'activity', a,
       'participations', (SELECT json_agg(p) FROM participation p WHERE p.activity_id = a.id),
       'objectives', (SELECT json_agg(o) FROM objective o WHERE o.activity_id = a.id),
       'follow_up_actions', (SELECT json_agg(f) FROM follow_up_action f WHERE f.activity_id = a.id)
     ) AS doc
     FROM activity a WHERE a.deleted_at IS NULL ORDER BY a.id LIMIT 100) x";

/// The GraphQL nested page as one statement: its count and 50 activities with their
/// participations' organizations, objectives and follow-up actions' owners.
const NESTED_SQL: &str = "SELECT json_build_object(
     'total', (SELECT count(*) FROM activity WHERE pillar = 'victim_assistance'
                 AND status = 'completed' AND deleted_at IS NULL),
     'items', (SELECT json_agg(x.doc) FROM (
       SELECT json_build_object(
         'code', a.code, 'title', a.title, 'status', a.status, 'district', a.district,
         'participations', (SELECT json_agg(json_build_object('role', p.role, 'code', o.code, 'name', o.name))
                              FROM participation p JOIN organization o ON o.id = p.organization_id
                             WHERE p.activity_id = a.id),
         'objectives', (SELECT json_agg(json_build_object('description', b.description, 'achieved', b.achieved))
                          FROM objective b WHERE b.activity_id = a.id),
         'follow_up_actions', (SELECT json_agg(json_build_object('title', f.title, 'status', f.status, 'owner', w.code))
                                 FROM follow_up_action f JOIN organization w ON w.id = f.owner_organization_id
                                WHERE f.activity_id = a.id)
       ) AS doc
       FROM activity a WHERE a.pillar = 'victim_assistance' AND a.status = 'completed'
        AND a.deleted_at IS NULL ORDER BY a.id LIMIT 50) x)
   )::text AS body";

/// The dashboard's nested page as a GraphQL selection: 50 activities with their organizations,
/// objectives and follow-up actions' owners.
macro_rules! nested_page {
    () => {
        r#"
  activities(first: 50, filter: { pillar: VICTIM_ASSISTANCE, status: COMPLETED }) {
    totalCount
    edges { cursor node {
      code title status district
      participations { role organization { code name } }
      objectives { description achieved }
      followUpActions { title status owner { code } }
    } }
  }
"#
    };
}

const NESTED_GRAPHQL: &str = concat!("query Nested {", nested_page!(), "}");

/// The whole dashboard: the nested page and the aggregates over every activity.
const DASHBOARD_GRAPHQL: &str = concat!(
    r#"query Dashboard {
  byPillar: activityCounts(by: PILLAR) { key count }
  byStatus: activityCounts(by: STATUS) { key count }
  byMonth: activityCounts(by: MONTH) { key count }
  participantTotals { activities total female male judges prosecutors lawEnforcement }"#,
    nested_page!(),
    "}"
);

/// The whole dashboard's aggregates as raw SQL counts over the rows (the nested page is
/// [`NESTED_SQL`], run after it on the same connection).
const DASHBOARD_SQL: &str = "SELECT json_build_object(
     'by_pillar', (SELECT json_agg(x) FROM (SELECT pillar, count(*) FROM activity
                     WHERE deleted_at IS NULL GROUP BY pillar) x),
     'by_status', (SELECT json_agg(x) FROM (SELECT status, count(*) FROM activity
                     WHERE deleted_at IS NULL GROUP BY status) x),
     'by_month', (SELECT json_agg(x) FROM (SELECT date_trunc('month', coalesce(actual_start, planned_start)) AS month,
                     count(*) FROM activity WHERE deleted_at IS NULL GROUP BY 1) x),
     'totals', (SELECT json_build_object('activities', count(*),
                  'female', sum(participants_female), 'male', sum(participants_male),
                  'judges', sum(judges), 'prosecutors', sum(prosecutors),
                  'law_enforcement', sum(law_enforcement))
                  FROM activity WHERE deleted_at IS NULL)
   )::text AS body";

/// The nested page in PostGraphile 4's default inflection.
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

/// A workload: its label, the API request, the raw SQL statements beside it and the ids they take.
type Workload<'a> = (
    &'static str,
    support::MakeRequest,
    &'static [&'static str],
    &'a Arc<Vec<Uuid>>,
);

#[derive(diesel::QueryableByName)]
struct Body {
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    #[allow(dead_code, reason = "read to have the server send it")]
    body: Option<String>,
}

#[derive(diesel::QueryableByName)]
struct Id {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// The same work as raw SQL: `CONCURRENCY` connections, each running `queries` in turn (each
/// bound to the `i`-th id when it takes one) as fast as they answer.
async fn sql_closed(url: &str, queries: &[&'static str], ids: &Arc<Vec<Uuid>>) -> support::Run {
    let queries: Arc<Vec<&'static str>> = Arc::new(queries.to_vec());
    let next = Arc::new(AtomicUsize::new(0));
    let mut connections = Vec::new();
    for _ in 0..CONCURRENCY {
        connections.push(AsyncPgConnection::establish(url).await.unwrap());
    }
    let started = Instant::now();
    let deadline = started + RUN_FOR;
    let workers = connections
        .into_iter()
        .map(|mut conn| {
            let (ids, next, queries) = (Arc::clone(ids), Arc::clone(&next), Arc::clone(&queries));
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while Instant::now() < deadline {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let sent = Instant::now();
                    for query in queries.iter() {
                        let rows: Vec<Body> = if query.contains("$1") {
                            diesel::sql_query(*query)
                                .bind::<SqlUuid, _>(ids[i % ids.len()])
                                .load(&mut conn)
                                .await
                                .unwrap()
                        } else {
                            diesel::sql_query(*query).load(&mut conn).await.unwrap()
                        };
                        assert!(!rows.is_empty());
                    }
                    latencies.push(sent.elapsed());
                }
                latencies
            })
        })
        .collect::<Vec<_>>();
    support::collect(workers, started).await
}

async fn ids(url: &str, visibility: &str) -> Arc<Vec<Uuid>> {
    let mut conn = AsyncPgConnection::establish(url).await.unwrap();
    let rows: Vec<Id> = diesel::sql_query(
        "SELECT id FROM activity WHERE code LIKE 'GEN-%' AND visibility = $1 \
         AND deleted_at IS NULL ORDER BY md5(id::text) LIMIT 2000",
    )
    .bind::<Text, _>(visibility)
    .load(&mut conn)
    .await
    .unwrap();
    Arc::new(rows.into_iter().map(|r| r.id).collect())
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kib| kib / 1024.0)
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
    // The donor sees every activity; its reads of restricted ones are on the audit trail.
    let token = tokens
        .mint(
            "bench-reader",
            Role::Eu,
            &Code::parse("EU-DEL-BGD").unwrap(),
            &Scopes::default(),
            chrono::Duration::hours(1),
        )
        .unwrap();
    let app = Application::build(&settings, db, tokens, false).unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::new();
    let public = ids(&url, "public").await;
    let restricted = ids(&url, "restricted").await;

    let by_id = |ids: &Arc<Vec<Uuid>>| -> support::MakeRequest {
        let (client, base, token, ids) =
            (client.clone(), base.clone(), token.clone(), Arc::clone(ids));
        Arc::new(move |i| {
            client
                .get(format!("{base}/api/v1/activities/{}", ids[i % ids.len()]))
                .bearer_auth(&token)
        })
    };
    let page: support::MakeRequest = {
        let (client, base, token) = (client.clone(), base.clone(), token.clone());
        Arc::new(move |_| {
            client
                .get(format!("{base}/api/v1/activities?limit=100"))
                .bearer_auth(&token)
        })
    };
    let nested: support::MakeRequest = {
        let (client, base, token) = (client.clone(), base.clone(), token.clone());
        Arc::new(move |_| {
            client
                .post(format!("{base}/graphql"))
                .bearer_auth(&token)
                .json(&serde_json::json!({ "query": NESTED_GRAPHQL }))
        })
    };
    let dashboard: support::MakeRequest = {
        let (client, base, token) = (client.clone(), base.clone(), token.clone());
        Arc::new(move |_| {
            client
                .post(format!("{base}/graphql"))
                .bearer_auth(&token)
                .json(&serde_json::json!({ "query": DASHBOARD_GRAPHQL }))
        })
    };
    let none = Arc::new(Vec::new());
    let workloads: [Workload; 5] = [
        ("activity by id, public", by_id(&public), &[ONE], &public),
        (
            "activity by id, restricted (audited)",
            by_id(&restricted),
            &[ONE],
            &restricted,
        ),
        ("page of 100 activities", page, &[PAGE], &none),
        ("GraphQL nested page (50)", nested, &[NESTED_SQL], &none),
        (
            "whole dashboard (page + 4 aggregates)",
            dashboard,
            &[DASHBOARD_SQL, NESTED_SQL],
            &none,
        ),
    ];
    let mut summary = Vec::new();
    for (label, make, sql, ids) in &workloads {
        support::closed_loop(make, CONCURRENCY, WARM_UP).await;
        let api = support::closed_loop(make, CONCURRENCY, RUN_FOR).await;
        api.print(&format!("API, {label}"));
        let raw = sql_closed(&url, sql, ids).await;
        raw.print(&format!("raw SQL, {label}"));
        let fixed = support::fixed_rate(make, 0.8 * api.rate, RUN_FOR).await;
        fixed.print(&format!("API at 80 % of its rate, {label}"));
        summary.push((label, api, raw, fixed));
    }
    println!();
    println!("| work | the API | raw SQL | ratio | API p99 at 80 % of its rate |");
    println!("|---|---|---|---|---|");
    for (label, api, raw, fixed) in &summary {
        println!(
            "| {label} | {:.0}/s (p99 {:.1} ms) | {:.0}/s | {:.0} % | {:.1} ms at {:.0}/s |",
            api.rate,
            support::percentile(&api.latencies, 0.99).as_secs_f64() * 1e3,
            raw.rate,
            100.0 * api.rate / raw.rate,
            support::percentile(&fixed.latencies, 0.99).as_secs_f64() * 1e3,
            fixed.rate,
        );
    }
    match std::env::var("POSTGRAPHILE_URL") {
        Ok(postgraphile) => {
            let make: support::MakeRequest = Arc::new(move |_| {
                client
                    .post(&postgraphile)
                    .json(&serde_json::json!({ "query": NESTED_POSTGRAPHILE }))
            });
            support::closed_loop(&make, CONCURRENCY, WARM_UP).await;
            let theirs = support::closed_loop(&make, CONCURRENCY, RUN_FOR).await;
            theirs.print("PostGraphile 4, GraphQL nested page (50)");
            let ours = &summary[3].1;
            println!(
                "| GraphQL nested page, PostGraphile 4 | {:.0}/s (p99 {:.1} ms) | | ours is {:.2}x | |",
                theirs.rate,
                support::percentile(&theirs.latencies, 0.99).as_secs_f64() * 1e3,
                ours.rate / theirs.rate,
            );
        }
        Err(_) => println!("(set POSTGRAPHILE_URL to put PostGraphile 4 beside the nested page)"),
    }
    println!();
    println!(
        "peak RSS of the process (server and load generator): {:.0} MiB",
        peak_rss_mib()
    );
}
