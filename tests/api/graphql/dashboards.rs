//! Aggregates for dashboards: what each role may see, counted; statistics protected.

use gloact_domain::Role;
use gloact_tests::spawn_seeded_app;
use reqwest::Method;
use serde_json::{Value, json};

use super::{ROLES, data, report};

#[tokio::test]
async fn dashboard_aggregates_agree_with_the_rows_each_role_sees() {
    let app = spawn_seeded_app().await;
    let query = "{ byPillar: activityCounts(by: PILLAR) { key count }
        byMonth: activityCounts(by: MONTH, filter: { kind: MEETING }) { key count }
        participantTotals { activities total female judges } }";
    for role in ROLES {
        let rows = app.get_all("/api/v1/activities", role).await;
        let found = data(&app, role, query, json!({})).await;
        let mut by_pillar = std::collections::BTreeMap::new();
        for a in &rows {
            *by_pillar
                .entry(a["pillar"].as_str().unwrap().to_owned())
                .or_insert(0) += 1;
        }
        let served: std::collections::BTreeMap<String, i64> = found["byPillar"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["key"].as_str().unwrap().to_owned(),
                    c["count"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(served, by_pillar, "{role}");
        let sum = |key: &str| {
            rows.iter()
                .map(|a| a["participants"][key].as_i64().unwrap())
                .sum::<i64>()
        };
        let totals = &found["participantTotals"];
        assert_eq!(totals["activities"], rows.len(), "{role}");
        assert_eq!(totals["female"], sum("female"), "{role}");
        assert_eq!(totals["judges"], sum("judges"), "{role}");
        assert_eq!(totals["total"], sum("female") + sum("male") + sum("other"));
        let meetings = rows.iter().filter(|a| a["kind"] == "meeting").count() as i64;
        let months: i64 = found["byMonth"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["count"].as_i64().unwrap())
            .sum();
        assert_eq!(months, meetings, "{role}");
    }
}

#[tokio::test]
async fn aggregates_take_every_filter_as_the_list_does() {
    let app = spawn_seeded_app().await;
    let workshop = app.activity("WS-2020-01").await;
    let parent = app.activity("NC-2020").await;
    // The REST query string and the same filter over GraphQL.
    let filters = [
        ("district=Dhaka", json!({ "district": "Dhaka" })),
        (
            "from=2020-02-11&to=2020-02-24",
            json!({ "from": "2020-02-11", "to": "2020-02-24" }),
        ),
        (
            "organization=MOLJPA-BGD",
            json!({ "organization": "MOLJPA-BGD" }),
        ),
        ("programme=GLOACT-BGD", json!({ "programme": "GLOACT-BGD" })),
        ("programme=NO-SUCH", json!({ "programme": "NO-SUCH" })),
        (
            &format!("parent_id={}", parent["id"].as_str().unwrap()),
            json!({ "parentId": parent["id"] }),
        ),
        (
            "pillar=capacity_building&status=completed&kind=workshop",
            json!({ "pillar": "CAPACITY_BUILDING", "status": "COMPLETED", "kind": "WORKSHOP" }),
        ),
    ];
    let query = "query($filter: ActivityFilterInput) {
        activityCounts(by: STATUS, filter: $filter) { key count }
        participantTotals(filter: $filter) { activities } }";
    let mut matched_somewhere = 0;
    for role in ROLES {
        for (rest_filter, filter) in &filters {
            let rows = app
                .get_all(&format!("/api/v1/activities?{rest_filter}"), role)
                .await;
            let found = data(&app, role, query, json!({ "filter": filter })).await;
            let counted: i64 = found["activityCounts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["count"].as_i64().unwrap())
                .sum();
            assert_eq!(counted, rows.len() as i64, "{role} {rest_filter}");
            assert_eq!(
                found["participantTotals"]["activities"],
                rows.len(),
                "{role} {rest_filter}"
            );
            matched_somewhere += rows.len();
        }
    }
    assert!(matched_somewhere > 0);
    // The restricted workshop counts for the ministry that took part, not for another one.
    let workshops = json!({ "filter": { "kind": "WORKSHOP", "district": workshop["district"] } });
    let by = |org: &str| {
        let token = app.token_for(Role::Government, org);
        let (app, workshops) = (&app, &workshops);
        async move {
            let answer = app
                .request(Method::POST, "/graphql", &token)
                .json(&json!({ "query": query, "variables": workshops }))
                .send()
                .await
                .unwrap();
            gloact_tests::json(answer, 200).await["data"]["participantTotals"]["activities"]
                .as_i64()
                .unwrap()
        }
    };
    assert_eq!(by("MOLJPA-BGD").await, 1);
    assert_eq!(by("MOHA-BGD").await, 0);
}

#[tokio::test]
async fn field_report_statistics_are_protected_as_over_rest() {
    let app = spawn_seeded_app().await;
    for (i, district) in ["Dhaka", "Dhaka", "Jessore"].iter().enumerate() {
        let id = format!("00000000-0000-4000-8000-00000000000{i}");
        let sent = app
            .post("/api/v1/field-reports", Role::Iom, &report(&id, district))
            .await;
        assert_eq!(sent.status(), 201);
    }
    let query =
        "{ fieldReportStatistics(by: DISTRICT) { exact total cells { key count suppressed } } }";
    for role in ROLES {
        let rest = app
            .get_json("/api/v1/statistics/field-reports?by=district", role, 200)
            .await;
        let served = data(&app, role, query, json!({})).await["fieldReportStatistics"].clone();
        let cells = served["cells"].as_array().unwrap();
        assert_eq!(cells.len(), 2, "{role}");
        for cell in cells {
            // Fewer than 11 reports: withheld for every role without stats:exact.
            assert_eq!(cell["suppressed"], true, "{role}");
            assert_eq!(cell["count"], Value::Null, "{role}");
        }
        assert_eq!(served["total"], rest["total"], "{role}");
    }
    let exact = app.token_with_scopes(Role::Unodc, "UNODC-BGD", "stats:exact");
    let answer: Value = app
        .request(Method::POST, "/graphql", &exact)
        .json(&json!({ "query": query }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let table = &answer["data"]["fieldReportStatistics"];
    assert_eq!(table["exact"], true);
    assert_eq!(
        table["cells"][0],
        json!({ "key": "Dhaka", "count": 2, "suppressed": false })
    );
}

/// The whole-programme dashboard is read from counts the writes keep: after creating, changing,
/// restricting and deleting activities, and again after the counts are folded, every role's
/// counts by every dimension and its participant totals equal counting the rows it may read.
#[tokio::test]
async fn maintained_counts_follow_every_change_and_equal_counting_the_rows() {
    let app = spawn_seeded_app().await;
    let check = async |when: &str| {
        let query = "{ pillar: activityCounts(by: PILLAR) { key count }
            kind: activityCounts(by: KIND) { key count }
            status: activityCounts(by: STATUS) { key count }
            month: activityCounts(by: MONTH) { key count }
            district: activityCounts(by: DISTRICT) { key count }
            participantTotals { activities female male other judges prosecutors lawEnforcement officials civilSociety } }";
        let tokens = [
            ("unodc", app.token(Role::Unodc)),
            ("eu", app.token(Role::Eu)),
            ("MOHA-BGD", app.token_for(Role::Government, "MOHA-BGD")),
            ("MOLJPA-BGD", app.token_for(Role::Government, "MOLJPA-BGD")),
        ];
        for (who, token) in &tokens {
            let rows = app.get_all_as("/api/v1/activities?limit=500", token).await;
            let answer = gloact_tests::json(
                app.request(Method::POST, "/graphql", token)
                    .json(&json!({ "query": query }))
                    .send()
                    .await
                    .unwrap(),
                200,
            )
            .await;
            let found = &answer["data"];
            let key_of = |a: &Value, dimension: &str| -> String {
                match dimension {
                    "month" => a["actual"]["start"]
                        .as_str()
                        .or(a["planned"]["start"].as_str())
                        .map_or("undated".to_owned(), |d| d[..7].to_owned()),
                    "district" => a["district"].as_str().unwrap_or("unknown").to_owned(),
                    other => a[other].as_str().unwrap().to_owned(),
                }
            };
            for dimension in ["pillar", "kind", "status", "month", "district"] {
                let mut counted = std::collections::BTreeMap::<String, i64>::new();
                for a in &rows {
                    *counted.entry(key_of(a, dimension)).or_default() += 1;
                }
                let served: std::collections::BTreeMap<String, i64> = found[dimension]
                    .as_array()
                    .unwrap_or_else(|| panic!("{answer}"))
                    .iter()
                    .map(|c| {
                        (
                            c["key"].as_str().unwrap().to_owned(),
                            c["count"].as_i64().unwrap(),
                        )
                    })
                    .collect();
                assert_eq!(served, counted, "{when}: {who} by {dimension}");
            }
            let totals = &found["participantTotals"];
            assert_eq!(totals["activities"], rows.len(), "{when}: {who}");
            for (field, key) in [
                ("female", "female"),
                ("male", "male"),
                ("other", "other"),
                ("judges", "judges"),
                ("prosecutors", "prosecutors"),
                ("lawEnforcement", "law_enforcement"),
                ("officials", "officials"),
                ("civilSociety", "civil_society"),
            ] {
                let sum: i64 = rows
                    .iter()
                    .map(|a| a["participants"][key].as_i64().unwrap())
                    .sum();
                assert_eq!(totals[field], sum, "{when}: {who} {field}");
            }
        }
    };
    check("seeded").await;

    // A restricted training MOHA takes part in twice over (two roles), then one made public.
    let training = |code: &str| {
        json!({
            "programme": "GLOACT-BGD", "code": code, "title": "Training of prosecutors",
            "kind": "training", "pillar": "capacity_building", "planned_start": "2021-03-02",
            "district": "Sylhet",
            "participants": { "female": 5, "male": 7, "prosecutors": 9 },
            "participations": [
                { "organization": "UNODC-BGD", "role": "implementing" },
                { "organization": "MOHA-BGD", "role": "participant" },
                { "organization": "MOHA-BGD", "role": "organizer" },
            ],
        })
    };
    let restricted = gloact_tests::json(
        app.post("/api/v1/activities", Role::Unodc, &training("TALLY-1"))
            .await,
        201,
    )
    .await;
    let other = gloact_tests::json(
        app.post("/api/v1/activities", Role::Unodc, &training("TALLY-2"))
            .await,
        201,
    )
    .await;
    let changed = gloact_tests::json(
        app.patch(
            &format!("/api/v1/activities/{}", other["id"].as_str().unwrap()),
            Role::Unodc,
            other["version"].as_i64().unwrap(),
            &json!({ "visibility": "public", "status": "completed",
                     "actual_start": "2021-04-01", "participants": { "female": 6 } }),
        )
        .await,
        200,
    )
    .await;
    check("after writes").await;

    gloact_persistence::activities::aggregates::fold_tally(&app.db)
        .await
        .unwrap();
    check("folded").await;

    // Made restricted again, and the first one deleted, after the fold.
    gloact_tests::json(
        app.patch(
            &format!("/api/v1/activities/{}", other["id"].as_str().unwrap()),
            Role::Unodc,
            changed["version"].as_i64().unwrap(),
            &json!({ "visibility": "restricted", "district": null }),
        )
        .await,
        200,
    )
    .await;
    app.delete_activity(&restricted).await;
    check("after more writes").await;
    gloact_persistence::activities::aggregates::fold_tally(&app.db)
        .await
        .unwrap();
    check("folded again").await;
}

#[tokio::test]
async fn dates_out_of_range_are_refused_with_a_code_never_a_500() {
    let app = spawn_seeded_app().await;
    // Every argument of date type: the activity filter (lists and aggregates) and the ranges of
    // both statistics. chrono reads years of any size and sign; PostgreSQL holds none of these.
    let queries = [
        "query($d: NaiveDate) { activities(filter: { from: $d }) { totalCount } }",
        "query($d: NaiveDate) { activities(filter: { to: $d }) { totalCount } }",
        "query($d: NaiveDate) { activityCounts(by: PILLAR, filter: { from: $d }) { key } }",
        "query($d: NaiveDate) { participantTotals(filter: { to: $d }) { total } }",
        "query($d: NaiveDate) { fieldReportStatistics(by: DISTRICT, from: $d) { total } }",
        "query($d: NaiveDate) { fieldReportStatistics(by: DISTRICT, to: $d) { total } }",
        "query($d: NaiveDate) { caseStatistics(by: STATUS, from: $d) { total } }",
        "query($d: NaiveDate) { caseStatistics(by: STATUS, to: $d) { total } }",
    ];
    let exact = app.token_with_scopes(Role::Unodc, "UNODC-BGD", "stats:exact");
    for query in queries {
        for day in ["-100000-01-01", "+100000-01-01", "1899-12-31", "2201-01-01"] {
            let answer: Value = gloact_tests::json(
                app.request(Method::POST, "/graphql", &exact)
                    .json(&json!({ "query": query, "variables": { "d": day } }))
                    .send()
                    .await
                    .unwrap(),
                200,
            )
            .await;
            let error = &answer["errors"][0];
            assert_eq!(
                error["extensions"]["code"], "invalid_date",
                "{query} {day}: {answer}"
            );
            assert_eq!(
                error["extensions"]["status"], 400,
                "{query} {day}: {answer}"
            );
        }
        // A day in range is answered.
        let answer: Value = gloact_tests::json(
            app.request(Method::POST, "/graphql", &exact)
                .json(&json!({ "query": query, "variables": { "d": "2020-01-01" } }))
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        assert!(answer.get("errors").is_none(), "{query}: {answer}");
    }
    // Writes take their days through REST's parsing: a field error, not a 500.
    let create = "mutation($input: NewActivityInput!) { createActivity(input: $input) { code } }";
    let answer = super::gql(
        &app,
        Role::Unodc,
        create,
        json!({ "input": { "programme": "GLOACT-BGD", "code": "TR-2020-99", "title": "Far",
            "kind": "TRAINING", "pillar": "CAPACITY_BUILDING", "plannedStart": "-100000-01-01" } }),
    )
    .await;
    assert_eq!(super::first_code(&answer), "validation_failed", "{answer}");
    assert_eq!(
        answer["errors"][0]["extensions"]["errors"][0]["code"], "invalid_date",
        "{answer}"
    );
}
