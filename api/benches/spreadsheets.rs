//! Spreadsheets through the API beside the same work as raw SQL, in one run on the same
//! database: the CSV export of the whole activity list (the generated programme of 100,000
//! activities, streamed) and an import of 10,000 new activities (a dry run, then for real).
//!
//! The raw export is one statement that reads the same rows with their participations and
//! formats each as a CSV line, loaded over the bench's own connection. The raw import inserts
//! the same activities and participations in one transaction, with the row triggers on (change
//! numbers) as the API's inserts have them, but without the API's audit events; its dry run is
//! the same transaction rolled back.
//!
//! ```sh
//! DATABASE_URL=postgres://…/an_empty_database cargo bench -p gloact-api --bench spreadsheets
//! ```

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    missing_docs,
    reason = "a benchmark binary"
)]

mod support;

use std::time::{Duration, Instant};

use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use gloact_api::auth::{SigningKey, TokenService};
use gloact_api::server::Application;
use gloact_domain::value::Code;
use gloact_domain::{Role, Scopes};
use gloact_persistence::{Db, migrate, seed};

/// Rows of the import.
const IMPORT_ROWS: usize = 10_000;

/// Runs of each export, of which the median is shown.
const RUNS: usize = 3;

/// The raw side of the export: the list's rows, with their participations, as CSV lines.
const EXPORT_SQL: &str = "SELECT concat_ws(',', a.id, a.programme_id, a.parent_id, a.code,
       quote_ident(a.title), quote_ident(a.description), a.kind, a.pillar, a.status, a.visibility,
       a.planned_start, a.planned_end, a.actual_start, a.actual_end, a.location, a.district,
       a.participants_female, a.participants_male, a.participants_other, a.judges, a.prosecutors,
       a.law_enforcement, a.officials, a.civil_society,
       (SELECT string_agg(o.code || ':' || p.role, ';' ORDER BY o.code, p.role)
          FROM participation p JOIN organization o ON o.id = p.organization_id
         WHERE p.activity_id = a.id AND p.deleted_at IS NULL),
       a.version, a.change_seq, a.created_at, a.updated_at) AS line
  FROM activity a WHERE a.deleted_at IS NULL ORDER BY a.id";

/// The raw side of the import: the sheet's activities and their participations.
const IMPORT_SQL: [&str; 2] = [
    "INSERT INTO activity (id, programme_id, code, title, kind, pillar, status, visibility,
                           district, participants_female, participants_male)
     SELECT gen_random_uuid(), (SELECT id FROM programme WHERE code = 'GLOACT-BGD'),
            '$PREFIX-' || i, 'Imported training ' || i, 'training', 'capacity_building',
            'planned', 'restricted', 'Sylhet', 5 + i % 20, 5 + i % 15
       FROM generate_series(1, $ROWS) AS i",
    "INSERT INTO participation (id, activity_id, organization_id, role)
     SELECT gen_random_uuid(), a.id, o.id, r.role
       FROM activity a,
            (VALUES ('UNODC-BGD', 'implementing'), ('MOHA-BGD', 'participant')) AS r(code, role)
            JOIN organization o ON o.code = r.code
      WHERE a.code LIKE '$PREFIX-%'",
];

#[derive(diesel::QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    #[allow(dead_code, reason = "loaded to be read, as a client would")]
    line: String,
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    support::percentile(&times, 0.5)
}

/// The sheet of new activities the import takes, with codes starting `prefix`.
fn sheet(prefix: &str) -> String {
    let mut csv = String::from(
        "programme,code,title,kind,pillar,status,visibility,district,participants_female,participants_male,participations\n",
    );
    for i in 1..=IMPORT_ROWS {
        csv.push_str(&format!(
            "GLOACT-BGD,{prefix}-{i},Imported training {i},training,capacity_building,planned,restricted,Sylhet,{},{},UNODC-BGD:implementing;MOHA-BGD:participant\n",
            5 + i % 20,
            5 + i % 15
        ));
    }
    csv
}

async fn raw_import(conn: &mut AsyncPgConnection, prefix: &str, commit: bool) -> Duration {
    let started = Instant::now();
    let result = conn
        .transaction::<(), diesel::result::Error, _>(async |conn| {
            for statement in IMPORT_SQL {
                diesel::sql_query(
                    statement
                        .replace("$PREFIX", prefix)
                        .replace("$ROWS", &IMPORT_ROWS.to_string()),
                )
                .execute(conn)
                .await?;
            }
            if commit {
                Ok(())
            } else {
                Err(diesel::result::Error::RollbackTransaction)
            }
        })
        .await;
    match result {
        Ok(()) | Err(diesel::result::Error::RollbackTransaction) => started.elapsed(),
        Err(e) => panic!("raw import: {e}"),
    }
}

fn row(work: &str, api: Duration, raw: Duration) {
    println!(
        "{work:<44} {:>9.2} s {:>9.2} s {:>7.0} %",
        api.as_secs_f64(),
        raw.as_secs_f64(),
        100.0 * raw.as_secs_f64() / api.as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    let Ok(url) = std::env::var("DATABASE_URL") else {
        println!("set DATABASE_URL to an empty database to run this benchmark");
        return;
    };
    let settings = support::settings(&url);
    migrate(&url).await.unwrap();
    let db = Db::connect(&settings.db_settings(url.clone())).unwrap();
    seed::seed(&db).await.unwrap();
    support::generate(&url).await;
    let tokens = TokenService::new(SigningKey::generate().unwrap(), &settings.auth).unwrap();
    let token = tokens
        .mint(
            "bench-importer",
            Role::Unodc,
            &Code::parse("UNODC-BGD").unwrap(),
            &Scopes::default(),
            chrono::Duration::hours(1),
        )
        .unwrap();
    let app = Application::build(&settings, db, tokens, false).unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::new();
    let mut conn = AsyncPgConnection::establish(&url).await.unwrap();

    let (mut api, mut raw, mut bytes, mut lines) = (Vec::new(), Vec::new(), 0, 0);
    for _ in 0..RUNS {
        let started = Instant::now();
        let response = client
            .get(format!("{base}/api/v1/activities"))
            .header("accept", "text/csv")
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let body = response.bytes().await.unwrap();
        api.push(started.elapsed());
        bytes = body.len();
        lines = body.iter().filter(|b| **b == b'\n').count();

        let started = Instant::now();
        let rows: Vec<Line> = diesel::sql_query(EXPORT_SQL).load(&mut conn).await.unwrap();
        raw.push(started.elapsed());
        assert!(rows.len() + 1 >= lines, "the same rows");
    }
    println!(
        "CSV export: {} rows besides the header, {:.1} MB",
        lines - 1,
        bytes as f64 / 1e6
    );
    println!(
        "{:<44} {:>11} {:>11} {:>9}",
        "work", "the API", "raw SQL", "ratio"
    );
    row(
        "CSV export of every activity (median of 3)",
        median(api),
        median(raw),
    );

    let upload = |prefix: &str, dry_run: bool| {
        client
            .post(format!(
                "{base}/api/v1/imports/activities?dry_run={dry_run}"
            ))
            .header("content-type", "text/csv")
            .bearer_auth(&token)
            .body(sheet(prefix))
    };
    let mut api = Vec::new();
    let mut raw = Vec::new();
    for run in 0..RUNS {
        let request = upload("IMPB", true);
        let started = Instant::now();
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        assert_eq!(status, 200, "{text}");
        api.push(started.elapsed());
        raw.push(raw_import(&mut conn, &format!("RAWD{run}"), false).await);
    }
    row(
        "import of 10,000 activities, dry run",
        median(api),
        median(raw),
    );
    let request = upload("IMPB", false);
    let started = Instant::now();
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, 200, "{text}");
    let api = started.elapsed();
    let raw = raw_import(&mut conn, "RAWB", true).await;
    row("import of 10,000 activities, written", api, raw);
}
