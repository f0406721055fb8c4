//! The list routes as CSV (`Accept: text/csv`): fixed columns, the JSON list's filters and scope,
//! a page with `limit` (continued by `X-Next-Cursor`) or the whole list streamed, cells
//! neutralised against formulas, and the refusals (406, `changed_after`).

use std::collections::BTreeSet;

use diesel_async::RunQueryDsl;
use gloact_domain::Role;
use gloact_tests::{TestApp, json, problem, spawn_seeded_app, victim_identification};
use reqwest::{Method, Response};
use serde_json::{Value, json};

const ACTIVITY_COLUMNS: &str = "id,programme_id,parent_id,code,title,description,kind,pillar,status,visibility,planned_start,planned_end,actual_start,actual_end,location,district,participants_female,participants_male,participants_other,participants_judges,participants_prosecutors,participants_law_enforcement,participants_officials,participants_civil_society,participations,version,change_seq,created_at,updated_at";
const ORGANIZATION_COLUMNS: &str =
    "id,code,name,kind,country,parent_id,iati_ref,version,change_seq,created_at,updated_at";
const INDICATOR_COLUMNS: &str = "indicator_id,programme_id,code,title,result_level,measure,baseline_value,baseline_year,disaggregated_by_sex,period_id,period_start,period_end,target,actual,actual_female,actual_male,version,change_seq,created_at,updated_at";
const PROGRAMME_COLUMNS: &str = "id,code,title,start_date,end_date,countries,iati_identifier,funders,implementers,version,change_seq,created_at,updated_at";
const FIELD_REPORT_COLUMNS: &str = "id,kind,occurred_at,received_at,reporter,organization,district,gps_latitude,gps_longitude,gps_accuracy_m,activity_id,narrative,payload,review_status,review_reason,version,change_seq";
const FOLLOW_UP_COLUMNS: &str = "id,activity_id,owner_id,owner,title,description,due_date,status,version,change_seq,created_at,updated_at";

/// A CSV answer, read.
#[derive(Debug)]
struct Csv {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    next: Option<String>,
}

impl Csv {
    fn column(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|c| c == name)
            .unwrap_or_else(|| panic!("no column {name} in {:?}", self.header))
    }

    /// The cells of one column, in row order.
    fn cells(&self, name: &str) -> Vec<String> {
        let at = self.column(name);
        self.rows.iter().map(|r| r[at].clone()).collect()
    }

    /// The row whose `column` holds `value`.
    fn row(&self, column: &str, value: &str) -> &[String] {
        let at = self.column(column);
        self.rows
            .iter()
            .find(|r| r[at] == value)
            .unwrap_or_else(|| panic!("no row with {column} = {value}"))
    }
}

async fn get_as(app: &TestApp, path: &str, token: &str, accept: &str) -> Response {
    app.request(Method::GET, path, token)
        .header("accept", accept)
        .send()
        .await
        .expect("the server answers")
}

/// Reads a 200 CSV answer, checking its media type and file name.
async fn read_csv(response: Response, file_name: &str) -> Csv {
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let content_type = header("content-type");
    let disposition = header("content-disposition");
    let next = header("x-next-cursor");
    let text = response.text().await.unwrap();
    assert_eq!(status, 200, "{text}");
    assert_eq!(content_type.as_deref(), Some("text/csv; charset=utf-8"));
    assert_eq!(
        disposition,
        Some(format!("attachment; filename=\"{file_name}\""))
    );
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    Csv { header, rows, next }
}

async fn csv_of(app: &TestApp, path: &str, role: Role, file_name: &str) -> Csv {
    read_csv(
        get_as(app, path, &app.token(role), "text/csv").await,
        file_name,
    )
    .await
}

fn ids(items: &[Value], field: &str) -> BTreeSet<String> {
    items
        .iter()
        .map(|i| i[field].as_str().unwrap().to_owned())
        .collect()
}

fn set(cells: Vec<String>) -> BTreeSet<String> {
    cells.into_iter().collect()
}

/// A JSON value as its CSV cell: strings as they are, absent values empty.
fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[tokio::test]
async fn every_list_has_its_fixed_columns_and_all_its_rows() {
    let app = spawn_seeded_app().await;
    // The demo data has no field reports: one from the field.
    let sent = app
        .post(
            "/api/v1/field-reports",
            Role::Iom,
            &victim_identification(uuid::Uuid::now_v7()),
        )
        .await;
    assert_eq!(sent.status(), 201);
    for (path, file_name, columns, id_column) in [
        (
            "/api/v1/activities",
            "activities.csv",
            ACTIVITY_COLUMNS,
            "id",
        ),
        (
            "/api/v1/organizations",
            "organizations.csv",
            ORGANIZATION_COLUMNS,
            "id",
        ),
        (
            "/api/v1/indicators",
            "indicators.csv",
            INDICATOR_COLUMNS,
            "indicator_id",
        ),
        (
            "/api/v1/programmes",
            "programmes.csv",
            PROGRAMME_COLUMNS,
            "id",
        ),
        (
            "/api/v1/follow-up-actions",
            "follow-up-actions.csv",
            FOLLOW_UP_COLUMNS,
            "id",
        ),
        (
            "/api/v1/field-reports",
            "field-reports.csv",
            FIELD_REPORT_COLUMNS,
            "id",
        ),
    ] {
        let csv = csv_of(&app, path, Role::Unodc, file_name).await;
        assert_eq!(csv.header.join(","), columns, "{path}");
        assert!(csv.rows.iter().all(|r| r.len() == csv.header.len()));
        assert_eq!(csv.next, None, "{path}: the whole list has no next page");
        let listed = app.get_all(path, Role::Unodc).await;
        assert!(!listed.is_empty(), "{path}: the demo data has rows");
        assert_eq!(set(csv.cells(id_column)), ids(&listed, "id"), "{path}");
    }
}

#[tokio::test]
async fn an_activity_row_holds_what_its_json_item_holds() {
    let app = spawn_seeded_app().await;
    let workshop = app.activity("WS-2020-01").await;
    let csv = csv_of(&app, "/api/v1/activities", Role::Unodc, "activities.csv").await;
    let row = csv.row("code", "WS-2020-01");
    let at = |name: &str| row[csv.column(name)].as_str();
    for field in [
        "id",
        "programme_id",
        "parent_id",
        "code",
        "title",
        "description",
        "kind",
        "pillar",
        "status",
        "visibility",
        "location",
        "district",
        "version",
        "change_seq",
        "created_at",
        "updated_at",
    ] {
        assert_eq!(at(field), cell(&workshop[field]), "{field}");
    }
    assert_eq!(at("visibility"), "restricted");
    for (span, side) in [
        ("planned", "start"),
        ("planned", "end"),
        ("actual", "start"),
        ("actual", "end"),
    ] {
        assert_eq!(
            at(&format!("{span}_{side}")),
            cell(&workshop[span][side]),
            "{span}.{side}"
        );
    }
    for (count, value) in workshop["participants"].as_object().unwrap() {
        assert_eq!(
            at(&format!("participants_{count}")),
            value.to_string(),
            "{count}"
        );
    }
    let participations: Vec<String> = workshop["participations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{}:{}",
                p["organization"].as_str().unwrap(),
                p["role"].as_str().unwrap()
            )
        })
        .collect();
    assert!(!participations.is_empty());
    assert_eq!(at("participations"), participations.join(";"));
    // Dates as days, times as RFC 3339.
    assert!(chrono::NaiveDate::parse_from_str(at("planned_start"), "%Y-%m-%d").is_ok());
    assert!(chrono::DateTime::parse_from_rfc3339(at("updated_at")).is_ok());
}

#[tokio::test]
async fn indicators_are_one_row_per_period_and_one_for_an_indicator_without() {
    let app = spawn_seeded_app().await;
    let mut conn = app.db.conn().await.unwrap();
    diesel::sql_query(
        "INSERT INTO indicator (id, programme_id, code, title, result_level, measure)
         SELECT gen_random_uuid(), id, 'OUT-9.9', 'An indicator not yet planned', 'output', 'unit'
         FROM programme WHERE code = 'GLOACT-BGD'",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    drop(conn);
    let indicators = app.get_all("/api/v1/indicators", Role::Unodc).await;
    let csv = csv_of(&app, "/api/v1/indicators", Role::Unodc, "indicators.csv").await;
    let expected: usize = indicators
        .iter()
        .map(|i| i["periods"].as_array().unwrap().len().max(1))
        .sum();
    assert_eq!(csv.rows.len(), expected);

    let with_periods = indicators
        .iter()
        .find(|i| i["periods"].as_array().unwrap().len() > 1)
        .expect("an indicator with periods");
    let period = &with_periods["periods"][0];
    let row = csv.row("period_id", period["id"].as_str().unwrap());
    let at = |name: &str| row[csv.column(name)].as_str();
    assert_eq!(at("indicator_id"), cell(&with_periods["id"]));
    assert_eq!(at("code"), cell(&with_periods["code"]));
    assert_eq!(at("result_level"), cell(&with_periods["result_level"]));
    assert_eq!(at("measure"), cell(&with_periods["measure"]));
    assert_eq!(
        at("disaggregated_by_sex"),
        cell(&with_periods["disaggregated_by_sex"])
    );
    assert_eq!(at("period_start"), cell(&period["start"]));
    assert_eq!(at("period_end"), cell(&period["end"]));
    for field in ["target", "actual", "actual_female", "actual_male"] {
        assert_eq!(at(field), cell(&period[field]), "{field}");
    }
    // The indicator's version on every one of its rows: what a write of an actual names.
    let its_rows: Vec<&Vec<String>> = csv
        .rows
        .iter()
        .filter(|r| r[csv.column("indicator_id")] == cell(&with_periods["id"]))
        .collect();
    assert_eq!(
        its_rows.len(),
        with_periods["periods"].as_array().unwrap().len()
    );
    let version = cell(&with_periods["version"]);
    assert!(its_rows.iter().all(|r| r[csv.column("version")] == version));

    let unplanned = csv.row("code", "OUT-9.9");
    for empty in [
        "period_id",
        "period_start",
        "period_end",
        "target",
        "actual",
        "actual_female",
        "actual_male",
        "baseline_value",
    ] {
        assert_eq!(unplanned[csv.column(empty)], "", "{empty}");
    }
    assert_eq!(unplanned[csv.column("disaggregated_by_sex")], "false");
}

#[tokio::test]
async fn a_title_that_looks_like_a_formula_comes_out_neutralised() {
    let app = spawn_seeded_app().await;
    let title = "=HYPERLINK(\"http://evil.example/\",\"Click\")";
    let created = json(
        app.post(
            "/api/v1/activities",
            Role::Unodc,
            &json!({
                "programme": "GLOACT-BGD",
                "code": "CSV-FORMULA",
                "title": title,
                "description": "+SUM(1,2)",
                "kind": "training",
                "pillar": "capacity_building",
                "location": "@Dhaka",
                "participations": [{ "organization": "UNODC-BGD", "role": "implementing" }],
            }),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(created["title"], title, "JSON keeps the title as written");
    let csv = csv_of(
        &app,
        "/api/v1/activities?limit=500",
        Role::Unodc,
        "activities.csv",
    )
    .await;
    let row = csv.row("code", "CSV-FORMULA");
    assert_eq!(row[csv.column("title")], format!("'{title}"));
    assert_eq!(row[csv.column("description")], "'+SUM(1,2)");
    assert_eq!(row[csv.column("location")], "'@Dhaka");
}

#[tokio::test]
async fn the_filters_of_the_json_list_apply() {
    let app = spawn_seeded_app().await;
    for (path, file_name, id_column) in [
        (
            "/api/v1/activities?pillar=capacity_building",
            "activities.csv",
            "id",
        ),
        (
            "/api/v1/activities?organization=MOLJPA-BGD&from=2020-01-01",
            "activities.csv",
            "id",
        ),
        (
            "/api/v1/organizations?kind=government",
            "organizations.csv",
            "id",
        ),
        (
            "/api/v1/indicators?result_level=outcome",
            "indicators.csv",
            "indicator_id",
        ),
    ] {
        let listed = app.get_all(path, Role::Unodc).await;
        let everything = app
            .get_all(path.split('?').next().unwrap(), Role::Unodc)
            .await;
        assert!(
            !listed.is_empty() && listed.len() < everything.len(),
            "{path} filters something out"
        );
        let csv = csv_of(&app, path, Role::Unodc, file_name).await;
        assert_eq!(set(csv.cells(id_column)), ids(&listed, "id"), "{path}");
    }
    let pillars = csv_of(
        &app,
        "/api/v1/activities?pillar=capacity_building",
        Role::Unodc,
        "activities.csv",
    )
    .await
    .cells("pillar");
    assert!(pillars.iter().all(|p| p == "capacity_building"));
    // A bad filter is the same problem as in JSON.
    problem(
        get_as(
            &app,
            "/api/v1/activities?pillar=nonsense",
            &app.token(Role::Unodc),
            "text/csv",
        )
        .await,
        400,
        "invalid_query",
    )
    .await;
}

#[tokio::test]
async fn limit_gives_one_page_and_x_next_cursor_walks_them_all() {
    let app = spawn_seeded_app().await;
    let listed = app.get_all("/api/v1/activities", Role::Unodc).await;
    assert!(listed.len() > 6, "enough demo activities to page");
    let mut seen = Vec::new();
    let mut path = "/api/v1/activities?limit=3".to_owned();
    let mut pages = 0;
    loop {
        let csv = csv_of(&app, &path, Role::Unodc, "activities.csv").await;
        assert_eq!(
            csv.header.join(","),
            ACTIVITY_COLUMNS,
            "every page has the header"
        );
        assert!(csv.rows.len() <= 3);
        seen.extend(csv.cells("id"));
        pages += 1;
        match csv.next {
            Some(cursor) => path = format!("/api/v1/activities?limit=3&after={cursor}"),
            None => break,
        }
    }
    assert_eq!(pages, listed.len().div_ceil(3));
    let json_order: Vec<String> = listed
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(seen, json_order, "each row once, in the JSON list's order");
}

/// Adds `n` activities straight to the table, every other one restricted with no organization
/// taking part.
async fn add_activities(app: &TestApp, n: u32) {
    let mut conn = app.db.conn().await.unwrap();
    diesel::sql_query(format!(
        "INSERT INTO activity (id, programme_id, code, title, kind, pillar, status, visibility)
         SELECT gen_random_uuid(), p.id, 'BULK-' || n, 'Bulk activity ' || n, 'training',
                'capacity_building', 'planned',
                CASE WHEN n % 2 = 0 THEN 'public' ELSE 'restricted' END
         FROM programme p, generate_series(1, {n}) AS n WHERE p.code = 'GLOACT-BGD'"
    ))
    .execute(&mut conn)
    .await
    .unwrap();
}

#[tokio::test]
async fn without_limit_the_whole_list_streams_past_one_page_in_the_callers_scope() {
    let app = spawn_seeded_app().await;
    add_activities(&app, 1_100).await;
    for (role, bulk_seen) in [(Role::Unodc, 1_100), (Role::Government, 550)] {
        let response = get_as(
            &app,
            "/api/v1/activities",
            &app.token(role),
            "text/csv;q=0.9, application/json;q=0.5",
        )
        .await;
        assert_eq!(
            response.content_length(),
            None,
            "streamed, not sized up front"
        );
        let csv = read_csv(response, "activities.csv").await;
        let ids = csv.cells("id");
        let unique = set(ids.clone());
        assert_eq!(unique.len(), ids.len(), "{role}: each row once");
        let listed = app.get_all("/api/v1/activities?limit=500", role).await;
        assert_eq!(
            unique,
            self::ids(&listed, "id"),
            "{role}: the JSON list's rows"
        );
        let bulk = csv
            .cells("code")
            .iter()
            .filter(|c| c.starts_with("BULK-"))
            .count();
        assert_eq!(bulk, bulk_seen, "{role}");
        assert!(ids.len() > 500, "{role}: more than one page of 500");
        if role == Role::Government {
            assert!(
                csv.cells("visibility")
                    .iter()
                    .zip(csv.cells("participations"))
                    .all(|(v, p)| v == "public" || p.contains("MOHA-BGD:")),
                "a restricted activity MOHA-BGD takes no part in"
            );
        }
    }
}

#[tokio::test]
async fn without_limit_the_whole_organization_list_streams() {
    let app = spawn_seeded_app().await;
    let mut conn = app.db.conn().await.unwrap();
    diesel::sql_query(
        "INSERT INTO organization (id, code, name, kind, country)
         SELECT gen_random_uuid(), 'CSO-' || n, 'Shelter ' || n, 'civil_society', 'BGD'
         FROM generate_series(1, 1200) AS n",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    drop(conn);
    let csv = csv_of(&app, "/api/v1/organizations", Role::Eu, "organizations.csv").await;
    let listed = app
        .get_all("/api/v1/organizations?limit=500", Role::Eu)
        .await;
    assert!(listed.len() > 1_200);
    assert_eq!(csv.rows.len(), listed.len());
    assert_eq!(set(csv.cells("id")), ids(&listed, "id"));
    // `after` without `limit`: the rest of the list from there.
    let cursor = json(
        app.get("/api/v1/organizations?limit=500", Role::Eu).await,
        200,
    )
    .await["next_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let rest = csv_of(
        &app,
        &format!("/api/v1/organizations?after={cursor}"),
        Role::Eu,
        "organizations.csv",
    )
    .await;
    assert_eq!(rest.rows.len(), listed.len() - 500);
}

async fn read_events(app: &TestApp) -> Vec<Value> {
    app.get_all_as(
        "/api/v1/admin/audit-events?action=read&resource_type=activity&limit=500",
        &app.token_with_scopes(Role::Unodc, "UNODC-BGD", "admin"),
    )
    .await
}

#[tokio::test]
async fn a_restricted_activity_is_only_in_the_csv_of_those_who_may_read_it_and_its_read_is_audited()
{
    let app = spawn_seeded_app().await;
    let workshop = app.activity("WS-2020-01").await;
    let id = workshop["id"].as_str().unwrap().to_owned();
    assert_eq!(workshop["visibility"], "restricted");
    for (token, sees) in [
        (app.token(Role::Unodc), true),
        (app.token(Role::Iom), true),
        // The EU reads every activity, as its JSON list does (DESIGN.md section 3).
        (app.token(Role::Eu), true),
        (app.token_for(Role::Government, "MOHA-BGD"), false),
        (app.token_for(Role::Government, "MOLJPA-BGD"), true),
    ] {
        for path in ["/api/v1/activities", "/api/v1/activities?limit=500"] {
            let csv = read_csv(
                get_as(&app, path, &token, "text/csv").await,
                "activities.csv",
            )
            .await;
            assert_eq!(set(csv.cells("id")).contains(&id), sees, "{path}");
        }
    }

    // Read as CSV, as as JSON: one event naming the restricted rows served.
    let moljpa = app.token_for(Role::Government, "MOLJPA-BGD");
    let path = "/api/v1/activities?pillar=capacity_building";
    let before = read_events(&app).await.len();
    json(get_as(&app, path, &moljpa, "application/json").await, 200).await;
    let by_json = read_events(&app).await.split_off(before);
    let before = read_events(&app).await.len();
    read_csv(
        get_as(&app, path, &moljpa, "text/csv").await,
        "activities.csv",
    )
    .await;
    let by_csv = read_events(&app).await.split_off(before);
    assert_eq!(by_json.len(), 1, "{by_json:?}");
    assert_eq!(by_csv.len(), 1, "{by_csv:?}");
    for event in [&by_json[0], &by_csv[0]] {
        assert_eq!(event["resource_id"], workshop["id"]);
        assert_eq!(event["organization"], "MOLJPA-BGD");
    }
}

#[tokio::test]
async fn an_accept_allowing_neither_json_nor_csv_is_refused() {
    let app = spawn_seeded_app().await;
    let token = app.token(Role::Unodc);
    for accept in [
        "application/xml",
        "text/html, text/plain",
        "text/csv;q=0, application/json;q=0",
    ] {
        for path in [
            "/api/v1/activities",
            "/api/v1/organizations",
            "/api/v1/indicators",
            "/api/v1/programmes",
            "/api/v1/follow-up-actions",
            "/api/v1/field-reports",
        ] {
            problem(
                get_as(&app, path, &token, accept).await,
                406,
                "not_acceptable",
            )
            .await;
        }
    }
}

#[tokio::test]
async fn changed_after_as_csv_is_refused_and_stays_json_only() {
    let app = spawn_seeded_app().await;
    let token = app.token(Role::Unodc);
    for path in [
        "/api/v1/activities?changed_after=0",
        "/api/v1/organizations?changed_after=0&limit=10",
        "/api/v1/indicators?changed_after=5",
        "/api/v1/programmes?changed_after=0",
        "/api/v1/follow-up-actions?changed_after=0",
        "/api/v1/field-reports?changed_after=0",
    ] {
        problem(
            get_as(&app, path, &token, "text/csv").await,
            400,
            "changed_after_not_in_csv",
        )
        .await;
        let page = json(get_as(&app, path, &token, "application/json").await, 200).await;
        assert!(page["tombstones"].is_array(), "{path}: delta sync as JSON");
    }
    // Other bad paging is the JSON list's problem too.
    problem(
        get_as(&app, "/api/v1/activities?limit=501", &token, "text/csv").await,
        400,
        "invalid_limit",
    )
    .await;
    problem(
        get_as(&app, "/api/v1/activities?after=junk", &token, "text/csv").await,
        400,
        "invalid_cursor",
    )
    .await;
}

#[tokio::test]
async fn quality_values_choose_between_json_and_csv() {
    let app = spawn_seeded_app().await;
    let token = app.token(Role::Unodc);
    for (accept, csv) in [
        ("text/csv;q=0.9, application/json;q=0.5", true),
        ("application/json, text/csv;q=0.1", false),
        ("text/csv", true),
        ("text/*", true),
        ("*/*", false),
        ("text/csv, application/json", false),
        ("text/csv, */*;q=0.1", true),
        ("application/json", false),
    ] {
        let response = get_as(&app, "/api/v1/organizations", &token, accept).await;
        assert_eq!(response.status(), 200, "{accept}");
        assert_eq!(
            response.headers()["vary"].to_str().unwrap(),
            "Accept",
            "{accept}"
        );
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        if csv {
            assert_eq!(content_type, "text/csv; charset=utf-8", "{accept}");
        } else {
            assert_eq!(content_type, "application/json", "{accept}");
            json(response, 200).await;
        }
    }
    // No Accept at all: JSON, as before.
    let page = json(
        app.client
            .get(format!("{}/api/v1/organizations", app.address))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(page["items"].is_array());
}

#[tokio::test]
async fn field_reports_as_csv_are_read_by_whom_json_is_and_audited_alike() {
    let app = spawn_seeded_app().await;
    for (role, org) in [(Role::Iom, "IOM-BGD"), (Role::Government, "MOHA-BGD")] {
        let sent = app
            .request(
                Method::POST,
                "/api/v1/field-reports",
                &app.token_for(role, org),
            )
            .json(&victim_identification(uuid::Uuid::now_v7()))
            .send()
            .await
            .unwrap();
        assert_eq!(sent.status(), 201);
    }
    let listed = app.get_all("/api/v1/field-reports", Role::Unodc).await;
    let csv = csv_of(
        &app,
        "/api/v1/field-reports",
        Role::Unodc,
        "field-reports.csv",
    )
    .await;
    assert_eq!(set(csv.cells("id")), ids(&listed, "id"));
    let report = listed
        .iter()
        .find(|r| r["organization"] == "MOHA-BGD")
        .unwrap();
    let row = csv.row("id", report["id"].as_str().unwrap());
    let at = |name: &str| row[csv.column(name)].as_str();
    for field in [
        "kind",
        "occurred_at",
        "received_at",
        "reporter",
        "organization",
        "district",
        "activity_id",
        "narrative",
        "review_status",
        "review_reason",
        "version",
        "change_seq",
    ] {
        assert_eq!(at(field), cell(&report[field]), "{field}");
    }
    for part in ["latitude", "longitude", "accuracy_m"] {
        assert_eq!(
            at(&format!("gps_{part}")),
            cell(&report["gps"][part]),
            "{part}"
        );
    }
    let payload: Value = serde_json::from_str(at("payload")).unwrap();
    assert_eq!(payload, report["payload"]);

    // The government reads its own organization's, the EU none.
    let moha = csv_of(
        &app,
        "/api/v1/field-reports",
        Role::Government,
        "field-reports.csv",
    )
    .await;
    assert!(!moha.rows.is_empty());
    assert!(moha.cells("organization").iter().all(|o| o == "MOHA-BGD"));
    problem(
        get_as(
            &app,
            "/api/v1/field-reports",
            &app.token(Role::Eu),
            "text/csv",
        )
        .await,
        403,
        "forbidden",
    )
    .await;

    // Every read of reports is on the trail: a CSV as its JSON page.
    let admin = app.token_with_scopes(Role::Unodc, "UNODC-BGD", "admin");
    let reads = || async {
        app.get_all_as(
            "/api/v1/admin/audit-events?action=read&resource_type=field_report&limit=500",
            &admin,
        )
        .await
    };
    let before = reads().await.len();
    csv_of(
        &app,
        "/api/v1/field-reports?limit=500",
        Role::Iom,
        "field-reports.csv",
    )
    .await;
    let after = reads().await.split_off(before);
    assert_eq!(after.len(), 1, "{after:?}");
    assert_eq!(after[0]["organization"], "IOM-BGD");
}
