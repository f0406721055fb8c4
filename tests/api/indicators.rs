//! Indicators: list filters, periods, and recording actuals.

use gloact_domain::Role;
use gloact_tests::{TestApp, json, problem, spawn_seeded_app};
use reqwest::{Method, Response};
use serde_json::{Value, json};

fn sorted_codes(items: &[Value]) -> Vec<String> {
    let mut codes: Vec<String> = items
        .iter()
        .map(|i| i["code"].as_str().unwrap().to_owned())
        .collect();
    codes.sort();
    codes
}

async fn indicator(app: &TestApp, code: &str) -> Value {
    app.get_all("/api/v1/indicators", Role::Unodc)
        .await
        .into_iter()
        .find(|i| i["code"] == code)
        .unwrap_or_else(|| panic!("no indicator {code}"))
}

async fn record(
    app: &TestApp,
    indicator: &Value,
    period: &Value,
    version: i64,
    body: &Value,
) -> Response {
    let path = format!(
        "/api/v1/indicators/{}/periods/{}/actual",
        indicator["id"].as_str().unwrap(),
        period["id"].as_str().unwrap()
    );
    app.request(Method::PUT, &path, &app.token(Role::Unodc))
        .header("if-match", format!("\"{version}\""))
        .json(body)
        .send()
        .await
        .expect("the server answers")
}

#[tokio::test]
async fn list_filters_by_programme_and_result_level() {
    let app = spawn_seeded_app().await;
    let list = async |query: &str| {
        sorted_codes(
            &app.get_all(&format!("/api/v1/indicators?{query}"), Role::Eu)
                .await,
        )
    };
    assert_eq!(
        list("programme=GLOACT-BGD").await,
        ["OC-1", "OUT-1.1", "OUT-1.2"]
    );
    assert_eq!(list("programme=GLOACT-NPL").await, Vec::<String>::new());
    assert_eq!(list("result_level=outcome").await, ["OC-1"]);
    assert_eq!(list("result_level=output").await, ["OUT-1.1", "OUT-1.2"]);
    assert_eq!(
        list("programme=GLOACT-BGD&result_level=outcome").await,
        ["OC-1"]
    );
    problem(
        app.get("/api/v1/indicators?result_level=impact", Role::Unodc)
            .await,
        400,
        "invalid_query",
    )
    .await;
}

#[tokio::test]
async fn get_embeds_the_periods_in_date_order() {
    let app = spawn_seeded_app().await;
    for (code, starts) in [
        ("OUT-1.1", vec!["2020-01-01", "2021-01-01"]),
        ("OUT-1.2", vec!["2020-01-01"]),
        ("OC-1", vec!["2020-01-01", "2021-01-01"]),
    ] {
        let listed = indicator(&app, code).await;
        let response = app
            .get(
                &format!("/api/v1/indicators/{}", listed["id"].as_str().unwrap()),
                Role::Government,
            )
            .await;
        assert_eq!(
            response
                .headers()
                .get("etag")
                .expect("an ETag")
                .to_str()
                .unwrap(),
            format!("\"{}\"", listed["version"])
        );
        let fetched = json(response, 200).await;
        assert_eq!(fetched, listed);
        let periods = fetched["periods"].as_array().unwrap();
        let actual: Vec<&str> = periods
            .iter()
            .map(|p| p["start"].as_str().unwrap())
            .collect();
        assert_eq!(actual, starts, "{code}");
        for period in periods {
            let start = period["start"].as_str().unwrap();
            assert_eq!(
                period["end"].as_str().unwrap(),
                format!("{}-12-31", &start[..4]),
                "{code}"
            );
        }
    }
    let oc1 = indicator(&app, "OC-1").await;
    assert_eq!(oc1["periods"][0]["target"], 70.0);
    assert_eq!(oc1["periods"][1]["target"], 80.0);
    problem(
        app.get(
            &format!("/api/v1/indicators/{}", uuid::Uuid::now_v7()),
            Role::Unodc,
        )
        .await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn recording_an_actual_moves_the_period_and_the_indicator() {
    let app = spawn_seeded_app().await;
    let before = indicator(&app, "OUT-1.1").await;
    let period = &before["periods"][1];
    assert_eq!(period["actual"], Value::Null);
    // Writes go by the indicator's version: its ETag covers its periods.
    let version = before["version"].as_i64().unwrap();

    let response = record(
        &app,
        &before,
        period,
        version,
        &json!({ "value": 150.0, "female": 40.0, "male": 105.0 }),
    )
    .await;
    assert_eq!(
        response
            .headers()
            .get("etag")
            .expect("an ETag")
            .to_str()
            .unwrap(),
        format!("\"{}\"", version + 1)
    );
    let after = json(response, 200).await;
    assert_eq!(after["id"], before["id"]);
    assert_eq!(after["version"], version + 1);
    assert!(after["change_seq"].as_i64().unwrap() > before["change_seq"].as_i64().unwrap());
    let recorded = &after["periods"][1];
    assert_eq!(recorded["id"], period["id"]);
    assert_eq!(recorded["version"], period["version"].as_i64().unwrap() + 1);
    assert_eq!(recorded["actual"], 150.0);
    assert_eq!(recorded["actual_female"], 40.0);
    assert_eq!(recorded["actual_male"], 105.0);
    assert_eq!(recorded["target"], 200.0);
    assert_eq!(recorded["start"], "2021-01-01");
    assert_eq!(recorded["end"], "2021-12-31");
    assert_eq!(after["periods"][0], before["periods"][0]);

    // GET shows the same, under the same ETag.
    let response = app
        .get(
            &format!("/api/v1/indicators/{}", before["id"].as_str().unwrap()),
            Role::Unodc,
        )
        .await;
    assert_eq!(
        response
            .headers()
            .get("etag")
            .expect("an ETag")
            .to_str()
            .unwrap(),
        format!("\"{}\"", version + 1)
    );
    assert_eq!(json(response, 200).await, after);

    // The version read before is stale now, whichever period is written.
    for stale_period in [&before["periods"][0], period] {
        let stale = problem(
            record(
                &app,
                &before,
                stale_period,
                version,
                &json!({ "value": 1.0 }),
            )
            .await,
            412,
            "version_mismatch",
        )
        .await;
        assert_eq!(stale["current_version"], version + 1);
    }
}

#[tokio::test]
async fn female_and_male_may_not_exceed_the_value_of_a_unit_indicator() {
    let app = spawn_seeded_app().await;
    let out11 = indicator(&app, "OUT-1.1").await;
    let period = &out11["periods"][0];
    let version = out11["version"].as_i64().unwrap();
    let refused = problem(
        record(
            &app,
            &out11,
            period,
            version,
            &json!({ "value": 82.0, "female": 20.0, "male": 67.0 }),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(refused["errors"][0]["field"], "value", "{refused}");
    // Nothing changed.
    assert_eq!(indicator(&app, "OUT-1.1").await, out11);
    // The same figures adding up are fine.
    json(
        record(
            &app,
            &out11,
            period,
            version,
            &json!({ "value": 87.0, "female": 20.0, "male": 67.0 }),
        )
        .await,
        200,
    )
    .await;
}

#[tokio::test]
async fn female_and_male_need_an_indicator_broken_down_by_sex() {
    let app = spawn_seeded_app().await;
    let out12 = indicator(&app, "OUT-1.2").await;
    assert_eq!(out12["disaggregated_by_sex"], false);
    let period = &out12["periods"][0];
    let version = out12["version"].as_i64().unwrap();
    let refused = problem(
        record(
            &app,
            &out12,
            period,
            version,
            &json!({ "value": 1.0, "female": 1.0 }),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    let errors = refused["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{refused}");
    assert_eq!(errors[0]["field"], "female", "{refused}");
    assert_eq!(indicator(&app, "OUT-1.2").await, out12);
    // Without a breakdown it is recorded.
    let recorded = json(
        record(&app, &out12, period, version, &json!({ "value": 1.0 })).await,
        200,
    )
    .await;
    assert_eq!(recorded["periods"][0]["actual"], 1.0);
    assert_eq!(recorded["periods"][0]["actual_female"], Value::Null);
}

#[tokio::test]
async fn a_period_of_another_indicator_is_not_found() {
    let app = spawn_seeded_app().await;
    let out11 = indicator(&app, "OUT-1.1").await;
    let oc1 = indicator(&app, "OC-1").await;
    let foreign = &oc1["periods"][0];
    let version = foreign["version"].as_i64().unwrap();
    problem(
        record(&app, &out11, foreign, version, &json!({ "value": 50.0 })).await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(indicator(&app, "OC-1").await, oc1);
    assert_eq!(indicator(&app, "OUT-1.1").await, out11);
}
