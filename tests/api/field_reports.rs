//! Field reports from phones: safe resends, typed payloads per kind, review by UNODC, sync down,
//! and who sees what.

use gloact_domain::Role;
use gloact_tests::{TestApp, json, problem, spawn_seeded_app, victim_identification};
use reqwest::{Method, Response};
use serde_json::{Value, json};
use uuid::Uuid;

async fn send(app: &TestApp, token: &str, body: &Value) -> Response {
    app.request(Method::POST, "/api/v1/field-reports", token)
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_report_is_stored_once_however_often_it_is_resent() {
    let app = spawn_seeded_app().await;
    let moha = app.token(Role::Government);
    let id = Uuid::new_v4();
    let body = victim_identification(id);
    let first = json(send(&app, &moha, &body).await, 201).await;
    assert_eq!(first["id"], id.to_string());
    assert_eq!(
        (
            first["kind"].as_str(),
            first["organization"].as_str(),
            first["review_status"].as_str()
        ),
        (
            Some("victim_identification"),
            Some("MOHA-BGD"),
            Some("submitted")
        )
    );
    assert_eq!(first["payload"]["exploitation"], "labour");
    assert_eq!(first["gps"]["accuracy_m"], 15.0);

    // The answer was lost; the phone sends again: the same report, nothing stored twice.
    let again = json(send(&app, &moha, &body).await, 200).await;
    assert_eq!(again, first);
    // The same id with other content is refused, by the same or another organization.
    let mut other = body.clone();
    other["payload"]["age_band"] = json!("26_40");
    let own = problem(send(&app, &moha, &other).await, 409, "report_id_reused").await;
    // Another organization learns only that the id is taken: the same answer, naming no one.
    let foreign = problem(
        send(&app, &app.token(Role::Iom), &body).await,
        409,
        "report_id_reused",
    )
    .await;
    assert_eq!(own, foreign);
    assert!(!foreign.to_string().contains("MOHA"), "{foreign}");
    let all = app.get_all("/api/v1/field-reports", Role::Unodc).await;
    assert_eq!(all.len(), 1);
}

#[tokio::test]
async fn a_report_id_that_could_be_guessed_is_refused() {
    let app = spawn_seeded_app().await;
    let moha = app.token(Role::Government);
    for id in [
        Uuid::nil(),
        Uuid::parse_str("886313e1-3b8a-5372-9b90-0c9aee199e5d").unwrap(),
        Uuid::from_u128(0x0000_0000_0000_1000_8000_0000_0000_0001),
    ] {
        let refused = problem(
            send(&app, &moha, &victim_identification(id)).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(refused["errors"][0]["field"], "id", "{refused}");
        assert_eq!(refused["errors"][0]["code"], "not_random", "{refused}");
    }
    json(
        send(&app, &moha, &victim_identification(Uuid::now_v7())).await,
        201,
    )
    .await;
}

#[tokio::test]
async fn fifty_simultaneous_sends_of_one_report_store_one_row_and_answer_alike() {
    let app = spawn_seeded_app().await;
    let iom = app.token(Role::Iom);
    let body = victim_identification(Uuid::new_v4());
    let answers = futures_util::future::join_all((0..50).map(|_| send(&app, &iom, &body))).await;
    let mut created = 0;
    let mut bodies = Vec::new();
    for answer in answers {
        match answer.status().as_u16() {
            201 => created += 1,
            200 => {}
            other => panic!("unexpected {other}"),
        }
        bodies.push(answer.json::<Value>().await.unwrap());
    }
    assert_eq!(created, 1, "exactly one send stored it");
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "every send got the same report back"
    );
    assert_eq!(
        app.get_all("/api/v1/field-reports", Role::Unodc)
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn each_kind_has_its_own_validated_payload() {
    let app = spawn_seeded_app().await;
    let moha = app.token(Role::Government);
    let mut body = victim_identification(Uuid::new_v4());
    body["payload"] = json!({ "kind": "victim_identification", "sex": "f", "age_band": "19", "citizenship": "XXX", "exploitation": "labour" });
    let refused = problem(send(&app, &moha, &body).await, 422, "validation_failed").await;
    let fields: Vec<&str> = refused["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["payload.sex", "payload.age_band", "payload.citizenship"]
    );

    // A field of another kind, or a name in a victim's profile, is refused outright.
    body["payload"] = json!({ "kind": "victim_identification", "sex": "female", "age_band": "18_25", "citizenship": "BGD", "exploitation": "labour", "name": "Ayesha" });
    problem(send(&app, &moha, &body).await, 400, "invalid_body").await;
    body["payload"] = json!({ "kind": "gossip" });
    problem(send(&app, &moha, &body).await, 400, "invalid_body").await;

    for payload in [
        json!({ "kind": "activity_monitoring", "attendance": 34, "observations": "Judges asked for the bench book in Bangla." }),
        json!({ "kind": "referral", "service": "shelter", "to_organization": "BNWLA" }),
        json!({ "kind": "incident", "persons_involved": 2 }),
        json!({ "kind": "border_observation", "crossing_point": "Teknaf", "direction": "outbound", "persons_observed": 17, "suspected_smuggling": true }),
    ] {
        let mut body = victim_identification(Uuid::new_v4());
        body["payload"] = payload.clone();
        let stored = json(send(&app, &moha, &body).await, 201).await;
        assert_eq!(stored["payload"], payload);
    }
    let mut negative = victim_identification(Uuid::new_v4());
    negative["payload"] = json!({ "kind": "incident", "persons_involved": -1 });
    problem(send(&app, &moha, &negative).await, 422, "validation_failed").await;
    let mut future = victim_identification(Uuid::new_v4());
    future["occurred_at"] = json!((chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339());
    let refused = problem(send(&app, &moha, &future).await, 422, "validation_failed").await;
    assert_eq!(refused["errors"][0]["field"], "occurred_at");
    let mut off_globe = victim_identification(Uuid::new_v4());
    off_globe["gps"]["latitude"] = json!(123.0);
    problem(
        send(&app, &moha, &off_globe).await,
        422,
        "validation_failed",
    )
    .await;
}

#[tokio::test]
async fn each_role_sees_the_reports_the_policy_allows() {
    let app = spawn_seeded_app().await;
    let moljpa = app.token_for(Role::Government, "MOLJPA-BGD");
    let report = json(
        send(&app, &moljpa, &victim_identification(Uuid::new_v4())).await,
        201,
    )
    .await;
    let path = format!("/api/v1/field-reports/{}", report["id"].as_str().unwrap());
    // The EU sees statistics only; it neither reads nor sends reports.
    problem(
        app.get("/api/v1/field-reports", Role::Eu).await,
        403,
        "forbidden",
    )
    .await;
    problem(app.get(&path, Role::Eu).await, 403, "forbidden").await;
    problem(
        send(
            &app,
            &app.token(Role::Eu),
            &victim_identification(Uuid::new_v4()),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    // UNODC reads and reviews, but doesn't send.
    problem(
        send(
            &app,
            &app.token(Role::Unodc),
            &victim_identification(Uuid::new_v4()),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    // Another ministry doesn't even learn it exists.
    problem(app.get(&path, Role::Government).await, 404, "not_found").await;
    assert!(
        app.get_all("/api/v1/field-reports", Role::Government)
            .await
            .is_empty()
    );
    for role in [Role::Unodc, Role::Iom] {
        assert_eq!(app.get_all("/api/v1/field-reports", role).await.len(), 1);
    }
    let own = json(
        app.request(Method::GET, &path, &moljpa)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(own["id"], report["id"]);
    // Every read of a report is on the record.
    let admin = app.token_with_scopes(Role::Unodc, "UNODC-BGD", "admin");
    let trail = json(
        app.request(
            Method::GET,
            "/api/v1/admin/audit-events?action=read&resource_type=field_report",
            &admin,
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert!(trail["items"].as_array().unwrap().len() >= 3, "{trail}");
}

#[tokio::test]
async fn unodc_reviews_and_the_phone_syncs_the_decision_down() {
    let app = spawn_seeded_app().await;
    let moljpa = app.token_for(Role::Government, "MOLJPA-BGD");
    let first = json(
        send(&app, &moljpa, &victim_identification(Uuid::new_v4())).await,
        201,
    )
    .await;
    let second = json(
        send(&app, &moljpa, &victim_identification(Uuid::new_v4())).await,
        201,
    )
    .await;
    let since = second["change_seq"].as_i64().unwrap();
    let review = |report: &Value, version: i64, body: Value| {
        app.request(
            Method::POST,
            &format!(
                "/api/v1/field-reports/{}/review",
                report["id"].as_str().unwrap()
            ),
            &app.token(Role::Unodc),
        )
        .header("if-match", format!("\"{version}\""))
        .json(&body)
        .send()
    };
    let refused = problem(
        review(&first, 1, json!({ "decision": "rejected" }))
            .await
            .unwrap(),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(refused["errors"][0]["field"], "reason");
    let verified = json(
        review(&first, 1, json!({ "decision": "verified" }))
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(
        (
            verified["review_status"].as_str(),
            verified["version"].as_i64()
        ),
        (Some("verified"), Some(2))
    );
    problem(
        review(&first, 1, json!({ "decision": "verified" }))
            .await
            .unwrap(),
        412,
        "version_mismatch",
    )
    .await;
    let rejected = json(
        review(
            &second,
            1,
            json!({ "decision": "rejected", "reason": "Duplicate of an earlier report." }),
        )
        .await
        .unwrap(),
        200,
    )
    .await;
    assert_eq!(rejected["review_reason"], "Duplicate of an earlier report.");
    // IOM and the ministry may not review.
    let by_iom = app
        .request(
            Method::POST,
            &format!(
                "/api/v1/field-reports/{}/review",
                first["id"].as_str().unwrap()
            ),
            &app.token(Role::Iom),
        )
        .header("if-match", "\"2\"")
        .json(&json!({ "decision": "verified" }))
        .send()
        .await
        .unwrap();
    problem(by_iom, 403, "forbidden").await;

    // The phone asks what changed since its last sync: both decisions, in change order.
    let feed = json(
        app.request(
            Method::GET,
            &format!("/api/v1/field-reports?changed_after={since}"),
            &moljpa,
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    let statuses: Vec<(&str, &str)> = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap(),
                r["review_status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            (first["id"].as_str().unwrap(), "verified"),
            (second["id"].as_str().unwrap(), "rejected")
        ]
    );
    let verified_only = app
        .get_all("/api/v1/field-reports?review_status=verified", Role::Unodc)
        .await;
    assert_eq!(verified_only.len(), 1);
}

#[tokio::test]
async fn a_batch_judges_each_report_on_its_own() {
    let app = spawn_seeded_app().await;
    let moha = app.token(Role::Government);
    let sent_before = victim_identification(Uuid::new_v4());
    json(send(&app, &moha, &sent_before).await, 201).await;
    let taken = victim_identification(Uuid::new_v4());
    json(send(&app, &app.token(Role::Iom), &taken).await, 201).await;

    let fresh = victim_identification(Uuid::new_v4());
    let mut bad = victim_identification(Uuid::new_v4());
    bad["payload"]["sex"] = json!("f");
    let mut unreadable = victim_identification(Uuid::new_v4());
    unreadable["colour"] = json!("red");
    let batch = json!({ "reports": [fresh, sent_before, bad, taken, unreadable, fresh] });
    let response = app
        .request(Method::POST, "/api/v1/field-reports:batch", &moha)
        .json(&batch)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 207);
    let result: Value = response.json().await.unwrap();
    let statuses: Vec<&str> = result["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        [
            "created",
            "already_had",
            "invalid",
            "conflict",
            "invalid",
            "already_had"
        ]
    );
    assert_eq!(
        (
            result["created"].as_u64(),
            result["already_had"].as_u64(),
            result["refused"].as_u64()
        ),
        (Some(1), Some(2), Some(3))
    );
    assert_eq!(result["results"][2]["errors"][0]["field"], "payload.sex");
    assert!(
        result["results"][4]["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("colour"),
        "{result}"
    );
    assert_eq!(result["results"][0]["id"], fresh["id"]);
    // MOHA-BGD now has its two reports, no more.
    assert_eq!(
        app.get_all("/api/v1/field-reports", Role::Government)
            .await
            .len(),
        2
    );

    // Sending the same batch again stores nothing new.
    let again: Value = app
        .request(Method::POST, "/api/v1/field-reports:batch", &moha)
        .json(&batch)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again["created"], 0);
    let too_many = json!({ "reports": vec![victim_identification(Uuid::new_v4()); 501] });
    let refused = app
        .request(Method::POST, "/api/v1/field-reports:batch", &moha)
        .json(&too_many)
        .send()
        .await
        .unwrap();
    problem(refused, 422, "validation_failed").await;
    let empty = app
        .request(Method::POST, "/api/v1/field-reports:batch", &moha)
        .json(&json!({ "reports": [] }))
        .send()
        .await
        .unwrap();
    problem(empty, 422, "validation_failed").await;
}

async fn send_keyed(app: &TestApp, token: &str, key: &str, body: &Value) -> Response {
    app.request(Method::POST, "/api/v1/field-reports", token)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_idempotency_key_makes_retries_answer_like_the_first_request() {
    let app = spawn_seeded_app().await;
    let moha = app.token(Role::Government);
    let body = victim_identification(Uuid::new_v4());
    let first = send_keyed(&app, &moha, "phone-7f3a-0001", &body).await;
    assert_eq!(first.status(), 201);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let location = first.headers()["location"].clone();
    let first_body: Value = first.json().await.unwrap();

    let retry = send_keyed(&app, &moha, "phone-7f3a-0001", &body).await;
    assert_eq!(
        retry.status(),
        201,
        "a retry gets the first answer, status included"
    );
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    assert_eq!(retry.headers()["location"], location);
    assert_eq!(retry.json::<Value>().await.unwrap(), first_body);
    assert_eq!(
        app.get_all("/api/v1/field-reports", Role::Unodc)
            .await
            .len(),
        1
    );

    // The same key for another request is refused; the quoted form of a key is the same key.
    let other = victim_identification(Uuid::new_v4());
    problem(
        send_keyed(&app, &moha, "phone-7f3a-0001", &other).await,
        422,
        "idempotency_key_reused",
    )
    .await;
    problem(
        send_keyed(&app, &moha, "\"phone-7f3a-0001\"", &other).await,
        422,
        "idempotency_key_reused",
    )
    .await;
    // Keys belong to their caller: another organization's key of the same name is its own.
    json(
        send_keyed(&app, &app.token(Role::Iom), "phone-7f3a-0001", &other).await,
        201,
    )
    .await;
    problem(
        send_keyed(&app, &moha, "", &other).await,
        400,
        "invalid_idempotency_key",
    )
    .await;
    // A refused request is kept too: its retry is refused alike, without running again.
    let mut bad = victim_identification(Uuid::new_v4());
    bad["payload"]["sex"] = json!("f");
    problem(
        send_keyed(&app, &moha, "phone-7f3a-0002", &bad).await,
        422,
        "validation_failed",
    )
    .await;
    let again = send_keyed(&app, &moha, "phone-7f3a-0002", &bad).await;
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    problem(again, 422, "validation_failed").await;
}

#[tokio::test]
async fn a_request_still_running_is_a_409_and_one_abandoned_by_a_restart_is_taken_over() {
    use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
    let app = spawn_seeded_app().await;
    let moha = app.token(Role::Government);
    let body = victim_identification(Uuid::new_v4());
    // The fingerprint the server computes: method, path and the JSON body (keys sorted), keyed.
    let fingerprint = app
        .sealing_key
        .fingerprint(format!("POST /api/v1/field-reports\n{body}").as_bytes());
    let mut conn = AsyncPgConnection::establish(&app.database_url())
        .await
        .unwrap();
    // As if the first request under the key were still running (its answer not kept yet)...
    diesel::sql_query(format!("INSERT INTO idempotency_key (owner, key, fingerprint, claim) VALUES ('MOHA-BGD/test-government', 'k-running', '{fingerprint}', gen_random_uuid())"))
        .execute(&mut conn)
        .await
        .unwrap();
    problem(
        send_keyed(&app, &moha, "k-running", &body).await,
        409,
        "idempotency_request_in_progress",
    )
    .await;
    // ...and as if the server had stopped in the middle of one, two minutes ago: the retry runs.
    diesel::sql_query(format!(
        "INSERT INTO idempotency_key (owner, key, fingerprint, claim, started_at) VALUES ('MOHA-BGD/test-government', 'k-abandoned', '{fingerprint}', gen_random_uuid(), now() - interval '2 minutes')"
    ))
    .execute(&mut conn)
    .await
    .unwrap();
    json(send_keyed(&app, &moha, "k-abandoned", &body).await, 201).await;
    let replay = send_keyed(&app, &moha, "k-abandoned", &body).await;
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
}

#[tokio::test]
async fn fifty_simultaneous_sends_under_one_key_are_answered_alike() {
    let app = spawn_seeded_app().await;
    let iom = app.token(Role::Iom);
    let body = victim_identification(Uuid::new_v4());
    let answers =
        futures_util::future::join_all((0..50).map(|_| send_keyed(&app, &iom, "burst-1", &body)))
            .await;
    let mut seen = Vec::new();
    for answer in answers {
        assert_eq!(answer.status(), 201, "every send gets the first answer");
        seen.push(answer.json::<Value>().await.unwrap());
    }
    assert!(seen.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(
        app.get_all("/api/v1/field-reports", Role::Unodc)
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn an_idempotency_key_covers_batches_too() {
    let app = spawn_seeded_app().await;
    let moha = app.token(Role::Government);
    let batch = json!({ "reports": [victim_identification(Uuid::new_v4()), victim_identification(Uuid::new_v4())] });
    let send_batch = |body: Value| {
        app.request(Method::POST, "/api/v1/field-reports:batch", &moha)
            .header("idempotency-key", "sync-42")
            .json(&body)
            .send()
    };
    let first = send_batch(batch.clone()).await.unwrap();
    assert_eq!(first.status(), 207);
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["created"], 2);
    let retry = send_batch(batch.clone()).await.unwrap();
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    assert_eq!(
        retry.json::<Value>().await.unwrap(),
        first,
        "the first answer, not 'already had'"
    );
    let other = json!({ "reports": [victim_identification(Uuid::new_v4())] });
    problem(
        send_batch(other).await.unwrap(),
        422,
        "idempotency_key_reused",
    )
    .await;
}

#[tokio::test]
async fn a_referral_is_seen_by_the_organization_it_is_made_to() {
    let app = spawn_seeded_app().await;
    let moha = app.token(Role::Government);
    let mut referral = victim_identification(Uuid::new_v4());
    referral["payload"] =
        json!({ "kind": "referral", "service": "legal", "to_organization": "MOLJPA-BGD" });
    let sent = json(send(&app, &moha, &referral).await, 201).await;
    let path = format!("/api/v1/field-reports/{}", sent["id"].as_str().unwrap());
    let moljpa = app.token_for(Role::Government, "MOLJPA-BGD");
    assert_eq!(
        json(
            app.request(Method::GET, &path, &moljpa)
                .send()
                .await
                .unwrap(),
            200
        )
        .await["id"],
        sent["id"]
    );
    let listed = json(
        app.request(Method::GET, "/api/v1/field-reports", &moljpa)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    // A ministry neither sending nor receiving it doesn't learn it exists.
    let mofa = app.token_for(Role::Government, "MOFA-BGD");
    problem(
        app.request(Method::GET, &path, &mofa).send().await.unwrap(),
        404,
        "not_found",
    )
    .await;
    // The receiver reads it but doesn't add to it.
    let (content_type, body) = gloact_tests::multipart_file(&gloact_tests::jpeg("x"), "image/jpeg");
    let attach = app
        .request(Method::POST, &format!("{path}/attachments"), &moljpa)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    problem(attach, 404, "not_found").await;
    // A referral to an organization that doesn't exist is refused.
    let mut nowhere = victim_identification(Uuid::new_v4());
    nowhere["payload"] =
        json!({ "kind": "referral", "service": "legal", "to_organization": "NOWHERE" });
    let refused = problem(send(&app, &moha, &nowhere).await, 422, "validation_failed").await;
    assert_eq!(refused["errors"][0]["field"], "payload.to_organization");
}

#[tokio::test]
async fn a_batch_stores_the_first_of_an_id_sent_twice_and_is_one_event_on_the_trail() {
    let app = spawn_seeded_app().await;
    let moha = app.token(Role::Government);
    let first = victim_identification(Uuid::new_v4());
    let mut same_id_other_report = first.clone();
    same_id_other_report["district"] = json!("Dhaka");
    let other = victim_identification(Uuid::new_v4());
    let batch = json!({ "reports": [first, same_id_other_report, other, first] });
    let response = app
        .request(Method::POST, "/api/v1/field-reports:batch", &moha)
        .json(&batch)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 207);
    let result: Value = response.json().await.unwrap();
    let statuses: Vec<&str> = result["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["created", "conflict", "created", "already_had"]);
    // The first content sent under the id is the one kept.
    let path = format!("/api/v1/field-reports/{}", first["id"].as_str().unwrap());
    let stored = app.get_json(&path, Role::Unodc, 200).await;
    assert_eq!(stored["district"], first["district"]);

    // One event names both stored reports, and a search by either finds it.
    let admin = app.token_with_scopes(Role::Unodc, "UNODC-BGD", "admin");
    for id in [&first["id"], &other["id"]] {
        let trail = json(
            app.request(
                Method::GET,
                &format!(
                    "/api/v1/admin/audit-events?action=create&resource_type=field_report&resource_id={}",
                    id.as_str().unwrap()
                ),
                &admin,
            )
            .send()
            .await
            .unwrap(),
            200,
        )
        .await;
        let events = trail["items"].as_array().unwrap();
        assert_eq!(events.len(), 1, "{trail}");
        let named: Vec<&Value> = events[0]["resource_ids"]
            .as_array()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(named, [&first["id"], &other["id"]], "{trail}");
    }
}

#[tokio::test]
async fn two_batches_sharing_ids_at_once_store_each_report_once() {
    let app = spawn_seeded_app().await;
    let moha = app.token(Role::Government);
    let admin = app.token_with_scopes(Role::Unodc, "UNODC-BGD", "admin");
    for _round in 0..3 {
        let reports: Vec<Value> = (0..40)
            .map(|_| victim_identification(Uuid::new_v4()))
            .collect();
        // They overlap on ten reports, sent in opposite orders.
        let first = reports[..25].to_vec();
        let second: Vec<Value> = reports[15..].iter().rev().cloned().collect();
        let send = |batch: Vec<Value>| {
            tokio::spawn(
                app.request(Method::POST, "/api/v1/field-reports:batch", &moha)
                    .json(&json!({ "reports": batch }))
                    .send(),
            )
        };
        let (a, b) = (send(first.clone()), send(second.clone()));
        let mut created: std::collections::HashMap<String, usize> = Default::default();
        for (sent, answer) in [(first, a), (second, b)] {
            let response = answer.await.unwrap().unwrap();
            assert!(
                [200, 207].contains(&response.status().as_u16()),
                "{}",
                response.status()
            );
            let answer: Value = response.json().await.unwrap();
            let results = answer["results"].as_array().unwrap();
            assert_eq!(results.len(), sent.len());
            for (report, result) in sent.iter().zip(results) {
                let id = report["id"].as_str().unwrap().to_owned();
                match result["status"].as_str().unwrap() {
                    "created" => *created.entry(id).or_default() += 1,
                    "already_had" => {
                        created.entry(id).or_default();
                    }
                    other => panic!("{id}: {other} in {answer}"),
                }
            }
        }
        // Each report was created by exactly one of the two, and is on the trail once.
        assert_eq!(created.len(), 40);
        assert!(created.values().all(|&n| n == 1), "{created:?}");
        for report in &reports[15..25] {
            let trail = json(
                app.request(
                    Method::GET,
                    &format!(
                        "/api/v1/admin/audit-events?action=create&resource_type=field_report&resource_id={}",
                        report["id"].as_str().unwrap()
                    ),
                    &admin,
                )
                .send()
                .await
                .unwrap(),
                200,
            )
            .await;
            assert_eq!(trail["items"].as_array().unwrap().len(), 1, "{trail}");
        }
    }
}
