//! Victim-assistance cases: who keeps them, who sees them, who sees who the person is (and that
//! the database doesn't), consent, referrals, versions, and case statistics.

use diesel::sql_types::{BigInt, Bytea, Text};
use diesel_async::RunQueryDsl;
use gloact_domain::Role;
use gloact_tests::{TestApp, json, problem, spawn_seeded_app};
use reqwest::{Method, Response};
use serde_json::{Value, json};

fn new_case(district: &str, sex: &str) -> Value {
    json!({
        "identified_on": "2020-02-20",
        "district": district,
        "sex": sex,
        "age_band": "18_25",
        "citizenship": "BGD",
        "exploitation": "labour",
        "means_of_control": ["debt_bondage", "withheld_documents"],
        "recruitment": { "method": "job_offer", "recruiter_relation": "agent" },
        "events": [
            { "stage": "recruitment", "place": "Teknaf", "country": "BGD", "occurred_on": "2019-11-02" },
            { "stage": "exploitation", "place": "Kuala Lumpur", "country": "MYS" },
        ],
        "consent": true,
    })
}

fn identity() -> Value {
    json!({
        "given_name": "Amina",
        "family_name": "Rahmanova",
        "birth_date": "2001-04-09",
        "phone": "+880 1711-555123",
    })
}

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<&Value>,
) -> Response {
    let mut request = app.request(method, path, token);
    if let Some(body) = body {
        request = request.json(body);
    }
    request.send().await.unwrap()
}

async fn open_case(app: &TestApp, token: &str, body: &Value) -> Value {
    json(
        send(app, Method::POST, "/api/v1/cases", token, Some(body)).await,
        201,
    )
    .await
}

fn path(case: &Value, rest: &str) -> String {
    format!("/api/v1/cases/{}{rest}", case["id"].as_str().unwrap())
}

async fn at_version(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    version: &Value,
    body: Option<&Value>,
) -> Response {
    let mut request = app
        .request(method, path, token)
        .header("if-match", format!("\"{version}\""));
    if let Some(body) = body {
        request = request.json(body);
    }
    request.send().await.unwrap()
}

#[derive(diesel::QueryableByName)]
struct Sealed {
    #[diesel(sql_type = Bytea)]
    nonce: Vec<u8>,
    #[diesel(sql_type = Bytea)]
    ciphertext: Vec<u8>,
}

#[derive(diesel::QueryableByName)]
struct Found {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The audit trail's events about identities, as an administrator reads them.
async fn identity_events(app: &TestApp) -> Value {
    let admin = app.token_with_scopes(Role::Unodc, "UNODC-BGD", "admin");
    let path = "/api/v1/admin/audit-events?resource_type=case_identity";
    json(send(app, Method::GET, path, &admin, None).await, 200).await
}

/// Rows of any table of the database whose text holds `needle`.
async fn rows_holding(app: &TestApp, needle: &str) -> i64 {
    let mut conn = app.db.conn().await.unwrap();
    let tables: Vec<String> = diesel::sql_query(
        "SELECT table_name::text AS table_name FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    )
    .load::<TableName>(&mut conn)
    .await
    .unwrap()
    .into_iter()
    .map(|t| t.table_name)
    .collect();
    let mut total = 0;
    for table in tables {
        let found: Found = diesel::sql_query(format!(
            "SELECT count(*) AS n FROM {table} t WHERE t::text ILIKE '%' || $1 || '%'"
        ))
        .bind::<Text, _>(needle)
        .get_result(&mut conn)
        .await
        .unwrap();
        total += found.n;
    }
    total
}

#[derive(diesel::QueryableByName)]
struct TableName {
    #[diesel(sql_type = Text)]
    table_name: String,
}

#[tokio::test]
async fn identities_are_sealed_at_rest_and_read_only_with_pii_each_read_on_the_record() {
    let app = spawn_seeded_app().await;
    let caseworker = app.token_with_scopes(Role::Iom, "IOM-BGD", "pii");
    let mut body = new_case("Cox's Bazar", "female");
    body["identity"] = identity();
    // Sent as a phone sends it, with an Idempotency-Key: the kept answer and fingerprint must not
    // hold the identity either. A first try with a number where text belongs is refused without
    // repeating the number.
    let mut mistyped = body.clone();
    mistyped["identity"]["phone"] = json!(8801711555123_u64);
    let refused = app
        .request(Method::POST, "/api/v1/cases", &caseworker)
        .header("idempotency-key", "case-sealed-0000")
        .json(&mistyped)
        .send()
        .await
        .unwrap();
    let refused = problem(refused, 400, "invalid_body").await;
    assert!(!refused.to_string().contains("8801711555123"), "{refused}");
    let case = app
        .request(Method::POST, "/api/v1/cases", &caseworker)
        .header("idempotency-key", "case-sealed-0001")
        .json(&body)
        .send()
        .await
        .unwrap();
    let case = json(case, 201).await;
    assert_eq!(case["has_identity"], true);
    assert_eq!(rows_holding(&app, "8801711555123").await, 0);
    assert!(
        case.get("identity").is_none(),
        "a case never carries the identity: {case}"
    );

    // The database holds ciphertext only: no table has the name or the phone number in clear.
    assert_eq!(rows_holding(&app, "Rahmanova").await, 0);
    assert_eq!(rows_holding(&app, "555123").await, 0);
    let mut conn = app.db.conn().await.unwrap();
    let sealed: Sealed =
        diesel::sql_query("SELECT nonce, ciphertext FROM case_identity WHERE case_id = $1::uuid")
            .bind::<Text, _>(case["id"].as_str().unwrap())
            .get_result(&mut conn)
            .await
            .unwrap();
    assert_eq!(sealed.nonce.len(), 24);
    assert!(!sealed.ciphertext.windows(5).any(|w| w == b"Amina"));

    // With `pii`, UNODC and IOM read it; it is not cached on the way.
    let read = send(
        &app,
        Method::GET,
        &path(&case, "/identity"),
        &caseworker,
        None,
    )
    .await;
    assert_eq!(
        read.headers()
            .get("cache-control")
            .unwrap()
            .to_str()
            .unwrap(),
        "no-store"
    );
    let read = json(read, 200).await;
    assert_eq!(read["family_name"], "Rahmanova");
    assert_eq!(read["birth_date"], "2001-04-09");
    let unodc_pii = app.token_with_scopes(Role::Unodc, "UNODC-BGD", "pii");
    let read = json(
        send(
            &app,
            Method::GET,
            &path(&case, "/identity"),
            &unodc_pii,
            None,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(read["given_name"], "Amina");

    // Without it, or in any other role (which can't hold it), never.
    for token in [
        app.token(Role::Iom),
        app.token(Role::Unodc),
        app.token_with_scopes(Role::Unodc, "UNODC-BGD", "admin stats:exact"),
        app.token(Role::Eu),
        app.token(Role::Government),
    ] {
        problem(
            send(&app, Method::GET, &path(&case, "/identity"), &token, None).await,
            403,
            "forbidden",
        )
        .await;
    }

    // Each read left a trace naming who read whose identity.
    let events = identity_events(&app).await;
    let reads: Vec<&Value> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "read" && e["resource_id"] == case["id"])
        .collect();
    assert_eq!(reads.len(), 2, "{events}");
    assert!(reads.iter().any(|e| e["role"] == "iom"));
    assert!(reads.iter().any(|e| e["role"] == "unodc"));
}

#[tokio::test]
async fn recording_an_identity_needs_consent_and_the_pii_scope() {
    let app = spawn_seeded_app().await;
    let caseworker = app.token_with_scopes(Role::Iom, "IOM-BGD", "pii");

    let mut no_consent = new_case("Dhaka", "male");
    no_consent["consent"] = json!(false);
    no_consent["identity"] = identity();
    let refused = problem(
        send(
            &app,
            Method::POST,
            "/api/v1/cases",
            &caseworker,
            Some(&no_consent),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(refused["errors"][0]["field"], "identity");
    assert_eq!(refused["errors"][0]["code"], "consent_required");

    let mut with_identity = new_case("Dhaka", "male");
    with_identity["identity"] = identity();
    problem(
        send(
            &app,
            Method::POST,
            "/api/v1/cases",
            &app.token(Role::Iom),
            Some(&with_identity),
        )
        .await,
        403,
        "forbidden",
    )
    .await;

    // A case without consent takes no identity later either.
    no_consent.as_object_mut().unwrap().remove("identity");
    let case = open_case(&app, &caseworker, &no_consent).await;
    let refused = problem(
        at_version(
            &app,
            Method::PUT,
            &path(&case, "/identity"),
            &caseworker,
            &case["version"],
            Some(&identity()),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(refused["errors"][0]["code"], "consent_required");
    assert_eq!(rows_holding(&app, "Rahmanova").await, 0);
}

#[tokio::test]
async fn withdrawn_consent_erases_the_identity() {
    let app = spawn_seeded_app().await;
    let caseworker = app.token_with_scopes(Role::Iom, "IOM-BGD", "pii");
    let case = open_case(&app, &caseworker, &new_case("Dhaka", "female")).await;
    assert_eq!(case["has_identity"], false);
    let stored = json(
        at_version(
            &app,
            Method::PUT,
            &path(&case, "/identity"),
            &caseworker,
            &case["version"],
            Some(&identity()),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(stored["has_identity"], true);
    assert!(stored["version"].as_i64() > case["version"].as_i64());

    // Consent governs the identity: changing it needs the pii scope too.
    problem(
        at_version(
            &app,
            Method::PATCH,
            &path(&case, ""),
            &app.token(Role::Iom),
            &stored["version"],
            Some(&json!({ "consent": false })),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    let withdrawn = json(
        at_version(
            &app,
            Method::PATCH,
            &path(&case, ""),
            &caseworker,
            &stored["version"],
            Some(&json!({ "consent": false })),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(withdrawn["consent"], false);
    assert_eq!(withdrawn["has_identity"], false);
    problem(
        send(
            &app,
            Method::GET,
            &path(&case, "/identity"),
            &caseworker,
            None,
        )
        .await,
        404,
        "not_found",
    )
    .await;
    let mut conn = app.db.conn().await.unwrap();
    let left: Found = diesel::sql_query("SELECT count(*) AS n FROM case_identity")
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(left.n, 0);
}

#[tokio::test]
async fn cases_are_for_case_workers_and_the_government_sees_only_its_referrals() {
    let app = spawn_seeded_app().await;
    let iom = app.token(Role::Iom);
    let mut body = new_case("Cox's Bazar", "female");
    body["referrals"] = json!([{ "to_organization": "MOLJPA-BGD", "service": "legal" }]);
    let referred = open_case(&app, &iom, &body).await;
    assert_eq!(referred["organization"], "IOM-BGD");
    assert_eq!(referred["referrals"][0]["from_organization"], "IOM-BGD");
    assert_eq!(referred["referrals"][0]["to_organization"], "MOLJPA-BGD");
    assert_eq!(referred["referrals"][0]["status"], "proposed");
    assert_eq!(referred["events"][1]["country"], "MYS");
    assert_eq!(
        referred["means_of_control"],
        json!(["debt_bondage", "withheld_documents"])
    );
    let kept = open_case(&app, &iom, &new_case("Dhaka", "male")).await;

    let ids = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect()
    };
    for role in [Role::Unodc, Role::Iom] {
        let page = app.get_json("/api/v1/cases", role, 200).await;
        assert_eq!(ids(&page).len(), 2, "{role}");
    }
    problem(app.get("/api/v1/cases", Role::Eu).await, 403, "forbidden").await;
    problem(
        app.get(&path(&referred, ""), Role::Eu).await,
        403,
        "forbidden",
    )
    .await;

    // The receiving ministry sees the case referred to it, not the other; a ministry with no
    // referral sees none and can't tell them from cases that don't exist.
    let moljpa = app.token_for(Role::Government, "MOLJPA-BGD");
    let page = json(
        send(&app, Method::GET, "/api/v1/cases", &moljpa, None).await,
        200,
    )
    .await;
    assert_eq!(
        ids(&page),
        vec![referred["id"].as_str().unwrap().to_owned()]
    );
    json(
        send(&app, Method::GET, &path(&referred, ""), &moljpa, None).await,
        200,
    )
    .await;
    problem(
        send(&app, Method::GET, &path(&kept, ""), &moljpa, None).await,
        404,
        "not_found",
    )
    .await;
    let moha = app.token_for(Role::Government, "MOHA-BGD");
    let page = json(
        send(&app, Method::GET, "/api/v1/cases", &moha, None).await,
        200,
    )
    .await;
    assert_eq!(ids(&page).len(), 0);
    problem(
        send(&app, Method::GET, &path(&referred, ""), &moha, None).await,
        404,
        "not_found",
    )
    .await;
    problem(
        send(
            &app,
            Method::POST,
            &path(&referred, "/referrals"),
            &moha,
            Some(&json!({ "to_organization": "BNWLA", "service": "shelter" })),
        )
        .await,
        404,
        "not_found",
    )
    .await;

    // The government refers on; it doesn't change the case or its referrals' status.
    let on = json(
        send(&app, Method::POST, &path(&referred, "/referrals"), &moljpa, Some(&json!({ "to_organization": "BNWLA", "service": "shelter", "note": "Needs a safe place in Dhaka" }))).await,
        201,
    )
    .await;
    assert_eq!(on["referrals"][1]["from_organization"], "MOLJPA-BGD");
    problem(
        at_version(
            &app,
            Method::PATCH,
            &path(&referred, ""),
            &moljpa,
            &on["version"],
            Some(&json!({ "status": "closed" })),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    let referral = on["referrals"][0]["id"].as_str().unwrap();
    problem(
        at_version(
            &app,
            Method::PATCH,
            &path(&referred, &format!("/referrals/{referral}")),
            &moljpa,
            &on["version"],
            Some(&json!({ "status": "accepted" })),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    let accepted = json(
        at_version(
            &app,
            Method::PATCH,
            &path(&referred, &format!("/referrals/{referral}")),
            &iom,
            &on["version"],
            Some(&json!({ "status": "accepted" })),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(accepted["referrals"][0]["status"], "accepted");
    // Referrals move forward only.
    let refused = problem(
        at_version(
            &app,
            Method::PATCH,
            &path(&referred, &format!("/referrals/{referral}")),
            &iom,
            &accepted["version"],
            Some(&json!({ "status": "proposed" })),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(refused["errors"][0]["code"], "invalid_transition");
}

#[tokio::test]
async fn the_government_opens_cases_only_to_refer_them() {
    let app = spawn_seeded_app().await;
    let moha = app.token_for(Role::Government, "MOHA-BGD");
    let unreferred = new_case("Sylhet", "female");
    problem(
        send(
            &app,
            Method::POST,
            "/api/v1/cases",
            &moha,
            Some(&unreferred),
        )
        .await,
        403,
        "forbidden",
    )
    .await;

    let mut referred = unreferred.clone();
    referred["referrals"] = json!([{ "to_organization": "IOM-BGD", "service": "repatriation" }]);
    let mut with_identity = referred.clone();
    with_identity["identity"] = identity();
    problem(
        send(
            &app,
            Method::POST,
            "/api/v1/cases",
            &moha,
            Some(&with_identity),
        )
        .await,
        403,
        "forbidden",
    )
    .await;

    let case = open_case(&app, &moha, &referred).await;
    assert_eq!(case["organization"], "MOHA-BGD");
    json(
        send(&app, Method::GET, &path(&case, ""), &moha, None).await,
        200,
    )
    .await;
    // IOM, which receives it, sees it like every case.
    app.get_json(&path(&case, ""), Role::Iom, 200).await;

    let mut to_itself = unreferred.clone();
    to_itself["referrals"] = json!([{ "to_organization": "MOHA-BGD", "service": "legal" }]);
    let refused = problem(
        send(&app, Method::POST, "/api/v1/cases", &moha, Some(&to_itself)).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        refused["errors"][0]["field"],
        "referrals[0].to_organization"
    );
    let mut to_nobody = unreferred;
    to_nobody["referrals"] = json!([{ "to_organization": "NO-SUCH-ORG", "service": "legal" }]);
    let refused = problem(
        send(&app, Method::POST, "/api/v1/cases", &moha, Some(&to_nobody)).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(refused["errors"][0]["code"], "unknown_reference");
}

#[tokio::test]
async fn bad_cases_are_refused_field_by_field_and_stale_writes_fail() {
    let app = spawn_seeded_app().await;
    let iom = app.token(Role::Iom);
    let mut bad = new_case("Dhaka", "woman");
    bad["age_band"] = json!("18-25");
    bad["citizenship"] = json!("Bangladesh");
    bad["means_of_control"] = json!(["debt_bondage", "magic"]);
    bad["events"][0]["occurred_on"] = json!("2999-01-01");
    bad["identified_on"] = json!("2020-02-30");
    let refused = problem(
        send(&app, Method::POST, "/api/v1/cases", &iom, Some(&bad)).await,
        422,
        "validation_failed",
    )
    .await;
    let fields: Vec<&str> = refused["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in [
        "identified_on",
        "sex",
        "age_band",
        "citizenship",
        "means_of_control[1]",
        "events[0].occurred_on",
    ] {
        assert!(fields.contains(&field), "{field} missing from {refused}");
    }
    let mut unknown_field = new_case("Dhaka", "female");
    unknown_field["name"] = json!("Amina");
    problem(
        send(
            &app,
            Method::POST,
            "/api/v1/cases",
            &iom,
            Some(&unknown_field),
        )
        .await,
        400,
        "invalid_body",
    )
    .await;

    let case = open_case(&app, &iom, &new_case("Dhaka", "female")).await;
    let changed = json(
        at_version(
            &app,
            Method::PATCH,
            &path(&case, ""),
            &iom,
            &case["version"],
            Some(&json!({ "status": "follow_up", "events": [] })),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(changed["status"], "follow_up");
    assert_eq!(changed["events"], json!([]));
    problem(
        at_version(
            &app,
            Method::PATCH,
            &path(&case, ""),
            &iom,
            &case["version"],
            Some(&json!({ "status": "closed" })),
        )
        .await,
        412,
        "version_mismatch",
    )
    .await;
    problem(
        at_version(
            &app,
            Method::PATCH,
            &path(&case, ""),
            &iom,
            &changed["version"],
            Some(&json!({ "status": null })),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
}

#[tokio::test]
async fn a_retried_case_is_opened_once() {
    let app = spawn_seeded_app().await;
    let iom = app.token(Role::Iom);
    let body = new_case("Khulna", "female");
    let send_once = || {
        app.request(Method::POST, "/api/v1/cases", &iom)
            .header("idempotency-key", "case-khulna-0001")
            .json(&body)
            .send()
    };
    let first = json(send_once().await.unwrap(), 201).await;
    let again = send_once().await.unwrap();
    assert_eq!(again.headers().get("idempotent-replayed").unwrap(), "true");
    assert_eq!(json(again, 201).await["id"], first["id"]);
    assert_eq!(app.get_all("/api/v1/cases", Role::Iom).await.len(), 1);
}

async fn case_table(app: &TestApp, token: &str, by: &str) -> Value {
    json(
        send(
            app,
            Method::GET,
            &format!("/api/v1/statistics/cases?by={by}"),
            token,
            None,
        )
        .await,
        200,
    )
    .await
}

#[tokio::test]
async fn case_statistics_withhold_small_cells_and_nothing_withheld_can_be_computed_back() {
    let app = spawn_seeded_app().await;
    let iom = app.token(Role::Iom);
    // Dhaka 30 (2 men), Cox's Bazar 20, Teknaf 3, Sylhet 1.
    for (district, n) in [
        ("Dhaka", 30),
        ("Cox's Bazar", 20),
        ("Teknaf", 3),
        ("Sylhet", 1),
    ] {
        for i in 0..n {
            let sex = if district == "Dhaka" && i < 2 {
                "male"
            } else {
                "female"
            };
            open_case(&app, &iom, &new_case(district, sex)).await;
        }
    }
    let exact_token = app.token_with_scopes(Role::Iom, "IOM-BGD", "stats:exact");
    let exact = case_table(&app, &exact_token, "district").await;
    assert_eq!(exact["exact"], true);
    assert_eq!(exact["total"], 54);
    assert_eq!(exact["cells"][3]["key"], "Teknaf");
    assert_eq!(exact["cells"][3]["count"], 3);

    for token in [
        app.token(Role::Eu),
        app.token(Role::Unodc),
        app.token_for(Role::Government, "MOHA-BGD"),
    ] {
        for by in ["district", "sex", "status", "month", "citizenship"] {
            let table = case_table(&app, &token, by).await;
            assert_eq!(table["exact"], false);
            let cells = table["cells"].as_array().unwrap();
            for cell in cells {
                match cell["count"].as_u64() {
                    Some(n) => assert!(n >= 11, "{by}: a small cell served: {table}"),
                    None => assert_eq!(cell["suppressed"], true),
                }
            }
            // The total is known (every dimension shares it): the withheld cells must each
            // still lie in a range at least k wide.
            let shown: u64 = cells.iter().filter_map(|c| c["count"].as_u64()).sum();
            let withheld = cells.iter().filter(|c| c["count"].is_null()).count() as u64;
            if withheld > 0 {
                let widest = (54 - shown) - (withheld - 1);
                assert!(
                    withheld >= 2 && widest > 11,
                    "{by}: a withheld cell can be pinned down: {table}"
                );
            }
        }
    }
    let by_district = case_table(&app, &app.token(Role::Eu), "district").await;
    let served: Vec<(&str, Option<u64>)> = by_district["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["key"].as_str().unwrap(), c["count"].as_u64()))
        .collect();
    assert_eq!(
        served,
        [
            ("Cox's Bazar", None),
            ("Dhaka", Some(30)),
            ("Sylhet", None),
            ("Teknaf", None)
        ]
    );
    assert_eq!(by_district["total"], 54);
    problem(
        send(
            &app,
            Method::GET,
            "/api/v1/statistics/cases?by=name",
            &app.token(Role::Eu),
            None,
        )
        .await,
        400,
        "invalid_query",
    )
    .await;
    problem(
        send(
            &app,
            Method::GET,
            "/api/v1/statistics/cases?by=district&from=2020-01-01",
            &app.token(Role::Eu),
            None,
        )
        .await,
        403,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn identities_sealed_with_a_retired_key_open_until_sealed_again_with_the_new_one() {
    use gloact_persistence::audit::Audit;
    use gloact_persistence::cases::{identities_not_under, identity as opened, reseal_identities};
    use gloact_persistence::sealed::SealingKey;

    let app = spawn_seeded_app().await;
    let caseworker = app.token_with_scopes(Role::Iom, "IOM-BGD", "pii");
    let mut body = new_case("Cox's Bazar", "female");
    body["identity"] = identity();
    let case = json(
        send(
            &app,
            Method::POST,
            "/api/v1/cases",
            &caseworker,
            Some(&body),
        )
        .await,
        201,
    )
    .await;
    let id: uuid::Uuid = case["id"].as_str().unwrap().parse().unwrap();
    let old = app.sealing_key.clone();
    let new = SealingKey::from_base64(&SealingKey::generate_base64()).unwrap();
    let rotated = new.clone().with_retired([old.clone()]);

    // The new key alone can't open it; with the old one retired, it can.
    assert!(opened(&app.db, id, &new).await.is_err());
    let before = opened(&app.db, id, &rotated).await.unwrap().unwrap();

    let operator = Audit {
        actor: "cli:test".into(),
        role: "operator".into(),
        organization: "-".into(),
        request_id: None,
    };
    assert_eq!(identities_not_under(&app.db, &new).await.unwrap(), 1);
    assert_eq!(
        reseal_identities(&app.db, &rotated, &operator)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        reseal_identities(&app.db, &rotated, &operator)
            .await
            .unwrap(),
        0
    );
    assert_eq!(identities_not_under(&app.db, &new).await.unwrap(), 0);

    // Now the new key alone opens it, to the same identity, and the old one no longer does.
    let after = opened(&app.db, id, &new).await.unwrap().unwrap();
    assert!(after == before, "the same identity after resealing");
    assert_eq!(after.given_name.as_ref().map(|n| n.as_str()), Some("Amina"));
    assert!(opened(&app.db, id, &old).await.is_err());
    assert_eq!(
        rows_holding(&app, "Rahmanova").await,
        0,
        "still sealed at rest"
    );

    // Resealing is on the record.
    let events = identity_events(&app).await;
    let resealed = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "reseal")
        .unwrap_or_else(|| panic!("no reseal event: {events}"));
    assert_eq!(resealed["actor"], "cli:test");
}

#[tokio::test]
async fn a_retry_sent_before_a_key_rotation_is_recognised_after_it() {
    use gloact_persistence::idempotency::{Claim, claim};
    use gloact_persistence::sealed::SealingKey;

    let app = spawn_seeded_app().await;
    let old = app.sealing_key.clone();
    let new = SealingKey::from_base64(&SealingKey::generate_base64()).unwrap();
    let rotated = new.with_retired([old.clone()]);
    let body = b"POST /api/v1/cases\n{\"district\":\"Dhaka\"}";
    let first = claim(&app.db, "test-iom", "case-0001", &old.fingerprints(body))
        .await
        .unwrap();
    assert!(matches!(first, Claim::Run(_)));
    // The same request after the rotation: the first one's, still running, not another one's.
    let retried = claim(
        &app.db,
        "test-iom",
        "case-0001",
        &rotated.fingerprints(body),
    )
    .await
    .unwrap();
    assert!(matches!(retried, Claim::InProgress));
    let other = claim(
        &app.db,
        "test-iom",
        "case-0001",
        &rotated.fingerprints(b"other"),
    )
    .await
    .unwrap();
    assert!(matches!(other, Claim::Mismatch));
}

/// The audit trail's events of one kind about one case, as an administrator reads them.
async fn case_events(app: &TestApp, case: &Value, action: &str) -> Vec<Value> {
    let admin = app.token_with_scopes(Role::Unodc, "UNODC-BGD", "admin");
    let path = format!(
        "/api/v1/admin/audit-events?resource_type=case&action={action}&resource_id={}",
        case["id"].as_str().unwrap()
    );
    let page = json(send(app, Method::GET, &path, &admin, None).await, 200).await;
    page["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn an_empty_change_to_a_case_writes_nothing_and_is_a_read_on_the_trail() {
    let app = spawn_seeded_app().await;
    let iom = app.token(Role::Iom);
    let case = open_case(&app, &iom, &new_case("Dhaka", "female")).await;

    let answered = json(
        at_version(
            &app,
            Method::PATCH,
            &path(&case, ""),
            &iom,
            &case["version"],
            Some(&json!({})),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(answered["version"], case["version"]);
    assert_eq!(answered["change_seq"], case["change_seq"]);
    assert!(case_events(&app, &case, "update").await.is_empty());
    let reads = case_events(&app, &case, "read").await;
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert_eq!(reads[0]["organization"], "IOM-BGD");

    // Empty or not, a change made at a version that has moved on is refused.
    let changed = json(
        at_version(
            &app,
            Method::PATCH,
            &path(&case, ""),
            &iom,
            &case["version"],
            Some(&json!({ "status": "follow_up" })),
        )
        .await,
        200,
    )
    .await;
    assert_ne!(changed["version"], case["version"]);
    problem(
        at_version(
            &app,
            Method::PATCH,
            &path(&case, ""),
            &iom,
            &case["version"],
            Some(&json!({})),
        )
        .await,
        412,
        "version_mismatch",
    )
    .await;
    assert_eq!(case_events(&app, &case, "read").await.len(), 1);
}
