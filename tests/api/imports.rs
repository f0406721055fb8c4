//! Spreadsheet imports: CSV and XLSX rows parsed as their JSON writes are, every bad row
//! reported by row, column and code, and nothing written unless every row is valid.

use gloact_domain::Role;
use gloact_tests::{TestApp, json, problem, spawn_seeded_app};
use reqwest::{Method, Response};
use serde_json::Value;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn upload(
    app: &TestApp,
    kind: &str,
    token: &str,
    content_type: &str,
    body: Vec<u8>,
) -> Response {
    app.request(Method::POST, &format!("/api/v1/imports/{kind}"), token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn import_csv(app: &TestApp, kind: &str, role: Role, csv: &str) -> Response {
    upload(
        app,
        kind,
        &app.token(role),
        "text/csv",
        csv.as_bytes().to_vec(),
    )
    .await
}

async fn dry_run_csv(app: &TestApp, kind: &str, role: Role, csv: &str) -> Response {
    upload(
        app,
        &format!("{kind}?dry_run=true"),
        &app.token(role),
        "text/csv",
        csv.as_bytes().to_vec(),
    )
    .await
}

/// The row errors of a refused import, as (row, column, code).
async fn row_errors(response: Response) -> Vec<(u64, Option<String>, String)> {
    let body = problem(response, 422, "import_invalid").await;
    body["row_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["column"].as_str().map(str::to_owned),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn codes(app: &TestApp) -> Vec<String> {
    let mut codes: Vec<String> = app
        .get_all("/api/v1/activities?limit=500", Role::Unodc)
        .await
        .iter()
        .map(|a| a["code"].as_str().unwrap().to_owned())
        .collect();
    codes.sort();
    codes
}

const HEADER: &str = "programme,code,title,kind,pillar,status,visibility,planned_start,planned_end,district,participants_female,participants_male,participations";

#[tokio::test]
async fn new_activities_are_checked_in_a_dry_run_and_written_when_asked() {
    let app = spawn_seeded_app().await;
    let before = codes(&app).await;
    let csv = format!(
        "{HEADER}\n\
         GLOACT-BGD,IMP-01,Training of prosecutors in Sylhet,training,capacity_building,planned,restricted,2021-03-01,2021-03-03,Sylhet,12,18,UNODC-BGD:implementing;MOHA-BGD:participant\n\
         \n\
         GLOACT-BGD,IMP-02,'=Awareness at the jetty,awareness,victim_assistance,,,,,,,,\n"
    );
    let report = json(
        dry_run_csv(&app, "activities", Role::Unodc, &csv).await,
        200,
    )
    .await;
    assert_eq!(
        (
            &report["kind"],
            &report["dry_run"],
            &report["rows"],
            &report["created"]
        ),
        (
            &Value::from("activities"),
            &Value::from(true),
            &Value::from(2),
            &Value::from(2)
        )
    );
    assert_eq!(codes(&app).await, before, "a dry run writes nothing");

    let report = json(import_csv(&app, "activities", Role::Unodc, &csv).await, 200).await;
    assert_eq!(
        (&report["created"], &report["dry_run"]),
        (&Value::from(2), &Value::from(false))
    );
    let first = app.activity("IMP-01").await;
    assert_eq!(first["title"], "Training of prosecutors in Sylhet");
    assert_eq!(first["participants"]["female"], 12);
    assert_eq!(first["participants"]["male"], 18);
    assert_eq!(first["planned"]["start"], "2021-03-01");
    assert_eq!(first["participations"].as_array().unwrap().len(), 2);
    // A cell our export neutralised reads back as it was written.
    assert_eq!(
        app.activity("IMP-02").await["title"],
        "=Awareness at the jetty"
    );

    // The same sheet again changes nothing: its rows hold no id, and their codes are taken.
    let again = row_errors(import_csv(&app, "activities", Role::Unodc, &csv).await).await;
    assert_eq!(
        again,
        [
            (2, None, "duplicate_code".to_owned()),
            (4, None, "duplicate_code".to_owned())
        ]
    );
}

#[tokio::test]
async fn one_bad_last_row_keeps_every_row_out() {
    let app = spawn_seeded_app().await;
    let before = codes(&app).await;
    let mut csv = format!("{HEADER}\n");
    for i in 0..50 {
        csv.push_str(&format!(
            "GLOACT-BGD,BULK-{i:02},Meeting {i},meeting,coordination,,,,,,,,\n"
        ));
    }
    csv.push_str("GLOACT-BGD,BULK-LAST,Last meeting,party,coordination,,,,,,,,\n");
    let errors = row_errors(import_csv(&app, "activities", Role::Unodc, &csv).await).await;
    assert_eq!(
        errors,
        [(52, Some("kind".to_owned()), "invalid_value".to_owned())]
    );
    assert_eq!(codes(&app).await, before, "nothing was written");
}

#[tokio::test]
async fn every_problem_is_named_by_row_column_and_code() {
    let app = spawn_seeded_app().await;
    let csv = format!(
        "{HEADER},colour\n\
         GLOACT-BGD,E-01,,meeting,coordination,,,,,,,,,\n\
         GLOACT-BGD,E-02,Two,meeting,coordination,finished,,,,,,,,\n\
         GLOACT-BGD,E-03,Three,meeting,coordination,,hidden,,,,,,,\n\
         GLOACT-BGD,E-04,Four,meeting,coordination,,,2021-02-30,,,,,,\n\
         GLOACT-BGD,E-05,Five,meeting,coordination,,,2021-03-05,2021-03-01,,,,,\n\
         GLOACT-BGD,E-06,Six,meeting,coordination,,,,,,many,,,\n\
         GLOACT-BGD,E-07,Seven,meeting,coordination,,,,,,-3,,,\n\
         GLOACT-BGD,E-08,Eight,meeting,coordination,,,,,,,,MOHA-BGD,\n\
         GLOACT-BGD,E-09,Nine,meeting,coordination,,,,,,,,MOHA-BGD:boss,\n\
         GLOACT-BGD,E-10,Ten,meeting,coordination,,,,,,,,NOBODY-BGD:participant,\n\
         GLOACT-BGD,e 11,Eleven,meeting,coordination,,,,,,,,,\n\
         NOPE,E-12,Twelve,meeting,coordination,,,,,,,,,\n\
         GLOACT-BGD,E-13,Thirteen,meeting,sideways,,,,,,,,,\n\
         GLOACT-BGD,E-02,Two again,meeting,coordination,,,,,,,,,\n\
         GLOACT-BGD,E-16,Sixteen,meeting,coordination,,,,,,,,,,surplus\n"
    );
    let errors = row_errors(import_csv(&app, "activities", Role::Unodc, &csv).await).await;
    let expected: Vec<(u64, Option<&str>, &str)> = vec![
        (1, Some("colour"), "unknown_column"),
        (2, Some("title"), "blank"),
        (3, Some("status"), "invalid_value"),
        (4, Some("visibility"), "invalid_value"),
        (5, Some("planned_start"), "invalid_date"),
        (6, Some("planned_end"), "out_of_order"),
        (7, Some("participants_female"), "invalid_count"),
        (8, Some("participants_female"), "negative"),
        (9, Some("participations"), "invalid_participations"),
        (10, Some("participations"), "invalid_value"),
        (11, Some("participations"), "unknown_reference"),
        (12, Some("code"), "invalid_code"),
        (13, Some("programme"), "unknown_reference"),
        (14, Some("pillar"), "invalid_value"),
        (15, None, "duplicate_row"),
        (16, None, "extra_cell"),
    ];
    let expected: Vec<(u64, Option<String>, String)> = expected
        .into_iter()
        .map(|(r, c, code)| (r, c.map(str::to_owned), code.to_owned()))
        .collect();
    assert_eq!(errors, expected);
}

#[tokio::test]
async fn changes_to_stored_activities_are_judged_against_what_is_stored() {
    let app = spawn_seeded_app().await;
    let stored = app.activity("VW-2020-04").await;
    let (id, version) = (
        stored["id"].as_str().unwrap(),
        stored["version"].as_i64().unwrap(),
    );
    let header = "id,version,code,title,status";
    // The same title and status as stored: nothing to change.
    let same = format!(
        "{header}\n{id},{version},VW-2020-04,{},{}\n",
        stored["title"].as_str().unwrap(),
        stored["status"].as_str().unwrap()
    );
    let report = json(
        import_csv(&app, "activities", Role::Unodc, &same).await,
        200,
    )
    .await;
    assert_eq!(
        (&report["unchanged"], &report["updated"]),
        (&Value::from(1), &Value::from(0))
    );

    let renamed = format!("{header}\n{id},{version},VW-2020-04,Validation workshop (renamed),\n");
    let errors = row_errors(import_csv(&app, "activities", Role::Unodc, &renamed).await).await;
    assert_eq!(
        errors,
        [(2, Some("status".to_owned()), "null_not_allowed".to_owned())],
        "a blank status can't clear it"
    );

    let renamed = format!("id,version,title\n{id},{version},Validation workshop (renamed)\n");
    let report = json(
        import_csv(&app, "activities", Role::Unodc, &renamed).await,
        200,
    )
    .await;
    assert_eq!(report["updated"], 1);
    let now = app.activity("VW-2020-04").await;
    assert_eq!(now["title"], "Validation workshop (renamed)");
    assert_eq!(now["version"], version + 1);

    let stale = format!("id,version,title\n{id},{version},Again\n");
    let errors = row_errors(import_csv(&app, "activities", Role::Unodc, &stale).await).await;
    assert_eq!(errors, [(2, None, "version_mismatch".to_owned())]);

    let missing = format!("id,title\n{id},Again\n");
    let errors = row_errors(import_csv(&app, "activities", Role::Unodc, &missing).await).await;
    assert_eq!(
        errors,
        [(2, Some("version".to_owned()), "required".to_owned())]
    );

    let recoded = format!("id,version,code\n{id},{},VW-2099\n", version + 1);
    let errors = row_errors(import_csv(&app, "activities", Role::Unodc, &recoded).await).await;
    assert_eq!(
        errors,
        [(2, Some("code".to_owned()), "immutable".to_owned())]
    );

    let completed = app.activity("NC-2020").await;
    let back = format!(
        "id,version,status\n{},{},planned\n",
        completed["id"].as_str().unwrap(),
        completed["version"]
    );
    let errors = row_errors(import_csv(&app, "activities", Role::Unodc, &back).await).await;
    assert_eq!(
        errors,
        [(
            2,
            Some("status".to_owned()),
            "invalid_transition".to_owned()
        )],
        "{completed}"
    );

    let unknown = "id,version,title\n0190a000-0000-7000-8000-000000000000,1,Ghost\n";
    let errors = row_errors(import_csv(&app, "activities", Role::Unodc, unknown).await).await;
    assert_eq!(errors, [(2, None, "not_found".to_owned())]);
}

#[tokio::test]
async fn iom_imports_only_what_it_implements_and_the_eu_nothing() {
    let app = spawn_seeded_app().await;
    let csv = format!(
        "{HEADER}\n\
         GLOACT-BGD,IOM-01,Shelter visit,assistance,victim_assistance,,,,,,,,IOM-BGD:implementing\n\
         GLOACT-BGD,IOM-02,Not ours,assistance,victim_assistance,,,,,,,,UNODC-BGD:implementing\n\
         GLOACT-BGD,IOM-03,Public at once,assistance,victim_assistance,,public,,,,,,IOM-BGD:implementing\n"
    );
    let errors = row_errors(import_csv(&app, "activities", Role::Iom, &csv).await).await;
    assert_eq!(
        errors,
        [
            (3, None, "forbidden".to_owned()),
            (4, None, "forbidden".to_owned())
        ]
    );
    let ours = format!(
        "{HEADER}\nGLOACT-BGD,IOM-01,Shelter visit,assistance,victim_assistance,,,,,,,,IOM-BGD:implementing\n"
    );
    let report = json(import_csv(&app, "activities", Role::Iom, &ours).await, 200).await;
    assert_eq!(report["created"], 1);

    // Changing an activity IOM does not implement is refused row by row.
    let theirs = app.activity("VW-2020-04").await;
    let change = format!(
        "id,version,participants_female\n{},{},3\n",
        theirs["id"].as_str().unwrap(),
        theirs["version"]
    );
    let errors = row_errors(import_csv(&app, "participations", Role::Iom, &change).await).await;
    assert_eq!(errors, [(2, None, "forbidden".to_owned())]);

    for role in [Role::Eu, Role::Government] {
        problem(
            import_csv(&app, "activities", role, &ours).await,
            403,
            "forbidden",
        )
        .await;
        problem(
            import_csv(&app, "participations", role, &change).await,
            403,
            "forbidden",
        )
        .await;
    }
    for role in [Role::Iom, Role::Eu, Role::Government] {
        problem(
            import_csv(
                &app,
                "organizations",
                role,
                "code,name,kind,country\nNGO-X,X,civil_society,BGD\n",
            )
            .await,
            403,
            "forbidden",
        )
        .await;
        problem(
            import_csv(
                &app,
                "indicator-actuals",
                role,
                "indicator_id,period_id,actual\n0190a000-0000-7000-8000-000000000000,0190a000-0000-7000-8000-000000000001,1\n",
            )
            .await,
            403,
            "forbidden",
        )
        .await;
    }
}

#[tokio::test]
async fn participant_counts_are_set_by_id_or_by_programme_and_code() {
    let app = spawn_seeded_app().await;
    let workshop = app.activity("VW-2020-04").await;
    let csv = format!(
        "id,programme,code,version,participants_female,participants_judges\n\
         {},,,{},40,\n\
         ,GLOACT-BGD,NC-2020,{},,2\n\
         ,GLOACT-BGD,NOT-THERE,1,1,\n",
        workshop["id"].as_str().unwrap(),
        workshop["version"],
        app.activity("NC-2020").await["version"]
    );
    let errors = row_errors(import_csv(&app, "participations", Role::Unodc, &csv).await).await;
    assert_eq!(errors, [(4, None, "not_found".to_owned())]);
    // The same activity by id and by code.
    let twice = format!(
        "id,programme,code,version,participants_female\n{},,,{},1\n,GLOACT-BGD,VW-2020-04,{},2\n",
        workshop["id"].as_str().unwrap(),
        workshop["version"],
        workshop["version"]
    );
    let errors = row_errors(import_csv(&app, "participations", Role::Unodc, &twice).await).await;
    assert_eq!(
        errors,
        [(3, Some("id".to_owned()), "duplicate_row".to_owned())]
    );
    let csv = csv.lines().take(3).collect::<Vec<_>>().join("\n");
    let report = json(
        import_csv(&app, "participations", Role::Unodc, &csv).await,
        200,
    )
    .await;
    assert_eq!(report["updated"], 2);
    let now = app.activity("VW-2020-04").await;
    assert_eq!(now["participants"]["female"], 40);
    assert_eq!(
        now["participants"]["male"], workshop["participants"]["male"],
        "a blank cell keeps its count"
    );
    assert_eq!(app.activity("NC-2020").await["participants"]["judges"], 2);
}

#[tokio::test]
async fn indicator_actuals_of_one_indicator_are_recorded_together() {
    let app = spawn_seeded_app().await;
    let indicators = app.get_all("/api/v1/indicators", Role::Unodc).await;
    let trained = indicators.iter().find(|i| i["code"] == "OUT-1.1").unwrap();
    let percent = indicators.iter().find(|i| i["code"] == "OC-1").unwrap();
    let (id, version) = (
        trained["id"].as_str().unwrap(),
        trained["version"].as_i64().unwrap(),
    );
    let periods = trained["periods"].as_array().unwrap();
    let csv = format!(
        "indicator_id,period_id,version,actual,actual_female,actual_male\n\
         {id},{},{version},90,20,70\n\
         {id},{},{version},150,,\n",
        periods[0]["id"].as_str().unwrap(),
        periods[1]["id"].as_str().unwrap()
    );
    let report = json(
        import_csv(&app, "indicator-actuals", Role::Unodc, &csv).await,
        200,
    )
    .await;
    assert_eq!(report["updated"], 2);
    let now = app
        .get_json(&format!("/api/v1/indicators/{id}"), Role::Unodc, 200)
        .await;
    assert_eq!(now["periods"][0]["actual"], 90.0);
    assert_eq!(now["periods"][1]["actual"], 150.0);

    let bad = format!(
        "indicator_id,period_id,version,actual,actual_female,actual_male\n\
         {id},{},{v},80,50,40\n\
         {},{},{},120,,\n\
         {id},{},{v},,5,\n\
         {id},{},{v},lots,,\n",
        periods[0]["id"].as_str().unwrap(),
        percent["id"].as_str().unwrap(),
        percent["periods"][0]["id"].as_str().unwrap(),
        percent["version"],
        periods[1]["id"].as_str().unwrap(),
        periods[1]["id"].as_str().unwrap(),
        v = now["version"],
    );
    let errors = row_errors(import_csv(&app, "indicator-actuals", Role::Unodc, &bad).await).await;
    let columns: Vec<(u64, Option<&str>)> =
        errors.iter().map(|(r, c, _)| (*r, c.as_deref())).collect();
    assert_eq!(
        columns,
        [
            (2, Some("actual")),
            (3, Some("actual")),
            (4, Some("actual")),
            (5, None),
        ],
        "{errors:?}"
    );
    assert_eq!(errors[0].2, "less_than_breakdown");
    assert_eq!(errors[1].2, "out_of_range");
    assert_eq!(errors[2].2, "required");
    assert_eq!(errors[3].2, "duplicate_row");
}

#[tokio::test]
async fn organizations_are_added_and_changed_with_parents_by_code_or_id() {
    let app = spawn_seeded_app().await;
    let unodc = app.org_id("UNODC-BGD").await;
    let csv = format!(
        "code,name,kind,country,parent,parent_id\n\
         UNODC-ROCA,UNODC Regional Office for Central Asia,un_agency,UZB,,\n\
         UNODC-BGD-CXB,UNODC field office Cox's Bazar,un_agency,BGD,,{unodc}\n"
    );
    let report = json(
        import_csv(&app, "organizations", Role::Unodc, &csv).await,
        200,
    )
    .await;
    assert_eq!(report["created"], 2);
    let office = app.org_id("UNODC-BGD-CXB").await;
    let stored = app
        .get_json(&format!("/api/v1/organizations/{office}"), Role::Unodc, 200)
        .await;
    assert_eq!(stored["parent_id"], unodc.as_str());

    let iom = app.org_id("IOM-BGD").await;
    let iom_version = app
        .get_json(&format!("/api/v1/organizations/{iom}"), Role::Unodc, 200)
        .await["version"]
        .clone();
    let moved = format!(
        "id,version,code,parent\n{office},1,UNODC-BGD-CXB,UNODC-ROCA\n{iom},{iom_version},IOM-BGD,\n"
    );
    let report = json(
        import_csv(&app, "organizations", Role::Unodc, &moved).await,
        200,
    )
    .await;
    assert_eq!(
        (&report["updated"], &report["unchanged"]),
        (&Value::from(1), &Value::from(1))
    );
    let stored = app
        .get_json(&format!("/api/v1/organizations/{office}"), Role::Unodc, 200)
        .await;
    assert_eq!(stored["parent_id"], app.org_id("UNODC-ROCA").await.as_str());

    let bad = "code,name,kind,country\nUNODC-ROCA,Again,un_agency,UZB\nNEW-ORG,New,club,BD\n";
    let errors = row_errors(import_csv(&app, "organizations", Role::Unodc, bad).await).await;
    assert_eq!(
        errors,
        [
            (2, None, "duplicate_code".to_owned()),
            (3, Some("country".to_owned()), "invalid_country".to_owned()),
            (3, Some("kind".to_owned()), "invalid_value".to_owned()),
        ]
    );
}

#[tokio::test]
async fn an_xlsx_workbook_is_read_as_its_cells_show() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let app = spawn_seeded_app().await;
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (column, name) in HEADER.split(',').enumerate() {
        sheet.write_string(0, column as u16, name).unwrap();
    }
    let row = [
        "GLOACT-BGD",
        "XL-01",
        "Workshop typed in Excel",
        "workshop",
        "capacity_building",
        "planned",
        "restricted",
    ];
    for (column, cell) in row.iter().enumerate() {
        sheet.write_string(1, column as u16, *cell).unwrap();
    }
    let start = ExcelDateTime::from_ymd(2021, 5, 2).unwrap();
    sheet
        .write_datetime_with_format(1, 7, &start, &date)
        .unwrap();
    sheet.write_string(1, 8, "2021-05-04").unwrap();
    sheet.write_string(1, 9, "Khulna").unwrap();
    sheet.write_number(1, 10, 7.0).unwrap();
    sheet.write_number(1, 11, 9.0).unwrap();
    sheet.write_string(1, 12, "UNODC-BGD:implementing").unwrap();
    // A second row whose count is not whole.
    sheet.write_string(2, 0, "GLOACT-BGD").unwrap();
    sheet.write_string(2, 1, "XL-02").unwrap();
    sheet.write_string(2, 2, "Half a person").unwrap();
    sheet.write_string(2, 3, "meeting").unwrap();
    sheet.write_string(2, 4, "coordination").unwrap();
    sheet.write_number(2, 10, 2.5).unwrap();
    let bytes = workbook.save_to_buffer().unwrap();

    let errors = row_errors(
        upload(
            &app,
            "activities",
            &app.token(Role::Unodc),
            XLSX,
            bytes.clone(),
        )
        .await,
    )
    .await;
    assert_eq!(
        errors,
        [(
            3,
            Some("participants_female".to_owned()),
            "invalid_count".to_owned()
        )]
    );

    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (column, name) in HEADER.split(',').enumerate() {
        sheet.write_string(0, column as u16, name).unwrap();
    }
    for (column, cell) in row.iter().enumerate() {
        sheet.write_string(1, column as u16, *cell).unwrap();
    }
    sheet
        .write_datetime_with_format(1, 7, &start, &date)
        .unwrap();
    sheet.write_number(1, 10, 7.0).unwrap();
    let bytes = workbook.save_to_buffer().unwrap();
    let report = json(
        upload(&app, "activities", &app.token(Role::Unodc), XLSX, bytes).await,
        200,
    )
    .await;
    assert_eq!(report["created"], 1);
    let stored = app.activity("XL-01").await;
    assert_eq!(stored["planned"]["start"], "2021-05-02");
    assert_eq!(stored["participants"]["female"], 7);
}

#[tokio::test]
async fn a_retry_under_the_same_key_gets_the_first_answer() {
    let app = spawn_seeded_app().await;
    let token = app.token(Role::Unodc);
    let csv = format!("{HEADER}\nGLOACT-BGD,KEY-01,Keyed,meeting,coordination,,,,,,,,\n");
    let send = |body: String| {
        app.request(Method::POST, "/api/v1/imports/activities", &token)
            .header("content-type", "text/csv")
            .header("idempotency-key", "import-7f3a")
            .body(body)
            .send()
    };
    let first = send(csv.clone()).await.unwrap();
    assert_eq!(json(first, 200).await["created"], 1);
    let retry = send(csv.clone()).await.unwrap();
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    assert_eq!(
        json(retry, 200).await["created"],
        1,
        "the first answer, not a duplicate_code"
    );
    let other = send(csv.replace("KEY-01", "KEY-02")).await.unwrap();
    problem(other, 422, "idempotency_key_reused").await;
}

#[tokio::test]
async fn files_too_large_too_long_or_of_another_kind_are_refused() {
    let app = spawn_seeded_app().await;
    let token = app.token(Role::Unodc);
    problem(
        upload(
            &app,
            "activities",
            &token,
            "application/json",
            b"{}".to_vec(),
        )
        .await,
        415,
        "unsupported_media_type",
    )
    .await;
    problem(
        upload(&app, "activities", &token, XLSX, b"not a zip".to_vec()).await,
        400,
        "invalid_file",
    )
    .await;
    problem(
        upload(&app, "activities", &token, "text/csv", b"\n\n".to_vec()).await,
        400,
        "empty_file",
    )
    .await;
    problem(
        upload(
            &app,
            "activities",
            &token,
            "text/csv",
            b"code,title\n\xff\xfe,x\n".to_vec(),
        )
        .await,
        400,
        "invalid_file",
    )
    .await;
    let huge = format!("code,title\n{}", "A,".repeat(3 * 1024 * 1024));
    problem(
        upload(&app, "activities", &token, "text/csv", huge.into_bytes()).await,
        413,
        "payload_too_large",
    )
    .await;
    // A sheet whose cells reach far is refused without a grid of its size being made.
    use rust_xlsxwriter::Workbook;
    let mut far = Workbook::new();
    far.add_worksheet().write_string(0, 0, "code").unwrap();
    far.worksheet_from_index(0)
        .unwrap()
        .write_string(1, 16_000, "x")
        .unwrap();
    problem(
        upload(
            &app,
            "activities",
            &token,
            XLSX,
            far.save_to_buffer().unwrap(),
        )
        .await,
        400,
        "too_many_columns",
    )
    .await;
    let mut deep = Workbook::new();
    deep.add_worksheet().write_string(0, 0, "code").unwrap();
    deep.worksheet_from_index(0)
        .unwrap()
        .write_string(1_000_000, 0, "x")
        .unwrap();
    problem(
        upload(
            &app,
            "activities",
            &token,
            XLSX,
            deep.save_to_buffer().unwrap(),
        )
        .await,
        400,
        "too_many_rows",
    )
    .await;
    let wide = format!(
        "{}\n",
        (0..300)
            .map(|i| format!("c{i}"))
            .collect::<Vec<_>>()
            .join(",")
    );
    problem(
        upload(&app, "activities", &token, "text/csv", wide.into_bytes()).await,
        400,
        "too_many_columns",
    )
    .await;
    let long = format!("participants_female\n{}", "1\n".repeat(10_001));
    problem(
        upload(
            &app,
            "participations",
            &token,
            "text/csv",
            long.into_bytes(),
        )
        .await,
        400,
        "too_many_rows",
    )
    .await;
    problem(
        upload(&app, "spreadsheets", &token, "text/csv", b"a\n1\n".to_vec()).await,
        400,
        "invalid_path",
    )
    .await;
}

/// A list as CSV, read as `role` reads it.
async fn export(app: &TestApp, list: &str, role: Role) -> String {
    let response = app
        .request(Method::GET, &format!("/api/v1/{list}"), &app.token(role))
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

#[tokio::test]
async fn an_export_imported_again_in_a_dry_run_holds_no_error_and_changes_nothing() {
    let app = spawn_seeded_app().await;
    // A title our export neutralises, and a participant count, to carry through.
    let csv = format!(
        "{HEADER}\nGLOACT-BGD,RT-01,\"=HYPERLINK(\"\"x\"\"), a trap\",training,capacity_building,ongoing,public,2021-01-04,2021-01-08,Teknaf,3,4,UNODC-BGD:implementing\n"
    );
    json(import_csv(&app, "activities", Role::Unodc, &csv).await, 200).await;
    for (list, kind, role) in [
        ("activities", "activities", Role::Unodc),
        ("activities", "participations", Role::Unodc),
        ("activities", "activities", Role::Iom),
        ("organizations", "organizations", Role::Unodc),
        ("indicators", "indicator-actuals", Role::Unodc),
    ] {
        let sheet = export(&app, list, role).await;
        let rows = sheet.lines().count() - 1;
        assert!(rows > 3, "{list}: {sheet}");
        let report = json(dry_run_csv(&app, kind, role, &sheet).await, 200).await;
        assert_eq!(
            (
                &report["rows"],
                &report["unchanged"],
                &report["created"],
                &report["updated"]
            ),
            (
                &Value::from(rows),
                &Value::from(rows),
                &Value::from(0),
                &Value::from(0)
            ),
            "{kind} from the {list} export, as {role:?}"
        );
    }
    // An edited cell of an export is the one change.
    let sheet = export(&app, "activities", Role::Unodc).await;
    let edited = sheet.replacen(",Teknaf,", ",Cox's Bazar,", 1);
    let report = json(
        import_csv(&app, "activities", Role::Unodc, &edited).await,
        200,
    )
    .await;
    assert_eq!(report["updated"], 1);
    let stored = app.activity("RT-01").await;
    assert_eq!(stored["district"], "Cox's Bazar");
    assert_eq!(stored["title"], "=HYPERLINK(\"x\"), a trap");
}

#[tokio::test]
async fn a_code_that_names_another_row_than_the_id_beside_it_is_refused() {
    let app = spawn_seeded_app().await;
    let programme = app.get_all("/api/v1/programmes", Role::Unodc).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let unodc = app.org_id("UNODC-BGD").await;
    let activities = format!(
        "programme,programme_id,code,title,kind,pillar\nOTHER-PROG,{programme},X-01,X,meeting,coordination\n"
    );
    let errors = row_errors(import_csv(&app, "activities", Role::Unodc, &activities).await).await;
    assert_eq!(
        errors,
        [(2, Some("programme".to_owned()), "inconsistent".to_owned())]
    );
    let organizations = format!(
        "code,name,kind,country,parent,parent_id\nNGO-Y,Y,civil_society,BGD,IOM-BGD,{unodc}\n"
    );
    let errors =
        row_errors(import_csv(&app, "organizations", Role::Unodc, &organizations).await).await;
    assert_eq!(
        errors,
        [(2, Some("parent".to_owned()), "inconsistent".to_owned())]
    );
}
