//! Statistics of field reports: exact for UNODC and IOM with `stats:exact`; for everyone else,
//! counts under 11 are withheld, and so is whatever would let one be computed back.

use gloact_domain::Role;
use gloact_tests::{TestApp, json, problem, spawn_seeded_app};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

fn victim(district: &str, sex: &str) -> Value {
    json!({
        "id": Uuid::new_v4(), "occurred_at": "2020-02-25T14:05:00Z", "district": district,
        "payload": { "kind": "victim_identification", "sex": sex, "age_band": "18_25", "citizenship": "BGD", "exploitation": "labour" },
    })
}

async fn seed_reports(app: &TestApp) {
    // Dhaka 12, Teknaf 3, Cox's Bazar 20; 31 women, 4 men.
    let mut reports = Vec::new();
    reports.extend((0..12).map(|i| victim("Dhaka", if i < 2 { "male" } else { "female" })));
    reports.extend((0..3).map(|_| victim("Teknaf", "female")));
    reports.extend((0..20).map(|i| victim("Cox's Bazar", if i < 2 { "male" } else { "female" })));
    let response = app
        .request(
            Method::POST,
            "/api/v1/field-reports:batch",
            &app.token(Role::Iom),
        )
        .json(&json!({ "reports": reports }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 207);
}

async fn table(app: &TestApp, token: &str, by: &str) -> Value {
    json(
        app.request(
            Method::GET,
            &format!("/api/v1/statistics/field-reports?by={by}"),
            token,
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await
}

fn cells(table: &Value) -> Vec<(String, Option<u64>)> {
    table["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["key"].as_str().unwrap().to_owned(), c["count"].as_u64()))
        .collect()
}

/// What a reader could compute back: with the total known, a single withheld cell.
fn derivable(table: &Value) -> bool {
    table["total"].is_u64()
        && table["cells"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["count"].is_null())
            .count()
            == 1
}

#[tokio::test]
async fn small_cells_are_withheld_for_the_donor_and_none_can_be_computed_back() {
    let app = spawn_seeded_app().await;
    seed_reports(&app).await;
    let eu = app.token(Role::Eu);
    let by_district = table(&app, &eu, "district").await;
    assert_eq!(by_district["exact"], false);
    assert_eq!(
        cells(&by_district),
        [
            ("Cox's Bazar".to_owned(), None),
            ("Dhaka".to_owned(), None),
            ("Teknaf".to_owned(), None)
        ],
        "Teknaf (3) is small; the others go with it until the withheld count at least 22"
    );
    assert_eq!(by_district["total"], 35);
    assert!(!derivable(&by_district));

    let by_sex = table(&app, &eu, "sex").await;
    assert_eq!(by_sex["counts"], "victims");
    assert_eq!(
        cells(&by_sex),
        [("female".to_owned(), None), ("male".to_owned(), None)]
    );
    assert!(!derivable(&by_sex));
    let by_month = table(&app, &eu, "month").await;
    assert_eq!(cells(&by_month), [("2020-02".to_owned(), Some(35))]);
}

#[tokio::test]
async fn exact_statistics_need_the_scope_and_the_role() {
    let app = spawn_seeded_app().await;
    seed_reports(&app).await;
    let exact = [
        app.token_with_scopes(Role::Unodc, "UNODC-BGD", "stats:exact"),
        app.token_with_scopes(Role::Iom, "IOM-BGD", "stats:exact"),
    ];
    for token in &exact {
        let t = table(&app, token, "district").await;
        assert_eq!(t["exact"], true);
        assert_eq!(
            cells(&t),
            [
                ("Cox's Bazar".to_owned(), Some(20)),
                ("Dhaka".to_owned(), Some(12)),
                ("Teknaf".to_owned(), Some(3))
            ]
        );
    }
    let withheld = [
        app.token(Role::Unodc),
        app.token(Role::Government),
        app.token(Role::Eu),
    ];
    for token in &withheld {
        let t = table(&app, token, "district").await;
        assert_eq!(t["exact"], false);
        assert!(cells(&t).iter().any(|(_, n)| n.is_none()));
    }
    problem(
        app.get("/api/v1/statistics/field-reports?by=name", Role::Eu)
            .await,
        400,
        "invalid_query",
    )
    .await;
    problem(
        app.get("/api/v1/statistics/field-reports", Role::Eu).await,
        400,
        "invalid_query",
    )
    .await;
    // Date ranges are for exact callers: two overlapping protected tables would give cells away.
    problem(
        app.get(
            "/api/v1/statistics/field-reports?by=district&from=2020-02-25",
            Role::Eu,
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    let none = table(&app, &exact[0], "district&from=2021-01-01").await;
    assert!(cells(&none).is_empty());
    let that_day = table(&app, &exact[0], "district&from=2020-02-25&to=2020-02-25").await;
    assert_eq!(that_day["total"], 35);
}
